"""The agents' API through the real app factory, a real Redis and a SQLite file.

Rasa is not running here, so notices to customers are not delivered; the routing,
sessions, CSRF, visibility and audit trail are what these tests observe. Replies
reaching customers are tested through the real Rasa server in tests/integration.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from actions.store.database import migrate, session_factory
from actions.store.models import AuditEvent
from handoff.agents import DEMO_AGENTS, find_account, save_account
from handoff.app import create_app
from handoff.customer_mark import customer_mark
from handoff.keys import QUEUE_KEY, agent_chats_key, agent_unread_key, conversation_key
from handoff.settings import HandoffSettings

TOKEN = "test-service-token"
SERVICE = {"Authorization": f"Bearer {TOKEN}"}
TEAM = {
    "ana": {"languages": "zh,en", "skills": "general", "max_chats": 2},
    "bo": {"languages": "en", "skills": "general,fraud", "max_chats": 1},
    "rm-li": {"languages": "zh", "skills": "general", "max_chats": 2},
    "boss": {"languages": "zh,en", "skills": "general", "max_chats": 1, "role": "supervisor"},
}


def _handoff(conversation_id: str, language: str = "zh", reason: str = "customer_request",
             **extra: Any) -> Dict[str, Any]:
    return {"conversation_id": conversation_id, "channel": "rest", "language": language,
            "reason": reason, "summary": f"{reason}: 我要转人工",
            "transcript": [{"role": "customer", "text": "我要转人工", "timestamp": 1.0}],
            **extra}


@pytest.fixture
async def service(aiohttp_client, redis_url, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    sessions = session_factory(database_url)
    for agent_id, fields in TEAM.items():
        save_account(sessions, f"pw-{agent_id}", agent_id=agent_id, display_name=agent_id.title(),
                     **fields)
    settings = HandoffSettings(redis_url=redis_url, service_token=TOKEN,
                               database_url=database_url, secure_cookies=False,
                               rasa_url="http://127.0.0.1:9")
    app = create_app(settings)
    return app, sessions, aiohttp_client


class Agent:
    """One signed-in browser: its own cookie jar and CSRF token."""

    def __init__(self, client: Any, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    async def get(self, path: str) -> Any:
        return await self.client.get(path)

    async def post(self, path: str, body: Dict[str, Any] | None = None,
                   csrf: bool = True) -> Any:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return await self.client.post(path, json=body or {}, headers=headers)


async def _sign_in(service: Any, agent_id: str) -> Agent:
    app, _sessions, aiohttp_client = service
    client = await aiohttp_client(app) if not hasattr(service, "clients") else None
    reply = await client.post("/api/v1/agent/login",
                              json={"agent_id": agent_id, "password": f"pw-{agent_id}"})
    assert reply.status == 200, await reply.text()
    return Agent(client, (await reply.json())["csrf_token"])


@pytest.fixture
async def service_client(service):
    app, _sessions, aiohttp_client = service
    return await aiohttp_client(app)


async def _queue(client: Any, conversation_id: str, **kwargs: Any) -> Dict[str, Any]:
    reply = await client.post("/api/v1/handoffs", json=_handoff(conversation_id, **kwargs),
                              headers=SERVICE)
    assert reply.status in (200, 201), await reply.text()
    return dict(await reply.json())


async def _route(app: Any) -> None:
    from handoff.state import dispatcher_key

    await app[dispatcher_key].route_once()


async def test_sign_in_needs_the_right_password_and_blocks_guessing(service_client) -> None:
    wrong = {"agent_id": "ana", "password": "nope"}
    for _ in range(5):
        assert (await service_client.post("/api/v1/agent/login", json=wrong)).status == 401
    right = {"agent_id": "ana", "password": "pw-ana"}
    assert (await service_client.post("/api/v1/agent/login", json=right)).status == 429
    unknown = await service_client.post("/api/v1/agent/login",
                                        json={"agent_id": "nobody", "password": "x"})
    assert unknown.status == 401
    form = await service_client.post("/api/v1/agent/login", data="agent_id=ana&password=pw-ana",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status == 415


async def test_the_session_cookie_is_http_only_and_strict(service_client) -> None:
    reply = await service_client.post("/api/v1/agent/login",
                                      json={"agent_id": "ana", "password": "pw-ana"})
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "pw-ana" not in cookie


async def test_state_changes_need_the_csrf_token(service) -> None:
    ana = await _sign_in(service, "ana")
    refused = await ana.post("/api/v1/agent/presence", {"presence": "away"}, csrf=False)
    assert refused.status == 403
    assert (await (await ana.get("/api/v1/agent/me")).json())["presence"] == "online"
    allowed = await ana.post("/api/v1/agent/presence", {"presence": "away"})
    assert allowed.status == 200
    assert (await (await ana.get("/api/v1/agent/me")).json())["presence"] == "away"


async def test_without_a_session_the_agent_api_is_closed(service_client) -> None:
    assert (await service_client.get("/api/v1/agent/conversations")).status == 401
    forged = await service_client.get("/api/v1/agent/conversations",
                                      cookies={"kefu_agent_session": "forged"})
    assert forged.status == 401


async def test_a_console_not_signed_in_yet_is_no_warning_a_refused_session_is(
        service_client, caplog) -> None:
    """The console asks /agent/me at every page load: without a session cookie the 401 is
    expected; a cookie nobody issued (or one expired) and a wrong password are warnings."""
    def denials() -> List[tuple[str, str]]:
        return [(record.levelname, record.getMessage().split(" ")[0])
                for record in caplog.records if record.name.startswith("handoff")]

    with caplog.at_level(logging.INFO, logger="handoff"):
        assert (await service_client.get("/api/v1/agent/me")).status == 401
        assert denials() == [("INFO", "handoff.denied")]
        caplog.clear()
        forged = await service_client.get("/api/v1/agent/me",
                                          cookies={"kefu_agent_session": "forged"})
        assert forged.status == 401
        assert denials() == [("WARNING", "handoff.denied")]
        caplog.clear()
        wrong = await service_client.post("/api/v1/agent/login",
                                          json={"agent_id": "ana", "password": "nope"})
        assert wrong.status == 401
        assert denials() == [("WARNING", "agent.login_failed")]


async def test_routing_offers_then_the_agent_accepts(service, redis_client) -> None:
    app = service[0]
    ana = await _sign_in(service, "ana")
    queued = await _queue(ana.client, "c-1")
    assert queued["agents_online"] == 1 and queued["queue_position"] == 1
    await _route(app)
    listed = await (await ana.get("/api/v1/agent/conversations")).json()
    assert [(c["conversation_id"], c["status"]) for c in listed["mine"]] == [("c-1", "assigned")]
    accepted = await ana.post("/api/v1/agent/conversations/c-1/accept")
    assert accepted.status == 200
    assert redis_client.hget(conversation_key("c-1"), "status") == b"active"
    detail = await (await ana.get("/api/v1/agent/conversations/c-1")).json()
    assert detail["transcript"][0]["text"] == "我要转人工"
    assert detail["context"]["reason"] == "customer_request"


async def test_agents_see_only_their_own_and_their_queues(service) -> None:
    app = service[0]
    ana, bo = await _sign_in(service, "ana"), await _sign_in(service, "bo")
    await _queue(ana.client, "zh-1", language="zh")
    await _route(app)  # ana takes zh-1 (bo speaks no Chinese)
    await bo.post("/api/v1/agent/presence", {"presence": "away"})
    await _queue(ana.client, "en-1", language="en", reason="fraud")
    await ana.post("/api/v1/agent/presence", {"presence": "away"})
    # bo may not open ana's conversation, nor accept it: the same 404 as an unknown id.
    assert (await bo.get("/api/v1/agent/conversations/zh-1")).status == 404
    assert (await bo.post("/api/v1/agent/conversations/zh-1/accept")).status == 404
    assert (await bo.get("/api/v1/agent/conversations/no-such")).status == 404
    # en-1 needs fraud skills: bo serves that queue, ana does not.
    bo_queue = (await (await bo.get("/api/v1/agent/conversations")).json())["queue"]
    ana_queue = (await (await ana.get("/api/v1/agent/conversations")).json())["queue"]
    assert [c["conversation_id"] for c in bo_queue] == ["en-1"]
    assert ana_queue == []
    assert (await ana.post("/api/v1/agent/conversations/en-1/accept")).status == 404
    boss = await _sign_in(service, "boss")
    assert (await boss.get("/api/v1/agent/conversations/zh-1")).status == 200


async def test_fraud_goes_first_and_to_the_fraud_skill(service, redis_client) -> None:
    ana = await _sign_in(service, "ana")
    await ana.post("/api/v1/agent/presence", {"presence": "away"})
    first = await _queue(ana.client, "slow", language="en")
    fraud = await _queue(ana.client, "fraud", language="en", reason="fraud")
    assert (first["priority"], fraud["priority"]) == ("normal", "urgent")
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"fraud", b"slow"]
    assert redis_client.hget(conversation_key("fraud"), "skill") == b"fraud"


async def test_a_key_customer_waits_for_their_online_manager(service, redis_client) -> None:
    app = service[0]
    ana, rm = await _sign_in(service, "ana"), await _sign_in(service, "rm-li")
    customer = {"display_name": "王女士", "segment": "private",
                "relationship_manager_agent_id": "rm-li"}
    queued = await _queue(ana.client, "vip", customer=customer)
    assert queued["priority"] == "high"
    await _route(app)
    assert redis_client.smembers(agent_chats_key("rm-li")) == {b"vip"}
    assert (await rm.post("/api/v1/agent/conversations/vip/accept")).status == 200


async def test_transfer_to_an_agent_and_to_a_skill(service, redis_client) -> None:
    app = service[0]
    ana, rm = await _sign_in(service, "ana"), await _sign_in(service, "rm-li")
    await rm.post("/api/v1/agent/presence", {"presence": "away"})
    await _queue(ana.client, "c-1")
    await _route(app)
    await ana.post("/api/v1/agent/conversations/c-1/accept")
    refused = await ana.post("/api/v1/agent/conversations/c-1/transfer", {"agent_id": "rm-li"})
    assert refused.status == 409 and (await refused.json())["code"] == "target_not_online"
    await rm.post("/api/v1/agent/presence", {"presence": "online"})
    redis_client.hincrby(agent_unread_key("ana"), "c-1", 2)  # two messages ana has not read
    moved = await ana.post("/api/v1/agent/conversations/c-1/transfer", {"agent_id": "rm-li"})
    assert moved.status == 200
    assert redis_client.hget(conversation_key("c-1"), "agent") == b"rm-li"
    # The unread messages went with the conversation: none left on ana's badge.
    assert redis_client.hgetall(agent_unread_key("ana")) == {}
    assert redis_client.hget(agent_unread_key("rm-li"), "c-1") == b"2"
    assert (await ana.get("/api/v1/agent/conversations/c-1")).status == 404
    await rm.post("/api/v1/agent/conversations/c-1/accept")
    to_skill = await rm.post("/api/v1/agent/conversations/c-1/transfer", {"skill": "fraud"})
    assert (await to_skill.json())["outcome"] == "queued"
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-1"]


async def test_logging_out_puts_the_chats_back_at_their_place(service, redis_client) -> None:
    app = service[0]
    ana = await _sign_in(service, "ana")
    await _queue(ana.client, "c-1")
    enqueued_at = redis_client.hget(conversation_key("c-1"), "enqueued_at")
    await _route(app)
    await ana.post("/api/v1/agent/presence", {"presence": "away"})
    await _queue(ana.client, "c-2")
    signed_out = await ana.post("/api/v1/agent/logout")
    assert (await signed_out.json())["requeued"] == ["c-1"]
    assert redis_client.zrange(QUEUE_KEY, 0, -1) == [b"c-1", b"c-2"]
    # The customer's wait goes on: not restarted by the agent's leaving.
    assert redis_client.hget(conversation_key("c-1"), "enqueued_at") == enqueued_at
    assert (await ana.get("/api/v1/agent/me")).status == 401


async def test_resolve_frees_the_agent_and_is_audited(service, redis_client) -> None:
    app, sessions, _ = service
    ana = await _sign_in(service, "ana")
    await _queue(ana.client, "c-1")
    await _route(app)
    await ana.post("/api/v1/agent/conversations/c-1/accept")
    resolved = await ana.post("/api/v1/agent/conversations/c-1/resolve", {"note": "done"})
    assert resolved.status == 200
    assert redis_client.hget(conversation_key("c-1"), "status") == b"resolved"
    assert redis_client.scard(agent_chats_key("ana")) == 0
    again = await ana.post("/api/v1/agent/conversations/c-1/resolve")
    assert again.status == 409 and (await again.json())["code"] == "already_resolved"
    with sessions() as session:
        actions = [e.action for e in session.execute(
            select(AuditEvent).where(AuditEvent.actor == "agent:ana")).scalars()]
    assert actions[:1] == ["agent.login"]
    assert {"conversation.accepted", "conversation.resolved"} <= set(actions)


async def test_replies_are_refused_before_accepting_and_when_empty(service) -> None:
    app = service[0]
    ana = await _sign_in(service, "ana")
    await _queue(ana.client, "c-1")
    await _route(app)
    early = await ana.post("/api/v1/agent/conversations/c-1/messages", {"text": "您好"})
    assert early.status == 409
    await ana.post("/api/v1/agent/conversations/c-1/accept")
    empty = await ana.post("/api/v1/agent/conversations/c-1/messages", {"text": "  "})
    assert empty.status == 400
    broken = await ana.client.post("/api/v1/agent/conversations/c-1/messages", data=b"{oops",
                                   headers={"X-CSRF-Token": ana.csrf,
                                            "Content-Type": "application/json"})
    assert broken.status == 400 and "JSON" in (await broken.json())["error"]


async def test_supervisor_overview_and_metrics(service) -> None:
    app = service[0]
    ana, boss = await _sign_in(service, "ana"), await _sign_in(service, "boss")
    assert (await ana.get("/api/v1/supervisor/overview")).status == 403
    await boss.post("/api/v1/agent/presence", {"presence": "away"})
    await _queue(ana.client, "c-1")
    await _queue(ana.client, "c-2", reason="fraud", language="en")
    await _route(app)
    overview = await (await boss.get("/api/v1/supervisor/overview")).json()
    assert overview["queue_lengths"] == {"urgent": 1, "high": 0, "normal": 0}
    by_agent = {a["agent_id"]: a for a in overview["agents"]}
    assert by_agent["ana"]["active"] == 1 and by_agent["ana"]["presence"] == "online"
    metrics = await ana.client.get("/metrics", headers=SERVICE)
    body = await metrics.text()
    assert 'kefu_handoff_queue_length{priority="urgent"} 1.0' in body
    assert "kefu_handoff_wait_seconds_count 1.0" in body
    assert (await ana.client.get("/metrics")).status == 401


def _titles(items: List[Dict[str, Any]]) -> Dict[str, tuple]:
    return {item["conversation_id"]: (item["channel"], item["customer_name"],
                                      item["customer_verified"], item["customer_phone"])
            for item in items}


async def test_conversations_are_titled_by_whom_they_are_with(service, redis_client) -> None:
    """Lists title a conversation by its channel, the verified customer's name (or none) and
    the phone masked as everywhere (mask_phone); its id stays beside them."""
    app = service[0]
    ana, bo, boss = [await _sign_in(service, name) for name in ("ana", "bo", "boss")]
    for watcher in (bo, boss):
        await watcher.post("/api/v1/agent/presence", {"presence": "away"})
    await _queue(ana.client, "a3f09c2e77d1", channel="socketio", customer={
        "display_name": "王女士", "customer_number": "C0001", "phone": "138****8001"})
    await _queue(ana.client, "+8613700137003", channel="sms")  # a text from a stranger
    await _queue(ana.client, "wechat:oABCdef", channel="wechat")
    await _route(app)  # ana (two chats at most) is offered the first
    assert (await ana.post("/api/v1/agent/conversations/a3f09c2e77d1/accept")).status == 200
    await _route(app)  # then, one open offer at a time, the second; the third waits
    lists = await (await ana.get("/api/v1/agent/conversations")).json()
    assert _titles(lists["mine"] + lists["queue"]) == {
        "a3f09c2e77d1": ("socketio", "王女士", True, "138****8001"),
        "+8613700137003": ("sms", None, False, "137****7003"),
        "wechat:oABCdef": ("wechat", None, False, None),
    }
    assert {item["summary"] for item in lists["mine"]} == {"customer_request: 我要转人工"}
    # bo serves none of these queues: nothing of these customers reaches him.
    assert (await (await bo.get("/api/v1/agent/conversations")).json()) == {
        "mine": [], "queue": []}

    # The supervisor's overview titles them too: those an agent holds, and a late one.
    redis_client.hset(conversation_key("wechat:oABCdef"), "enqueued_at", 1)
    overview = await (await boss.get("/api/v1/supervisor/overview")).json()
    held = {a["agent_id"]: a["held"] for a in overview["agents"]}
    assert _titles(held["ana"]) == {
        "a3f09c2e77d1": ("socketio", "王女士", True, "138****8001"),
        "+8613700137003": ("sms", None, False, "137****7003")}
    assert _titles(overview["sla_breaches"]) == {
        "wechat:oABCdef": ("wechat", None, False, None)}


def _marks(items: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {item["conversation_id"]: item["customer_mark"] for item in items}


async def test_unverified_customers_are_told_apart_by_their_handoffs_marks(service) -> None:
    """Two unverified customers on the web, and a text from a stranger, each have a mark of
    four hex digits from their handoff's random id (so none from the phone number that is an
    SMS conversation's id), the same in the list, the detail and the supervisor's overview
    and on every reading; a verified customer, titled by name, has none."""
    app = service[0]
    ana, boss = await _sign_in(service, "ana"), await _sign_in(service, "boss")
    await boss.post("/api/v1/agent/presence", {"presence": "away"})
    queued = {conversation_id: await _queue(ana.client, conversation_id, channel=channel)
              for conversation_id, channel in (("web-one", "socketio"), ("web-two", "socketio"),
                                               ("+8613700137003", "sms"))}
    await _queue(ana.client, "web-known", channel="socketio", customer={
        "display_name": "王女士", "customer_number": "C0001", "phone": "138****8001"})
    await _route(app)  # ana is offered two; the others wait in her queue
    expected = {conversation_id: customer_mark(answer["handoff_id"])
                for conversation_id, answer in queued.items()}
    expected["web-known"] = None
    lists = await (await ana.get("/api/v1/agent/conversations")).json()
    shown = _marks(lists["mine"] + lists["queue"])
    assert shown == expected
    assert all(re.fullmatch(r"[0-9A-F]{4}", expected[c]) for c in queued)
    # From random ids: two the same is a 1 in 65,536 chance.
    assert expected["web-one"] != expected["web-two"]
    again = await (await ana.get("/api/v1/agent/conversations")).json()
    assert _marks(again["mine"] + again["queue"]) == shown
    for conversation_id in queued:
        detail = await (await ana.get(f"/api/v1/agent/conversations/{conversation_id}")).json()
        assert detail["customer_mark"] == shown[conversation_id]
    overview = await (await boss.get("/api/v1/supervisor/overview")).json()
    [held] = [agent["held"] for agent in overview["agents"] if agent["agent_id"] == "ana"]
    assert _marks(held) == {item["conversation_id"]: shown[item["conversation_id"]]
                            for item in lists["mine"]}


async def test_agents_are_named_to_colleagues_by_the_team_list(service) -> None:
    """The console names agents (holders, transfer targets, complaint owners, history) from
    this list: every account's display name by id, whether it is online, never a secret."""
    _app, sessions, _ = service
    save_account(sessions, "pw-gone", agent_id="zed", display_name="赵敏", languages="zh",
                 skills="complaints", max_chats=1, enabled=False)  # left, named in old history
    ana = await _sign_in(service, "ana")
    await _sign_in(service, "bo")
    reply = await ana.get("/api/v1/agent/team")
    team = {m["agent_id"]: m for m in (await reply.json())["agents"]}
    assert {agent_id: (m["display_name"], m["online"], m["enabled"])
            for agent_id, m in team.items()} == {
        "ana": ("Ana", True, True), "bo": ("Bo", True, True), "boss": ("Boss", False, True),
        "rm-li": ("Rm-Li", False, True), "zed": ("赵敏", False, False)}
    assert (team["bo"]["languages"], team["bo"]["skills"]) == (["en"], ["general", "fraud"])
    assert "pw-" not in await reply.text() and "argon2" not in await reply.text()


