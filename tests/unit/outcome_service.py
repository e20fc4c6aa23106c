"""The handoff service as the complaint-outcome tests drive it: resolve a ticket through the
API, file complaints as the bot's form does, and read back the ticket's history, the audit
trail, the outbox rows and what the fake gateway took."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.identity.demo import seed_demo_customers
from actions.store.database import migrate
from actions.store.models import AuditEvent, Customer, OutboxNotice, Ticket
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from bot.channels.sms_gateway import GatewaySettings
from handoff.settings import HandoffSettings
from stack.processes import free_port
from tests.fakes.smtp_server import LoopbackSmtp
from tests.fakes.twilio import FakeTwilio
from tests.scraped_metrics import scraped

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAIL_FROM = "银行客服 <kefu@bank.example>"
WANG = "+8613800138001"  # 王女士, a demo customer: 13800138001, wang@example.com


@dataclass
class Service:
    client: Any
    sessions: sessionmaker[Session]
    twilio: Optional[FakeTwilio] = None
    relay: Optional[LoopbackSmtp] = None

    async def resolve(self, number: str, resolution: str) -> Dict[str, Any]:
        reply = await self.client.post(f"/api/v1/tickets/{number}/resolve", headers=AUTH,
                                       json={"resolution": resolution, "agent_id": "agent-7"})
        assert reply.status == 200, await reply.text()
        return dict(await reply.json())

    async def counted(self, sample: str) -> float:
        """A sample of the service's metrics (`name_total{label="value"}`)."""
        return await scraped(self.client, sample, TOKEN)

    def complaint(self, **given: Any) -> str:
        draft = {"channel": "socketio", "sender_id": "web-1", "language": "zh",
                 "category": "fees", "description": "多扣了年费", "desired_outcome": "refund",
                 "contact_preference": "sms", **given}
        return OpenComplaint(self.sessions)(ComplaintDraft(**draft)).number

    def customer_id(self, customer_number: str) -> int:
        seed_demo_customers(self.sessions)
        with self.sessions() as session:
            return int(session.execute(select(Customer.id).where(
                Customer.customer_number == customer_number)).scalar_one())

    def history(self, number: str) -> List[Tuple[str, str, str]]:
        with self.sessions() as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
            return [(event.actor, event.status, event.note) for event in ticket.events]

    def ticket(self, number: str) -> Tuple[str, str]:
        with self.sessions() as session:
            ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
            return ticket.status, ticket.resolution

    def audited(self, number: str) -> List[Dict[str, Any]]:
        with self.sessions() as session:
            rows = session.execute(select(AuditEvent).where(
                AuditEvent.subject == number, AuditEvent.action == "ticket.outcome_notice"))
            return [{"actor": row.actor, **json.loads(row.detail)} for row in rows.scalars()]

    def outbox(self, number: str) -> List[Tuple[str, int, Optional[str]]]:
        """The ticket's outcome notices: status, attempts begun, last error."""
        with self.sessions() as session:
            rows = session.execute(select(OutboxNotice).where(
                OutboxNotice.ticket_number == number).order_by(OutboxNotice.id))
            return [(row.status, row.attempts, row.last_error) for row in rows.scalars()]

    def texts_to(self, phone: str) -> List[str]:
        assert self.twilio is not None
        return [message.body for message in self.twilio.sent_to(phone)]


def sqlite_database(tmp_path: Any) -> str:
    url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(url)
    return url


def service_settings(redis_url: str, database_url: str, **outside: Any) -> HandoffSettings:
    # Nothing listens at rasa_url: the customer is not told in their conversation.
    return HandoffSettings(redis_url=redis_url, service_token=TOKEN, database_url=database_url,
                           rasa_url=f"http://127.0.0.1:{free_port()}", **outside)


def gateway_of(twilio: FakeTwilio) -> GatewaySettings:
    return GatewaySettings(twilio.account_sid, twilio.auth_token, twilio.sender, twilio.base_url)
