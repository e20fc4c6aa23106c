"""The customer's verdict on a resolved ticket, read from what they say or click."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Tuple

import pytest

from actions.complaint import fields
from actions.conversation import REQUESTED_SLOT
from actions.store.database import migrate, session_factory
from actions.ticket_outcome import (
    ACCEPTED,
    ASK,
    COMMENT,
    NEXT,
    RECORD,
    TICKET,
    ValidateOutcomeForm,
    ask_for_verdict,
    read_verdict,
    stated_verdict,
    verdict_slots,
)
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from actions.tickets.resolve import RecordOutcome, ResolveTicket
from tests.unit.form_runs import SlotsAndResponses, run_validation

# The form reads the ticket before asking what is still wrong: the one asked about awaits the
# customer's verdict, its twin was answered already (by SMS, the web question left open).
AWAITING, ANSWERED = "KF-20261120-00001", "KF-20261120-00002"


@pytest.fixture(scope="module")
def outcome_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('outcome') / 'kefu.db'}"
    migrate(url)
    sessions = session_factory(url)
    draft = ComplaintDraft(channel="rest", sender_id="web-1", language="zh", category="card",
                           description="ATM吞卡", desired_outcome="refund",
                           contact_preference="sms")
    filed_on = dt.datetime(2026, 11, 20, 4, 0, tzinfo=dt.timezone.utc)
    for number in (AWAITING, ANSWERED):
        assert OpenComplaint(sessions, lambda: filed_on)(draft).number == number
        ResolveTicket(sessions)(number, "已退回500元", "agent-7")
    RecordOutcome(sessions)(ANSWERED, True, None, "customer:+8613800138001")
    return url


@pytest.fixture(autouse=True)
def verdicts_read_from(outcome_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEFU_DATABASE_URL", outcome_database)  # where the actions look


@pytest.mark.parametrize(
    ("text", "intent", "verdict"),
    [("/affirm", "affirm", "yes"), ("/deny", "deny", "no"), ("接受", None, "yes"),
     ("不接受", None, "no"), ("我不满意", None, "no"), ("满意", None, "yes"),
     ("yes, that's fine", None, "yes"), ("not acceptable at all", None, "no"),
     ("no", None, "no"), ("what are your opening hours", "branch_hours", None)],
)
def test_verdicts(text: str, intent: str | None, verdict: str | None) -> None:
    assert read_verdict(text, intent) == verdict


def _outcome(requested: str, text: str, intent: str, confidence: float,
             language: str, ticket: str = AWAITING) -> SlotsAndResponses:
    """The slots the outcome form's validation sets and the responses it sends."""
    slots = {"language": language, TICKET: ticket, REQUESTED_SLOT: requested}
    return run_validation(ValidateOutcomeForm(), "outcome_form", slots, text, intent,
                          confidence)


@pytest.mark.parametrize(("quoted", "sender_id", "switched_to"), [
    # The customer's own ticket that awaits the verdict: the verdict is on it.
    (AWAITING, "web-1", AWAITING),
    # Answered already, or someone else's: not this question's answer; a rule answers about
    # it (action_ticket_status) and the question is asked again.
    (ANSWERED, "web-1", None), (AWAITING, "web-2", None),
], ids=["own-awaiting", "answered", "someone-elses"])
def test_a_verdict_quoting_another_ticket_is_on_that_ticket_or_none(
        quoted: str, sender_id: str, switched_to: Optional[str]) -> None:
    """The question was about one ticket (here the answered twin, as after an older text);
    "KF-… 处理结果我不接受" names another, and is never taken for a verdict on the first."""
    slots, responses = run_validation(
        ValidateOutcomeForm(), "outcome_form",
        {"language": "zh", TICKET: ANSWERED if quoted == AWAITING else AWAITING,
         REQUESTED_SLOT: ACCEPTED},
        f"{quoted} 处理结果我不接受", "ticket_status", 0.95, sender_id=sender_id,
        input_channel="rest", entities={"ticket_number": quoted})
    if switched_to is None:
        assert (slots, responses) == ({}, [])  # rejected: nothing filled
    else:
        assert slots == {TICKET: switched_to, ACCEPTED: "no", COMMENT: None,
                         REQUESTED_SLOT: COMMENT}


# An acceptance word said with a no, as models/kefu.tar.gz reads it: each was taken for "I
# accept", and the ticket closed.
REFUSALS = [("不太满意", "complaint", 0.91, "zh"), ("无法接受", "nlu_fallback", 0.5, "zh"),
            ("难以接受", "nlu_fallback", 0.5, "zh"), ("没法接受", "nlu_fallback", 0.5, "zh"),
            ("不是很满意", "deny", 0.96, "zh"), ("I'm dissatisfied", "complaint", 0.64, "en"),
            ("not really satisfied", "nlu_fallback", 0.5, "en"),
            ("I can't accept this", "cancel", 0.86, "en"), ("I don't accept", "cancel", 0.68, "en"),
            ("I can not accept that", "cancel", 0.94, "en")]


