from __future__ import annotations

import pytest

from bot.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你好", "zh"),
        ("我要转人工", "zh"),
        ("hello", "en"),
        ("talk to a person", "en"),
        ("我的card丢了", "zh"),
        ("hi 你好", "zh"),
        ("my 卡 was stolen yesterday evening", "en"),
        ("ATM吞卡了", "zh"),
        ("Hello!!! 😡😡", "en"),
        ("等了半个小时了！！！", "zh"),
    ],
)
def test_detects_language_of_customer_text(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "123456", "😀😀", "?!", "a"])
def test_gives_no_language_without_words(text: str) -> None:
    assert detect_language(text) is None
