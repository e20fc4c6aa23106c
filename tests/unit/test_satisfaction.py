"""Satisfaction scores and comments, read and stored on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.satisfaction.answers import read_comment, read_score
from actions.satisfaction.record import AddCsatComment, CsatAnswer, RecordCsat
from actions.store.database import session_factory
from actions.store.models import CsatResponse


@pytest.mark.parametrize(
    ("text", "choice", "score"),
    [('/inform{"choice": "4"}', "4", 4), ("5", None, 5), ("3分", None, 3), ("2 stars", None, 2),
     ("非常满意", None, 5), ("满意", None, 4), ("不满意", None, 2), ("非常不满意", None, 1),
     ("very satisfied", None, 5), ("not satisfied", None, 2), ("so-so", None, 3)],
)
def test_scores(text: str, choice: str | None, score: int) -> None:
    assert read_score(text, choice) == score


@pytest.mark.parametrize("text", ["6", "0", "🙂", "what time do you open", "10分"])
def test_not_scores(text: str) -> None:
    assert read_score(text, None) is None


def test_comments() -> None:
    assert read_comment("希望客服响应再快一点") == "希望客服响应再快一点"
    assert read_comment("没有") is None
    assert read_comment("no thanks") is None
    assert read_comment("👍👍") == "👍👍"  # how the customer felt: kept
    assert read_comment("。。。") is None


def test_a_score_is_stored_with_who_served(database_url: str) -> None:
    record = RecordCsat(session_factory(database_url))
    stored_id = record(CsatAnswer(channel="rest", sender_id="web-1", language="zh", score=4,
                                  comment=None, served_by="agent"))
    AddCsatComment(session_factory(database_url))(stored_id, "很快")
    with pytest.raises(ValueError):
        record(CsatAnswer(channel="rest", sender_id="web-1", language="zh", score=7,
                          comment=None, served_by="bot"))
    with session_factory(database_url)() as session:
        stored = session.execute(select(CsatResponse)).scalars().all()
    assert [(r.score, r.comment, r.served_by) for r in stored] == [(4, "很快", "agent")]
