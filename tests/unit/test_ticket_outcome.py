"""The customer's verdict on a resolved ticket, read from what they say or click."""

from __future__ import annotations

import pytest

from actions.ticket_outcome import read_verdict


@pytest.mark.parametrize(
    ("text", "intent", "verdict"),
    [("/affirm", "affirm", "yes"), ("/deny", "deny", "no"), ("接受", None, "yes"),
     ("不接受", None, "no"), ("我不满意", None, "no"), ("满意", None, "yes"),
     ("yes, that's fine", None, "yes"), ("not acceptable at all", None, "no"),
     ("no", None, "no"), ("what are your opening hours", "branch_hours", None)],
)
def test_verdicts(text: str, intent: str | None, verdict: str | None) -> None:
    assert read_verdict(text, intent) == verdict
