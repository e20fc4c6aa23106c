"""action_ticket_status on SQLite and PostgreSQL: a ticket's status, or, for a resolved ticket
that awaits the customer's verdict and that they may see, its outcome and the verdict."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session, sessionmaker

from actions.complaint import fields
from actions.store.database import make_engine
from actions.ticket_outcome import ACCEPTED, ASK, COMMENT, NEXT, RECORD, TICKET
from actions.ticket_status import ActionTicketStatus, verdict_due
from actions.tickets.lookup import TicketLookup
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft, TicketView
from actions.tickets.resolve import RecordOutcome, ResolveTicket

Answer = Tuple[Dict[str, Any], List[Optional[str]]]


@pytest.fixture
def sessions(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)  # where the action looks
    engine = make_engine(database_url)
    yield sessionmaker(engine, future=True, expire_on_commit=False)
    engine.dispose()


def _filed(sessions: sessionmaker[Session], sender: str = "web-1", channel: str = "rest",
           **details: Any) -> str:
    draft = ComplaintDraft(channel=channel, sender_id=sender, language="zh", category="card",
                           description="ATM吞卡", desired_outcome="refund",
                           contact_preference="sms", **details)
    return OpenComplaint(sessions)(draft).number


def _resolved(sessions: sessionmaker[Session], **filed: Any) -> str:
    number = _filed(sessions, **filed)
    ResolveTicket(sessions)(number, "已退回500元", "agent-7")
    return number


def _ask(text: str, number: Optional[str] = None, sender: str = "web-1", channel: str = "rest",
         active_loop: Optional[str] = None) -> Answer:
    """The slots action_ticket_status sets and the responses it sends for `text`."""
    entities = [{"entity": "ticket_number", "value": number}] if number else []
    tracker = Tracker(
        sender, {"language": "zh"},
        {"text": text, "intent": {"name": "ticket_status", "confidence": 0.99},
         "entities": entities},
        [{"event": "user", "text": text, "input_channel": channel}], False, None,
        {"name": active_loop} if active_loop else {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    return ({e["name"]: e["value"] for e in events if e.get("event") == "slot"},
            [message.get("response") for message in dispatcher.messages])


def test_a_resolved_ticket_asked_about_is_told_and_its_verdict_asked(sessions) -> None:
    number = _resolved(sessions)
    assert _ask(f"我的投诉{number}进度", number) == (
        {TICKET: number, ACCEPTED: None, COMMENT: None, NEXT: ASK}, ["utter_ticket_resolved"])


def test_a_verdict_quoting_the_ticket_is_taken(sessions) -> None:
    number = _resolved(sessions)
    assert _ask(f"{number} 处理结果我不接受", number) == (
        {TICKET: number, ACCEPTED: "no", COMMENT: None, NEXT: ASK}, [])
    assert _ask(f"I accept the outcome of case {number}", number) == (
        {TICKET: number, ACCEPTED: "yes", COMMENT: fields.NOT_GIVEN, NEXT: RECORD}, [])


def test_the_phone_the_outcome_was_texted_to_is_asked_and_no_one_else(sessions) -> None:
    number = _resolved(sessions, contact_phone="13800138001")
    assert _ask(f"{number} 处理结果我不接受", number, "+8613800138001", "sms")[0][NEXT] == ASK
    for sender, channel in [("+8613800138002", "sms"), ("web-2", "rest"),
                            ("+8613800138001", "wechat")]:
        assert _ask(f"{number} 处理结果我不接受", number, sender, channel) == (
            {NEXT: None}, ["utter_ticket_not_found"])


def test_a_ticket_awaiting_no_verdict_gets_its_status(sessions) -> None:
    still_open = _filed(sessions)
    accepted = _resolved(sessions)
    RecordOutcome(sessions)(accepted, True, None, "customer:web-1")
    assert _ask(f"{still_open} 处理结果我不接受", still_open) == (
        {NEXT: None}, ["utter_ticket_status"])
    assert _ask(f"我的投诉{accepted}进度", accepted) == ({NEXT: None}, ["utter_ticket_status"])


@pytest.mark.parametrize(("first", "again", "told"), [
    (True, "{number} 处理结果我不接受", "utter_outcome_already_accepted"),
    (False, "I accept the outcome of case {number}", "utter_outcome_already_reopened")])
def test_a_second_verdict_quoting_the_ticket_is_told_the_first_and_changes_nothing(
        sessions, first: bool, again: str, told: str) -> None:
    """Answered on the web, then by SMS quoting the number (or twice by SMS): the verdict
    recorded is told, with the ticket's number, and the ticket stays as it was."""
    number = _resolved(sessions, contact_phone="13800138001")
    RecordOutcome(sessions)(number, first, None, "customer:web-1")
    before = TicketLookup(sessions).by_number(number, "rest", "web-1")
    assert _ask(again.format(number=number), number, "+8613800138001", "sms") == (
        {NEXT: None}, [told])
    assert TicketLookup(sessions).by_number(number, "rest", "web-1") == before


def test_inside_another_form_a_resolved_ticket_gets_its_status(sessions) -> None:
    number = _resolved(sessions)
    assert _ask(f"我的投诉{number}进度", number, active_loop="complaint_form") == (
        {NEXT: None}, ["utter_ticket_status"])


def test_my_complaints_list_the_others_and_ask_about_the_one_resolved(sessions) -> None:
    _filed(sessions)
    number = _resolved(sessions)
    slots, responses = _ask("我的投诉处理得怎么样了")
    assert (slots[TICKET], slots[NEXT]) == (number, ASK)
    assert responses == ["utter_ticket_status", "utter_ticket_resolved"]
    _resolved(sessions)  # two await a verdict: which one is meant is not guessed
    assert _ask("我的投诉处理得怎么样了") == ({NEXT: None}, ["utter_ticket_status"])


def _view(number: str, status: str) -> TicketView:
    created = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.timezone.utc)
    return TicketView(number=number, category="card", status=status, priority="normal",
                      language="zh", channel="rest", sender_id="web-1", created_at=created,
                      sla_due_at=created + dt.timedelta(hours=24), resolution=None,
                      customer_accepted=None)


@pytest.mark.parametrize(("statuses", "active_loop", "due"), [
    (["open", "resolved", "closed"], None, 1), (["resolved"], None, 0),
    (["resolved"], "outcome_form", None), (["resolved", "resolved"], None, None),
    (["open", "reopened", "closed"], None, None), ([], None, None)])
def test_the_ticket_whose_verdict_is_due(statuses: List[str], active_loop: Optional[str],
                                         due: Optional[int]) -> None:
    tickets = [_view(f"KF-20261128-{i:05d}", status) for i, status in enumerate(statuses)]
    assert verdict_due(tickets, active_loop) == (None if due is None else tickets[due])
