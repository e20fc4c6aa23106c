"""Complaints through the real servers: form → ticket → status → resolved → the verdict stored."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List

import pytest
import requests
from redis.client import PubSub
from sqlalchemy import select

from actions.complaint.summary import local_date
from actions.store.database import session_factory
from actions.store.models import Ticket
from actions.tickets.announce import TICKET_CHANGES_CHANNEL
from actions.tickets.numbers import BANK_TIMEZONE
from bot.channels.sms_segments import split_sms
from bot.nlu.entity_rules import find_dates
from handoff.outcome.texts import outcome_sms
from tests.bilingual import response_text

# The contact questions differ for a call and for a text.
TEXT_ME = {"complaint_contact": "sms"}
CALL_ME = {"complaint_contact": "phone"}
# An ATM complaint's opening and card digits; the amount and the date come with the opening.
ATM_ZH = ("我要投诉，上周五ATM吞了我的卡，还扣了500元", "尾号1234")
ATM_EN = ("I want to complain: the ATM kept my card last Friday and took 500 yuan",
          "ending in 1234")
TICKET_NUMBER = re.compile(r"KF-\d{8}-\d{5}")


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _ticket(stack, number: str) -> Ticket:
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        session.expunge_all()
        return ticket


def _resolve(stack, number: str, resolution: str) -> requests.Response:
    return requests.post(
        f"{stack.handoff_url}/api/v1/tickets/{number}/resolve",
        json={"resolution": resolution, "agent_id": "agent-7"},
        headers={"Authorization": f"Bearer {stack.environment['KEFU_SERVICE_TOKEN']}"},
        timeout=30,
    )


def _at_the_contact_question(stack, sender: str, opening: str, card: str) -> None:
    """An ATM complaint filed up to "how should we contact you?": opening, card, refund."""
    stack.say(sender, opening)
    stack.say(sender, card)
    stack.say(sender, '/inform{"choice": "refund"}')


def _bot_texts_since(stack, sender: str, count: int) -> List[str]:
    events = stack.tracker_via_api(sender)["events"]
    return [e["text"] for e in events if e["event"] == "bot"][-count:]


def test_chinese_complaint_is_filed_tracked_resolved_and_not_accepted(stack) -> None:
    sender = _sender("zh-complaint")
    opening = stack.say(sender, "我要投诉，上周五ATM吞了我的卡，还扣了500元")
    assert opening[0] == response_text("utter_complaint_start", "zh")
    # Category, what happened, amount and date came with the first message.
    assert opening[1] == response_text("utter_ask_complaint_card_last_four", "zh")
    # A full card number is refused and never stored.
    assert stack.say(sender, "6222021234567890123") == [
        response_text("utter_complaint_card_full_number", "zh"),
        response_text("utter_ask_complaint_card_last_four", "zh"),
    ]
    # A question mid-form is answered, then the form asks again.
    assert stack.say(sender, "你们网点几点开门？") == [
        response_text("utter_branch_hours", "zh"),
        response_text("utter_ask_complaint_card_last_four", "zh"),
    ]
    assert stack.say(sender, "尾号1234") == [response_text("utter_ask_complaint_outcome", "zh")]
    assert stack.say(sender, '/inform{"choice": "refund"}') == [
        response_text("utter_ask_complaint_contact", "zh")
    ]
    # An anonymous customer: the number to text is asked for.
    assert stack.say(sender, "短信通知我") == [
        response_text("utter_ask_complaint_contact_phone", "zh", TEXT_ME)]
    [read_back] = stack.say(sender, "13800138001")
    assert "涉及金额：500 元" in read_back and "卡号后四位：1234" in read_back
    # Correct the amount, with a negative number re-asked on the way.
    assert stack.say(sender, "金额不对") == [response_text("utter_ask_complaint_amount", "zh")]
    assert stack.say(sender, "-300") == [
        response_text("utter_complaint_amount_not_positive", "zh"),
        response_text("utter_ask_complaint_amount", "zh"),
    ]
    [read_back] = stack.say(sender, "2500元")
    assert "涉及金额：2500 元" in read_back
    [received] = stack.say(sender, "/affirm")
    number = TICKET_NUMBER.search(received).group(0)

    ticket = _ticket(stack, number)
    assert (ticket.category, ticket.amount, ticket.currency, ticket.card_last_four) == (
        "card", "2500", "CNY", "1234")
    assert (ticket.channel, ticket.sender_id, ticket.language) == ("rest", sender, "zh")
    assert ticket.status == "open" and ticket.contact_preference == "sms"
    assert ticket.contact_phone == "13800138001"
    assert ticket.sla_due_at - ticket.created_at == dt.timedelta(hours=24)

    [status] = stack.say(sender, f"帮我查一下工单{number}的进度")
    assert number in status and "已受理" in status
    # Another customer cannot see it.
    [not_found] = stack.say(_sender("zh-other"), f"查一下工单{number}")
    assert not_found == response_text("utter_ticket_not_found", "zh", ticket_number=number)

    reply = _resolve(stack, number, "经核实，ATM故障导致吞卡，2500元已退回您的账户。")
    assert reply.status_code == 200 and reply.json()["customer_notified"] is True
    told = _bot_texts_since(stack, sender, 2)
    assert told == [
        response_text("utter_ticket_resolved", "zh", ticket_number=number,
                      resolution="经核实，ATM故障导致吞卡，2500元已退回您的账户。"),
        response_text("utter_ask_outcome_accepted", "zh"),
    ]
    assert stack.say(sender, "不接受") == [response_text("utter_ask_outcome_comment", "zh")]
    assert stack.say(sender, "钱还没有到账") == [
        response_text("utter_outcome_reopened", "zh", ticket_number=number)
    ]
    ticket = _ticket(stack, number)
    assert ticket.customer_accepted is False and ticket.customer_feedback == "钱还没有到账"
    assert ticket.status == "reopened"


def test_english_complaint_is_filed_resolved_and_accepted(stack) -> None:
    sender = _sender("en-complaint")
    assert stack.say(sender, "I want to make a complaint")[1] == response_text(
        "utter_ask_complaint_category", "en")
    assert stack.say(sender, "Staff and service") == [
        response_text("utter_ask_complaint_description", "en")]
    assert stack.say(sender, "the teller at the high street branch shouted at me") == [
        response_text("utter_ask_complaint_date", "en")]
    assert stack.say(sender, "31 February") == [
        response_text("utter_complaint_date_impossible", "en"),
        response_text("utter_ask_complaint_date", "en"),
    ]
    assert stack.say(sender, "yesterday") == [response_text("utter_ask_complaint_outcome", "en")]
    assert stack.say(sender, "😡😡😡") == [
        response_text("utter_complaint_outcome_unclear", "en"),
        response_text("utter_ask_complaint_outcome", "en"),
    ]
    assert stack.say(sender, "I want an apology") == [
        response_text("utter_ask_complaint_contact", "en")]
    assert stack.say(sender, "email me") == [
        response_text("utter_ask_complaint_contact_email", "en")]
    assert stack.say(sender, "david.chen@") == [
        response_text("utter_complaint_contact_email_unclear", "en"),
        response_text("utter_ask_complaint_contact_email", "en")]
    [read_back] = stack.say(sender, "David.Chen@Example.com")
    assert "Category: Staff and service" in read_back
    assert "Email address: d***@example.com" in read_back
    [received] = stack.say(sender, "/affirm")
    number = TICKET_NUMBER.search(received).group(0)

    [status] = stack.say(sender, "what's the status of my complaints?")
    assert number in status and "received and being handled" in status

    reply = _resolve(stack, number, "We have spoken to the teller; the branch manager apologises.")
    assert reply.status_code == 200 and reply.json()["customer_notified"] is True
    # The stack has no SMTP relay: the answer (and the ticket's history) say it was not e-mailed.
    notice = reply.json()["outcome_notice"]
    assert (notice["channel"], notice["status"], notice["to"]) == (
        "email", "not_configured", "d***@example.com")
    assert _bot_texts_since(stack, sender, 1) == [
        response_text("utter_ask_outcome_accepted", "en")]
    assert stack.say(sender, "/affirm") == [
        response_text("utter_outcome_thanks", "en", ticket_number=number)]
    ticket = _ticket(stack, number)
    assert (ticket.status, ticket.customer_accepted, ticket.language) == ("closed", True, "en")
    assert (ticket.contact_email, ticket.contact_phone) == ("david.chen@example.com", None)


def _said_date(text: str) -> dt.date:
    """The date `text` names today in the bank's time zone, as the NLU reads it."""
    [span] = find_dates(text, dt.datetime.now(BANK_TIMEZONE).date())
    return dt.date.fromisoformat(span.value)


