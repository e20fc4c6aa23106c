"""The complaints team's API (agent session + CSRF): the queue, my complaints, a complaint's
detail, claim, release, reassign, notes, the contact in full, resolve, and "the customer was
told" for an outcome their text or e-mail could not carry. The services in
handoff/complaints/ decide; refusals become HTTP errors here, each with a log line."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Optional, Tuple, Type, Union

from aiohttp import web

from actions.store.models import utc_now
from actions.tickets.numbers import TICKET_NUMBER
from handoff.agent_api import current, json_body, signed_in_account
from handoff.agents import AgentAccount
from handoff.audit import audit, log_audited
from handoff.complaints import errors
from handoff.complaints.claim import CLAIMED, ClaimComplaint
from handoff.complaints.lists import ListComplaints
from handoff.complaints.note import NOTED, AddComplaintNote
from handoff.complaints.reassign import REASSIGNED, ReassignComplaint
from handoff.complaints.release import RELEASED, ReleaseComplaint
from handoff.complaints.resolve import ResolveComplaint
from handoff.complaints.reveal import REVEALED, RevealComplaintContact
from handoff.complaints.show import ShowComplaint
from handoff.complaints.told import TOLD, RecordCustomerTold
from handoff.keys import redis_key, sql_sessions_key, viewed_key
from handoff.live import ALL_AGENTS, SUPERVISORS, agent_audience
from handoff.resolve_ticket import ResolveTicketAndNotify
from handoff.state import live_key, notice_channels_key

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2000
MAX_AGENT_ID_CHARS = 64
VIEW_AUDIT_SECONDS = 3600
HTTP_STATUS = {
    errors.ComplaintNotFound: 404, errors.NoContactDetail: 404,
    errors.ComplaintNotClaimed: 403, errors.SupervisorsOnly: 403,
    errors.ComplaintTaken: 409, errors.ComplaintUnowned: 409, errors.ComplaintClosed: 409,
    errors.ComplaintChanged: 409, errors.NothingUndelivered: 409,
    errors.NotOnComplaintsTeam: 400, errors.SameOwner: 400,
}


def _refused(operation: str, agent_id: str, refusal: errors.ComplaintRefused) -> web.Response:
    status = HTTP_STATUS.get(type(refusal), 409)
    logger.warning("complaint.refused op=%s agent=%s ticket=%s code=%s status=%s", operation,
                   agent_id, refusal.number, refusal.code, status)
    return web.json_response({"error": str(refusal), "code": refusal.code}, status=status)


def _bad_request(operation: str, agent_id: str, reason: str) -> web.HTTPBadRequest:
    logger.warning("complaint.bad_request op=%s agent=%s reason=%s", operation, agent_id, reason)
    return web.HTTPBadRequest(text=json.dumps({"error": reason}),
                              content_type="application/json")


async def _caller(request: web.Request) -> AgentAccount:
    return await signed_in_account(request, current(request))


async def _subject(request: web.Request, operation: str) -> Tuple[AgentAccount, str]:
    """The signed-in agent and the ticket number of the path (400 when it is not one)."""
    agent = await _caller(request)
    number = request.match_info["number"].upper()
    if not TICKET_NUMBER.fullmatch(number):
        raise _bad_request(operation, agent.agent_id, "not a ticket number (KF-YYYYMMDD-NNNNN)")
    return agent, number


async def _text(request: web.Request, operation: str, agent: AgentAccount, name: str,
                limit: int = MAX_TEXT_CHARS) -> str:
    try:
        value = (await json_body(request)).get(name)
    except web.HTTPBadRequest as error:
        logger.warning("complaint.bad_request op=%s agent=%s reason=%s", operation,
                       agent.agent_id, error.text)
        raise
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise _bad_request(operation, agent.agent_id,
                           f"'{name}' is required ({limit} characters at most)")
    return value.strip()


async def _changed(request: web.Request, number: str, owner: Optional[str] = None) -> None:
    """Everyone's queue may change; the new owner is told it is theirs."""
    live = request.app[live_key]
    await live.publish([ALL_AGENTS], {"type": "complaints_changed", "number": number})
    if owner:
        await live.publish([agent_audience(owner), SUPERVISORS], {
            "type": "complaint_assigned", "number": number, "agent_id": owner})


async def list_complaints(request: web.Request) -> web.Response:
    agent, now = await _caller(request), utc_now()
    # One moment for the order and the overdue marks, so the two always agree.
    lists = await asyncio.to_thread(
        ListComplaints(request.app[sql_sessions_key], lambda: now).call, agent=agent)
    return web.json_response({name: [item.as_json(now) for item in getattr(lists, name)]
                              for name in ("queue", "mine", "team")})


