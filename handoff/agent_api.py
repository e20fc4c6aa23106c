"""The agents' API (session cookie + CSRF): sign-in, presence, conversations, replies."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Dict, List, Optional

from aiohttp import web

from handoff.agents import AgentAccount, authenticate
from handoff.audit import audit
from handoff.conversations import (
    ConversationRecord,
    agent_state,
    held_by,
    load_messages,
    load_record,
    unread_counts,
    waiting,
)
from handoff.keys import (
    agent_unread_key,
    messages_key,
    redis_key,
    settings_key,
    sql_sessions_key,
    viewed_key,
)
from handoff.live import ALL_AGENTS, SUPERVISORS, agent_audience
from handoff.routing.accept import AcceptConversation
from handoff.routing.finish import FinishConversation
from handoff.routing.outcomes import RoutingRefused
from handoff.routing.presence import PRESENCES, Requeued, SetPresence
from handoff.routing.rules import SKILLS
from handoff.routing.transfer import TransferConversation
from handoff.sessions import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    AgentSession,
    clear_failed_logins,
    close_session,
    login_blocked,
    open_session,
    record_failed_login,
)
from handoff.state import (
    accounts_key,
    console_leases_key,
    dispatcher_key,
    live_key,
    metrics_key,
    rasa_key,
    routing_clock_key,
    scripts_key,
)
from handoff.texts import CANNED_REPLIES, notice
from handoff.ticket_contacts import listed_tickets, load_contacts, with_masked_contacts

logger = logging.getLogger(__name__)

AGENT_SESSION = "agent_session"

MAX_REPLY_CHARS = 2000
VIEW_AUDIT_SECONDS = 3600
# Refusals of the routing scripts, as HTTP statuses and sentences for the console.
REFUSAL_REASONS = {
    "not_yours": "this conversation is not yours",
    "not_eligible": "you do not serve this conversation's language or skill",
    "reserved": "reserved for the customer's relationship manager, who is online",
    "unavailable": "no longer waiting (another agent has it)",
    "at_capacity": "you are at your maximum number of chats",
    "not_online": "set yourself online first",
    "target_not_online": "that agent is not online (or does not exist)",
    "target_at_capacity": "that agent is at their maximum number of chats",
    "target_language": "that agent does not speak the customer's language",
    "same_agent": "you already hold this conversation",
    "already_resolved": "already resolved",
    # A supervisor's reassignment (handoff/supervisor_reassign.py).
    "supervisors_only": "supervisors only",
    "no_conversation": "no such conversation",
    "not_held": "no agent holds this conversation (it waits in the queue, or is resolved)",
    "unknown_agent": "no such agent (or the account is disabled)",
    "already_theirs": "that agent already holds this conversation",
    "target_skill": "that agent does not have the skill this conversation needs",
}
HTTP_STATUS_BY_REFUSAL = {"target_language": 409, "not_yours": 403, "not_eligible": 403,
                          "reserved": 409,
                          "unavailable": 409, "at_capacity": 409, "not_online": 409,
                          "target_not_online": 409, "target_at_capacity": 409,
                          "same_agent": 400, "already_resolved": 409,
                          "supervisors_only": 403, "no_conversation": 404, "not_held": 409,
                          "unknown_agent": 400, "already_theirs": 400, "target_skill": 409}


def current(request: web.Request) -> AgentSession:
    """The signed-in agent's session, put on the request by the authentication middleware."""
    session: AgentSession = request[AGENT_SESSION]
    return session


async def json_body(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError as error:
        raise web.HTTPBadRequest(text=_error("body is not valid JSON"),
                                 content_type="application/json") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text=_error("body must be a JSON object"),
                                 content_type="application/json")
    return body


def _error(reason: str) -> str:
    return json.dumps({"error": reason})


def routing_refused(refusal: RoutingRefused) -> web.Response:
    logger.info("agent.refused outcome=%s", refusal.outcome)
    return web.json_response(
        {"error": REFUSAL_REASONS.get(refusal.outcome, refusal.outcome), "code": refusal.outcome},
        status=HTTP_STATUS_BY_REFUSAL.get(refusal.outcome, 409))