@pytest.mark.parametrize(("language", "opening", "said_date", "amount_line", "date_line"), [
    ("zh", "我要投诉，你们上周五乱扣了我一笔50元的年费", "上周五", "涉及金额：50 元",
     "发生日期：{}"),
    ("en", "I want to complain, you charged me a 50 yuan annual fee last Friday for nothing",
     "last Friday", "Amount: CNY 50", "Date: {}"),
], ids=["zh", "en"])
def test_an_angry_complaint_keeps_its_amount_and_date_and_reads_them_back(
        stack, language: str, opening: str, said_date: str, amount_line: str,
        date_line: str) -> None:
    """Read as angry (about 0.9), the opening went to a person before the form could keep
    anything; the form now opens, skips the amount and the date, and reads them back."""
    sender = _sender(f"{language}-angry-fee")
    assert stack.say(sender, opening) == [
        response_text("utter_complaint_start", language),
        response_text("utter_ask_complaint_outcome", language)]
    stack.say(sender, '/inform{"choice": "refund"}')
    [read_back] = stack.say(sender, '/inform{"choice": "this_channel"}')
    date = _said_date(said_date)
    assert amount_line in read_back.splitlines()
    assert date_line.format(local_date(date.isoformat(), language)) in read_back.splitlines()
    [received] = stack.say(sender, "/affirm")
    ticket = _ticket(stack, TICKET_NUMBER.search(received).group(0))
    assert (ticket.category, ticket.amount, ticket.currency, ticket.incident_date) == (
        "fees", "50", "CNY", date)
    # The anger is on the ticket, which the complaints team sees first.
    assert ticket.priority == "high"


