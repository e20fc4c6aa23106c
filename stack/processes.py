"""Running the Procfile under honcho, and waiting until every process is healthy."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Mapping, Optional

from stack.settings import PROJECT_ROOT

PROCFILE = PROJECT_ROOT / "Procfile"


class StackFailed(RuntimeError):
    """A process exited or never became healthy."""


def honcho_command() -> list[str]:
    return [sys.executable, "-m", "honcho", "start", "-f", str(PROCFILE), "-d", str(PROJECT_ROOT)]


def start_processes(
    environment: Mapping[str, str], output: Optional[IO[bytes]] = None
) -> subprocess.Popen[bytes]:
    """Start honcho in its own process group so it can be stopped as a whole."""
    return subprocess.Popen(
        honcho_command(),
        env=dict(environment),
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
        start_new_session=output is not None,
    )


def stop_processes(process: subprocess.Popen[bytes], timeout_seconds: float = 30.0) -> None:
    if process.poll() is not None:
        return
    # honcho forwards SIGTERM to every child and waits for them.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_until_healthy(
    urls: Mapping[str, str],
    process: subprocess.Popen[bytes],
    timeout_seconds: float = 300.0,
) -> float:
    """Poll each health URL until it answers 200; return the seconds it took."""
    started = time.monotonic()
    pending = dict(urls)
    while pending:
        if process.poll() is not None:
            raise StackFailed(f"a process exited before being ready: {', '.join(pending)}")
        for name, url in list(pending.items()):
            if _answers(url):
                del pending[name]
        if time.monotonic() - started > timeout_seconds:
            raise StackFailed(f"not healthy after {timeout_seconds:.0f} s: {', '.join(pending)}")
        if pending:
            time.sleep(0.2)  # polling readiness, bounded by the deadline above
    return time.monotonic() - started


def warm_up_nlu(rasa_url: str, token: str) -> None:
    """Parse one message so jieba loads its dictionary before the first customer arrives."""
    request = urllib.request.Request(
        f"{rasa_url}/model/parse?token={token}",
        data=json.dumps({"text": "你好 hello"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        reply.read()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
