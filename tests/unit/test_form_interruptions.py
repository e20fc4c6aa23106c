"""Explicit requests at a form's question are served by the rules, not taken as the answer."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint import fields
from actions.complaint.flow import Turn, form_step
from actions.conversation import REQUESTED_SLOT
from actions.csat_form import COMMENT, DECLINED, RECORDED, SCORE, csat_step
from actions.identity import profile_flow as flow
from actions.interruptions import interrupts_free_text, is_short
from actions.ticket_outcome import ACCEPTED as OUTCOME_ACCEPTED
from actions.ticket_outcome import COMMENT as OUTCOME_COMMENT
from actions.ticket_outcome import ValidateOutcomeForm

# (text, intent, confidence) as the NLU reads them (checked against the trained model).
HANDOFF_REQUESTS = [("转人工", "human_handoff", 1.0), ("我要转人工", "human_handoff", 1.0),
                    ("人工客服", "human_handoff", 1.0), ("talk to a person", "human_handoff", 1.0),
                    ("I want to talk to a person", "human_handoff", 1.0),
                    ("I'd like to speak to an agent please", "human_handoff", 1.0),
                    ("找我的客户经理", "request_relationship_manager", 1.0)]
PROFILE_REQUESTS = [("我要修改联系地址", "profile_update", 1.0),
                    ("I want to change my address", "profile_update", 1.0)]
# Feedback that the NLU reads as a request (or not at all): a comment.
FEEDBACK = [("希望人工客服接通再快一点", "human_handoff", 1.0),
            ("the agent was rude", "human_handoff", 0.99),
            ("客服很耐心", "nlu_fallback", 0.5), ("too slow", "deny", 0.64),
            ("😀👍", "nlu_fallback", 0.5), ("客户经理很专业", "request_relationship_manager", 0.9),
            ("客服态度太差了", "complaint", 0.51), ("转账太慢了", "transfer_failed", 0.79),
            ("the app keeps crashing", "mobile_banking_login", 0.99)]
SCORED = {SCORE: "4", COMMENT: None}


@pytest.mark.parametrize(("text", "intent", "confidence"), HANDOFF_REQUESTS + PROFILE_REQUESTS)
def test_explicit_requests_interrupt_a_free_text_question(text, intent, confidence) -> None:
    assert interrupts_free_text(text, intent, confidence)
    assert not interrupts_free_text(text, intent, 0.4)


@pytest.mark.parametrize(("text", "intent", "confidence"), FEEDBACK)
def test_feedback_does_not_interrupt(text, intent, confidence) -> None:
    assert not interrupts_free_text(text, intent, confidence)


def test_stolen_cards_and_stopping_interrupt_only_when_short() -> None:
    assert interrupts_free_text("my card was stolen", "card_stolen", 1.0)
    assert interrupts_free_text("算了", "cancel", 1.0)
    story = "上周我的卡在商场被偷了，挂失以后还是被刷走了五百元，你们处理太慢"
    assert not is_short(story) and not interrupts_free_text(story, "card_stolen", 0.9)


@pytest.mark.parametrize(("text", "intent", "confidence"), HANDOFF_REQUESTS + PROFILE_REQUESTS)
def test_a_request_at_the_comment_ends_the_survey_for_the_rules(text, intent, confidence) -> None:
    step = csat_step(COMMENT, SCORED, text, intent, confidence, None)
    # The form is rejected (a rule serves the request); the score stays, no comment is kept.
    assert step.digression and step.score is None
    assert step.updates == {COMMENT: fields.NOT_GIVEN, RECORDED: True}
    assert SCORE not in step.updates


@pytest.mark.parametrize(("text", "intent", "confidence"), FEEDBACK)
def test_feedback_at_the_comment_is_the_comment(text, intent, confidence) -> None:
    step = csat_step(COMMENT, SCORED, text, intent, confidence, None)
    assert not step.digression
    assert step.updates == {COMMENT: text, REQUESTED_SLOT: None}


def test_a_question_at_the_comment_is_answered_and_the_survey_ends() -> None:
    step = csat_step(COMMENT, SCORED, "网点几点开门", "branch_hours", 1.0, None)
    assert step.digression and step.updates[COMMENT] == fields.NOT_GIVEN
    # Back from the rule's answer, the form finds the comment settled and ends.
    back = csat_step(COMMENT, {**SCORED, COMMENT: fields.NOT_GIVEN}, "网点几点开门",
                     "branch_hours", 1.0, None)
    assert back == type(back)(updates={REQUESTED_SLOT: None})


@pytest.mark.parametrize(("text", "intent"), [("stop", "cancel"), ("没有", "deny"),
                                              ("no thanks", "deny")])
def test_no_comment(text, intent) -> None:
    step = csat_step(COMMENT, SCORED, text, intent, 1.0, None)
    assert not step.digression and step.updates == {COMMENT: fields.NOT_GIVEN,
                                                     REQUESTED_SLOT: None}


@pytest.mark.parametrize(("text", "intent", "confidence"), HANDOFF_REQUESTS + PROFILE_REQUESTS)
def test_a_request_instead_of_a_score_is_left_to_the_rules(text, intent, confidence) -> None:
    step = csat_step(SCORE, {}, text, intent, confidence, None)
    assert step.digression and step.updates == {} and step.score is None


def test_scores_and_declines_are_read_as_before() -> None:
    assert csat_step(SCORE, {}, "5", "inform", 1.0, None).score == 5
    assert csat_step(SCORE, {}, "/inform", "human_handoff", 0.9, "3").score == 3
    assert csat_step(SCORE, {}, "no thanks", "deny", 1.0, None).updates[SCORE] == DECLINED
    unclear = csat_step(SCORE, {}, "the agent was rude", "human_handoff", 0.99, None)
    assert unclear.problem == "utter_csat_score_unclear" and not unclear.digression


ADDRESS = {flow.CUSTOMER_ID: "1", flow.FIELD: "address"}


@pytest.mark.parametrize(("text", "intent", "confidence"), HANDOFF_REQUESTS)
@pytest.mark.parametrize(("requested", "slots"), [
    (flow.VALUE, ADDRESS), (flow.VALUE, {flow.CUSTOMER_ID: "1", flow.FIELD: "email"}),
    (flow.VALUE, {flow.CUSTOMER_ID: "1", flow.FIELD: "phone"}), (flow.PHONE, {}),
    (flow.CODE, {flow.PHONE: "13800138001"}), (flow.FIELD, {flow.CUSTOMER_ID: "1"}),
    (flow.CONFIRMED, {**ADDRESS, flow.VALUE: "上海市徐汇区漕溪北路200号"}),
])
def test_a_person_is_reachable_from_every_profile_question(requested, slots, text, intent,
                                                           confidence) -> None:
    step = flow.profile_step(requested, slots, text, intent, confidence, None)
    assert step.digression and step.updates == {} and step.problem is None


def test_an_address_is_an_address_whatever_the_nlu_thought() -> None:
    step = flow.profile_step(flow.VALUE, ADDRESS, "上海市徐汇区漕溪北路200号",
                             "transfer_international", 0.75, None)
    assert step.updates == {flow.VALUE: "上海市徐汇区漕溪北路200号"}
    # A profile request inside the profile form is not a reason to leave it.
    step = flow.profile_step(flow.VALUE, ADDRESS, "123 Main Street, Springfield",
                             "profile_update", 0.9, None)
    assert step.updates == {flow.VALUE: "123 Main Street, Springfield"}
    assert flow.profile_step(flow.VALUE, ADDRESS, "算了", "cancel", 1.0, None).digression


def turn(text: str, intent: str, confidence: float = 0.95) -> Turn:
    return Turn(text=text, intent=intent, confidence=confidence, today=dt.date(2026, 11, 20))


@pytest.mark.parametrize(("text", "intent", "confidence"), HANDOFF_REQUESTS + PROFILE_REQUESTS)
@pytest.mark.parametrize("requested", [fields.DESCRIPTION, fields.OUTCOME])
def test_a_complaint_free_text_question_lets_requests_through(requested, text, intent,
                                                              confidence) -> None:
    step = form_step(requested, {fields.CATEGORY: "card"}, turn(text, intent, confidence))
    assert step.digression


def test_a_description_that_mentions_a_person_is_a_description() -> None:
    text = "我打了三次电话转人工都没人接，客服态度很差"
    step = form_step(fields.DESCRIPTION, {fields.CATEGORY: "service"},
                     turn(text, "human_handoff", 0.9))
    assert step.updates == {fields.DESCRIPTION: text}


def _outcome(requested: str, text: str, intent: str, confidence: float = 1.0) -> list:
    tracker = Tracker(
        "outcome", {REQUESTED_SLOT: requested},
        {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []},
        [], False, None, {"name": "outcome_form"}, "action_listen")
    return asyncio.run(ValidateOutcomeForm().run(CollectingDispatcher(), tracker, {}))


def _outcome_comment(text: str, intent: str, confidence: float = 1.0) -> list:
    return _outcome(OUTCOME_COMMENT, text, intent, confidence)


def _slots(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# Not a verdict, and each has a rule inside the outcome form (data/rules/digressions.yml).
NOT_VERDICTS = [("我的卡被偷了", "card_stolen", 1.0),
                ("有人冒充银行骗我转账", "fraud_report", 0.998),
                ("网点几点开门？", "branch_hours", 1.0),
                ("what time do branches open?", "branch_hours", 1.0),
                ("我要修改联系地址", "profile_update", 1.0), ("转人工", "human_handoff", 1.0)]


@pytest.mark.parametrize(("text", "intent", "confidence"), NOT_VERDICTS)
def test_the_outcome_question_steps_aside_for_what_the_rules_serve(text, intent,
                                                                   confidence) -> None:
    assert _outcome(OUTCOME_ACCEPTED, text, intent, confidence) == []


def test_the_outcome_question_still_reads_verdicts_and_re_asks_the_rest() -> None:
    assert _slots(_outcome(OUTCOME_ACCEPTED, "不接受", "deny", 0.996)) == {
        "outcome_accepted": "no", "outcome_comment": None, REQUESTED_SLOT: OUTCOME_COMMENT}
    assert _slots(_outcome(OUTCOME_ACCEPTED, "接受", "nlu_fallback", 0.5))["outcome_accepted"] \
        == "yes"
    assert _slots(_outcome(OUTCOME_ACCEPTED, "不接受，转人工", "human_handoff", 0.9))[
        "outcome_accepted"] == "no"
    # A complaint here is about this outcome (answered by "不接受"), not a new one; an unsure
    # intent is no request either.
    for text, intent, confidence in [("我要投诉", "complaint", 1.0),
                                     ("网点几点开门", "branch_hours", 0.4)]:
        assert _slots(_outcome(OUTCOME_ACCEPTED, text, intent, confidence)) == {
            "outcome_accepted": None, REQUESTED_SLOT: OUTCOME_ACCEPTED}


def test_a_stolen_card_at_the_outcome_comment_is_left_to_the_rules() -> None:
    assert _outcome_comment("我的卡被偷了", "card_stolen") == []
    story = "卡被偷了，钱被刷走了两万，到现在还没退回来，你们处理得太慢了"
    assert _slots(_outcome_comment(story, "card_stolen", 0.98))["outcome_comment"] == story
    assert _slots(_outcome_comment("我要投诉", "complaint"))["outcome_comment"] == "我要投诉"


def test_the_outcome_comment_lets_a_person_through() -> None:
    assert _outcome_comment("转人工", "human_handoff") == []
    assert _outcome_comment("talk to a person", "human_handoff") == []
    what_is_wrong = "钱还没退回来，希望人工客服尽快处理"
    assert _outcome_comment(what_is_wrong, "human_handoff")[0]["value"] == what_is_wrong


def test_a_named_outcome_is_an_answer_even_if_it_reads_as_cancel() -> None:
    step = form_step(fields.OUTCOME, {fields.CATEGORY: "service"},
                     turn("I want an apology", "cancel", 0.69))
    assert step.updates == {fields.OUTCOME: "apology"}
    stop = form_step(fields.OUTCOME, {fields.CATEGORY: "service"}, turn("算了", "cancel"))
    assert stop.digression


def test_a_resolved_ticket_is_no_answer_to_any_form() -> None:
    from actions.interruptions import is_external_digression

    assert is_external_digression({"intent": {"name": "EXTERNAL_ticket_resolved"}})
    assert not is_external_digression({"intent": {"name": "affirm"}})
    assert not is_external_digression({})
