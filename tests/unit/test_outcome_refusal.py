"""A complaint that refuses an earlier outcome (actions/ticket_outcome.py) is told from one about
something new: only the former is taken as the verdict on a ticket awaiting it."""

from __future__ import annotations

import pytest

from actions.ticket_outcome import refuses_an_outcome


@pytest.mark.parametrize("text", [
    "我对处理结果不满意", "处理结果我不接受", "你们的答复我无法接受", "对结果不满意，要求重新处理",
    "I'm not happy with how you resolved my complaint", "I don't accept the resolution",
    "I'm not satisfied with the outcome",
])
def test_a_refused_outcome_is_recognised(text: str) -> None:
    assert refuses_an_outcome(text)


@pytest.mark.parametrize("text", [
    "我要投诉", "我要投诉处理结果", "柜员态度太差了，我不满意", "转账一直显示处理中，我要投诉",
    "the teller handled my withdrawal badly, I want to complain", "I want to make a complaint",
    "what was the outcome of my complaint?",
])
def test_a_new_complaint_or_a_question_is_not_a_refusal(text: str) -> None:
    assert not refuses_an_outcome(text)
