"""A throwaway PostgreSQL cluster from Debian's packages, for tests against PostgreSQL."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

import psycopg2

DATABASE = "kefu"
USER = "kefu"


def postgres_bin_dir() -> Path:
    """Where initdb and postgres live: Debian keeps them in /usr/lib/postgresql/<major>/bin."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    on_path = shutil.which("initdb")
    found = candidates[0] if candidates else on_path
    if not found:
        raise FileNotFoundError(
            "PostgreSQL is not installed: apt-get install postgresql (see docs/operations.md)"
        )
    return Path(found).resolve().parent


class PostgresServer:
    """initdb into `data_dir`, then postgres on a loopback port; trust auth, loopback only.

    PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user, in
    a directory of its own under the system's temporary directory (removed on stop).
    """

    def __init__(self, *, port: int, data_dir: Optional[Path] = None) -> None:
        self.port = port
        self._owns_data_dir = data_dir is None or os.geteuid() == 0
        self.data_dir = Path(tempfile.mkdtemp(prefix="kefu-pg-")) / "data" \
            if self._owns_data_dir else data_dir
        self.log_path = self.data_dir.parent / "postgres.log"
        self._bin = postgres_bin_dir()
        self._process: Optional[subprocess.Popen[bytes]] = None

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _as_owner(self, command: List[str]) -> List[str]:
        if os.geteuid() != 0:
            return command
        return ["runuser", "-u", "postgres", "--", *command]

    def start(self, timeout_seconds: float = 30.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.data_dir, self.data_dir.parent):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        initdb = subprocess.run(
            self._as_owner([str(self._bin / "initdb"), "-D", str(self.data_dir), "-U", USER,
                            "-A", "trust", "-E", "UTF8", "--no-instructions"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed: {initdb.stderr.decode(errors='replace')}")
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                self._as_owner([str(self._bin / "postgres"), "-D", str(self.data_dir),
                                "-p", str(self.port), "-h", "127.0.0.1",
                                "-k", str(self.data_dir), "-c", "fsync=off"]),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        self._wait_until_ready(timeout_seconds)
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=USER,
                                      dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        connection.close()

    def _wait_until_ready(self, timeout_seconds: float) -> None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"postgres exited; see {self.log_path}")
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                                 connect_timeout=1).close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"postgres not answering on port {self.port}") from None
                time.sleep(0.05)  # polling a readiness condition, bounded by the deadline

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()  # SIGTERM: PostgreSQL's smart shutdown
            self._process.wait(timeout=30)
        if self._owns_data_dir:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
