"""`make run` keeps var/ (database, SMS outbox with one-time codes, logs) private to its user."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

import pytest

from stack.run import keep_private


@pytest.fixture
def restored_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_left_by_an_earlier_run_and_new_ones_are_private(tmp_path: Path,
                                                                 restored_umask: None) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    outbox.write_text('{"body": "验证码为 123456"}\n')
    outbox.chmod(0o644)
    (tmp_path / "redis").mkdir()
    dump = tmp_path / "redis" / "dump.rdb"
    dump.write_bytes(b"REDIS")
    dump.chmod(0o644)

    keep_private(tmp_path)

    assert _mode(outbox) == 0o600 and _mode(dump) == 0o600
    database = tmp_path / "kefu.db"
    database.write_bytes(b"")
    assert _mode(database) == 0o600


def test_a_missing_var_directory_is_not_an_error(tmp_path: Path, restored_umask: None) -> None:
    keep_private(tmp_path / "var")
    assert not (tmp_path / "var").exists()
