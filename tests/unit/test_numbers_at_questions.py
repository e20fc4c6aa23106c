"""A message that is just a number answers the question asked, or the question is asked again.

The NLU reads two-digit numbers as goodbye (from the "88" example: "83" is goodbye 0.93), and
longer ones as a balance enquiry ("12000" check_balance 0.69). At the survey's score question
"83" declined the survey; at the complaint's date question it dropped the complaint. Only
"88" and "886", which are Chinese for bye-bye, still say goodbye to the survey.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict

import pytest
from rasa_sdk import Action

from actions import complaint_form
from actions.complaint import fields
from actions.complaint_form import ValidateComplaintForm
from actions.conversation import REQUESTED_SLOT
from actions.csat_form import COMMENT, DECLINED, SCORE, ValidateCsatForm
from actions.identity import profile_flow
from actions.profile_form import ValidateProfileForm
from tests.bilingual import response_text
from tests.unit.form_runs import SlotsAndResponses, run_validation


def _run(action: Action, form: str, slots: Dict[str, Any], text: str, intent: str,
         confidence: float, language: str) -> SlotsAndResponses:
    return run_validation(action, form, {"language": language, **slots}, text, intent,
                          confidence)


# (text, intent, confidence) as models/kefu.tar.gz reads them.
NOT_SCORES = [("83", "goodbye", 0.93), ("38", "goodbye", 0.71), ("96", "goodbye", 0.55),
              ("77", "goodbye", 0.77), ("888", "goodbye", 0.98), ("83 points", "goodbye", 0.51),
              ("12000", "check_balance", 0.69), ("300", "deny", 1.0), ("10", "nlu_fallback", 0.5),
              ("83分", "credit_card_installment", 1.0)]
GOODBYES = [("88", "goodbye", 1.0), ("886", "goodbye", 0.85), ("88~", "goodbye", 1.0),
            ("886!", "goodbye", 0.82), ("再见", "goodbye", 1.0), ("bye", "goodbye", 1.0)]


def _score(text: str, intent: str, confidence: float, language: str):
    return _run(ValidateCsatForm(), "csat_form", {REQUESTED_SLOT: SCORE}, text, intent,
                confidence, language)


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("text", "intent", "confidence"), NOT_SCORES)
def test_a_number_that_is_no_score_is_asked_again(text, intent, confidence, language) -> None:
    slots, responses = _score(text, intent, confidence, language)
    assert slots == {SCORE: None, REQUESTED_SLOT: SCORE}
    assert responses == ["utter_csat_score_unclear"]


def test_the_re_ask_is_in_the_customers_language() -> None:
    assert "1 到 5" in response_text("utter_csat_score_unclear", "zh")
    assert "from 1 to 5" in response_text("utter_csat_score_unclear", "en")


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("text", "intent", "confidence"), GOODBYES)
def test_88_886_and_goodbye_words_still_decline_the_survey(text, intent, confidence,
                                                          language) -> None:
    slots, responses = _score(text, intent, confidence, language)
    assert slots == {SCORE: DECLINED, COMMENT: fields.NOT_GIVEN, REQUESTED_SLOT: None}
    assert responses == []


CARD_COMPLAINT = {fields.CATEGORY: "card", fields.DESCRIPTION: "ATM吞了我的卡"}
# At the complaint's questions, as the NLU reads them.
NOT_DATES = [("83", "goodbye", 0.93), ("38", "goodbye", 0.71), ("88", "goodbye", 1.0),
             ("12000", "check_balance", 0.69), ("300元", "currency_exchange", 0.99),
             ("RMB 2000", "currency_exchange", 0.97), ("KF-20261123-00042", "ticket_status", 1.0)]


def _complaint(requested: str, text: str, intent: str, confidence: float, language: str):
    # The questions before the requested one are answered.
    answered = {fields.AMOUNT: "500", fields.CURRENCY: "CNY"} if requested == fields.DATE else {}
    return _run(ValidateComplaintForm(), "complaint_form",
                {**CARD_COMPLAINT, **answered, REQUESTED_SLOT: requested}, text, intent,
                confidence, language)


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("text", "intent", "confidence"), NOT_DATES)
def test_a_number_at_the_date_question_is_asked_again(text, intent, confidence,
                                                      language) -> None:
    # Not rejected (goodbye would drop the complaint, check_balance answer a balance enquiry).
    slots, responses = _complaint(fields.DATE, text, intent, confidence, language)
    assert slots == {fields.DATE: None, REQUESTED_SLOT: fields.DATE}
    assert responses == ["utter_complaint_date_unclear"]


@pytest.mark.parametrize(("text", "intent", "confidence"),
                         [("88~", "goodbye", 1.0), ("886!", "goodbye", 0.82),
                          ("KF-20261123-00042", "ticket_status", 1.0)])
def test_a_number_that_is_no_amount_is_asked_again(text, intent, confidence) -> None:
    slots, responses = _complaint(fields.AMOUNT, text, intent, confidence, "zh")
    assert slots == {fields.AMOUNT: None, REQUESTED_SLOT: fields.AMOUNT}
    assert responses == ["utter_complaint_amount_unclear"]


def test_numbers_the_nlu_reads_as_goodbye_are_amounts_and_card_digits() -> None:
    slots, _ = _complaint(fields.AMOUNT, "83", "goodbye", 0.93, "zh")
    assert slots[fields.AMOUNT] == "83" and slots[REQUESTED_SLOT] == fields.DATE
    slots, _ = _complaint(fields.CARD_LAST_FOUR, "8888", "check_balance", 0.69, "en")
    assert slots[fields.CARD_LAST_FOUR] == "8888"


def test_a_number_at_the_category_question_is_asked_again() -> None:
    slots, responses = _run(ValidateComplaintForm(), "complaint_form",
                            {REQUESTED_SLOT: fields.CATEGORY}, "83", "goodbye", 0.93, "zh")
    assert slots == {fields.CATEGORY: None, REQUESTED_SLOT: fields.CATEGORY}
    assert responses == ["utter_complaint_category_unclear"]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("requested", "slots", "text", "intent", "confidence", "problem"), [
    (profile_flow.PHONE, {}, "1380013800", "check_balance", 0.69, "utter_verify_phone_unclear"),
    (profile_flow.PHONE, {}, "83", "goodbye", 0.93, "utter_verify_phone_unclear"),
    (profile_flow.CODE, {profile_flow.PHONE: "13800138001"}, "48291", "check_balance", 0.69,
     "utter_verify_code_unclear"),
    (profile_flow.CODE, {profile_flow.PHONE: "13800138001"}, "88", "goodbye", 1.0,
     "utter_verify_code_unclear"),
    (profile_flow.FIELD, {profile_flow.CUSTOMER_ID: "1"}, "38", "goodbye", 0.71,
     "utter_profile_field_unclear"),
])
def test_a_number_at_a_profile_question_is_asked_again(requested, slots, text, intent,
                                                       confidence, problem, language) -> None:
    set_slots, responses = _run(ValidateProfileForm(), "profile_form",
                                {**slots, REQUESTED_SLOT: requested}, text, intent,
                                confidence, language)
    assert set_slots == {requested: None, REQUESTED_SLOT: requested}
    assert responses == [problem]


# A goodbye, thanks or cancel the NLU is unsure of is no "no thanks": the score is asked again.
UNSURE_DECLINES = [("好的呀", "goodbye", 0.41), ("行吧那就这样", "thank", 0.35),
                   ("hmm let me see", "cancel", 0.3), ("whatever you say", "goodbye", 0.45),
                   ("这个嘛", "deny", 0.4)]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("text", "intent", "confidence"), UNSURE_DECLINES)
def test_an_unsure_goodbye_does_not_decline_the_survey(text, intent, confidence,
                                                       language) -> None:
    slots, responses = _score(text, intent, confidence, language)
    assert slots == {SCORE: None, REQUESTED_SLOT: SCORE}
    assert responses == ["utter_csat_score_unclear"]


# Decline words decline at any confidence; so does a confident goodbye, thanks or no.
SURE_DECLINES = [("88", "goodbye", 0.3), ("886", "nlu_fallback", 0.4), ("不用了", "deny", 0.3),
                 ("no thanks", "thank", 0.2), ("不", "deny", 0.45), ("no", "deny", 0.4),
                 ("谢谢，再见", "thank", 0.9), ("thanks, bye", "goodbye", 0.8),
                 ("算了吧", "cancel", 0.7)]


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("text", "intent", "confidence"), SURE_DECLINES)
def test_a_decline_word_or_a_sure_goodbye_declines_the_survey(text, intent, confidence,
                                                             language) -> None:
    slots, responses = _score(text, intent, confidence, language)
    assert slots == {SCORE: DECLINED, COMMENT: fields.NOT_GIVEN, REQUESTED_SLOT: None}
    assert responses == []


# A day of the month alone answers the complaint's date question: the most recent such day.
@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize(("text", "intent", "confidence"),
                         [("15号", "inform", 0.8), ("15日", "inform", 0.7),
                          ("the 15th", "inform", 0.9), ("on the 15th", "nlu_fallback", 0.4)])
def test_a_day_of_the_month_answers_the_date_question(text, intent, confidence,
                                                      language) -> None:
    slots, responses = _complaint(fields.DATE, text, intent, confidence, language)
    date = dt.date.fromisoformat(slots[fields.DATE])
    today = complaint_form._today()
    assert date.day == 15 and date <= today and (today - date).days < 31
    assert slots[REQUESTED_SLOT] != fields.DATE
    assert "utter_complaint_date_unclear" not in responses


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("text", ["15元", "第15个", "1515", "15号窗口", "the 15th time"])
def test_a_number_that_is_no_day_of_the_month_is_asked_again(text, language) -> None:
    slots, responses = _complaint(fields.DATE, text, "inform", 0.9, language)
    assert slots == {fields.DATE: None, REQUESTED_SLOT: fields.DATE}
    assert responses == ["utter_complaint_date_unclear"]
