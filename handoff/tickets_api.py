"""Agents and tickets: callback requests to work on, a complaint opened for the customer
in a conversation, and resolving a ticket (the customer is told in their channel)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.identity.profile import linked_customer
from actions.store.models import Ticket, as_utc, utc_now
from actions.tickets.numbers import TICKET_NUMBER
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import OPEN_TICKET_STATUSES, ComplaintDraft, TicketView
from actions.tickets.resolve import (
    OwnerCheck,
    TicketAlreadyResolved,
    TicketNotFound,
    TicketNotOwned,
)
from handoff.agent_api import current, json_body, signed_in_account, visible_record
from handoff.agents import AgentAccount
from handoff.audit import audit
from handoff.conversations import ConversationRecord
from handoff.keys import sql_sessions_key
from handoff.resolve_ticket import ResolveTicketAndNotify
from handoff.ticket_contacts import listed_tickets, load_contacts

logger = logging.getLogger(__name__)

COMPLAINT_CATEGORIES = ("fees", "transfer", "loan", "card", "digital", "service", "other")
MAX_DESCRIPTION_CHARS = 2000


def _open_callbacks(sessions: sessionmaker[Session]) -> List[Dict[str, Any]]:
    now = utc_now()
    with sessions() as session:
        tickets = session.execute(
            select(Ticket).where(Ticket.kind == "callback", Ticket.status.in_(OPEN_TICKET_STATUSES))
            .order_by(Ticket.sla_due_at).limit(200)).scalars()
        return [{"number": t.number, "language": t.language, "channel": t.channel,
                 "conversation_id": t.sender_id, "priority": t.priority,
                 "summary": t.description, "due_at": as_utc(t.sla_due_at).isoformat(),
                 "overdue": as_utc(t.sla_due_at) < now} for t in tickets]


async def list_callbacks(request: web.Request) -> web.Response:
    callbacks = await asyncio.to_thread(_open_callbacks, request.app[sql_sessions_key])
    return web.json_response({"callbacks": callbacks})


def _open_for(sessions: sessionmaker[Session], channel: str, conversation_id: str,
              language: str, category: str, description: str, outcome: str) -> TicketView:
    customer = linked_customer(sessions, channel, conversation_id)
    return OpenComplaint(sessions)(ComplaintDraft(
        channel=channel, sender_id=conversation_id, language=language, category=category,
        description=description, desired_outcome=outcome, contact_preference="this_channel",
        customer_id=customer.id if customer else None,
        segment=customer.segment if customer else None))


async def open_ticket(request: web.Request) -> web.Response:
    account, record = await visible_record(request)
    if record.agent != account.agent_id:
        return web.json_response({"error": "only the agent holding the conversation"},
                                 status=403)
    body = await json_body(request)
    category, description = body.get("category"), body.get("description")
    if category not in COMPLAINT_CATEGORIES:
        return web.json_response(
            {"error": f"'category' must be one of {', '.join(COMPLAINT_CATEGORIES)}"}, status=400)
    if not isinstance(description, str) or not description.strip() \
            or len(description) > MAX_DESCRIPTION_CHARS:
        return web.json_response({"error": "'description' is required (2000 characters at most)"},
                                 status=400)
    outcome = str(body.get("desired_outcome") or "explanation")[:256]
    ticket = await asyncio.to_thread(
        _open_for, request.app[sql_sessions_key], record.fields.get("channel", "unknown"),
        record.conversation_id, record.language, category, description.strip(), outcome)
    await audit(request.app[sql_sessions_key], account.agent_id, "ticket.opened",
                ticket.number, conversation_id=record.conversation_id, category=category)
    return web.json_response({"number": ticket.number, "status": ticket.status,
                              "due_at": ticket.sla_due_at.isoformat()}, status=201)


def unclaimed_or_own(account: AgentAccount) -> Optional[OwnerCheck]:
    """A complaint an agent claimed is theirs to resolve (or a supervisor's); others are any
    agent's, as before ownership."""
    if account.role == "supervisor":
        return None
    return lambda owner: owner is None or owner == account.agent_id


async def resolve_ticket(request: web.Request) -> web.Response:
    session = current(request)
    account = await signed_in_account(request, session)
    number = request.match_info["number"].upper()
    if not TICKET_NUMBER.fullmatch(number):
        return web.json_response({"error": "not a ticket number (KF-YYYYMMDD-NNNNN)"},
                                 status=400)
    resolution = (await json_body(request)).get("resolution")
    if not isinstance(resolution, str) or not resolution.strip() \
            or len(resolution) > MAX_DESCRIPTION_CHARS:
        return web.json_response({"error": "'resolution' is required"}, status=400)
    service = ResolveTicketAndNotify.of(request.app)
    try:
        resolved = await service.call(number, resolution.strip(), session.agent_id,
                                      unclaimed_or_own(account))
    except TicketNotFound:
        return web.json_response({"error": f"no ticket {number}"}, status=404)
    except TicketNotOwned:
        logger.warning("ticket.resolve_refused agent=%s ticket=%s reason=claimed_by_another",
                       session.agent_id, number)
        return web.json_response(
            {"error": "claimed by another agent: only its owner or a supervisor may resolve it",
             "code": "claimed"}, status=403)
    except TicketAlreadyResolved:
        return web.json_response({"error": f"{number} is already resolved"}, status=409)
    await audit(request.app[sql_sessions_key], session.agent_id, "ticket.resolved", number,
                customer_notified=resolved.customer_notified)
    return web.json_response(resolved.as_json())


def may_reveal(record: ConversationRecord, account: AgentAccount) -> bool:
    """The agent the conversation is (or was last) with, and supervisors."""
    return account.role == "supervisor" or record.agent == account.agent_id


def _refuse_reveal(agent_id: str, conversation_id: str, number: str, status: int,
                   reason: str) -> web.Response:
    logger.warning("ticket.contact_refused agent=%s conversation=%s ticket=%s status=%s",
                   agent_id, conversation_id, number, status)
    return web.json_response({"error": reason}, status=status)


async def reveal_contact(request: web.Request) -> web.Response:
    """The full number or address of a ticket of the agent's conversation; audited."""
    agent_id = current(request).agent_id
    conversation_id = request.match_info["conversation_id"]
    number = request.match_info["number"].upper()
    if not TICKET_NUMBER.fullmatch(number):
        return web.json_response({"error": "not a ticket number (KF-YYYYMMDD-NNNNN)"},
                                 status=400)
    try:
        account, record = await visible_record(request)
    except web.HTTPNotFound:
        _refuse_reveal(agent_id, conversation_id, number, 404, "no such conversation")
        raise
    if not may_reveal(record, account):
        return _refuse_reveal(agent_id, conversation_id, number, 403,
                              "only the agent holding the conversation, or a supervisor")
    contact = None
    if number in listed_tickets(record):
        contact = (await asyncio.to_thread(
            load_contacts, request.app[sql_sessions_key], [number])).get(number)
    if contact is None or contact.detail is None:
        return _refuse_reveal(agent_id, conversation_id, number, 404,
                              f"no contact detail on {number}")
    await audit(request.app[sql_sessions_key], agent_id, "ticket.contact_revealed", number,
                conversation_id=record.conversation_id, contact_kind=contact.kind,
                role=account.role)
    return web.json_response(contact.revealed(), headers={"Cache-Control": "no-store"})
