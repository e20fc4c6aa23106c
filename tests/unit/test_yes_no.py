"""A number is never a yes or a no: every yes-or-no question reads affirm and deny through
answers.yes_or_no and asks again when the message is just a number."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from actions.complaint import answers, fields
from actions.complaint_form import ValidateComplaintForm
from actions.conversation import REQUESTED_SLOT
from actions.csat_form import DECLINED, SCORE, ValidateCsatForm
from actions.identity import profile_flow
from actions.profile_form import ValidateProfileForm
from actions.ticket_outcome import ACCEPTED, TICKET, ValidateOutcomeForm, read_verdict
from tests.unit.form_runs import SlotsAndResponses, run_validation

# Just a number, in zh and en. Whatever intent the NLU gives them, they say neither yes nor no.
NUMBERS = ["￥300", "¥300", "300元", "500块", "12,000.50", "12000.00", "转账金额12000.00元",
           "2024-05-01", "5月1日", "6222", "1", "３００", "两万", "三百", "尾号1234", "13800138001",
           "6222021234567890123", "KF-20261123-00042", "$300", "$1,200.50", "300 dollars",
           "USD 300", "RMB 2000", "amount 12000.00", "the amount is 300", "card ending in 1234",
           "May 1", "大概300左右", "card no. 6222"]
YES = [("好的", "affirm"), ("yes", "affirm"), ("/affirm", "affirm"), ("是的，300元没错", "affirm"),
       ("对，300", "affirm"), ("yes, 300 is right", "affirm"), ("确认，金额12000元", "affirm"),
       ("ok的，300", "affirm")]
NO = [("不对，是500", "deny"), ("不是", "deny"), ("/deny", "deny"), ("no, it was 500", "deny"),
      ("that's wrong, the date is 2024-05-02", "deny")]
# A number inside a question or a request: not a yes or a no, but not just a number either (a
# rule may serve it).
NUMBERS_IN_REQUESTS = ["5000块什么时候退给我？", "我想换500美元", "how much is 300 USD in euros?",
                       "I'd like to exchange 500 dollars", "挂失卡号6222021234567890123"]


@pytest.mark.parametrize("text", NUMBERS)
@pytest.mark.parametrize("intent", ["affirm", "deny"])
def test_a_number_is_neither_yes_nor_no_whatever_the_intent(text: str, intent: str) -> None:
    assert answers.yes_or_no(text, intent) is None
    assert not answers.is_confirmation(text, intent)
    assert not answers.is_change_request(text, intent)
    assert read_verdict(text, intent) is None


@pytest.mark.parametrize("text", NUMBERS)
def test_a_number_is_just_a_number(text: str) -> None:
    assert answers.is_just_a_number(text)


@pytest.mark.parametrize(("text", "intent"), YES)
def test_yes_is_still_yes_with_or_without_a_number(text: str, intent: str) -> None:
    assert answers.yes_or_no(text, intent) == "yes"
    assert not answers.is_just_a_number(text)
    assert read_verdict(text, intent) == "yes"


@pytest.mark.parametrize(("text", "intent"), NO)
def test_no_is_still_no_with_or_without_a_number(text: str, intent: str) -> None:
    assert answers.yes_or_no(text, intent) == "no"
    assert not answers.is_just_a_number(text)
    assert read_verdict(text, intent) == "no"


@pytest.mark.parametrize("text", NUMBERS_IN_REQUESTS)
def test_a_number_in_a_question_or_a_request_is_not_just_a_number(text: str) -> None:
    assert not answers.is_just_a_number(text)
    assert answers.yes_or_no(text, "affirm") is None


def test_only_affirm_and_deny_say_yes_or_no() -> None:
    assert answers.yes_or_no("好的", None) is None
    assert answers.yes_or_no("12,000.50", "check_balance") is None
    assert not answers.is_just_a_number("好的") and not answers.is_just_a_number("yes")


# --- the forms' validation actions, with a tracker as Rasa sends it ----------------------------

FILLED_COMPLAINT: Dict[str, Any] = {
    fields.CATEGORY: "card", fields.DESCRIPTION: "ATM吞了我的卡", fields.AMOUNT: "500",
    fields.CURRENCY: "CNY", fields.DATE: "2026-11-20", fields.CARD_LAST_FOUR: "1234",
    fields.OUTCOME: "refund", fields.CONTACT: "sms", fields.CONTACT_PHONE: "13800138001",
}
# (text, intent, confidence) as models/kefu.tar.gz reads them.
NUMBERS_AS_READ = [("￥300", "affirm", 0.70), ("1", "affirm", 0.68),
                   ("12,000.50", "check_balance", 0.69), ("RMB 2000", "currency_exchange", 0.97),
                   ("2024-05-01", "credit_card_bill", 0.54), ("300", "deny", 1.0)]
# At the survey "1" is a score.
NOT_SCORES_AS_READ = [number for number in NUMBERS_AS_READ if number[0] != "1"]


def _run(action: Any, form: str, slots: Dict[str, Any], text: str, intent: str,
         confidence: float) -> SlotsAndResponses:
    return run_validation(action, form, {"language": "zh", **slots}, text, intent, confidence)


def _complaint(text: str, intent: str, confidence: float):
    slots = {**FILLED_COMPLAINT, REQUESTED_SLOT: fields.CONFIRMED}
    return _run(ValidateComplaintForm(), "complaint_form", slots, text, intent, confidence)


@pytest.mark.parametrize(("text", "intent", "confidence"), NUMBERS_AS_READ)
def test_a_number_at_the_complaint_read_back_does_not_submit(text, intent, confidence) -> None:
    slots, responses = _complaint(text, intent, confidence)
    # Not confirmed, the read-back is asked again with its re-ask: nothing is submitted.
    assert slots == {fields.CONFIRMED: None, REQUESTED_SLOT: fields.CONFIRMED}
    assert responses == ["utter_complaint_confirm_unclear"]


def test_a_labelled_amount_at_the_complaint_read_back_asks_for_the_amount_again() -> None:
    slots, responses = _complaint("转账金额12000.00元", "currency_exchange", 0.80)
    assert slots[fields.CONFIRMED] is None and slots[fields.AMOUNT] is None
    assert slots[REQUESTED_SLOT] == fields.AMOUNT and responses == []


def test_the_complaint_read_back_still_takes_yes_and_no_with_a_number() -> None:
    slots, responses = _complaint("是的，300元没错", "affirm", 0.99)
    assert slots == {fields.CONFIRMED: "yes", REQUESTED_SLOT: None} and responses == []
    slots, _ = _complaint("不对，是500", "deny", 0.79)
    assert slots[fields.EDITING] == "choose" and slots[fields.CONFIRMED] is None


def _outcome(text: str, intent: str, confidence: float):
    slots = {TICKET: "KF-20261120-00001", REQUESTED_SLOT: ACCEPTED}
    return _run(ValidateOutcomeForm(), "outcome_form", slots, text, intent, confidence)


@pytest.mark.parametrize(("text", "intent", "confidence"), NUMBERS_AS_READ)
def test_a_number_is_no_verdict_on_a_resolved_ticket(text, intent, confidence) -> None:
    slots, responses = _outcome(text, intent, confidence)
    assert slots == {ACCEPTED: None, REQUESTED_SLOT: ACCEPTED}
    assert responses == ["utter_outcome_accepted_unclear"]


def test_the_outcome_question_still_takes_yes_with_a_number() -> None:
    assert _outcome("是的，300元没错", "affirm", 0.99)[0][ACCEPTED] == "yes"


CHANGING_EMAIL = {profile_flow.CUSTOMER_ID: "1", profile_flow.FIELD: "email",
                  profile_flow.VALUE: "li@example.com"}


@pytest.mark.parametrize(("text", "intent", "confidence"), NUMBERS_AS_READ)
def test_a_number_does_not_confirm_a_profile_change(text, intent, confidence) -> None:
    slots, responses = _run(ValidateProfileForm(), "profile_form",
                            {**CHANGING_EMAIL, REQUESTED_SLOT: profile_flow.CONFIRMED},
                            text, intent, confidence)
    assert slots == {profile_flow.CONFIRMED: None, REQUESTED_SLOT: profile_flow.CONFIRMED}
    assert responses == ["utter_profile_confirm_unclear"]


@pytest.mark.parametrize(("text", "intent", "confidence"), NUMBERS_AS_READ)
def test_a_number_is_no_marketing_consent(text, intent, confidence) -> None:
    slots, responses = _run(ValidateProfileForm(), "profile_form",
                            {profile_flow.CUSTOMER_ID: "1",
                             profile_flow.FIELD: "marketing_consent",
                             REQUESTED_SLOT: profile_flow.VALUE},
                            text, intent, confidence)
    assert slots == {profile_flow.VALUE: None, REQUESTED_SLOT: profile_flow.VALUE}
    assert responses == ["utter_profile_choice_unclear"]


@pytest.mark.parametrize(("text", "intent", "confidence"), NOT_SCORES_AS_READ)
def test_a_number_does_not_decline_the_survey(text, intent, confidence) -> None:
    slots, responses = _run(ValidateCsatForm(), "csat_form", {REQUESTED_SLOT: SCORE},
                            text, intent, confidence)
    assert slots == {SCORE: None, REQUESTED_SLOT: SCORE}
    assert responses == ["utter_csat_score_unclear"]
    # A no in words still declines it.
    slots, _ = _run(ValidateCsatForm(), "csat_form", {REQUESTED_SLOT: SCORE}, "不用了", "deny",
                    1.0)
    assert slots[SCORE] == DECLINED
