"""The complaint's contact question: a call or a text needs a phone number, an email an
address; kefu asks for one only when it holds none, and the ticket keeps it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Dict, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.complaint import fields
from actions.complaint.flow import KnownContact, Turn, filled_fields, form_step, next_slot
from actions.complaint.summary import complaint_summary
from actions.complaint_form import ActionSubmitComplaint, ValidateComplaintForm
from actions.identity.demo import seed_demo_customers
from actions.store.database import session_factory
from actions.store.models import Customer, Ticket
from tests.unit.form_runs import run_validation

TODAY = dt.date(2026, 11, 27)
SMS_BUTTON = '/inform{"choice": "sms"}'

ANSWERED_UP_TO_CONTACT: Dict[str, Any] = {
    fields.CATEGORY: "service",
    fields.DESCRIPTION: "柜员态度很差，当众大声呵斥我",
    fields.DATE: "2026-11-20",
    fields.OUTCOME: "apology",
}


def turn(text: str, intent: Optional[str] = "out_of_scope", confidence: float = 0.9,
         choice: Optional[str] = None) -> Turn:
    return Turn(text=text, intent=intent, confidence=confidence, today=TODAY, choice=choice)


def chose(contact: str, **details: str) -> Dict[str, Any]:
    return {**ANSWERED_UP_TO_CONTACT, fields.CONTACT: contact, **details}


# --- the pure flow --------------------------------------------------------------------------

@pytest.mark.parametrize("contact, asked", [("sms", fields.CONTACT_PHONE),
                                            ("phone", fields.CONTACT_PHONE),
                                            ("email", fields.CONTACT_EMAIL)])
def test_an_anonymous_customer_is_asked_where_to_reach_them(contact: str, asked: str) -> None:
    step = form_step(fields.CONTACT, ANSWERED_UP_TO_CONTACT,
                     turn(f'/inform{{"choice": "{contact}"}}', "inform", 1.0, choice=contact))
    assert step.updates[fields.CONTACT] == contact and step.updates[asked] is None
    assert next_slot({**ANSWERED_UP_TO_CONTACT, **step.updates}) == asked


def test_reply_here_asks_for_nothing() -> None:
    step = form_step(fields.CONTACT, ANSWERED_UP_TO_CONTACT, turn("在这里回复我"))
    assert next_slot({**ANSWERED_UP_TO_CONTACT, **step.updates}) == fields.CONFIRMED


@pytest.mark.parametrize("text", ["13800138001", "+86 138 0013 8001", "+8613800138001",
                                  "我的手机是138-0013-8001", "my mobile is 138 0013 8001"])
def test_a_mainland_mobile_is_the_number(text: str) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("sms"), turn(text))
    assert step.updates == {fields.CONTACT_PHONE: "13800138001"} and step.problem is None
    assert next_slot({**chose("sms"), **step.updates}) == fields.CONFIRMED


@pytest.mark.parametrize("text", ["1380013800", "12345678901", "010-12345678",
                                  "6222021234567890123", "138001380012"])
def test_a_number_that_is_not_a_mobile_is_asked_again_with_a_hint(text: str) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("sms"), turn(text))
    assert step.updates == {fields.CONTACT_PHONE: None}
    assert step.problem == "utter_complaint_contact_phone_unclear" and not step.digression


@pytest.mark.parametrize("text, number", [
    ("021-62345678", "021-62345678"), ("（0755）8765 4321转123", "0755-87654321-123"),
    ("座机 010 8888 6666", "010-88886666"), ("call (021) 2345-6789 ext. 12", "021-23456789-12"),
    ("13800138001", "13800138001")])
def test_a_call_may_go_to_a_landline_with_its_area_code(text: str, number: str) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("phone"), turn(text))
    assert step.updates == {fields.CONTACT_PHONE: number} and step.problem is None


@pytest.mark.parametrize("text", ["021-62345678", "（0755）8765 4321"])
def test_a_text_cannot_go_to_a_landline_and_says_why(text: str) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("sms"), turn(text))
    assert step.updates == {fields.CONTACT_PHONE: None}
    assert step.problem == "utter_complaint_contact_landline_no_sms"


@pytest.mark.parametrize("text, contact", [("Call me", "phone"), ("电话联系我", "phone"),
                                           ("my phone", None)])
def test_at_the_number_to_text_a_typed_title_switches_to_a_call(text: str,
                                                                contact: Optional[str]) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("sms"), turn(text))
    if contact:
        assert step.updates[fields.CONTACT] == contact
        assert step.updates[fields.CONTACT_PHONE] is None
        assert next_slot({**chose("sms"), **step.updates}) == fields.CONTACT_PHONE
    else:
        assert fields.CONTACT not in step.updates


@pytest.mark.parametrize("text", ["62345678", "021-1234567", "021-12345678"])
def test_a_landline_without_its_area_code_or_a_local_number_is_asked_again(text: str) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("phone"), turn(text))
    assert step.problem == "utter_complaint_contact_phone_unclear"


def test_words_without_a_number_are_asked_again() -> None:
    step = form_step(fields.CONTACT_PHONE, chose("phone"), turn("嗯", "nlu_fallback", 0.3))
    assert step.problem == "utter_complaint_contact_phone_unclear"


@pytest.mark.parametrize("text, email", [("wang.li@example.com", "wang.li@example.com"),
                                         ("Wang.Li@Example.COM", "wang.li@example.com"),
                                         ("邮箱是 chen_88@qq.com。", "chen_88@qq.com"),
                                         ("send it to a+b@mail.example.cn please",
                                          "a+b@mail.example.cn")])
def test_an_email_address_is_the_address(text: str, email: str) -> None:
    step = form_step(fields.CONTACT_EMAIL, chose("email"), turn(text))
    assert step.updates == {fields.CONTACT_EMAIL: email}
    assert next_slot({**chose("email"), **step.updates}) == fields.CONFIRMED


@pytest.mark.parametrize("text", ["wang@", "wang@example", "@example.com", "wang@@example.com",
                                  "wang example.com", "王@例子.中国"])
def test_an_address_that_is_not_an_email_is_asked_again_with_a_hint(text: str) -> None:
    step = form_step(fields.CONTACT_EMAIL, chose("email"), turn(text))
    assert step.updates == {fields.CONTACT_EMAIL: None}
    assert step.problem == "utter_complaint_contact_email_unclear"


@pytest.mark.parametrize("text, choice", [("那就在这里回复我吧", None), ("just reply here", None),
                                          ('/inform{"choice": "this_channel"}', "this_channel")])
def test_the_customer_may_change_their_mind_and_be_answered_here(
        text: str, choice: Optional[str]) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("sms"), turn(text, choice=choice))
    assert step.updates[fields.CONTACT] == "this_channel"
    assert step.updates[fields.CONTACT_PHONE] is None and step.problem is None
    assert next_slot({**chose("sms"), **step.updates}) == fields.CONFIRMED


def test_at_the_email_question_a_text_instead_asks_for_the_phone() -> None:
    step = form_step(fields.CONTACT_EMAIL, chose("email"), turn("还是发短信吧"))
    assert step.updates == {fields.CONTACT: "sms", fields.CONTACT_PHONE: None,
                            fields.CONTACT_EMAIL: None}
    assert next_slot({**chose("email"), **step.updates}) == fields.CONTACT_PHONE


@pytest.mark.parametrize("text", ["不方便", "跳过", "I'd rather not", "skip"])
def test_skipping_the_number_means_an_answer_here_said_so(text: str) -> None:
    step = form_step(fields.CONTACT_PHONE, chose("phone"), turn(text))
    assert step.updates[fields.CONTACT] == "this_channel"
    assert step.acknowledgement == "utter_complaint_contact_here_instead"
    assert next_slot({**chose("phone"), **step.updates}) == fields.CONFIRMED


def test_cancel_and_questions_at_the_number_leave_it_to_the_rules() -> None:
    assert form_step(fields.CONTACT_PHONE, chose("sms"),
                     turn("算了，不投诉了", "cancel")).digression
    assert form_step(fields.CONTACT_EMAIL, chose("email"),
                     turn("你们网点几点开门？", "branch_hours")).digression


def test_a_number_on_record_is_not_asked_for() -> None:
    known = KnownContact(phone="13800138001", email="wang@example.com")
    sms = form_step(fields.CONTACT, ANSWERED_UP_TO_CONTACT, turn("短信通知我"), known)
    assert sms.updates[fields.CONTACT_PHONE] == "13800138001"
    assert next_slot({**ANSWERED_UP_TO_CONTACT, **sms.updates}) == fields.CONFIRMED
    email = form_step(fields.CONTACT, ANSWERED_UP_TO_CONTACT, turn("email me"), known)
    assert email.updates[fields.CONTACT_EMAIL] == "wang@example.com"
    assert email.updates[fields.CONTACT_PHONE] is None


def test_the_read_back_shows_the_number_masked_and_it_can_be_changed() -> None:
    slots = chose("sms", **{fields.CONTACT_PHONE: "13800138001"})
    assert "联系电话：138****8001" in complaint_summary(slots, "zh")
    assert "Phone number: 138****8001" in complaint_summary(slots, "en")
    assert "w***@example.com" in complaint_summary(
        chose("email", **{fields.CONTACT_EMAIL: "wang@example.com"}), "en")
    assert fields.CONTACT_PHONE in filled_fields(slots)
    for wrong in ("电话号码不对", "联系电话不对", "the phone number is wrong"):
        changing = form_step(fields.CONFIRMED, {**slots, fields.CONFIRMED: None},
                             turn(wrong, "deny"))
        assert changing.updates == {fields.CONTACT_PHONE: None, fields.CONFIRMED: None,
                                    fields.EDITING: None}
    # Without a number on the read-back, "联系电话" still names the way of contacting.
    here = chose("this_channel")
    assert form_step(fields.CONFIRMED, here, turn("联系电话不对", "deny")).updates == {
        fields.CONTACT: None, fields.CONFIRMED: None, fields.EDITING: None}


# --- the validation action: what kefu already knows -----------------------------------------

def test_on_the_sms_channel_the_sender_is_not_asked_for_a_phone() -> None:
    slots, said = run_validation(
        ValidateComplaintForm(), "complaint_form",
        {**ANSWERED_UP_TO_CONTACT, "requested_slot": fields.CONTACT}, SMS_BUTTON, "inform",
        1.0, sender_id="+8613700137003", input_channel="sms")
    assert slots[fields.CONTACT_PHONE] == "13700137003"
    assert slots["requested_slot"] == fields.CONFIRMED and said == []


def test_an_anonymous_web_customer_is_asked_for_a_phone() -> None:
    slots, _ = run_validation(
        ValidateComplaintForm(), "complaint_form",
        {**ANSWERED_UP_TO_CONTACT, "requested_slot": fields.CONTACT}, SMS_BUTTON, "inform",
        1.0, sender_id="web-anonymous", input_channel="socketio")
    assert slots["requested_slot"] == fields.CONTACT_PHONE


@pytest.fixture
def kefu_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo customers in a migrated database that the actions use."""
    seed_demo_customers(session_factory(database_url))
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    return database_url