@pytest.mark.parametrize(("text", "intent", "confidence", "language"), REFUSALS)
def test_an_acceptance_word_said_with_a_no_reopens_the_ticket(text, intent, confidence,
                                                               language) -> None:
    slots, responses = _outcome(ACCEPTED, text, intent, confidence, language)
    # Not accepted: the customer is asked what is still wrong.
    assert slots == {ACCEPTED: "no", COMMENT: None, REQUESTED_SLOT: COMMENT}
    assert responses == []


def test_acceptance_words_count_whole() -> None:
    assert read_verdict("I was fined again", None) is None
    assert read_verdict("unacceptable", None) == "no"
    assert read_verdict("OK, I accept", None) == "yes"


@pytest.mark.parametrize(("text", "comment"), [
    ("还是不满意，钱没有退回来", "还是不满意，钱没有退回来"),
    ("I'm not happy, the fee was charged again", "I'm not happy, the fee was charged again"),
    ("没有", fields.NOT_GIVEN), ("不满意", fields.NOT_GIVEN), ("no", fields.NOT_GIVEN),
    ("not acceptable", fields.NOT_GIVEN)])
def test_what_is_still_wrong_is_kept_even_when_it_says_not_satisfied(text, comment) -> None:
    slots, _ = _outcome(COMMENT, text, "complaint", 0.9, "zh")
    assert slots == {COMMENT: comment, REQUESTED_SLOT: None}


# Grudging acceptance is an acceptance: the ticket closes, and the customer's words are kept as
# a note for the team (as models/kefu.tar.gz might read them: "I have to accept it" as deny).
GRUDGING = [("不得不接受", "deny", 0.8, "zh"), ("我不得不接受", "nlu_fallback", 0.5, "zh"),
            ("只能接受了", "deny", 0.7, "zh"), ("I have to accept it", "deny", 0.8, "en"),
            ("I guess I have to accept it", "cancel", 0.7, "en"),
            ("I have no choice but to accept", "deny", 0.9, "en")]


@pytest.mark.parametrize(("text", "intent", "confidence", "language"), GRUDGING)
def test_grudging_acceptance_closes_the_ticket_with_a_note(text, intent, confidence,
                                                           language) -> None:
    slots, responses = _outcome(ACCEPTED, text, intent, confidence, language)
    assert slots == {ACCEPTED: "yes", COMMENT: text, REQUESTED_SLOT: None}
    assert responses == []


@pytest.mark.parametrize(("text", "intent"), [
    ("不接受", "deny"), ("无法接受", "nlu_fallback"), ("不太满意", "complaint"),
    ("I can't accept this", "cancel"), ("不得不说，我不满意", "complaint")])
def test_refusals_stay_refusals(text, intent) -> None:
    slots, _ = _outcome(ACCEPTED, text, intent, 0.9, "zh")
    assert slots[ACCEPTED] == "no"


def test_plain_acceptance_has_no_note() -> None:
    slots, _ = _outcome(ACCEPTED, "接受", "affirm", 0.99, "zh")
    assert slots == {ACCEPTED: "yes", COMMENT: fields.NOT_GIVEN, REQUESTED_SLOT: None}


# "不接受", then "算了" at "what is still wrong?": nothing to add, and the "no" is recorded.
@pytest.mark.parametrize(("text", "intent", "confidence"), [
    ("算了", "cancel", 0.95), ("never mind", "cancel", 0.9), ("不用了", "cancel", 0.8),
    ("forget it", "cancel", 0.7), ("跳过", "nlu_fallback", 0.4)])
def test_skipping_the_comment_keeps_the_refusal(text, intent, confidence) -> None:
    slots, _ = _outcome(COMMENT, text, intent, confidence, "zh")
    assert slots == {COMMENT: fields.NOT_GIVEN, REQUESTED_SLOT: None}


@pytest.mark.parametrize(("requested", "text", "confidence", "language"), [
    (ACCEPTED, "再见", 1.0, "zh"), (ACCEPTED, "bye", 0.99, "en"), (ACCEPTED, "拜拜", 0.9, "zh"),
    (COMMENT, "再见", 1.0, "zh"), (COMMENT, "bye", 0.99, "en")])
