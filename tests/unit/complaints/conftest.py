"""The complaints services on real SQLite and PostgreSQL (the `database_url` fixture): a
small team (two on the complaints team, one without the skill, a supervisor) and
complaints filed as the bot's form files them."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.database import make_engine
from actions.store.models import AuditEvent, Ticket
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from handoff.agents import AgentAccount, find_account, save_account

NOON_UTC = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
TEAM = {
    "wang": {"skills": "general,complaints"},
    "smith": {"skills": "general,complaints", "languages": "en"},
    "zhao": {"skills": "general,fraud"},
    "chen": {"skills": "general", "role": "supervisor"},
}


@dataclass
class Desk:
    """The database, the team's accounts, and ways to file complaints and read them back."""

    sessions: sessionmaker[Session]

    def agent(self, agent_id: str) -> AgentAccount:
        account = find_account(self.sessions, agent_id)
        assert account is not None
        return account

    def complaint(self, at: dt.datetime = NOON_UTC, **given: Any) -> str:
        draft = {"channel": "rest", "sender_id": "web-1", "language": "zh", "category": "card",
                 "description": "ATM吞卡，卡号6222021234567890123", "desired_outcome": "refund",
                 "contact_preference": "sms", "contact_phone": "13800138001", "amount": "500",
                 "currency": "CNY", "incident_date": dt.date(2026, 11, 20),
                 "card_last_four": "1234", **given}
        return OpenComplaint(self.sessions, lambda: at)(ComplaintDraft(**draft)).number

    def ticket(self, number: str) -> Ticket:
        with self.sessions() as session:
            return session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()

    def owner(self, number: str) -> Tuple[Any, Any]:
        ticket = self.ticket(number)
        return ticket.owner_agent_id, ticket.claimed_at

    def history(self, number: str) -> List[Tuple[str, str, str]]:
        with self.sessions() as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
            return [(event.actor, event.status, event.note) for event in ticket.events]

    def audited(self, number: str) -> List[Dict[str, Any]]:
        with self.sessions() as session:
            rows = session.execute(select(AuditEvent).where(AuditEvent.subject == number)
                                   .order_by(AuditEvent.id)).scalars()
            return [{"actor": row.actor, "action": row.action, **json.loads(row.detail)}
                    for row in rows]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield sessionmaker(engine, future=True, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def desk(sessions: sessionmaker[Session]) -> Desk:
    for agent_id, fields in TEAM.items():
        save_account(sessions, f"pw-{agent_id}", agent_id=agent_id,
                     display_name=agent_id.title(), **fields)
    return Desk(sessions)