async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    agent_id, password = body.get("agent_id"), body.get("password")
    if not isinstance(agent_id, str) or not isinstance(password, str) or len(agent_id) > 64 \
            or len(password) > 256:
        return web.json_response({"error": "'agent_id' and 'password' are required"}, status=400)
    redis = request.app[redis_key]
    if await login_blocked(redis, agent_id):
        logger.warning("agent.login_blocked")
        return web.json_response({"error": "too many failed sign-ins; try again later"},
                                 status=429)
    account = await _authenticate(request, agent_id, password)
    if account is None:
        await record_failed_login(redis, agent_id)
        logger.warning("agent.login_failed remote=%s", request.remote)
        return web.json_response({"error": "wrong agent id or password"}, status=401)
    await clear_failed_logins(redis, agent_id)
    token, session = await open_session(redis, account.agent_id, account.role)
    # The grace to open the console; without it the shift ends (handoff/shift_ends.py).
    await request.app[console_leases_key].renew([account.agent_id])
    await SetPresence(request.app[scripts_key]).call(account.profile, "online")
    request.app[dispatcher_key].wake()
    await request.app[live_key].publish([SUPERVISORS], {
        "type": "presence", "agent_id": account.agent_id, "presence": "online"})
    await audit(request.app[sql_sessions_key], account.agent_id, "agent.login", account.agent_id)
    reply = web.json_response({"agent": account.as_json(), "csrf_token": session.csrf_token})
    reply.set_cookie(SESSION_COOKIE, token, max_age=SESSION_SECONDS, httponly=True,
                     samesite="Strict", secure=request.app[settings_key].secure_cookies,
                     path="/")
    return reply


async def _authenticate(request: web.Request, agent_id: str,
                        password: str) -> Optional[AgentAccount]:
    # argon2 takes tens of milliseconds of CPU: off the event loop.
    return await asyncio.to_thread(authenticate, request.app[sql_sessions_key], agent_id,
                                   password)


async def logout(request: web.Request) -> web.Response:
    session = current(request)
    account = await signed_in_account(request, session)
    requeued = await _tell_requeued(request, await SetPresence(request.app[scripts_key]).call(
        account.profile, "offline"))
    await close_session(request.app[redis_key], request.cookies.get(SESSION_COOKIE, ""))
    await request.app[live_key].publish([SUPERVISORS], {
        "type": "presence", "agent_id": session.agent_id, "presence": "offline"})
    await audit(request.app[sql_sessions_key], session.agent_id, "agent.logout",
                session.agent_id, requeued=requeued)
    reply = web.json_response({"status": "signed out", "requeued": requeued})
    reply.del_cookie(SESSION_COOKIE, path="/")
    return reply


async def signed_in_account(request: web.Request, session: AgentSession) -> AgentAccount:
    """The signed-in agent's account; 403 when it was disabled meanwhile."""
    account = await request.app[accounts_key].get(session.agent_id)
    if account is None:
        raise web.HTTPForbidden(text=_error("account disabled"), content_type="application/json")
    return account


async def _tell_requeued(request: web.Request, requeued: List[Requeued]) -> List[str]:
    """Tell the customers whose agent had accepted them; the ids of all put back."""
    for entry in requeued:
        record = await load_record(request.app[redis_key], entry.conversation_id)
        if record is not None and entry.was_accepted:
            await request.app[rasa_key].send_bot_message(
                record.reply_to, notice("agent_left", record.language),
                {"kefu_notice": "agent_left"})
    if requeued:
        await request.app[live_key].publish([ALL_AGENTS], {"type": "queue_changed"})
        request.app[dispatcher_key].wake()
    return [entry.conversation_id for entry in requeued]


async def me(request: web.Request) -> web.Response:
    session = current(request)
    account = await signed_in_account(request, session)
    state = await agent_state(request.app[redis_key], session.agent_id)
    return web.json_response({"agent": account.as_json(), "csrf_token": session.csrf_token,
                              "presence": state.get("presence", "offline"),
                              "active": int(state.get("active", 0))})


async def set_presence(request: web.Request) -> web.Response:
    session = current(request)
    presence = (await json_body(request)).get("presence")
    if presence not in PRESENCES:
        return web.json_response({"error": f"'presence' must be one of {', '.join(PRESENCES)}"},
                                 status=400)
    account = await signed_in_account(request, session)
    if presence != "offline":
        # Back on shift: the grace to (re)open the console, as at sign-in.
        await request.app[console_leases_key].renew([account.agent_id])
    requeued = await _tell_requeued(request, await SetPresence(request.app[scripts_key]).call(
        account.profile, presence))
    request.app[dispatcher_key].wake()
    await request.app[live_key].publish([SUPERVISORS], {"type": "presence",
                                                        "agent_id": session.agent_id,
                                                        "presence": presence})
    await audit(request.app[sql_sessions_key], session.agent_id, "agent.presence",
                session.agent_id, presence=presence, requeued=requeued)
    return web.json_response({"presence": presence, "requeued": requeued})


