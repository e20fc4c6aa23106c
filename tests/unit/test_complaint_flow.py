"""One turn of the complaint form at a time: answers, re-asks, digressions, corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

from actions.complaint import fields
from actions.complaint.flow import Turn, form_step, next_slot
from bot.nlu.entity_rules import find_entities

TODAY = dt.date(2026, 11, 27)


def turn(text: str, intent: Optional[str] = "out_of_scope", confidence: float = 0.9) -> Turn:
    return Turn(text=text, intent=intent, confidence=confidence, today=TODAY)


FILLED_CARD_COMPLAINT: Dict[str, Any] = {
    fields.CATEGORY: "card",
    fields.DESCRIPTION: "ATM吞了我的卡",
    fields.AMOUNT: "500",
    fields.CURRENCY: "CNY",
    fields.DATE: "2026-11-20",
    fields.CARD_LAST_FOUR: "1234",
    fields.OUTCOME: "refund",
    fields.CONTACT: "sms",
    fields.CONTACT_PHONE: "13800138001",
}


def test_the_questions_follow_the_category() -> None:
    assert next_slot({}) == fields.CATEGORY
    assert next_slot({fields.CATEGORY: "service", fields.DESCRIPTION: "x"}) == fields.DATE
    other = {fields.CATEGORY: "other", fields.DESCRIPTION: "x"}
    assert next_slot(other) == fields.OUTCOME
    assert next_slot(FILLED_CARD_COMPLAINT) == fields.CONFIRMED
    assert next_slot({**FILLED_CARD_COMPLAINT, fields.CONFIRMED: "yes"}) is None


def test_an_answer_fills_the_requested_slot() -> None:
    step = form_step(fields.AMOUNT, {}, turn("500元"))
    assert step.updates == {fields.AMOUNT: "500", fields.CURRENCY: "CNY"}
    assert step.problem is None and not step.digression


def test_a_bad_answer_is_re_asked_with_the_reason() -> None:
    step = form_step(fields.DATE, {}, turn("2月31日"))
    assert step.updates == {fields.DATE: None}
    assert step.problem == "utter_complaint_date_impossible"


def test_an_unreadable_answer_is_re_asked() -> None:
    step = form_step(fields.CONTACT, {}, turn("嗯", intent="nlu_fallback", confidence=0.2))
    assert step.problem == "utter_complaint_contact_unclear" and not step.digression


def test_a_question_mid_form_is_a_digression() -> None:
    assert form_step(fields.CONTACT, {}, turn("你们几点开门", "branch_hours")).digression
    assert form_step(fields.DESCRIPTION, {}, turn("how do I reset my password?",
                                                  "password_reset")).digression


def test_a_statement_is_a_description_even_if_it_sounds_like_a_topic() -> None:
    step = form_step(fields.DESCRIPTION, {}, turn("my card was declined at the supermarket",
                                                  "card_declined"))
    assert step.updates == {fields.DESCRIPTION: "my card was declined at the supermarket"}


def test_an_unsure_intent_does_not_leave_the_form() -> None:
    step = form_step(fields.CATEGORY, {}, turn("额那个", "branch_hours", confidence=0.3))
    assert not step.digression and step.problem == "utter_complaint_category_unclear"


def test_cancel_leaves_the_form_but_a_long_description_mentioning_it_does_not() -> None:
    assert form_step(fields.CATEGORY, {}, turn("算了", "cancel")).digression
    long_text = "你们无故取消了我的定期存款预约，还不通知我"
    assert not form_step(fields.DESCRIPTION, {}, turn(long_text, "cancel")).digression


def test_confirming_completes_the_form() -> None:
    step = form_step(fields.CONFIRMED, FILLED_CARD_COMPLAINT, turn("/affirm", "affirm", 1.0))
    assert step.updates == {fields.CONFIRMED: "yes"}


def test_changing_a_named_field_clears_it_so_it_is_asked_again() -> None:
    step = form_step(fields.CONFIRMED, FILLED_CARD_COMPLAINT, turn("金额不对"))
    assert step.updates == {fields.AMOUNT: None, fields.CURRENCY: None,
                            fields.CONFIRMED: None, fields.EDITING: None}
    assert next_slot({**FILLED_CARD_COMPLAINT, **step.updates}) == fields.AMOUNT


def test_change_without_a_field_asks_which_one() -> None:
    step = form_step(fields.CONFIRMED, FILLED_CARD_COMPLAINT, turn("/deny", "deny", 1.0))
    assert step.updates == {fields.EDITING: "choose", fields.CONFIRMED: None}
    choosing = {**FILLED_CARD_COMPLAINT, **step.updates}
    step = form_step(fields.CONFIRMED, choosing, turn("卡号后四位"))
    assert step.updates[fields.CARD_LAST_FOUR] is None and step.updates[fields.EDITING] is None
    step = form_step(fields.CONFIRMED, choosing, turn("随便"))
    assert step.problem == "utter_complaint_field_unclear"


def test_a_button_choice_answers_in_any_language() -> None:
    chosen = Turn(text='/inform{"choice": "sms"}', intent="inform", confidence=1.0,
                  today=TODAY, choice="sms")
    # No number known yet: the phone question comes next.
    assert form_step(fields.CONTACT, {}, chosen).updates == {
        fields.CONTACT: "sms", fields.CONTACT_PHONE: None, fields.CONTACT_EMAIL: None}
    field_button = Turn(text="", intent="inform", confidence=1.0, today=TODAY,
                        choice=fields.DATE)
    choosing = {**FILLED_CARD_COMPLAINT, fields.EDITING: "choose"}
    assert form_step(fields.CONFIRMED, choosing, field_button).updates[fields.DATE] is None


def test_a_typed_button_label_is_an_answer_even_if_the_nlu_reads_a_hand_over() -> None:
    step = form_step(fields.CATEGORY, {}, turn("Staff and service", "human_handoff", 0.95))
    assert step.updates == {fields.CATEGORY: "service"}
    assert form_step(fields.CATEGORY, {}, turn("转人工", "human_handoff", 0.99)).digression


def test_news_from_the_bank_mid_form_is_told_not_taken_as_an_answer() -> None:
    resolved = Turn(text="", intent="EXTERNAL_ticket_resolved", confidence=1.0, today=TODAY)
    assert form_step(fields.DESCRIPTION, {}, resolved).digression


def test_the_complaint_carries_the_strongest_negative_emotion_of_the_session() -> None:
    from actions.complaint_form import strongest_negative_emotion

    def user(name: str, confidence: float) -> dict:
        return {"event": "user", "parse_data": {"emotion": {"name": name,
                                                            "confidence": confidence}}}

    events = [user("angry", 0.9), {"event": "session_started"}, user("sad", 0.6),
              user("anxious", 0.7), user("happy", 0.99), user("angry", 0.4)]
    assert strongest_negative_emotion(events) == "anxious"
    assert strongest_negative_emotion([user("neutral", 0.9)]) is None


def described(text: str, slots: Dict[str, Any]) -> Dict[str, Any]:
    """The slots the description `text` fills, with the entities the NLU finds in it."""
    entities = tuple({"entity": s.entity, "value": s.value, "start": s.start, "end": s.end}
                     for s in find_entities(text, TODAY))
    step = form_step(fields.DESCRIPTION, slots,
                     Turn(text=text, intent="complaint", confidence=0.9, today=TODAY,
                          entities=entities))
    return step.updates


def test_a_description_that_says_the_amount_and_date_answers_those_questions_too() -> None:
    fees = {fields.CATEGORY: "fees"}
    updates = described("上周五乱扣了我一笔50元的年费", fees)
    assert updates == {fields.DESCRIPTION: "上周五乱扣了我一笔50元的年费", fields.AMOUNT: "50",
                       fields.CURRENCY: "CNY", fields.DATE: "2026-11-20"}
    assert next_slot({**fees, **updates}) == fields.OUTCOME
    english = described("you charged me a 50 dollar fee on the 3rd of November", fees)
    assert (english[fields.AMOUNT], english[fields.CURRENCY], english[fields.DATE]) == (
        "50", "USD", "2026-11-03")


def test_a_description_never_replaces_an_answer_nor_fills_what_the_category_does_not_ask(
        ) -> None:
    given = {fields.CATEGORY: "fees", fields.AMOUNT: "80", fields.CURRENCY: "CNY"}
    updates = described("上周五又扣了我50元", given)
    assert fields.AMOUNT not in updates and fields.CURRENCY not in updates
    assert updates[fields.DATE] == "2026-11-20"
    # A complaint about staff asks no amount: none is kept from its description.
    staff = described("柜员上周五多收了我20元手续费还态度很差", {fields.CATEGORY: "service"})
    assert fields.AMOUNT not in staff and staff[fields.DATE] == "2026-11-20"
    # Two amounts: which one is asked.
    assert fields.AMOUNT not in described("先扣了50元又扣了80元", {fields.CATEGORY: "fees"})