async def test_the_console_page_is_served_without_a_session(service_client) -> None:
    reply = await service_client.get("/console")
    assert reply.status == 200
    assert "default-src 'self'" in reply.headers["Content-Security-Policy"]


def test_team_passwords_are_hashed(tmp_path) -> None:
    from actions.store.models import Agent as AgentRow

    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    sessions = session_factory(database_url)
    save_account(sessions, "s3cret-pass", agent_id="x", display_name="X")
    with sessions() as session:
        stored = session.execute(select(AgentRow)).scalar_one().password_hash
    assert stored.startswith("$argon2id$") and "s3cret-pass" not in stored
    assert json.dumps(stored)


def test_customers_are_told_the_agent_s_name_in_their_language(tmp_path) -> None:
    database_url = f"sqlite:///{tmp_path / 'kefu.db'}"
    migrate(database_url)
    sessions = session_factory(database_url)
    save_account(sessions, "pw", agent_id="wang", display_name="王晓",
                 display_name_en="Wang Xiao", languages="zh,en")
    save_account(sessions, "pw", agent_id="smith", display_name="Alex Smith", languages="en")
    wang, smith = find_account(sessions, "wang"), find_account(sessions, "smith")
    assert wang is not None and smith is not None
    assert (wang.name_for("zh"), wang.name_for("en")) == ("王晓", "Wang Xiao")
    # No English name: the one name, whatever the language.
    assert (smith.name_for("zh"), smith.name_for("en")) == ("Alex Smith", "Alex Smith")