def test_an_anonymous_customer_who_wants_a_text_is_asked_for_the_number(stack) -> None:
    """A web customer, not verified, who chooses 短信通知我 gives the number to text: a wrong
    one is asked again with a hint, the read-back shows it and the ticket keeps it."""
    sender = _sender("zh-text-me")
    _at_the_contact_question(stack, sender, *ATM_ZH)
    asked = response_text("utter_ask_complaint_contact_phone", "zh", TEXT_ME)
    assert stack.say(sender, "短信通知我") == [asked]
    assert stack.say(sender, "1380013800") == [
        response_text("utter_complaint_contact_phone_unclear", "zh", TEXT_ME), asked]
    [read_back] = stack.say(sender, "13800138001")
    assert "联系方式：短信通知我" in read_back and "联系电话：138****8001" in read_back
    [received] = stack.say(sender, "/affirm")
    number = TICKET_NUMBER.search(received).group(0)
    ticket = _ticket(stack, number)
    assert (ticket.contact_preference, ticket.contact_phone, ticket.contact_email) == (
        "sms", "13800138001", None)
    # Told in the chat, and texted too: a web customer may have left the page by then.
    before = len(stack.twilio.sent_to("+8613800138001"))
    reply = _resolve(stack, number, "已退回500元")
    assert reply.json()["customer_notified"] is True
    assert reply.json()["outcome_notice"]["status"] == "sent"
    texted = [m.body for m in stack.twilio.sent_to("+8613800138001")][before:]
    assert texted == split_sms(outcome_sms(number, "已退回500元", "zh"))
    assert number in texted[0]

    # Asked for a number, another customer would rather be answered here.
    sender = _sender("zh-here-instead")
    _at_the_contact_question(stack, sender, *ATM_ZH)
    assert stack.say(sender, "电话联系我") == [
        response_text("utter_ask_complaint_contact_phone", "zh", CALL_ME)]
    [read_back] = stack.say(sender, "那就在这里回复我吧")  # goodbye (0.94) for the NLU
    assert "联系方式：在这里回复我" in read_back and "联系电话" not in read_back
    [received] = stack.say(sender, "/affirm")
    ticket = _ticket(stack, TICKET_NUMBER.search(received).group(0))
    assert (ticket.contact_preference, ticket.contact_phone) == ("this_channel", None)


def test_a_call_may_go_to_a_landline_but_a_text_may_not(stack) -> None:
    sender = _sender("en-landline")
    _at_the_contact_question(stack, sender, *ATM_EN)
    asked = response_text("utter_ask_complaint_contact_phone", "en", TEXT_ME)
    assert stack.say(sender, "text me") == [asked]
    assert stack.say(sender, "021-62345678") == [
        response_text("utter_complaint_contact_landline_no_sms", "en"), asked]
    assert stack.say(sender, "Call me") == [
        response_text("utter_ask_complaint_contact_phone", "en", CALL_ME)]
    [read_back] = stack.say(sender, "(021) 6234 5678 ext. 801")
    assert "How we contact you: Call me" in read_back and "021-****5678" in read_back
    [received] = stack.say(sender, "/affirm")
    ticket = _ticket(stack, TICKET_NUMBER.search(received).group(0))
    assert (ticket.contact_preference, ticket.contact_phone) == ("phone", "021-62345678-801")