def may_see(record: ConversationRecord, account: AgentAccount) -> bool:
    """Own conversations, and those waiting in a queue the agent serves; supervisors: all."""
    if account.role == "supervisor" or record.agent == account.agent_id:
        return True
    if record.status != "queued":
        return False
    if record.relationship_manager == account.agent_id:
        return True
    return record.language in account.languages and record.skill in account.skills


async def list_conversations(request: web.Request) -> web.Response:
    session = current(request)
    account = await signed_in_account(request, session)
    redis = request.app[redis_key]
    unread = await unread_counts(redis, session.agent_id)
    mine = [{**record.summary(), "unread": unread.get(record.conversation_id, 0)}
            for record in await held_by(redis, session.agent_id)]
    queue = [{**record.summary(), "queue_position": position}
             for position, record in enumerate(await waiting(redis), start=1)
             if may_see(record, account)]
    return web.json_response({"mine": mine, "queue": queue})


async def visible_record(request: web.Request) -> tuple[AgentAccount, ConversationRecord]:
    session = current(request)
    account = await signed_in_account(request, session)
    record = await load_record(request.app[redis_key], request.match_info["conversation_id"])
    if record is None or not may_see(record, account):
        # The same answer for "no such conversation" and "not yours": ids are not disclosed.
        raise web.HTTPNotFound(text=_error("no such conversation"),
                               content_type="application/json")
    return account, record


async def conversation_detail(request: web.Request) -> web.Response:
    account, record = await visible_record(request)
    redis = request.app[redis_key]
    if record.agent == account.agent_id:
        await redis.hdel(agent_unread_key(account.agent_id), record.conversation_id)
    request_context = record.request
    # Audited once an hour per agent and conversation: the console re-reads on every message.
    if await redis.set(viewed_key(account.agent_id, record.conversation_id), 1,
                       nx=True, ex=VIEW_AUDIT_SECONDS):
        await audit(request.app[sql_sessions_key], account.agent_id, "conversation.viewed",
                    record.conversation_id)
    context = {key: request_context.get(key) for key in (
        "reason", "summary", "emotion_trajectory", "customer", "open_tickets", "intents",
        "entities", "language", "channel")}
    # The tickets' contact details as they are now (masked), not as the handoff saw them.
    contacts = await asyncio.to_thread(load_contacts, request.app[sql_sessions_key],
                                       listed_tickets(record))
    context["open_tickets"] = with_masked_contacts(context["open_tickets"], contacts)
    return web.json_response({
        **record.summary(),
        "context": context,
        "transcript": request_context.get("transcript", []),
        "messages": await load_messages(redis, record.conversation_id),
    })


async def accept(request: web.Request) -> web.Response:
    account, record = await visible_record(request)
    try:
        newly = await AcceptConversation(request.app[scripts_key]).call(
            record.conversation_id, account.agent_id, at_ms=request.app[routing_clock_key]())
    except RoutingRefused as refusal:
        return routing_refused(refusal)
    if newly:
        # The agent's next offer (one open offer at a time) need not wait for Rasa.
        request.app[dispatcher_key].wake()
        await request.app[rasa_key].take_over(record.conversation_id)
        name = account.name_for(record.language)
        await request.app[rasa_key].send_bot_message(
            record.reply_to, notice("agent_joined", record.language, name=name),
            {"kefu_notice": "agent_joined", "agent_id": account.agent_id, "agent_name": name})
        # Others' queue lists change when it was taken from the queue.
        await request.app[live_key].publish([SUPERVISORS, ALL_AGENTS], {
            "type": "accepted", "conversation_id": record.conversation_id,
            "agent_id": account.agent_id})
    await audit(request.app[sql_sessions_key], account.agent_id, "conversation.accepted",
                record.conversation_id)
    return web.json_response({"conversation_id": record.conversation_id, "status": "active"})