def test_every_demo_agent_speaking_english_has_a_name_english_customers_can_read() -> None:
    unreadable = [fields["agent_id"] for fields in DEMO_AGENTS
                  if "en" in str(fields["languages"]).split(",")
                  and not str(fields.get("display_name_en") or fields["display_name"]).isascii()]
    assert unreadable == []


async def test_the_agent_s_english_name_is_in_their_account(service) -> None:
    _app, sessions, _ = service
    save_account(sessions, "pw-ana", agent_id="ana", display_name="安娜",
                 display_name_en="Ana", languages="zh,en", skills="general", max_chats=2)
    ana = await _sign_in(service, "ana")
    me = await (await ana.get("/api/v1/agent/me")).json()
    assert (me["agent"]["display_name"], me["agent"]["display_name_en"]) == ("安娜", "Ana")


async def test_an_agent_opens_and_resolves_a_ticket_for_their_customer(service) -> None:
    from actions.store.models import Ticket

    app, sessions, _ = service
    ana, bo = await _sign_in(service, "ana"), await _sign_in(service, "bo")
    await _queue(ana.client, "c-1")
    await _route(app)
    await ana.post("/api/v1/agent/conversations/c-1/accept")
    bad = await ana.post("/api/v1/agent/conversations/c-1/tickets",
                         {"category": "nonsense", "description": "x"})
    assert bad.status == 400
    opened = await ana.post("/api/v1/agent/conversations/c-1/tickets",
                            {"category": "fees", "description": "年费被重复收取"})
    assert opened.status == 201
    number = (await opened.json())["number"]
    # Only the agent holding the conversation opens tickets in it.
    assert (await bo.post("/api/v1/agent/conversations/c-1/tickets",
                          {"category": "fees", "description": "x"})).status == 404
    resolved = await ana.post(f"/api/v1/agent/tickets/{number}/resolve",
                              {"resolution": "已退回重复收取的年费"})
    assert resolved.status == 200
    answer = await resolved.json()
    assert answer["customer_notified"] is False  # Rasa is not running here
    # Opened in the conversation, answered there: no text, e-mail or call to make.
    assert (answer["call_customer"], answer["outcome_notice"]) == (False, None)
    again = await ana.post(f"/api/v1/agent/tickets/{number}/resolve", {"resolution": "x"})
    assert again.status == 409
    with sessions() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
    assert (ticket.sender_id, ticket.status, ticket.category) == ("c-1", "resolved", "fees")


