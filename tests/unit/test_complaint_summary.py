"""The read-back customers check before a complaint is submitted."""

from __future__ import annotations

import datetime as dt

from actions.complaint import fields
from actions.complaint.summary import complaint_summary, local_time

SLOTS = {
    fields.CATEGORY: "card",
    fields.DESCRIPTION: "ATM吞卡",
    fields.AMOUNT: "500",
    fields.CURRENCY: "USD",
    fields.DATE: "2026-11-20",
    fields.CARD_LAST_FOUR: fields.NOT_GIVEN,
    fields.OUTCOME: "refund",
    fields.CONTACT: "sms",
    # Left over from another category: not read back.
    "complaint_unknown": "x",
}


def test_read_back_in_chinese() -> None:
    assert complaint_summary(SLOTS, "zh").splitlines() == [
        "问题类别：银行卡", "问题经过：ATM吞卡", "涉及金额：500 美元", "发生日期：2026年11月20日",
        "卡号后四位：未提供", "期望的处理结果：退款或赔偿", "联系方式：短信通知我",
    ]


def test_read_back_in_english_skips_details_the_category_does_not_ask() -> None:
    service = {**SLOTS, fields.CATEGORY: "service", fields.OUTCOME: "a proper apology"}
    assert complaint_summary(service, "en").splitlines() == [
        "Category: Staff and service", "What happened: ATM吞卡", "Date: 20 Nov 2026",
        "Outcome you would like: a proper apology", "How we contact you: Text me",
    ]


def test_times_are_shown_in_beijing_time() -> None:
    moment = dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.timezone.utc)
    assert local_time(moment, "zh") == "2026年11月24日 00:30"
    assert local_time(moment, "en") == "24 Nov 2026, 00:30 (Beijing time)"


def test_a_landline_to_call_is_read_back_masked_with_its_area_code() -> None:
    call = {**SLOTS, fields.CONTACT: "phone", fields.CONTACT_PHONE: "0755-87654321-123"}
    assert complaint_summary(call, "zh").splitlines()[-2:] == [
        "联系方式：电话联系我", "联系电话：0755-****4321"]