def test_goodbye_leaves_the_form_for_the_rules(requested, text, confidence, language) -> None:
    # Rejected: the goodbye rule inside outcome_form records what was said and says goodbye.
    assert _outcome(requested, text, "goodbye", confidence, language) == ({}, [])


@pytest.mark.parametrize(("text", "confidence", "language"), [
    ("你好", 0.99, "zh"), ("在吗", 0.9, "zh"), ("hello?", 0.95, "en")])
def test_a_greeting_is_not_what_is_still_wrong(text, confidence, language) -> None:
    # It reopened the ticket with "你好" as the customer's comment.
    slots, _ = _outcome(COMMENT, text, "greet", confidence, language)
    assert slots == {COMMENT: None, REQUESTED_SLOT: COMMENT}


def test_a_greeting_with_what_is_wrong_is_the_comment() -> None:
    text = "你好，我的钱到现在还没有退回来，银行说的退款根本没到账"
    slots, _ = _outcome(COMMENT, text, "greet", 0.6, "zh")
    assert slots == {COMMENT: text, REQUESTED_SLOT: None}


def test_a_number_the_nlu_reads_as_goodbye_is_still_asked_again() -> None:
    slots, responses = _outcome(ACCEPTED, "83", "goodbye", 0.93, "zh")
    assert slots == {ACCEPTED: None, REQUESTED_SLOT: ACCEPTED}
    assert responses == ["utter_outcome_accepted_unclear"]


def test_leaving_the_outcome_form_records_a_no_already_given() -> None:
    from bot.digression_rules import digression_rules
    leaving = [rule for rule in digression_rules()
               if rule["condition"] == [{"active_loop": "outcome_form"}]
               and {"action": "action_deactivate_loop"} in rule["steps"]]
    assert {rule["steps"][0]["intent"] for rule in leaving} >= {"human_handoff", "card_stolen"}
    for rule in leaving:
        actions = [step["action"] for step in rule["steps"] if "action" in step]
        after = actions.index("action_deactivate_loop") + 1
        assert actions[after] == "action_record_outcome", rule["rule"]


@pytest.mark.parametrize(("verdict", "comment", "recorded", "response"), [
    ("no", None, ("KF-20261120-00001", False, None), "utter_outcome_reopened"),
    ("no", fields.NOT_GIVEN, ("KF-20261120-00001", False, None), "utter_outcome_reopened"),
    ("yes", "不得不接受", ("KF-20261120-00001", True, "不得不接受"), "utter_outcome_thanks"),
    (None, None, None, None)])
def test_the_verdict_is_recorded_whatever_became_of_the_comment(monkeypatch, verdict, comment,
                                                                recorded, response) -> None:
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import ticket_outcome
    calls = []

    class FakeRecord:
        def __init__(self, sessions) -> None:
            pass

        def __call__(self, number, accepted, note, actor) -> None:
            calls.append((number, accepted, note))

    monkeypatch.setattr(ticket_outcome, "RecordOutcome", FakeRecord)
    monkeypatch.setattr(ticket_outcome, "session_factory", lambda url: None)
    monkeypatch.setattr(ticket_outcome, "database_url", lambda: "sqlite://")
    slots = {TICKET: "KF-20261120-00001", ACCEPTED: verdict, COMMENT: comment}
    tracker = Tracker("customer", slots, {"text": "转人工", "intent": {"name": "human_handoff"}},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ticket_outcome.ActionRecordOutcome().run(dispatcher, tracker, {}))
    assert calls == ([recorded] if recorded else [])
    assert [m.get("response") for m in dispatcher.messages] == ([response] if response else [])
    assert {e["name"]: e["value"] for e in events} == {TICKET: None, ACCEPTED: None,
                                                        COMMENT: None}


@pytest.mark.parametrize(("accepted", "response"), [
    (True, "utter_outcome_already_accepted"), (False, "utter_outcome_already_reopened"),
    (None, "utter_outcome_not_saved")])