def _customer_id(database_url: str, number: str) -> int:
    with session_factory(database_url)() as session:
        return session.execute(
            select(Customer.id).where(Customer.customer_number == number)).scalar_one()


def test_a_verified_customer_with_a_phone_on_record_is_not_asked(kefu_database: str) -> None:
    wang = _customer_id(kefu_database, "C0001")
    slots, said = run_validation(
        ValidateComplaintForm(), "complaint_form",
        {**ANSWERED_UP_TO_CONTACT, "requested_slot": fields.CONTACT, "customer_id": str(wang)},
        "短信通知我", "out_of_scope", 0.6, sender_id="web-verified", input_channel="socketio")
    assert slots[fields.CONTACT_PHONE] == "13800138001"
    assert slots["requested_slot"] == fields.CONFIRMED and said == []


def test_a_verified_customer_without_an_email_is_asked_for_one(kefu_database: str) -> None:
    zhang = _customer_id(kefu_database, "C0003")  # no email on record
    slots, _ = run_validation(
        ValidateComplaintForm(), "complaint_form",
        {**ANSWERED_UP_TO_CONTACT, "requested_slot": fields.CONTACT, "customer_id": str(zhang)},
        "发邮件给我", "out_of_scope", 0.6, sender_id="web-zhang", input_channel="socketio")
    assert slots["requested_slot"] == fields.CONTACT_EMAIL


