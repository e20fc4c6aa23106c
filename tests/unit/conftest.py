"""Fakes of the outside services the unit tests' apps talk to, on loopback."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.fakes.smtp_server import LoopbackSmtp
from tests.fakes.twilio import FakeTwilio


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    """Twilio's Messages API (texts sent, outages and refusals on request)."""
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def relay() -> Iterator[LoopbackSmtp]:
    """An SMTP relay whose mailbox the test reads."""
    with LoopbackSmtp() as server:
        yield server
