"""RecordCsat: store a satisfaction score once the customer has given it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Optional

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import CsatResponse, utc_now


@dataclass(frozen=True)
class CsatAnswer:
    channel: str
    sender_id: str
    language: str
    score: int
    comment: Optional[str]
    served_by: str  # "bot" or "agent"
    customer_id: Optional[int] = None


class RecordCsat:
    def __init__(
        self, sessions: sessionmaker[Session], clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def __call__(self, answer: CsatAnswer) -> int:
        if not 1 <= answer.score <= 5:
            raise ValueError(f"a satisfaction score is 1 to 5, not {answer.score}")
        with self._sessions.begin() as session:
            response = CsatResponse(
                channel=answer.channel, sender_id=answer.sender_id,
                customer_id=answer.customer_id, score=answer.score, comment=answer.comment,
                served_by=answer.served_by, language=answer.language, created_at=self._clock(),
            )
            session.add(response)
            session.flush()
            return int(response.id)


class AddCsatComment:
    """The optional comment comes a turn after the score, which is stored at once."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __call__(self, response_id: int, comment: str) -> None:
        with self._sessions.begin() as session:
            session.execute(update(CsatResponse).where(CsatResponse.id == response_id)
                            .values(comment=comment))