def test_a_cancelled_complaint_leaves_no_ticket(stack) -> None:
    sender = _sender("zh-cancel")
    stack.say(sender, "我要投诉")
    assert stack.say(sender, "算了，不投诉了") == [response_text("utter_complaint_cancelled", "zh")]
    assert stack.say(sender, "我的投诉进度") == [response_text("utter_no_tickets", "zh")]


def test_fifty_concurrent_complaints_get_fifty_distinct_tickets(stack) -> None:
    senders = [_sender("many") for _ in range(50)]
    steps = ["I want to make a complaint", "Something else",
             "the branch was closed during its published opening hours",
             "An explanation", "Reply to me here"]
    with ThreadPoolExecutor(max_workers=50) as pool:
        for step in steps:
            list(pool.map(stack.say, senders, [step] * len(senders)))
        confirmations = list(pool.map(lambda sender: stack.say(sender, "/affirm"), senders))
    numbers = [TICKET_NUMBER.search(reply[0]).group(0) for reply in confirmations]
    assert len(set(numbers)) == 50
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        stored = session.execute(
            select(Ticket.number, Ticket.sender_id).where(Ticket.sender_id.in_(senders))
        ).all()
    assert sorted(stored) == sorted(zip(numbers, senders, strict=True))


def _filed_and_resolved(stack, sender: str, opening: str) -> str:
    """A complaint about a 300-yuan fee (refund, by SMS), filed and resolved: its number."""
    stack.say(sender, opening)
    stack.say(sender, '/inform{"choice": "refund"}')
    stack.say(sender, '/inform{"choice": "sms"}')
    stack.say(sender, "13800138001")
    with _ticket_changes(stack) as changes:
        [received] = stack.say(sender, "/affirm")
        number = TICKET_NUMBER.search(received).group(0)
        assert _next_change(changes) == number  # the complaints team's consoles are told
    _resolve(stack, number, "已退回300元").raise_for_status()
    return number


@contextlib.contextmanager
def _ticket_changes(stack) -> Iterator[PubSub]:
    """The action server's ticket announcements (actions/tickets/announce.py) from now on."""
    changes = stack.redis.pubsub(ignore_subscribe_messages=True)
    changes.subscribe(TICKET_CHANGES_CHANNEL)
    try:
        yield changes
    finally:
        changes.close()


def _next_change(changes: PubSub) -> str:
    for _ in range(100):  # each call waits up to 0.1 s; subscription confirmations skipped
        message = changes.get_message(timeout=0.1)
        if message is not None:
            return bytes(message["data"]).decode()
    raise AssertionError("no ticket change announced")


def _tickets_of(stack, sender: str) -> List[Ticket]:
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        tickets = list(session.execute(select(Ticket).where(Ticket.sender_id == sender))
                       .scalars())
        session.expunge_all()
        return tickets


def test_a_number_is_never_taken_for_a_yes(stack) -> None:
    """"￥300" (affirm 0.70 for the NLU), "12,000.50" (check_balance) or "1" (affirm) at a
    yes-or-no question is asked again in the customer's language; nothing is submitted."""
    sender = _sender("zh-number")
    _at_the_contact_question(stack, sender, *ATM_ZH)
    stack.say(sender, "短信通知我")
    [read_back] = stack.say(sender, "13800138001")
    for number in ("￥300", "12,000.50"):
        assert stack.say(sender, number) == [
            response_text("utter_complaint_confirm_unclear", "zh"), read_back]
    assert _tickets_of(stack, sender) == []
    [received] = stack.say(sender, "是的，没错")
    number = TICKET_NUMBER.search(received).group(0)

    _resolve(stack, number, "已退回500元").raise_for_status()
    assert stack.say(sender, "￥300") == [
        response_text("utter_outcome_accepted_unclear", "zh"),
        response_text("utter_ask_outcome_accepted", "zh"),
    ]
    assert _ticket(stack, number).customer_accepted is None
    assert stack.say(sender, "接受") == [
        response_text("utter_outcome_thanks", "zh", ticket_number=number)]

    sender = _sender("en-number")
    stack.say(sender, "I want to make a complaint")
    stack.say(sender, "Staff and service")
    stack.say(sender, "the teller at the high street branch shouted at me")
    stack.say(sender, "yesterday")
    stack.say(sender, "I want an apology")
    stack.say(sender, "email me")
    [read_back] = stack.say(sender, "david.chen@example.com")
    for number in ("$300", "1"):
        assert stack.say(sender, number) == [
            response_text("utter_complaint_confirm_unclear", "en"), read_back]
    assert _tickets_of(stack, sender) == []
    [received] = stack.say(sender, "yes")
    assert TICKET_NUMBER.search(received)