async def test_callback_requests_are_listed_soonest_first(service) -> None:
    from actions.tickets.open_callback import OpenCallback

    _app, sessions, _ = service
    for sender in ("late", "early"):
        OpenCallback(sessions)(channel="rest", sender_id=sender, language="zh",
                               summary="callback: 我要转人工", priority="normal")
    ana = await _sign_in(service, "ana")
    listed = (await (await ana.get("/api/v1/agent/callbacks")).json())["callbacks"]
    assert [c["conversation_id"] for c in listed] == ["late", "early"]
    assert all(not c["overdue"] for c in listed)


async def test_transfers_respect_language_and_known_skills(service, redis_client) -> None:
    app = service[0]
    ana = await _sign_in(service, "ana")
    await _sign_in(service, "bo")  # online, with room, but English only
    await _queue(ana.client, "zh-1", language="zh")
    await _route(app)  # to ana: bo speaks no Chinese
    await ana.post("/api/v1/agent/conversations/zh-1/accept")
    to_bo = await ana.post("/api/v1/agent/conversations/zh-1/transfer", {"agent_id": "bo"})
    assert to_bo.status == 409 and (await to_bo.json())["code"] == "target_language"
    nowhere = await ana.post("/api/v1/agent/conversations/zh-1/transfer", {"skill": "astrology"})
    assert nowhere.status == 400 and "general" in (await nowhere.json())["error"]
    assert redis_client.hget(conversation_key("zh-1"), "agent") == b"ana"


