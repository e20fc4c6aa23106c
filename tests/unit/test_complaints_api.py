"""The complaints team's API through the real app factory, a real Redis, SQLite and
PostgreSQL, and the fake Twilio on loopback for texted outcomes. Rasa is not running here,
so customers are never told in their conversation (tests/integration covers that)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from aiohttp import ClientResponse, ClientSession, ClientWebSocketResponse, CookieJar
from sqlalchemy import select

from actions.identity.demo import seed_demo_customers
from actions.store.database import session_factory
from actions.store.models import AuditEvent, Customer, Ticket, utc_now
from actions.tickets.announce import announce_ticket_change
from actions.tickets.open_callback import OpenCallback
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from bot.channels.sms_gateway import GatewaySettings
from handoff.agents import save_account
from handoff.app import create_app
from handoff.settings import HandoffSettings
from stack.processes import free_port
from tests.fakes.twilio import FakeTwilio

TOKEN = "test-service-token"
TEAM = {
    "wang": {"skills": "general,complaints"},
    "smith": {"skills": "general,complaints", "languages": "en"},
    "zhao": {"skills": "general,fraud"},
    "chen": {"skills": "general", "role": "supervisor"},
}
COMPLAINTS = "/api/v1/agent/complaints"


class Agent:
    """One signed-in browser: its own cookie jar and CSRF token."""

    def __init__(self, http: ClientSession, csrf: str) -> None:
        self.http = http
        self.csrf = csrf

    async def get(self, path: str) -> ClientResponse:
        return await self.http.get(path)

    async def post(self, path: str, body: Any = None, csrf: bool = True) -> ClientResponse:
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        if isinstance(body, str):
            return await self.http.post(path, data=body, headers={
                **headers, "Content-Type": "application/json"})
        return await self.http.post(path, json=body or {}, headers=headers)

    async def json(self, path: str) -> Dict[str, Any]:
        reply = await self.get(path)
        assert reply.status == 200, await reply.text()
        return dict(await reply.json())


class Desk:
    def __init__(self, base_url: str, database_url: str, twilio: FakeTwilio) -> None:
        self.base_url = base_url
        self.sessions = session_factory(database_url)
        self.twilio = twilio
        self._browsers: List[ClientSession] = []

    async def sign_in(self, agent_id: str) -> Agent:
        http = ClientSession(base_url=self.base_url, cookie_jar=CookieJar(unsafe=True))
        self._browsers.append(http)
        reply = await http.post("/api/v1/agent/login",
                                json={"agent_id": agent_id, "password": f"pw-{agent_id}"})
        assert reply.status == 200, await reply.text()
        return Agent(http, (await reply.json())["csrf_token"])

    def complaint(self, hours_ago: float = 0, **given: Any) -> str:
        draft = {"channel": "socketio", "sender_id": "web-1", "language": "zh",
                 "category": "card", "description": "ATM吞卡并扣款500元",
                 "desired_outcome": "refund", "contact_preference": "sms",
                 "contact_phone": "13800138001", "amount": "500", "currency": "CNY",
                 "card_last_four": "1234", **given}
        opened_at = utc_now() - dt.timedelta(hours=hours_ago)
        return OpenComplaint(self.sessions, lambda: opened_at)(ComplaintDraft(**draft)).number

    def customer_id(self, customer_number: str) -> int:
        seed_demo_customers(self.sessions)
        with self.sessions() as session:
            return int(session.execute(select(Customer.id).where(
                Customer.customer_number == customer_number)).scalar_one())

    def ticket(self, number: str) -> Ticket:
        with self.sessions() as session:
            return session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()

    def audited(self, action: str, number: str) -> List[Dict[str, Any]]:
        with self.sessions() as session:
            rows = session.execute(select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.subject == number)).scalars()
            return [{"actor": row.actor, **json.loads(row.detail)} for row in rows]

    async def close(self) -> None:
        for http in self._browsers:
            await http.close()


@pytest.fixture
async def desk(aiohttp_client, redis_url, database_url, twilio) -> AsyncIterator[Desk]:
    """On SQLite and on PostgreSQL (the database_url fixture); no SMTP relay."""
    sessions = session_factory(database_url)
    for agent_id, fields in TEAM.items():
        save_account(sessions, f"pw-{agent_id}", agent_id=agent_id,
                     display_name=agent_id.title(), **fields)
    settings = HandoffSettings(
        redis_url=redis_url, service_token=TOKEN, database_url=database_url,
        secure_cookies=False, rasa_url=f"http://127.0.0.1:{free_port()}",
        sms_gateway=GatewaySettings(twilio.account_sid, twilio.auth_token, twilio.sender,
                                    twilio.base_url))
    client = await aiohttp_client(create_app(settings))
    started = Desk(str(client.make_url("")), database_url, twilio)
    yield started
    await started.close()


def refusals(caplog: pytest.LogCaptureFixture) -> List[str]:
    return [record.getMessage() for record in caplog.records
            if record.getMessage().startswith(("complaint.", "ticket.resolve_refused"))]


async def _next_event(socket: ClientWebSocketResponse, kind: str) -> Dict[str, Any]:
    while True:
        event: Dict[str, Any] = json.loads((await socket.receive(timeout=10)).data)
        if event["type"] == kind:
            return event


async def test_the_team_sees_the_queue_soonest_due_first_with_overdue_marked(desk) -> None:
    fresh = desk.complaint(hours_ago=1, language="en", category="fees")
    overdue = desk.complaint(hours_ago=25)
    OpenCallback(desk.sessions)(channel="rest", sender_id="web-9", language="zh",
                                summary="回电", priority="urgent")
    wang = await desk.sign_in("wang")
    lists = await wang.json(COMPLAINTS)
    assert [item["number"] for item in lists["queue"]] == [overdue, fresh]
    assert (lists["mine"], lists["team"]) == ([], [])
    late, new = lists["queue"]
    assert (late["overdue"], new["overdue"]) == (True, False)
    assert {key: new[key] for key in ("status", "priority", "category", "language", "channel",
                                      "owner_agent_id", "claimed_at")} == {
        "status": "open", "priority": "normal", "category": "fees", "language": "en",
        "channel": "socketio", "owner_agent_id": None, "claimed_at": None}
    assert dt.datetime.fromisoformat(new["due_at"]) - dt.datetime.fromisoformat(
        new["created_at"]) == dt.timedelta(hours=24)
    # Nothing of the customer's in the queue: the details are for whoever claims it.
    assert "ATM" not in json.dumps(lists) and "8001" not in json.dumps(lists)
    zhao = await desk.sign_in("zhao")
    assert (await zhao.json(COMPLAINTS))["queue"] == []
    signed_out = ClientSession(base_url=desk.base_url)
    assert (await signed_out.get(COMPLAINTS)).status == 401
    await signed_out.close()


async def test_the_lists_put_the_overdue_first_then_the_urgent_then_the_soonest_due(
        desk) -> None:
    upset_key_customer, upset = {"emotion": "angry", "segment": "private"}, {"emotion": "sad"}
    late_normal = desk.complaint(hours_ago=26)
    late_urgent = desk.complaint(hours_ago=25, **upset_key_customer)
    normal = desk.complaint(hours_ago=3)
    high = desk.complaint(hours_ago=2, **upset)
    urgent = desk.complaint(hours_ago=1, **upset_key_customer)
    wang = await desk.sign_in("wang")
    queue = (await wang.json(COMPLAINTS))["queue"]
    assert [(item["number"], item["priority"], item["overdue"]) for item in queue] == [
        (late_normal, "normal", True), (late_urgent, "urgent", True), (urgent, "urgent", False),
        (high, "high", False), (normal, "normal", False)]
    for number in (normal, urgent, late_normal):
        assert (await wang.post(f"{COMPLAINTS}/{number}/claim")).status == 200
    lists = await wang.json(COMPLAINTS)
    assert [item["number"] for item in lists["mine"]] == [late_normal, urgent, normal]
    assert [item["number"] for item in lists["queue"]] == [late_urgent, high]


async def test_a_claimed_complaint_is_its_owner_s_and_the_supervisor_s(desk, caplog) -> None:
    number = desk.complaint(description="卡号6222021234567890123被吞")
    wang, smith, zhao, chen = [await desk.sign_in(a) for a in ("wang", "smith", "zhao", "chen")]
    assert (await smith.get(f"{COMPLAINTS}/{number}")).status == 200  # in the queue
    assert (await zhao.get(f"{COMPLAINTS}/{number}")).status == 404
    refused = await wang.post(f"{COMPLAINTS}/{number}/claim", csrf=False)
    assert refused.status == 403 and desk.ticket(number).owner_agent_id is None

    claimed = await wang.post(f"{COMPLAINTS}/{number.lower()}/claim")
    assert claimed.status == 200
    assert {k: v for k, v in (await claimed.json()).items() if k != "claimed_at"} == {
        "number": number, "owner_agent_id": "wang", "previous_owner": None}
    caplog.clear()
    with caplog.at_level(logging.INFO):
        taken = await smith.post(f"{COMPLAINTS}/{number}/claim")
        hidden = [await who.get(f"{COMPLAINTS}/{number}") for who in (smith, zhao)]
        unknown = await chen.get(f"{COMPLAINTS}/KF-20200101-00001")
        malformed = await wang.get(f"{COMPLAINTS}/KF-1")
    assert (taken.status, (await taken.json())["code"]) == (409, "taken")
    assert [reply.status for reply in hidden] == [404, 404]
    # The same answer for "claimed by someone else" and "no such complaint".
    assert await hidden[0].json() == {"error": f"no complaint {number}", "code": "not_found"}
    assert (unknown.status, malformed.status) == (404, 400)
    assert refusals(caplog) == [
        f"complaint.refused op=claim agent=smith ticket={number} code=taken status=409",
        f"complaint.refused op=show agent=smith ticket={number} code=not_found status=404",
        f"complaint.refused op=show agent=zhao ticket={number} code=not_found status=404",
        "complaint.refused op=show agent=chen ticket=KF-20200101-00001 code=not_found "
        "status=404",
        "complaint.bad_request op=show agent=wang reason=not a ticket number "
        "(KF-YYYYMMDD-NNNNN)"]

    assert [item["number"] for item in (await wang.json(COMPLAINTS))["mine"]] == [number]
    assert (await smith.json(COMPLAINTS))["queue"] == []
    assert [(item["number"], item["owner_agent_id"])
            for item in (await chen.json(COMPLAINTS))["team"]] == [(number, "wang")]
    detail = await wang.json(f"{COMPLAINTS}/{number}")
    await wang.json(f"{COMPLAINTS}/{number}")
    assert {key: detail[key] for key in (
        "number", "owner_agent_id", "description", "amount", "currency", "card_last_four",
        "desired_outcome", "contact_preference", "contact_kind", "contact")} == {
        "number": number, "owner_agent_id": "wang", "description": "卡号***************0123被吞",
        "amount": "500", "currency": "CNY", "card_last_four": "1234",
        "desired_outcome": "refund", "contact_preference": "sms", "contact_kind": "phone",
        "contact": "138****8001"}
    assert [(step["actor"], step["note"]) for step in detail["history"]] == [
        ("bot", "received"), ("wang", "claimed by wang")]
    # What kefu wrote, for the console to say in Chinese or English.
    assert [(step["kind"], step["params"]) for step in detail["history"]] == [
        ("received", {}), ("claimed", {"by": "wang"})]
    assert (await chen.get(f"{COMPLAINTS}/{number}")).status == 200
    # Viewing is audited once an hour per agent and complaint.
    assert [row["actor"] for row in desk.audited("ticket.viewed", number)] == [
        "agent:smith", "agent:wang", "agent:chen"]
    assert [row["actor"] for row in desk.audited("ticket.claimed", number)] == ["agent:wang"]


async def test_the_owner_notes_and_reveals_the_contact_others_are_refused(desk, caplog) -> None:
    number = desk.complaint(contact_preference="phone", contact_phone="021-62345678")
    wang, smith = await desk.sign_in("wang"), await desk.sign_in("smith")
    claim_first = await wang.post(f"{COMPLAINTS}/{number}/notes", {"note": "先看看"})
    assert (claim_first.status, (await claim_first.json())["code"]) == (403, "claim_first")
    await wang.post(f"{COMPLAINTS}/{number}/claim")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for bad in ({}, {"note": "  "}, {"note": "x" * 2001}, [1], "{not json"):
            assert (await wang.post(f"{COMPLAINTS}/{number}/notes", bad)).status == 400
    assert refusals(caplog)[0] == (
        "complaint.bad_request op=note agent=wang reason='note' is required "
        "(2000 characters at most)")
    assert len(refusals(caplog)) == 5
    noted = await wang.post(f"{COMPLAINTS}/{number}/notes", {"note": " 已致电客户，未接通 "})
    assert noted.status == 201
    assert {k: v for k, v in (await noted.json()).items() if k != "at"} == {
        "actor": "wang", "status": "open", "note": "已致电客户，未接通", "kind": "note",
        "params": {}}
    history = (await wang.json(f"{COMPLAINTS}/{number}"))["history"]
    assert (history[-1]["note"], history[-1]["kind"]) == ("已致电客户，未接通", "note")

    assert (await smith.post(f"{COMPLAINTS}/{number}/contact")).status == 404
    revealed = await wang.post(f"{COMPLAINTS}/{number}/contact")
    assert revealed.status == 200 and revealed.headers["Cache-Control"] == "no-store"
    assert await revealed.json() == {"number": number, "contact_preference": "phone",
                                     "contact_kind": "phone", "contact": "021-62345678"}
    assert desk.audited("ticket.contact_revealed", number) == [
        {"actor": "agent:wang", "via": "complaints", "contact_kind": "phone", "role": "agent"}]


async def test_resolving_tells_the_agent_how_the_customer_hears_of_it(desk) -> None:
    texted = desk.complaint()
    called = desk.complaint(contact_preference="phone", contact_phone="021-62345678")
    mailed = desk.complaint(language="en", contact_preference="email", contact_phone=None,
                            contact_email="david.chen@example.com")
    wang, smith = await desk.sign_in("wang"), await desk.sign_in("smith")
    for number in (texted, called, mailed):
        assert (await wang.post(f"{COMPLAINTS}/{number}/claim")).status == 200
    assert (await smith.post(f"{COMPLAINTS}/{texted}/resolve", {"resolution": "x"})).status \
        == 404
    assert (await wang.post(f"{COMPLAINTS}/{texted}/resolve", {"resolution": " "})).status \
        == 400
    assert desk.ticket(texted).status == "open"

    answer = await (await wang.post(f"{COMPLAINTS}/{texted}/resolve",
                                    {"resolution": "已退回500元至原卡"})).json()
    assert (answer["status"], answer["call_customer"], answer["customer_notified"]) == (
        "resolved", False, False)
    assert {k: v for k, v in answer["outcome_notice"].items() if k != "at"} == {
        "channel": "sms", "status": "sent", "to": "+86138****8001", "reason": None}
    assert {message.to for message in desk.twilio.messages} == {"+8613800138001"}

    call = await (await wang.post(f"{COMPLAINTS}/{called}/resolve",
                                  {"resolution": "已退回"})).json()
    assert call["call_customer"] is True
    assert (call["outcome_notice"]["status"], call["outcome_notice"]["to"]) == (
        "call_customer", "021-****5678")
    mail = await (await wang.post(f"{COMPLAINTS}/{mailed}/resolve",
                                  {"resolution": "Refunded."})).json()
    assert (mail["outcome_notice"]["status"], mail["outcome_notice"]["to"],
            mail["outcome_notice"]["reason"]) == (
        "not_configured", "d***@example.com", "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)")
    again = await wang.post(f"{COMPLAINTS}/{texted}/resolve", {"resolution": "again"})
    assert (again.status, (await again.json())["code"]) == (409, "closed")
    assert [row["outcome"] for row in desk.audited("ticket.resolved", texted)] == ["sent"]
    # The history: the agent's resolution as written, then how the customer was told.
    assert [(step["actor"], step["kind"], step["params"])
            for step in (await wang.json(f"{COMPLAINTS}/{texted}"))["history"][-2:]] == [
        ("wang", "note", {}),
        ("system", "outcome", {"channel": "sms", "status": "sent", "to": "+86138****8001",
                               "reason": None})]
    assert (await wang.json(f"{COMPLAINTS}/{mailed}"))["history"][-1]["params"] == {
        "channel": "email", "status": "not_configured", "to": "d***@example.com",
        "reason": "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)"}
    # Resolved, it leaves "mine" (but for the e-mail that could not go: someone must call);
    # its owner still reads it (and notes the call made).
    assert [(item["number"], item["undelivered"])
            for item in (await wang.json(COMPLAINTS))["mine"]] == [(mailed, True)]
    assert (await wang.json(f"{COMPLAINTS}/{called}"))["status"] == "resolved"
    assert (await wang.post(f"{COMPLAINTS}/{called}/notes", {"note": "已致电告知"})).status == 201


async def test_the_detail_says_where_the_outcome_will_go_as_the_outbox_resolves_it(
        desk) -> None:
    """The ticket's contact, else the verified customer's profile, else the number an SMS
    complaint came from; or why no notice will go, and then the agent is to call, with the
    number when one is known (no SMTP relay here: an e-mail cannot go). The texts then go
    where it said."""
    seed_demo_customers(desk.sessions)
    with desk.sessions() as session:
        chen_id = session.execute(select(Customer.id).where(
            Customer.customer_number == "C0002")).scalar_one()  # 13900139002, chen@example.com
    anonymous = {"contact_phone": None}
    complaints = {
        "on_ticket": desk.complaint(),
        "called": desk.complaint(contact_preference="phone", contact_phone="021-62345678"),
        "profile_phone": desk.complaint(sender_id="web-2", customer_id=chen_id, **anonymous),
        "profile_email": desk.complaint(sender_id="web-2", customer_id=chen_id,
                                        contact_preference="email", **anonymous),
        "texted_from": desk.complaint(channel="sms", sender_id="+8613700137003", **anonymous),
        "reply_here": desk.complaint(contact_preference="this_channel", **anonymous),
        "no_mobile": desk.complaint(**anonymous),
        "no_email": desk.complaint(contact_preference="email", **anonymous),
        "no_number": desk.complaint(contact_preference="phone", **anonymous),
        "no_email_but_a_phone": desk.complaint(contact_preference="email"),
        "no_relay": desk.complaint(contact_preference="email", contact_email="li@example.com",
                                   **anonymous),
        "landline_not_texted": desk.complaint(contact_phone="021-62345678"),
    }
    chen = await desk.sign_in("chen")
    shown = {name: (await chen.json(f"{COMPLAINTS}/{number}"))["outcome_notice_to"]
             for name, number in complaints.items()}

    def going(channel: str, to: str) -> Dict[str, Any]:
        return {"channel": channel, "to": to, "reason": None, "chosen": channel,
                "call_customer": channel == "phone", "call_to": to if channel == "phone" else None}

    def call_instead(chosen: Optional[str], reason: str, call_to: Optional[str] = None
                     ) -> Dict[str, Any]:
        return {"channel": None, "to": None, "reason": reason, "chosen": chosen,
                "call_customer": chosen is not None, "call_to": call_to}

    assert shown == {
        "on_ticket": going("sms", "+86****8001"),
        "called": going("phone", "021-****5678"),
        "profile_phone": going("sms", "+86****9002"),
        "profile_email": call_instead("email", "not_configured", "+86****9002"),
        "texted_from": going("sms", "+86****7003"),
        "reply_here": call_instead(None, "in_conversation"),
        "no_mobile": call_instead("sms", "no_mobile"),
        "no_email": call_instead("email", "no_email"),
        "no_number": call_instead("phone", "no_phone"),
        "no_email_but_a_phone": call_instead("email", "no_email", "+86****8001"),
        "no_relay": call_instead("email", "not_configured"),
        # A landline takes no text, but it can be called.
        "landline_not_texted": call_instead("sms", "no_mobile", "021-****5678"),
    }
    # The ticket itself holds no contact for the fallbacks: the detail's `contact` is empty.
    for name in ("profile_phone", "texted_from"):
        assert (await chen.json(f"{COMPLAINTS}/{complaints[name]}"))["contact"] is None
    for name in ("profile_phone", "texted_from"):
        answer = await chen.post(f"{COMPLAINTS}/{complaints[name]}/resolve",
                                 {"resolution": "已退回500元至原卡"})
        assert (await answer.json())["outcome_notice"]["status"] == "sent"
    # A text in several parts: a message each.
    assert {message.to for message in desk.twilio.messages} == {
        "+8613900139002", "+8613700137003"}


async def test_without_a_relay_the_agent_is_asked_to_call_and_the_complaint_stays_marked(
        desk, caplog) -> None:
    """Before resolving: the e-mail cannot go, call the customer (the profile's number); after:
    the detail says it was not sent, the list marks it among the overdue, until the owner
    says the customer was told."""
    chen_id = desk.customer_id("C0002")  # 13900139002
    mailed = desk.complaint(sender_id="web-2", customer_id=chen_id, contact_phone=None,
                            contact_preference="email", contact_email="li@example.com")
    late = desk.complaint(hours_ago=26)  # overdue by 2 hours
    urgent = desk.complaint(hours_ago=1, emotion="angry", segment="private")
    wang, smith = await desk.sign_in("wang"), await desk.sign_in("smith")
    for number in (mailed, late, urgent):
        assert (await wang.post(f"{COMPLAINTS}/{number}/claim")).status == 200
    before = await wang.json(f"{COMPLAINTS}/{mailed}")
    assert before["outcome_notice_to"] == {
        "channel": None, "to": None, "reason": "not_configured", "chosen": "email",
        "call_customer": True, "call_to": "+86****9002"}
    assert (before["undelivered"], before["undelivered_notice"]) == (False, None)

    resolved = await (await wang.post(f"{COMPLAINTS}/{mailed}/resolve",
                                      {"resolution": "已退回"})).json()
    assert resolved["outcome_notice"]["status"] == "not_configured"
    after = await wang.json(f"{COMPLAINTS}/{mailed}")
    assert after["undelivered"] is True
    assert {k: v for k, v in after["undelivered_notice"].items() if k != "at"} == {
        "channel": "email", "status": "not_configured",
        "reason": "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)", "call_to": "+86****9002"}
    # Listed with the overdue ones (the longest waiting first), before an urgent one.
    mine = (await wang.json(COMPLAINTS))["mine"]
    assert [(item["number"], item["status"], item["overdue"], item["undelivered"])
            for item in mine] == [(late, "open", True, False), (mailed, "resolved", False, True),
                                  (urgent, "open", False, False)]
    assert (await smith.post(f"{COMPLAINTS}/{mailed}/told")).status == 404  # wang's

    caplog.clear()
    with caplog.at_level(logging.INFO):
        told = await wang.post(f"{COMPLAINTS}/{mailed}/told")
        again = await wang.post(f"{COMPLAINTS}/{mailed}/told")
        nothing = await wang.post(f"{COMPLAINTS}/{urgent}/told")
    assert told.status == 200
    assert {k: v for k, v in (await told.json()).items() if k != "at"} == {
        "actor": "wang", "status": "resolved", "note": "outcome told to the customer by wang",
        "kind": "outcome_told", "params": {"by": "wang"}}
    assert [(reply.status, (await reply.json())["code"]) for reply in (again, nothing)] == [
        (409, "delivered"), (409, "delivered")]
    assert refusals(caplog)[-1] == (
        f"complaint.refused op=told agent=wang ticket={urgent} code=delivered status=409")
    assert [item["number"] for item in (await wang.json(COMPLAINTS))["mine"]] == [late, urgent]
    shown = await wang.json(f"{COMPLAINTS}/{mailed}")
    assert (shown["undelivered"], shown["undelivered_notice"]) == (False, None)
    assert shown["history"][-1]["kind"] == "outcome_told"
    assert desk.audited("ticket.outcome_told", mailed) == [{"actor": "agent:wang",
                                                             "role": "agent"}]


async def test_an_undelivered_outcome_nobody_owns_is_the_team_s_to_tell(desk) -> None:
    """A supervisor resolves a complaint nobody claimed; its customer left no e-mail address:
    the team sees it in the queue, marked, and any of them may reveal the number and say the
    customer was told; an agent without the skill sees nothing."""
    number = desk.complaint(contact_preference="email")  # a number, no address
    chen, smith, zhao = [await desk.sign_in(a) for a in ("chen", "smith", "zhao")]
    before = (await smith.json(f"{COMPLAINTS}/{number}"))["outcome_notice_to"]
    assert (before["reason"], before["call_to"]) == ("no_email", "+86****8001")
    answer = await (await chen.post(f"{COMPLAINTS}/{number}/resolve",
                                    {"resolution": "已退回"})).json()
    assert (answer["outcome_notice"]["status"], answer["outcome_notice"]["reason"]) == (
        "failed", "no e-mail address")
    assert [(item["number"], item["undelivered"])
            for item in (await smith.json(COMPLAINTS))["queue"]] == [(number, True)]
    detail = await smith.json(f"{COMPLAINTS}/{number}")
    assert {k: v for k, v in detail["undelivered_notice"].items() if k != "at"} == {
        "channel": "email", "status": "failed", "reason": "no e-mail address",
        "call_to": "+86****8001"}
    revealed = await smith.post(f"{COMPLAINTS}/{number}/contact")
    assert (await revealed.json())["contact"] == "13800138001"
    assert (await zhao.get(f"{COMPLAINTS}/{number}")).status == 404
    assert (await zhao.post(f"{COMPLAINTS}/{number}/told")).status == 404
    assert (await smith.post(f"{COMPLAINTS}/{number}/told")).status == 200
    # Told: a resolved complaint nobody owns is no longer the team's to see.
    assert (await smith.json(COMPLAINTS))["queue"] == []
    assert (await smith.get(f"{COMPLAINTS}/{number}")).status == 404
    assert (await chen.json(f"{COMPLAINTS}/{number}"))["history"][-1]["params"] == {
        "by": "smith"}


async def test_a_supervisor_reassigns_and_the_new_owner_is_told_live(desk) -> None:
    number = desk.complaint()
    wang, smith, chen = [await desk.sign_in(a) for a in ("wang", "smith", "chen")]
    await wang.post(f"{COMPLAINTS}/{number}/claim")
    console = await smith.http.ws_connect("/api/v1/agent/live")
    not_supervisor = await wang.post(f"{COMPLAINTS}/{number}/reassign", {"agent_id": "smith"})
    assert (not_supervisor.status, (await not_supervisor.json())["code"]) == (
        403, "supervisors_only")
    for target, code in (("zhao", "not_on_team"), ("nobody", "not_on_team"),
                         ("wang", "same_owner")):
        refused = await chen.post(f"{COMPLAINTS}/{number}/reassign", {"agent_id": target})
        assert (refused.status, (await refused.json())["code"]) == (400, code)
    assert (await chen.post(f"{COMPLAINTS}/{number}/reassign", {})).status == 400

    moved = await chen.post(f"{COMPLAINTS}/{number}/reassign", {"agent_id": "smith"})
    assert moved.status == 200
    assert (await moved.json())["previous_owner"] == "wang"
    assert await _next_event(console, "complaint_assigned") == {
        "type": "complaint_assigned", "number": number, "agent_id": "smith"}
    assert [item["number"] for item in (await smith.json(COMPLAINTS))["mine"]] == [number]
    assert (await wang.get(f"{COMPLAINTS}/{number}")).status == 404
    assert desk.audited("ticket.reassigned", number) == [
        {"actor": "agent:chen", "previous_owner": "wang", "owner": "smith"}]
    assert [(step["kind"], step["params"]) for step in (await chen.json(
        f"{COMPLAINTS}/{number}"))["history"][1:]] == [
        ("claimed", {"by": "wang"}),
        ("reassigned", {"by": "chen", "previous_owner": "wang", "owner": "smith"})]
    await console.close()


async def test_released_it_goes_back_to_the_queue_for_the_team(desk) -> None:
    number = desk.complaint()
    wang, smith = await desk.sign_in("wang"), await desk.sign_in("smith")
    await wang.post(f"{COMPLAINTS}/{number}/claim")
    console = await smith.http.ws_connect("/api/v1/agent/live")
    assert (await smith.post(f"{COMPLAINTS}/{number}/release")).status == 404
    released = await wang.post(f"{COMPLAINTS}/{number}/release")
    assert (await released.json())["owner_agent_id"] is None
    assert (await _next_event(console, "complaints_changed"))["number"] == number
    assert [item["number"] for item in (await smith.json(COMPLAINTS))["queue"]] == [number]
    assert [(step["kind"], step["params"]) for step in (await smith.json(
        f"{COMPLAINTS}/{number}"))["history"]][-1] == ("released", {"by": "wang"})
    unowned = await wang.post(f"{COMPLAINTS}/{number}/release")
    assert (unowned.status, (await unowned.json())["code"]) == (403, "claim_first")
    assert (await smith.post(f"{COMPLAINTS}/{number}/claim")).status == 200
    await console.close()


async def test_the_ticket_resolve_endpoint_leaves_a_claimed_complaint_to_its_owner(
        desk, caplog) -> None:
    claimed, waiting = desk.complaint(), desk.complaint()
    wang, smith = await desk.sign_in("wang"), await desk.sign_in("smith")
    await wang.post(f"{COMPLAINTS}/{claimed}/claim")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        refused = await smith.post(f"/api/v1/agent/tickets/{claimed}/resolve",
                                   {"resolution": "已处理"})
    assert (refused.status, (await refused.json())["code"]) == (403, "claimed")
    assert refusals(caplog) == [
        f"ticket.resolve_refused agent=smith ticket={claimed} reason=claimed_by_another"]
    assert desk.ticket(claimed).status == "open"
    # Nobody's complaint, and one's own, are resolved there as before.
    for agent, number in ((smith, waiting), (wang, claimed)):
        reply = await agent.post(f"/api/v1/agent/tickets/{number}/resolve",
                                 {"resolution": "已处理"})
        assert reply.status == 200, await reply.text()
        assert desk.ticket(number).status == "resolved"


async def test_a_ticket_the_bot_changes_reaches_every_console(desk, redis_url, caplog) -> None:
    """The action server announces a complaint it filed or a verdict (reopened, closed) on
    Redis; every signed-in console is told, as for a change made in the console."""
    number = desk.complaint()
    smith = await desk.sign_in("smith")
    console = await smith.http.ws_connect("/api/v1/agent/live")
    await console.send_str("ping")  # answered once the socket is registered for events
    await _next_event(console, "pong")
    await announce_ticket_change(number, redis_url)
    assert await _next_event(console, "complaints_changed") == {
        "type": "complaints_changed", "number": number}
    await console.close()

    # Redis away: the stored change stands, a line says the consoles were not told.
    with caplog.at_level(logging.WARNING):
        await announce_ticket_change(number, "redis://127.0.0.1:1/0")
    assert f"ticket.change_not_announced ticket={number} error=ConnectionError" in caplog.text