def test_a_number_at_the_date_question_is_asked_again_not_taken_for_goodbye(stack) -> None:
    """"83" is goodbye (0.93) for the NLU and "12000" a balance enquiry: at the date question
    either dropped the complaint or answered something else. A number answers the question
    asked, or it is asked again in the customer's language."""
    sender = _sender("en-date-number")
    stack.say(sender, "I want to make a complaint")
    stack.say(sender, "Staff and service")
    [asked] = stack.say(sender, "the teller at the high street branch shouted at me")
    assert asked == response_text("utter_ask_complaint_date", "en")
    for number in ("83", "12000"):
        assert stack.say(sender, number) == [
            response_text("utter_complaint_date_unclear", "en"), asked]
    assert stack.say(sender, "yesterday") == [response_text("utter_ask_complaint_outcome", "en")]

    sender = _sender("zh-date-number")
    stack.say(sender, "我要投诉")
    stack.say(sender, "柜员服务态度")
    [asked] = stack.say(sender, "上周在网点办业务，柜员一直没有理我")
    assert asked == response_text("utter_ask_complaint_date", "zh")
    assert stack.say(sender, "38") == [response_text("utter_complaint_date_unclear", "zh"), asked]
    assert stack.say(sender, "上周五") == [response_text("utter_ask_complaint_outcome", "zh")]


def test_an_acceptance_word_said_with_a_no_reopens_the_ticket(stack) -> None:
    """"不太满意" (complaint 0.91 for the NLU) and "I can't accept this" (cancel 0.86) hold
    满意 and "accept": they closed the ticket as accepted. They reopen it, and what the
    customer says is still wrong is kept even when it says "not satisfied" again."""
    for language, opening, verdict, still_wrong in [
            ("zh", "我要投诉，信用卡被重复扣了两次年费共300元，11月3日", "不太满意",
             "还是不满意，钱没有退回来"),
            ("en", "I want to complain, my credit card annual fee of 300 yuan was charged "
                   "twice on 3 November", "I can't accept this",
             "I'm not happy, the fee was charged again")]:
        sender = _sender(f"{language}-not-satisfied")
        number = _filed_and_resolved(stack, sender, opening)
        assert stack.say(sender, verdict) == [response_text("utter_ask_outcome_comment", language)]
        assert stack.say(sender, still_wrong) == [
            response_text("utter_outcome_reopened", language, ticket_number=number)]
        ticket = _ticket(stack, number)
        assert (ticket.status, ticket.customer_accepted, ticket.customer_feedback) == (
            "reopened", False, still_wrong)


def test_a_no_with_a_request_for_a_person_reopens_the_ticket_and_hands_over(
        stack, someone_on_shift) -> None:
    """"不接受，转人工" in one message: the ticket is reopened and the customer is queued for a
    person at once, not asked what is still wrong."""
    sender = _sender("zh-no-person")
    number = _filed_and_resolved(stack, sender,
                                 "我要投诉，信用卡被重复扣了两次年费共300元，11月3日")

    replies = stack.say(sender, "不接受，转人工")
    assert response_text("utter_ask_outcome_comment", "zh") not in replies
    assert replies[0] == response_text("utter_outcome_reopened", "zh", ticket_number=number)
    queued = re.compile(re.escape(response_text(
        "utter_handoff_queued_no_estimate", "zh", queue_position="@")).replace("@", r"\d+"))
    assert any(queued.fullmatch(reply) for reply in replies[1:]), replies
    assert stack.tracker_in_redis(sender)["events"][-1]["event"] == "pause"
    ticket = _ticket(stack, number)
    assert (ticket.status, ticket.customer_accepted) == ("reopened", False)


