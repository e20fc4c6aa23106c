"""Following a development outbox (one JSON message per line) from `make chat`."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional

# Outbox polling interval of these interactive tools (not tests): short enough to feel live.
POLL_SECONDS = 0.2


class OutboxFollower(threading.Thread):
    """Prints what `shown` makes of each new line (None: not for this customer)."""

    def __init__(self, path: Path, shown: Callable[[Dict[str, Any]], Optional[str]]) -> None:
        super().__init__(daemon=True, name="outbox")
        self.path, self.shown = path, shown
        self.offset = path.stat().st_size if path.exists() else 0
        self.last_seen = time.monotonic()

    def run(self) -> None:
        while True:
            self.read_new_lines()
            time.sleep(POLL_SECONDS)

    def read_new_lines(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as outbox:
            outbox.seek(self.offset)
            chunk = outbox.read()
        complete = chunk[:chunk.rfind(b"\n") + 1]  # a line being written waits for next time
        self.offset += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            printed = self.shown(json.loads(line)) if line.strip() else None
            if printed is not None:
                print(f"\r{printed}\n", end="", flush=True)
                self.last_seen = time.monotonic()

    def wait_until_quiet(self, quiet_seconds: float) -> None:
        """Until nothing new has come for `quiet_seconds` (the replies to piped input)."""
        self.last_seen = time.monotonic()
        while time.monotonic() - self.last_seen < quiet_seconds:
            time.sleep(POLL_SECONDS)
