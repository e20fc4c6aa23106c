"""The profile form turn by turn: which questions, and how answers are read."""

from __future__ import annotations

import pytest

from actions.identity import profile_flow as flow


def test_questions_depend_on_verification_and_the_field() -> None:
    assert flow.next_slot({}) == flow.PHONE
    assert flow.next_slot({flow.PHONE: "13800138001"}) == flow.CODE
    known = {flow.CUSTOMER_ID: "1"}
    assert flow.next_slot(known) == flow.FIELD
    assert flow.next_slot({**known, flow.FIELD: "none"}) is None
    assert flow.next_slot({**known, flow.FIELD: "email"}) == flow.VALUE
    assert flow.next_slot({flow.VERIFY_FAILED: True}) is None


def step(requested, text, slots=None, intent="out_of_scope", confidence=0.9, choice=None):
    return flow.profile_step(requested, slots or {}, text, intent, confidence, choice)


def test_a_phone_number_asks_for_a_code_to_be_sent() -> None:
    result = step(flow.PHONE, "我的手机是138 0013 8001")
    assert result.updates == {flow.PHONE: "13800138001"}
    assert result.send_code_to == "13800138001"
    assert step(flow.PHONE, "😀").problem == "utter_verify_phone_unclear"


def test_a_code_is_checked_and_resend_starts_again() -> None:
    assert step(flow.CODE, "验证码是 482913").check_code == "482913"
    assert step(flow.CODE, "没收到").updates == {flow.PHONE: None, flow.CODE: None}
    assert step(flow.CODE, "12345").problem == "utter_verify_code_unclear"


def test_cancel_and_questions_leave_the_form() -> None:
    assert step(flow.CODE, "算了", intent="cancel").digression
    assert step(flow.FIELD, "你们几点开门", intent="branch_hours").digression


@pytest.mark.parametrize(
    ("field", "text", "choice", "value"),
    [("address", "北京市海淀区中关村大街1号", None, "北京市海淀区中关村大街1号"),
     ("phone", "13912345678", None, "13912345678"),
     ("email", " Li@Example.COM ", None, "li@example.com"),
     ("preferred_language", '/inform{"choice": "en"}', "en", "en"),
     ("preferred_language", "英文", None, "en"),
     ("contact_preference", "短信", None, "sms"),
     ("marketing_consent", "不需要", None, "false"),
     ("marketing_consent", "/affirm", None, "true")],
)
def test_values(field: str, text: str, choice: str | None, value: str) -> None:
    intent = "affirm" if text == "/affirm" else "out_of_scope"
    assert step(flow.VALUE, text, {flow.FIELD: field}, intent=intent,
                choice=choice).updates == {flow.VALUE: value}


@pytest.mark.parametrize(
    ("field", "text", "problem"),
    [("email", "not an email", "utter_profile_email_unclear"),
     ("phone", "12345", "utter_profile_phone_unclear"),
     ("address", "🏠", "utter_profile_address_unclear"),
     ("preferred_language", "法语", "utter_profile_choice_unclear")],
)
def test_bad_values_are_re_asked(field: str, text: str, problem: str) -> None:
    result = step(flow.VALUE, text, {flow.FIELD: field})
    assert result.updates == {flow.VALUE: None} and result.problem == problem


@pytest.mark.parametrize(
    ("text", "chosen"),
    [("email", "email"), ("my e-mails", "email"), ("改email", "email"), ("邮箱", "email"),
     ("my home address", "address"), ("改一下地址", "address"),
     ("mobile number", "phone"), ("手机号", "phone"), ("telephone", "phone"),
     ("language", "preferred_language"), ("contact details", "contact_preference"),
     ("marketing offers", "marketing_consent"), ("nothing", flow.NO_CHANGE),
     ("I'm done", flow.NO_CHANGE), ("不用改", flow.NO_CHANGE)],
)
def test_the_field_menu_reads_the_field(text: str, chosen: str) -> None:
    assert step(flow.FIELD, text).updates == {flow.FIELD: chosen}


# English field words count as whole words only: "done" is not in "abandoned", "phone" not in
# "headphones", "number" not in "numberless", "address" not in "addressee".
@pytest.mark.parametrize("text", ["abandoned", "headphones", "numberless", "the addressee",
                                  "automobile", "contactless", "nothingness", "condone"])
def test_field_words_inside_other_words_are_no_field(text: str) -> None:
    result = step(flow.FIELD, text)
    assert result.updates == {flow.FIELD: None}
    assert result.problem == "utter_profile_field_unclear"