def test_a_verdict_after_the_first_is_answered_and_not_recorded(
        monkeypatch, accepted: Optional[bool], response: str) -> None:
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import ticket_outcome
    from actions.tickets.resolve import VerdictNotAwaited

    def already_answered(number, verdict, note, actor) -> None:
        raise VerdictNotAwaited(number, {True: "closed", False: "reopened"}.get(accepted, "open"),
                                accepted)

    monkeypatch.setattr(ticket_outcome, "RecordOutcome", lambda _sessions: already_answered)
    monkeypatch.setattr(ticket_outcome, "session_factory", lambda url: None)
    monkeypatch.setattr(ticket_outcome, "database_url", lambda: "sqlite://")
    slots = {TICKET: "KF-20261120-00001", ACCEPTED: "yes", COMMENT: fields.NOT_GIVEN}
    tracker = Tracker("customer", slots, {"text": "接受", "intent": {"name": "affirm"}},
                      [], False, None, {}, "outcome_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ticket_outcome.ActionRecordOutcome().run(dispatcher, tracker, {}))
    told = [(m.get("response"), m.get("ticket_number")) for m in dispatcher.messages]
    assert told == [(response, None if accepted is None else "KF-20261120-00001")]
    assert {e["name"]: e["value"] for e in events} == {TICKET: None, ACCEPTED: None,
                                                        COMMENT: None}


# "No" and a person in one message: the "no" is recorded and the customer handed over, not
# asked what is still wrong (as models/kefu.tar.gz might read them).
NO_AND_A_PERSON = [("不接受，转人工", "human_handoff", 0.9, "zh"),
                   ("不接受，我要人工客服", "deny", 0.7, "zh"),
                   ("不满意，找客服", "nlu_fallback", 0.5, "zh"),
                   ("no, I want to talk to a person", "human_handoff", 0.8, "en"),
                   ("not acceptable, get me an agent", "deny", 0.9, "en"),
                   ("no, human", "deny", 0.6, "en")]


@pytest.mark.parametrize(("text", "intent", "confidence", "language"), NO_AND_A_PERSON)
def test_a_no_with_a_request_for_a_person_ends_the_form(text, intent, confidence,
                                                        language) -> None:
    slots, responses = _outcome(ACCEPTED, text, intent, confidence, language)
    assert slots == {ACCEPTED: "no", COMMENT: fields.NOT_GIVEN, REQUESTED_SLOT: None}
    assert responses == []


@pytest.mark.parametrize(("text", "intent", "confidence"), [
    ("不接受", "deny", 0.95), ("no", "deny", 0.95), ("不接受", "human_handoff", 0.4),
    ("不接受，钱还没退", "deny", 0.9)])
def test_a_no_without_a_person_still_asks_what_is_wrong(text, intent, confidence) -> None:
    slots, _ = _outcome(ACCEPTED, text, intent, confidence, "zh")
    assert slots == {ACCEPTED: "no", COMMENT: None, REQUESTED_SLOT: COMMENT}


@pytest.mark.parametrize(("text", "intent", "language"), [
    ("/deny", "deny", "zh"), ("不接受，钱还没退", "deny", "zh"), ("no", "deny", "en")])
def test_a_no_to_a_question_answered_elsewhere_is_not_asked_what_is_wrong(
        text: str, intent: str, language: str) -> None:
    """The web question left open after the customer accepted by SMS: "不接受" would be asked
    what is still wrong, as if the ticket were looked at again. The form ends instead, and
    action_record_outcome tells the verdict that stands."""
    assert _outcome(ACCEPTED, text, intent, 0.95, language, ticket=ANSWERED) == (
        {ACCEPTED: "no", COMMENT: fields.NOT_GIVEN, REQUESTED_SLOT: None}, [])


@pytest.mark.parametrize(("text", "intent", "handoff"), [
    ("不接受，转人工", "human_handoff", True), ("no, I want to talk to a person", "deny", True),
    ("不接受", "deny", False)])
def test_recording_a_no_with_a_request_for_a_person_hands_over(monkeypatch, text, intent,
                                                               handoff) -> None:
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    import actions.ticket_outcome as outcome

    monkeypatch.setattr(outcome, "RecordOutcome", lambda _factory: lambda *args: None)
    monkeypatch.setattr(outcome, "session_factory", lambda _url: None)
    monkeypatch.setattr(outcome, "database_url", lambda: "")
    slots = {TICKET: "KF-20261120-00001", ACCEPTED: "no", COMMENT: fields.NOT_GIVEN}
    # The form ended itself (no rule left it for a person): the last action was the form.
    tracker = Tracker("customer", slots,
                      {"text": text, "intent": {"name": intent, "confidence": 0.9},
                       "entities": []}, [], False, None, {}, "outcome_form")
    events = asyncio.run(outcome.ActionRecordOutcome().run(CollectingDispatcher(), tracker, {}))
    followups = [e["name"] for e in events if e.get("event") == "followup"]
    assert followups == (["action_handoff"] if handoff else [])


# A verdict the customer states while asking about a resolved ticket, later or elsewhere.
STATED = [("KF-20261128-00012 处理结果我不接受", "no"),
          ("我对工单KF-20261128-00012的处理结果不满意", "no"),
          ("I don't accept the outcome of KF-20261128-00012", "no"),
          ("I'm not happy with how KF-20261128-00012 was resolved", "no"),
          ("我接受这个结果", "yes"), ("KF-20261128-00012 我接受这个处理结果", "yes"),
          ("I accept the outcome of case KF-20261128-00012", "yes"),
          ("KF-20261128-00012 只能接受了", "yes")]
# Status questions that hold a verdict's words, or a change, and state no verdict.
NOT_STATED = ["我的工单KF-20261128-00012同意退款了吗", "为什么不接受我的投诉？",
              "请问编号KF-20261120-00009的工单是否已经处理完毕",
              "is my case KF-20261128-00012 fine?", "我想修改工单KF-20261128-00012的联系电话",
              "please change the phone number on KF-20261128-00012",
              "工单KF-20261128-00012填错了", "KF-20261128-00012", "我的投诉进度"]


@pytest.mark.parametrize(("text", "verdict"), STATED + [(text, None) for text in NOT_STATED])
def test_a_verdict_stated_with_a_question_about_the_ticket(text: str, verdict) -> None:
    assert stated_verdict(text) == verdict


def test_the_nlu_data_s_status_questions_state_no_verdict_but_those_written_to() -> None:
    from tests.unit.test_nlu_test_sets import TEST_SET_DIR, TRAINING_DIR, _utterances
    written_to = {
        "工单KF-20261121-00023的处理结果我不接受": "no", "KF-20261119-00056 处理结果我接受": "yes",
        "我对KF-20261117-00031的处理结果不满意": "no",
        "I don't accept the outcome of case KF-20261121-00023": "no",
        "KF-20261119-00056 outcome accepted": "yes",
        "I'm not satisfied with how KF-20261117-00031 was resolved": "no",
        "KF-20261203-00077 这个处理结果我没法接受": "no",
        "工单KF-20261204-00102的结果我满意": "yes",
        "the outcome of KF-20261203-00077 is not acceptable to me": "no",
        "i accept the resolution of case KF-20261204-00102": "yes"}
    questions = [text for directory in (TRAINING_DIR, TEST_SET_DIR)
                 for path in sorted(directory.rglob("*.yml"))
                 for intent, text in _utterances(path) if intent == "ticket_status"]
    assert set(written_to) <= set(questions)
    assert {text: stated_verdict(text) for text in questions} == {
        text: written_to.get(text) for text in questions}


@pytest.mark.parametrize(("verdict", "text", "slots"), [
    ("no", "不接受", {ACCEPTED: "no", COMMENT: None}),
    ("yes", "接受", {ACCEPTED: "yes", COMMENT: fields.NOT_GIVEN}),
    ("yes", " 只能接受了 ", {ACCEPTED: "yes", COMMENT: "只能接受了"})])
def test_the_form_s_slots_for_a_verdict(verdict: str, text: str, slots) -> None:
    assert verdict_slots(verdict, text) == slots


def _asked(text: str) -> Tuple[Dict[str, Any], List[Tuple[Any, ...]]]:
    """What ask_for_verdict sets and says about a resolved ticket the customer asked about."""
    import datetime as dt

    from rasa_sdk.executor import CollectingDispatcher

    from actions.tickets.records import TicketView
    created = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.timezone.utc)
    ticket = TicketView(number="KF-20261128-00012", category="card", status="resolved",
                        priority="normal", language="zh", channel="rest", sender_id="web-1",
                        created_at=created, sla_due_at=created + dt.timedelta(hours=24),
                        resolution="已退回500元", customer_accepted=None)
    dispatcher = CollectingDispatcher()
    events = ask_for_verdict(dispatcher, ticket, text)
    return ({e["name"]: e["value"] for e in events},
            [(m.get("response"), m.get("ticket_number"), m.get("resolution"))
             for m in dispatcher.messages])


def test_a_ticket_asked_about_is_told_and_its_verdict_asked() -> None:
    assert _asked("我的投诉KF-20261128-00012进度") == (
        {TICKET: "KF-20261128-00012", ACCEPTED: None, COMMENT: None, NEXT: ASK},
        [("utter_ticket_resolved", "KF-20261128-00012", "已退回500元")])


def test_a_refusal_said_already_is_asked_only_what_is_still_wrong() -> None:
    assert _asked("KF-20261128-00012 处理结果我不接受") == (
        {TICKET: "KF-20261128-00012", ACCEPTED: "no", COMMENT: None, NEXT: ASK}, [])


def test_an_acceptance_said_already_is_recorded() -> None:
    assert _asked("I accept the outcome of case KF-20261128-00012") == (
        {TICKET: "KF-20261128-00012", ACCEPTED: "yes", COMMENT: fields.NOT_GIVEN, NEXT: RECORD},
        [])
