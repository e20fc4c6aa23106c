"""Verification by SMS code and profile changes through the real servers and a fake Twilio."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import select

from actions.store.database import session_factory
from actions.store.models import AuditEvent, ChannelIdentity, Customer, Ticket
from tests.bilingual import response_text

CODE = re.compile(r"\d{6}")
WANG = select(Customer).where(Customer.customer_number == "C0001")


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _code_sent_to(stack, phone: str) -> str:
    """The last code texted to a mainland mobile, which Twilio is given in E.164."""
    return CODE.search(stack.twilio.sent_to("+86" + phone)[-1].body).group(0)


def _reset_wang(stack) -> None:
    with session_factory(stack.environment["KEFU_DATABASE_URL"]).begin() as session:
        wang = session.execute(WANG).scalar_one()
        wang.address = "上海市浦东新区世纪大道100号"


def test_a_verified_customer_changes_their_address_and_is_then_known(stack) -> None:
    _reset_wang(stack)
    sender = _sender("zh-profile")
    assert stack.say(sender, "你好") == [response_text("utter_greet", "zh")]
    assert stack.say(sender, "我想看看我的个人资料") == [
        response_text("utter_verify_first", "zh"), response_text("utter_ask_verify_phone", "zh")]
    assert stack.say(sender, "13800138001") == [
        response_text("utter_verify_code_sent", "zh", phone="138****8001"),
        response_text("utter_ask_verify_code", "zh")]
    code = _code_sent_to(stack, "13800138001")
    wrong = "000000" if code != "000000" else "111111"
    assert stack.say(sender, wrong) == [
        response_text("utter_verify_code_wrong", "zh", attempts_left=4),
        response_text("utter_ask_verify_code", "zh")]
    verified, summary = stack.say(sender, code)
    assert verified == response_text("utter_verified", "zh", customer_name="王女士")
    assert "手机号码：138****8001" in summary and "地址：上海市浦东新****" in summary
    assert "wang@example.com" not in summary and "w***@example.com" in summary
    assert stack.say(sender, '/inform{"choice": "address"}') == [
        response_text("utter_ask_profile_value_address", "zh")]
    [confirm] = stack.say(sender, "上海市徐汇区漕溪北路200号")
    assert confirm == response_text("utter_ask_profile_confirmed", "zh", field="地址",
                                    old="上海市浦东新****", new="上海市徐汇区****")
    assert stack.say(sender, "/affirm") == [
        response_text("utter_profile_updated", "zh", field="地址")]

    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        wang = session.execute(WANG).scalar_one()
        assert wang.address == "上海市徐汇区漕溪北路200号"
        identity = session.execute(select(ChannelIdentity).where(
            ChannelIdentity.sender_id == sender)).scalar_one()
        assert identity.customer_id == wang.id and identity.verified_at is not None
        audit = session.execute(select(AuditEvent).where(
            AuditEvent.action == "profile.updated",
            AuditEvent.actor == f"customer:rest:{sender}")).scalar_one()
        assert json.loads(audit.detail) == {"field": "address", "old": "上海市浦东新****",
                                            "new": "上海市徐汇区****"}

    # Known now: greeted by name and offered the relationship manager; complaints carry it.
    assert stack.say(sender, "你好") == [response_text(
        "utter_greet_key_customer", "zh", customer_name="王女士", manager="李经理")]
    stack.say(sender, "我想投诉一下，上次在网点办业务时柜员的服务不太专业")
    stack.say(sender, "上周五")
    stack.say(sender, '/inform{"choice": "apology"}')
    stack.say(sender, '/inform{"choice": "phone"}')
    [received] = stack.say(sender, "/affirm")
    number = re.search(r"KF-\d{8}-\d{5}", received).group(0)
    with session_factory(stack.environment["KEFU_DATABASE_URL"])() as session:
        ticket = session.execute(select(Ticket).where(Ticket.number == number)).scalar_one()
        # A private-banking customer: high, or urgent when the complaint reads as upset.
        assert ticket.customer_id == wang.id and ticket.priority in ("high", "urgent")


def test_an_unknown_number_gets_the_same_answer_no_text_and_locks_after_five_tries(stack) -> None:
    sender = _sender("en-profile")
    stack.say(sender, "I need to update my email address")
    assert stack.say(sender, "13512345678") == [
        response_text("utter_verify_code_sent", "en", phone="135****5678"),
        response_text("utter_ask_verify_code", "en")]
    assert stack.twilio.sent_to("+8613512345678") == []
    for attempts_left in (4, 3, 2, 1):
        assert stack.say(sender, "123456")[0] == response_text(
            "utter_verify_code_wrong", "en", attempts_left=attempts_left)
    assert stack.say(sender, "123456") == [response_text("utter_verify_locked", "en")]
    assert stack.say(sender, "hello") == [response_text("utter_greet", "en")]


def test_emoji_and_a_bad_email_are_re_asked(stack) -> None:
    sender = _sender("en-email")
    stack.say(sender, "change my email")
    assert stack.say(sender, "😀") == [response_text("utter_verify_phone_unclear", "en"),
                                      response_text("utter_ask_verify_phone", "en")]
    stack.say(sender, "13900139002")
    stack.say(sender, _code_sent_to(stack, "13900139002"))
    assert stack.say(sender, "chen at example dot com") == [
        response_text("utter_profile_email_unclear", "en"),
        response_text("utter_ask_profile_value_email", "en")]
    [confirm] = stack.say(sender, "David.Chen@Example.com")
    assert "d***@example.com" in confirm
    assert stack.say(sender, "/deny") == [response_text("utter_profile_no_change", "en")]


def test_a_verified_customer_sees_tickets_filed_on_another_channel(stack) -> None:
    first, second = _sender("web-a"), _sender("web-b")
    for line in ("我要投诉，你们的信用卡被重复扣了两次年费共300元", "11月3日",
                 '/inform{"choice": "refund"}', '/inform{"choice": "sms"}', "13700137003",
                 "/affirm"):
        replies = stack.say(first, line)
    assert "KF-" in replies[0]
    # Verifying later attaches the complaint filed before to the customer.
    stack.say(first, "我要修改个人资料")
    stack.say(first, "13700137003")
    stack.say(first, _code_sent_to(stack, "13700137003"))
    stack.say(first, '/inform{"choice": "none"}')
    # A new conversation (another device) is not the customer until verified.
    assert stack.say(second, "我的投诉进度") == [response_text("utter_no_tickets", "zh")]
    stack.say(second, "我要修改个人资料")
    stack.say(second, "13700137003")
    stack.say(second, _code_sent_to(stack, "13700137003"))
    stack.say(second, '/inform{"choice": "none"}')
    [status] = stack.say(second, "我的投诉进度")
    assert "收费扣费" in status


def test_a_field_named_at_the_start_is_asked_right_after_verification(stack) -> None:
    sender = _sender("en-email-first")
    stack.say(sender, "I need to update my email address")
    stack.say(sender, "13900139002")
    verified, asked = stack.say(sender, _code_sent_to(stack, "13900139002"))
    assert verified == response_text("utter_verified", "en", customer_name="Mr. Chen")
    assert asked == response_text("utter_ask_profile_value_email", "en")


def _queued(language: str) -> re.Pattern[str]:
    template = response_text("utter_handoff_queued_no_estimate", language, queue_position="@")
    return re.compile(re.escape(template).replace("@", r"\d+"))


@pytest.mark.usefixtures("someone_on_shift")
@pytest.mark.parametrize(("language", "request_text", "phone", "asking"), [
    ("zh", "转人工", "13800138001", "utter_ask_profile_value_address"),
    ("en", "talk to a person", "13900139002", "utter_ask_profile_value_address"),
])
def test_a_person_is_reached_from_the_new_address_question(
        stack, language: str, request_text: str, phone: str, asking: str) -> None:
    sender = _sender(f"{language}-profile-person")
    stack.say(sender, "我要修改联系地址" if language == "zh" else "I want to change my address")
    stack.say(sender, phone)
    _, asked = stack.say(sender, _code_sent_to(stack, phone))
    assert asked == response_text(asking, language)
    [queued] = stack.say(sender, request_text)
    assert _queued(language).fullmatch(queued), queued
    assert stack.tracker_via_api(sender)["active_loop"] in (None, {})


def _marketing_consent(stack, value: bool | None = None) -> bool:
    """王女士's consent, set first when a value is given."""
    with session_factory(stack.environment["KEFU_DATABASE_URL"]).begin() as session:
        wang = session.execute(WANG).scalar_one()
        if value is not None:
            wang.marketing_consent = value
        return bool(wang.marketing_consent)


