from __future__ import annotations

import logging

import pytest

from bot.pii import PiiMaskingFilter, mask_account_numbers, mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("卡号6222021234567890123丢了", "卡号***************0123丢了"),
        ("card 4111 1111 1111 1111 stolen", "card ************1111 stolen"),
        ("身份证11010519491231002X", "身份证**************002X"),
        ("手机13812345678", "手机138****5678"),
        ("call +8613812345678", "call +86138****5678"),
        ("call +447911123456", "call +4479****3456"),
        ("mail zhang.san@example.com", "mail z***@example.com"),
        ("KF-20261123-00042: 500 元, 2026-11-23", "KF-20261123-00042: 500 元, 2026-11-23"),
        ("我要转人工", "我要转人工"),
        # The answer to "please enter the code we texted you"; an amount in words stays.
        ("855286", "******"),
        (" 855286 ", "******"),
        ("转账 100000 元", "转账 100000 元"),
        # Landlines keep their area code and last four.
        ("请打021-62345678找我", "请打021-****5678找我"),
        ("座机（0755）8765 4321转123", "座机0755-****4321"),
        ("2026-11-28 04:22:26 ok", "2026-11-28 04:22:26 ok"),
    ],
)
def test_masks_personal_numbers_and_leaves_the_rest(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


def test_filter_masks_formatted_log_messages() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "sender=%s said %s", ("c-1", "13812345678"), None
    )
    assert PiiMaskingFilter().filter(record)
    assert record.getMessage() == "sender=c-1 said 138****5678"


def test_floats_and_stream_ids_are_not_card_numbers() -> None:
    text = '"confidence": 0.9876543212342194, "id": "1795543379414-0"'
    assert mask_pii(text) == text


def test_filter_reads_json_escaped_messages() -> None:
    escaped = '{"text": "\\u6211\\u7684\\u5361\\u53f76222021234567890123 \\ud83d\\ude21"}'
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1, escaped, None, None)
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == '{"text": "我的卡号***************0123 😡"}'


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("已退回您尾号卡6222021234567890123的年费", "已退回您尾号卡***************0123的年费"),
        ("card 4111 1111 1111 1111 refunded", "card ************1111 refunded"),
        ("身份证11010519491231002X已核实", "身份证**************002X已核实"),
        # Written for the customer: the numbers and addresses they may contact stay whole.
        ("请致电客户经理13812345678", "请致电客户经理13812345678"),
        ("call +8613812345678, li@bank.example", "call +8613812345678, li@bank.example"),
        ("已退回500元（KF-20261123-00042）", "已退回500元（KF-20261123-00042）"),
    ],
)
def test_text_for_the_customer_keeps_only_the_last_four_of_card_and_id_numbers(
        text: str, masked: str) -> None:
    assert mask_account_numbers(text) == masked