async def complaint_detail(request: web.Request) -> web.Response:
    agent, number = await _subject(request, "show")
    sessions = request.app[sql_sessions_key]
    try:
        show = ShowComplaint(sessions, request.app[notice_channels_key])
        detail = await asyncio.to_thread(show.call, number=number, agent=agent)
    except errors.ComplaintRefused as refusal:
        return _refused("show", agent.agent_id, refusal)
    # Audited once an hour per agent and complaint: the console re-reads after each action.
    if await request.app[redis_key].set(viewed_key(agent.agent_id, f"ticket:{number}"), 1,
                                        nx=True, ex=VIEW_AUDIT_SECONDS):
        await audit(sessions, agent.agent_id, "ticket.viewed", number, role=agent.role)
    return web.json_response(detail.as_json(utc_now()), headers={"Cache-Control": "no-store"})


async def claim(request: web.Request) -> web.Response:
    return await _take_or_give_back(request, "claim", ClaimComplaint, CLAIMED)


async def release(request: web.Request) -> web.Response:
    return await _take_or_give_back(request, "release", ReleaseComplaint, RELEASED)


async def _take_or_give_back(request: web.Request, operation: str,
                             service: Type[Union[ClaimComplaint, ReleaseComplaint]],
                             audited_as: str) -> web.Response:
    """Claim or release: the agent acts on their own behalf, on the complaint in the path."""
    agent, number = await _subject(request, operation)
    try:
        owned = await asyncio.to_thread(service(request.app[sql_sessions_key]).call,
                                        number=number, agent=agent)
    except errors.ComplaintRefused as refusal:
        return _refused(operation, agent.agent_id, refusal)
    log_audited(agent.agent_id, audited_as, number)
    await _changed(request, number)
    return web.json_response(owned.as_json())


async def reassign(request: web.Request) -> web.Response:
    agent, number = await _subject(request, "reassign")
    target = await _text(request, "reassign", agent, "agent_id", MAX_AGENT_ID_CHARS)
    try:
        owned = await asyncio.to_thread(ReassignComplaint(request.app[sql_sessions_key]).call,
                                        number=number, supervisor=agent,
                                        to_agent_id=target)
    except errors.ComplaintRefused as refusal:
        return _refused("reassign", agent.agent_id, refusal)
    log_audited(agent.agent_id, REASSIGNED, number)
    await _changed(request, number, owned.owner_agent_id)
    return web.json_response(owned.as_json())


async def add_note(request: web.Request) -> web.Response:
    agent, number = await _subject(request, "note")
    note = await _text(request, "note", agent, "note")
    try:
        step = await asyncio.to_thread(AddComplaintNote(request.app[sql_sessions_key]).call,
                                       number=number, agent=agent, note=note)
    except errors.ComplaintRefused as refusal:
        return _refused("note", agent.agent_id, refusal)
    log_audited(agent.agent_id, NOTED, number)
    return web.json_response(step.as_json(), status=201)


async def customer_told(request: web.Request) -> web.Response:
    agent, number = await _subject(request, "told")
    try:
        step = await asyncio.to_thread(RecordCustomerTold(request.app[sql_sessions_key]).call,
                                       number=number, agent=agent)
    except errors.ComplaintRefused as refusal:
        return _refused("told", agent.agent_id, refusal)
    log_audited(agent.agent_id, TOLD, number)
    await _changed(request, number)
    return web.json_response(step.as_json())


async def reveal_contact(request: web.Request) -> web.Response:
    agent, number = await _subject(request, "reveal")
    try:
        contact = await asyncio.to_thread(
            RevealComplaintContact(request.app[sql_sessions_key]).call, number=number,
            agent=agent)
    except errors.ComplaintRefused as refusal:
        return _refused("reveal", agent.agent_id, refusal)
    log_audited(agent.agent_id, REVEALED, number)
    return web.json_response(contact.revealed(), headers={"Cache-Control": "no-store"})


async def resolve(request: web.Request) -> web.Response:
    agent, number = await _subject(request, "resolve")
    resolution = await _text(request, "resolve", agent, "resolution")
    service = ResolveComplaint(request.app[sql_sessions_key],
                               ResolveTicketAndNotify.of(request.app))
    try:
        resolved = await service.call(number=number, agent=agent, resolution=resolution)
    except errors.ComplaintRefused as refusal:
        return _refused("resolve", agent.agent_id, refusal)
    await _changed(request, number)
    return web.json_response(resolved.as_json())
