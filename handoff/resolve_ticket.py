"""ResolveTicketAndNotify: an agent resolves a ticket; the customer hears it in their channel,
and by SMS or e-mail when that is how they asked to be told (or the agent is asked to call)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Dict, Optional

from aiohttp import ClientSession, web
from redis.asyncio import Redis
from sqlalchemy.orm import Session, sessionmaker

from actions.tickets.records import TicketView
from actions.tickets.resolve import OwnerCheck, ResolveTicket
from handoff.keys import conversation_key, http_key, redis_key, settings_key, sql_sessions_key
from handoff.outcome.notice import CALL_CUSTOMER, OutcomeNotice
from handoff.outcome.notify import NotifyOutcome
from handoff.rasa_client import TICKET_RESOLVED_INTENT, trigger_intent
from handoff.state import outcome_key


@dataclass(frozen=True)
class ResolvedTicket:
    ticket: TicketView
    customer_notified: bool
    # The customer is talking with an agent now: the agent tells them, not the bot.
    with_an_agent: bool = False
    # The text, e-mail or call the customer chose; None when their conversation is the way.
    outcome_notice: Optional[OutcomeNotice] = None

    @property
    def call_customer(self) -> bool:
        return self.outcome_notice is not None and self.outcome_notice.status == CALL_CUSTOMER

    def as_json(self) -> Dict[str, Any]:
        return {"number": self.ticket.number, "status": self.ticket.status,
                "customer_notified": self.customer_notified, "with_an_agent": self.with_an_agent,
                "call_customer": self.call_customer,
                "outcome_notice": self.outcome_notice.as_json() if self.outcome_notice else None}


class ResolveTicketAndNotify:
    def __init__(
        self, sessions: sessionmaker[Session], http: ClientSession, rasa_url: str, rasa_token: str,
        redis: Optional[Redis] = None, outcome: Optional[NotifyOutcome] = None,
    ) -> None:
        # The text or e-mail to send is stored with the resolution, or neither is.
        self._resolve = ResolveTicket(sessions,
                                      with_resolution=outcome.queue if outcome else None)
        self._redis = redis
        self._http = http
        self._rasa_url = rasa_url
        self._rasa_token = rasa_token
        self._outcome = outcome

    @classmethod
    def of(cls, app: web.Application) -> ResolveTicketAndNotify:
        settings = app[settings_key]
        return cls(app[sql_sessions_key], app[http_key], settings.rasa_url, settings.rasa_token,
                   app[redis_key], app[outcome_key])

    async def call(self, number: str, resolution: str, agent_id: str,
                   may_resolve: Optional[OwnerCheck] = None) -> ResolvedTicket:
        ticket = await asyncio.to_thread(self._resolve, number, resolution, agent_id,
                                         may_resolve)
        # The resolution is stored first: a customer we cannot reach now still sees it on asking.
        with_an_agent = await self._with_an_agent(ticket)
        # A paused bot would take the news silently; the agent says it instead.
        notified = False if with_an_agent else await trigger_intent(
            self._http, self._rasa_url, self._rasa_token, ticket.sender_id,
            TICKET_RESOLVED_INTENT, {"ticket_number": ticket.number})
        notice = await self._outcome.call(
            ticket, told_in_conversation=notified or with_an_agent) if self._outcome else None
        return ResolvedTicket(ticket, notified, with_an_agent, notice)

    async def _with_an_agent(self, ticket: TicketView) -> bool:
        if self._redis is None:
            return False
        status = await self._redis.hget(conversation_key(ticket.sender_id), "status")
        return status in (b"assigned", b"active")
