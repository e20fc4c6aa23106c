"""ResolveTicketAndNotify: an agent resolves a ticket; the customer hears it in their channel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

from aiohttp import ClientSession
from redis.asyncio import Redis
from sqlalchemy.orm import Session, sessionmaker

from actions.tickets.records import TicketView
from actions.tickets.resolve import ResolveTicket
from handoff.keys import conversation_key
from handoff.rasa_client import TICKET_RESOLVED_INTENT, trigger_intent


@dataclass(frozen=True)
class ResolvedTicket:
    ticket: TicketView
    customer_notified: bool
    # The customer is talking with an agent now: the agent tells them, not the bot.
    with_an_agent: bool = False


class ResolveTicketAndNotify:
    def __init__(
        self, sessions: sessionmaker[Session], http: ClientSession, rasa_url: str, rasa_token: str,
        redis: Optional[Redis] = None,
    ) -> None:
        self._resolve = ResolveTicket(sessions)
        self._redis = redis
        self._http = http
        self._rasa_url = rasa_url
        self._rasa_token = rasa_token

    async def call(self, number: str, resolution: str, agent_id: str) -> ResolvedTicket:
        ticket = await asyncio.to_thread(self._resolve, number, resolution, agent_id)
        # The resolution is stored first: a customer we cannot reach now still sees it on asking.
        if self._redis is not None:
            status = await self._redis.hget(conversation_key(ticket.sender_id), "status")
            if status in (b"assigned", b"active"):
                # A paused bot would take the news silently; the agent says it instead.
                return ResolvedTicket(ticket, customer_notified=False, with_an_agent=True)
        notified = await trigger_intent(
            self._http,
            self._rasa_url,
            self._rasa_token,
            ticket.sender_id,
            TICKET_RESOLVED_INTENT,
            {"ticket_number": ticket.number},
        )
        return ResolvedTicket(ticket, notified)