def test_the_ticket_keeps_the_number_and_the_log_masks_it(
        kefu_database: str, caplog: pytest.LogCaptureFixture) -> None:
    slots = {**chose("sms", **{fields.CONTACT_PHONE: "13800138001"}),
             fields.CONFIRMED: "yes", "language": "zh"}
    tracker = Tracker("web-anonymous", slots, {"text": "/affirm"},
                      [{"event": "user", "text": "/affirm", "input_channel": "socketio"}],
                      False, None, {}, "complaint_form")
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.INFO, logger="actions.complaint_form"):
        events = asyncio.run(ActionSubmitComplaint().run(dispatcher, tracker, {}))
    number = next(e["value"] for e in events if e.get("name") == "last_ticket_number")
    with session_factory(kefu_database)() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert (ticket.contact_preference, ticket.contact_phone, ticket.contact_email) == (
            "sms", "13800138001", None)
    assert "reach=138****8001" in caplog.text and "13800138001" not in caplog.text


def test_the_ticket_keeps_a_landline_with_its_extension(
        kefu_database: str, caplog: pytest.LogCaptureFixture) -> None:
    landline = "0755-87654321-123456"  # the longest a landline is stored: 20 characters
    slots = {**chose("phone", **{fields.CONTACT_PHONE: landline}),
             fields.CONFIRMED: "yes", "language": "en"}
    tracker = Tracker("web-landline", slots, {"text": "/affirm"},
                      [{"event": "user", "text": "/affirm", "input_channel": "socketio"}],
                      False, None, {}, "complaint_form")
    with caplog.at_level(logging.INFO, logger="actions.complaint_form"):
        events = asyncio.run(ActionSubmitComplaint().run(CollectingDispatcher(), tracker, {}))
    number = next(e["value"] for e in events if e.get("name") == "last_ticket_number")
    with session_factory(kefu_database)() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        assert ticket.contact_phone == landline
    assert "87654321" not in caplog.text