def test_a_verdict_not_given_at_first_is_asked_when_the_customer_comes_back(stack) -> None:
    """Goodbye at the outcome question records nothing. Back later in the same conversation, a
    question about the ticket tells the outcome and asks again, and the answer closes it; the
    closed ticket then gets its status. A verdict said with the number is taken at once, and
    another customer quoting the number changes nothing."""
    sender = _sender("zh-later")
    number = _filed_and_resolved(stack, sender,
                                 "我要投诉，信用卡被重复扣了两次年费共300元，11月3日")
    assert stack.say(sender, "再见") == [response_text("utter_goodbye", "zh")]
    assert (_ticket(stack, number).status, _ticket(stack, number).customer_accepted) == (
        "resolved", None)
    assert stack.say(_sender("zh-other"), f"{number} 处理结果我接受") == [
        response_text("utter_ticket_not_found", "zh", ticket_number=number)]
    assert stack.say(sender, f"我的投诉{number}处理得怎么样了") == [
        response_text("utter_ticket_resolved", "zh", ticket_number=number,
                      resolution="已退回300元"),
        response_text("utter_ask_outcome_accepted", "zh")]
    assert stack.say(sender, "接受") == [
        response_text("utter_outcome_thanks", "zh", ticket_number=number)]
    ticket = _ticket(stack, number)
    assert (ticket.status, ticket.customer_accepted) == ("closed", True)
    [status] = stack.say(sender, f"我的投诉{number}处理得怎么样了")
    assert number in status and "已办结" in status and "待您确认" not in status

    sender = _sender("en-later")
    number = _filed_and_resolved(stack, sender, "I want to complain, my credit card annual fee "
                                                "of 300 yuan was charged twice on 3 November")
    assert stack.say(sender, "bye") == [response_text("utter_goodbye", "en")]
    assert stack.say(sender, f"I accept the outcome of case {number}") == [
        response_text("utter_outcome_thanks", "en", ticket_number=number)]
    ticket = _ticket(stack, number)
    assert (ticket.status, ticket.customer_accepted, ticket.customer_feedback) == (
        "closed", True, None)


def test_dissatisfied_with_the_outcome_without_a_number_is_the_verdict_not_a_new_complaint(
        stack) -> None:
    """Back after a goodbye at the outcome question, "我对处理结果不满意" (complaint for the
    NLU) is about the one ticket awaiting the customer's verdict: it is named and reopened
    with what is still wrong, and no second complaint is filed. Without such a ticket the
    same words start a complaint."""
    for language, opening, bye, dissatisfied, still_wrong in [
            ("zh", "我要投诉，信用卡被重复扣了两次年费共300元，11月3日", "再见",
             "我对处理结果不满意", "钱还没有退回来"),
            ("en", "I want to complain, my credit card annual fee of 300 yuan was charged "
                   "twice on 3 November", "bye",
             "I want to complain, I'm not happy with how you resolved my complaint",
             "the fee is still on my statement")]:
        sender = _sender(f"{language}-outcome-no-number")
        number = _filed_and_resolved(stack, sender, opening)
        assert stack.say(sender, bye) == [response_text("utter_goodbye", language)]
        assert stack.say(sender, dissatisfied) == [
            response_text("utter_outcome_about_ticket", language, ticket_number=number),
            response_text("utter_ask_outcome_comment", language)]
        with _ticket_changes(stack) as changes:
            assert stack.say(sender, still_wrong) == [
                response_text("utter_outcome_reopened", language, ticket_number=number)]
            # Consoles are told at once (handoff/live.py), not at their next refresh.
            assert _next_change(changes) == number
        ticket = _ticket(stack, number)
        assert (ticket.status, ticket.customer_accepted, ticket.customer_feedback) == (
            "reopened", False, still_wrong)
        assert [t.number for t in _tickets_of(stack, sender)] == [number]

        newcomer = _sender(f"{language}-outcome-no-ticket")
        replies = stack.say(newcomer, dissatisfied)
        assert replies[0] == response_text("utter_complaint_start", language)


def test_amount_and_date_said_in_the_description_are_not_asked_again(stack) -> None:
    """"上周五乱扣了我一笔50元的年费" at "what happened?" answers the amount and date
    questions too (both languages); the read-back shows them."""
    for language, opening, category, description in [
            ("zh", "我要投诉", "手续费", "上周五乱扣了我一笔50元的年费"),
            ("en", "I want to make a complaint", "Fees and charges",
             "you charged me a 50 yuan annual fee last Friday for nothing")]:
        sender = _sender(f"{language}-details-in-description")
        stack.say(sender, opening)
        stack.say(sender, category)
        assert stack.say(sender, description) == [
            response_text("utter_ask_complaint_outcome", language)]
