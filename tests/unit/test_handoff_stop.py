"""`python -m handoff`, as the Procfile runs it, stops when told (SIGTERM): its background loops
must not hold aiohttp's wait for tasks at shutdown (a minute), or honcho kills it mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from stack.processes import free_port, wait_until_healthy
from stack.settings import PROJECT_ROOT

# honcho, which `make run` uses, kills a process that has not stopped 5 s after SIGTERM.
HONCHO_GRACE_SECONDS = 5


def test_the_service_stops_on_sigterm_and_says_so(redis_url, database_url, tmp_path: Path
                                                  ) -> None:
    port = str(free_port())
    log = tmp_path / "handoff.log"
    environment = {**os.environ, "PORT": port, "REDIS_URL": redis_url,
                   "KEFU_DATABASE_URL": database_url, "KEFU_SERVICE_TOKEN": "x" * 32,
                   "KEFU_RASA_URL": f"http://127.0.0.1:{free_port()}",
                   "KEFU_HANDOFF_INSTANCE": "handoff-stop"}
    with log.open("wb") as output:
        service = subprocess.Popen([sys.executable, "-m", "handoff", "--port", port],
                                   env=environment, cwd=PROJECT_ROOT, stdout=output,
                                   stderr=subprocess.STDOUT)
    try:
        wait_until_healthy({"handoff": f"http://127.0.0.1:{port}/health"}, service,
                           timeout_seconds=60)
        service.send_signal(signal.SIGTERM)
        # Not a speed figure: the deadline stands for honcho's, after which it kills.
        assert service.wait(timeout=HONCHO_GRACE_SECONDS) == 0, log.read_text()[-2000:]
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