async def send_message(request: web.Request) -> web.Response:
    started = time.perf_counter()
    account, record = await visible_record(request)
    if record.agent != account.agent_id or record.status != "active":
        return web.json_response({"error": "accept the conversation before replying"},
                                 status=409)
    text = (await json_body(request)).get("text")
    if not isinstance(text, str) or not text.strip():
        return web.json_response({"error": "'text' is required"}, status=400)
    if len(text) > MAX_REPLY_CHARS:
        return web.json_response({"error": f"'text' exceeds {MAX_REPLY_CHARS} characters"},
                                 status=400)
    text = text.strip()
    # The customer sees the agent's name in their own language; colleagues, the usual one.
    delivered = await request.app[rasa_key].send_bot_message(
        record.reply_to, text,
        {"agent_id": account.agent_id, "agent_name": account.name_for(record.language)})
    if not delivered:
        return web.json_response({"error": "the message could not be delivered; try again"},
                                 status=502)
    request.app[metrics_key].relay_seconds.labels("to_customer").observe(
        time.perf_counter() - started)
    message = {"role": "agent", "text": text, "agent_id": account.agent_id,
               "agent_name": account.display_name, "timestamp": time.time(),
               "channel": record.reply_channel}
    await request.app[redis_key].rpush(messages_key(record.conversation_id),
                                       json.dumps(message, ensure_ascii=False))
    await request.app[live_key].publish([agent_audience(account.agent_id), SUPERVISORS], {
        "type": "message", "conversation_id": record.conversation_id, "message": message})
    await audit(request.app[sql_sessions_key], account.agent_id, "conversation.replied",
                record.conversation_id, characters=len(text))
    return web.json_response({"delivered": True, "message": message}, status=201)


async def transfer(request: web.Request) -> web.Response:
    account, record = await visible_record(request)
    body = await json_body(request)
    kind = "agent" if body.get("agent_id") else "skill"
    target = body.get("agent_id") or body.get("skill")
    if not isinstance(target, str) or not target or len(target) > 64:
        return web.json_response({"error": "give 'agent_id' or 'skill'"}, status=400)
    if kind == "skill" and target not in SKILLS:
        # A queue nobody serves would strand the customer.
        return web.json_response({"error": f"'skill' must be one of {', '.join(SKILLS)}"},
                                 status=400)
    try:
        outcome = await TransferConversation(request.app[scripts_key]).call(
            record.conversation_id, account.agent_id, kind, target,
            at_ms=request.app[routing_clock_key]())
    except RoutingRefused as refusal:
        return routing_refused(refusal)
    await request.app[rasa_key].send_bot_message(
        record.reply_to, notice("transferred", record.language),
        {"kefu_notice": "transferred"})
    audience = [agent_audience(account.agent_id), SUPERVISORS] + (
        [agent_audience(target)] if kind == "agent" else [ALL_AGENTS])
    await request.app[live_key].publish(audience, {
        "type": "transferred", "conversation_id": record.conversation_id,
        "from": account.agent_id, kind: target})
    request.app[dispatcher_key].wake()
    await audit(request.app[sql_sessions_key], account.agent_id, "conversation.transferred",
                record.conversation_id, **{kind: target})
    return web.json_response({"conversation_id": record.conversation_id, "outcome": outcome})


async def resolve(request: web.Request) -> web.Response:
    account, record = await visible_record(request)
    body = await json_body(request) if request.can_read_body else {}
    note = str(body.get("note") or "")[:MAX_REPLY_CHARS]
    try:
        # The routing passes' clock: the handling time (assigned_at to now) is measured on it.
        joined = await FinishConversation(request.app[scripts_key]).call(
            record.conversation_id, account.agent_id, at_ms=request.app[routing_clock_key]())
    except RoutingRefused as refusal:
        return routing_refused(refusal)
    request.app[metrics_key].resolved.inc()
    # The bot takes over again and asks how satisfied the customer was, where they last
    # wrote; their conversations on other channels go back to the bot quietly.
    rasa = request.app[rasa_key]
    handed_back = await rasa.resume_and_trigger(record.reply_to, "EXTERNAL_handoff_resolved")
    for other in {record.conversation_id, *joined} - {record.reply_to}:
        await rasa.resume(other)
    await request.app[live_key].publish([agent_audience(account.agent_id), SUPERVISORS], {
        "type": "resolved", "conversation_id": record.conversation_id,
        "agent_id": account.agent_id})
    request.app[dispatcher_key].wake()
    await audit(request.app[sql_sessions_key], account.agent_id, "conversation.resolved",
                record.conversation_id, note=note, bot_resumed=handed_back)
    return web.json_response({"conversation_id": record.conversation_id, "status": "resolved",
                              "bot_resumed": handed_back})


async def canned_replies(_: web.Request) -> web.Response:
    return web.json_response(CANNED_REPLIES)