def _asked_for_consent(stack, sender: str, opening: str, language: str,
                       verify: bool = True) -> list[str]:
    stack.say(sender, opening)
    if verify:  # once per conversation
        stack.say(sender, "13800138001")
        stack.say(sender, _code_sent_to(stack, "13800138001"))
    asked = stack.say(sender, '/inform{"choice": "marketing_consent"}')
    assert asked == [response_text("utter_ask_profile_value_marketing_consent", language)]
    return asked


def test_marketing_consent_is_a_yes_or_a_no_only_in_words_that_say_so(stack) -> None:
    """"let me look into it" and "I will book a visit" hold an "ok" but say no yes: asked again.
    "没兴趣" (affirm for the NLU) is a no, "同意" (cancel for the NLU) a yes and "opt out"
    (cancel) a no, each read back before it is saved."""
    _marketing_consent(stack, False)
    sender = _sender("zh-consent")
    _asked_for_consent(stack, sender, "我要修改营销信息设置", "zh")
    assert stack.say(sender, "没兴趣") == [response_text(
        "utter_ask_profile_confirmed", "zh", field="接收营销信息", old="不接收", new="不接收")]
    assert stack.say(sender, "/deny") == [response_text("utter_profile_no_change", "zh")]
    _asked_for_consent(stack, sender, "我要修改营销信息设置", "zh", verify=False)
    assert stack.say(sender, "同意") == [response_text(
        "utter_ask_profile_confirmed", "zh", field="接收营销信息", old="不接收", new="同意接收")]
    assert stack.say(sender, "/affirm") == [
        response_text("utter_profile_updated", "zh", field="接收营销信息")]
    assert _marketing_consent(stack) is True

    sender = _sender("en-consent")
    asked = _asked_for_consent(stack, sender, "I want to change my marketing preferences", "en")
    for words in ("let me look into it", "I will book a visit"):
        assert stack.say(sender, words) == [
            response_text("utter_profile_choice_unclear", "en"), *asked]
    assert _marketing_consent(stack) is True
    assert stack.say(sender, "opt out") == [response_text(
        "utter_ask_profile_confirmed", "en", field="Marketing messages", old="Yes", new="No")]
    assert stack.say(sender, "/affirm") == [
        response_text("utter_profile_updated", "en", field="Marketing messages")]
    assert _marketing_consent(stack) is False