async def test_unknown_paths_answer_json(service_client) -> None:
    reply = await service_client.get("/api/v1/no-such-thing", headers=SERVICE)
    assert reply.status == 404
    assert (await reply.json())["error"] == "not found"


def _complaint(sessions: Any, sender_id: str, preference: str, **reach: str) -> str:
    """A complaint filed in the bot's form, with where to reach the customer; its number."""
    from actions.tickets.open_complaint import OpenComplaint
    from actions.tickets.records import ComplaintDraft

    return OpenComplaint(sessions)(ComplaintDraft(
        channel="rest", sender_id=sender_id, language="zh", category="fees",
        description="年费被重复收取", desired_outcome="refund", contact_preference=preference,
        **reach)).number


def _listed(*numbers: str) -> List[Dict[str, Any]]:
    return [{"number": number, "category": "fees", "status": "open"} for number in numbers]


async def test_a_ticket_s_contact_shows_masked_and_in_full_to_its_agent_only(
        service, caplog) -> None:
    app, sessions, _ = service
    call = _complaint(sessions, "c-1", "phone", contact_phone="13800138001")
    mail = _complaint(sessions, "c-1", "email", contact_email="wang.nvshi@example.com")
    here = _complaint(sessions, "c-1", "this_channel")
    landline = _complaint(sessions, "c-1", "phone", contact_phone="021-62345678-123")
    elsewhere = _complaint(sessions, "c-9", "sms", contact_phone="13900139009")
    boss, li = await _sign_in(service, "boss"), await _sign_in(service, "rm-li")
    for watcher in (boss, li):
        await watcher.post("/api/v1/agent/presence", {"presence": "away"})
    await _queue(boss.client, "c-1", open_tickets=_listed(call, mail, here, landline))

    # rm-li serves the queue c-1 waits in, and sees it, but does not hold it.
    assert (await li.get("/api/v1/agent/conversations/c-1")).status == 200
    refused = await li.post(f"/api/v1/agent/conversations/c-1/tickets/{call}/contact")
    assert refused.status == 403
    assert f"ticket.contact_refused agent=rm-li conversation=c-1 ticket={call} status=403" \
        in caplog.text

    ana = await _sign_in(service, "ana")
    await _route(app)
    assert (await ana.post("/api/v1/agent/conversations/c-1/accept")).status == 200
    # Now with ana: rm-li no longer sees it at all.
    hidden = await li.post(f"/api/v1/agent/conversations/c-1/tickets/{call}/contact")
    assert hidden.status == 404
    assert f"ticket.contact_refused agent=rm-li conversation=c-1 ticket={call} status=404" \
        in caplog.text

    shown = await ana.get("/api/v1/agent/conversations/c-1")
    tickets = (await shown.json())["context"]["open_tickets"]
    listed = {ticket["number"]: ticket for ticket in tickets}
    assert [(listed[n]["contact_preference"], listed[n]["contact_kind"], listed[n]["contact"])
            for n in (call, mail, here, landline)] == [
        ("phone", "phone", "138****8001"), ("email", "email", "w***@example.com"),
        ("this_channel", None, None), ("phone", "phone", "021-****5678")]
    assert "13800138001" not in await shown.text()
    assert "wang.nvshi" not in await shown.text()

    revealed = await ana.post(f"/api/v1/agent/conversations/c-1/tickets/{call}/contact")
    assert revealed.status == 200 and revealed.headers["Cache-Control"] == "no-store"
    assert await revealed.json() == {"number": call, "contact_preference": "phone",
                                     "contact_kind": "phone", "contact": "13800138001"}
    by_mail = await ana.post(f"/api/v1/agent/conversations/c-1/tickets/{mail.lower()}/contact")
    assert (await by_mail.json())["contact"] == "wang.nvshi@example.com"
    # Nothing to reveal, another conversation's ticket, and not a ticket number.
    for number, status in ((here, 404), (elsewhere, 404), ("KF-1", 400)):
        reply = await ana.post(f"/api/v1/agent/conversations/c-1/tickets/{number}/contact")
        assert reply.status == status, number
    assert (await ana.post(f"/api/v1/agent/conversations/c-1/tickets/{call}/contact",
                           csrf=False)).status == 403
    # Supervisors may too.
    assert (await (await boss.post(
        f"/api/v1/agent/conversations/c-1/tickets/{call}/contact")).json())["contact"] \
        == "13800138001"

    with sessions() as session:
        rows = session.execute(select(AuditEvent).where(
            AuditEvent.action == "ticket.contact_revealed").order_by(AuditEvent.id)).scalars()
        audited = [(row.actor, row.subject, json.loads(row.detail)) for row in rows]
    assert audited == [
        ("agent:ana", call, {"conversation_id": "c-1", "contact_kind": "phone", "role": "agent"}),
        ("agent:ana", mail, {"conversation_id": "c-1", "contact_kind": "email", "role": "agent"}),
        ("agent:boss", call, {"conversation_id": "c-1", "contact_kind": "phone",
                              "role": "supervisor"})]
    assert "13800138001" not in caplog.text and "wang.nvshi" not in caplog.text
