"""Digit runs as shape words: which shape each number takes, and tokens that keep the digits'
span in the original text."""

from __future__ import annotations

import re

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.digit_shapes import (
    SHAPE_PHRASES,
    SHAPE_WORDS,
    number_key,
    numbers_only,
    shape_digits,
    shaped,
)
from bot.nlu.tokenizer import KefuTokenizer


@pytest.mark.parametrize(
    ("text", "shapes"),
    [
        ("卡号6222021234567890123", ["card"]),
        ("卡号6222 0212 3456 7890 123", ["card"]),
        ("card 4111-1111-1111-1111", ["card"]),
        ("卡号6222********0123", ["card"]),
        ("622202123456789012", ["card"]),  # 18 digits that are no birth date: a card
        ("身份证号11010519900307123X", ["id"]),
        ("ID 110105199003071234, please", ["id"]),
        ("手机13800138001", ["phone"]),
        ("call +86 138 0013 8001", ["phone"]),
        ("工单KF-20261120-00017", ["ticket"]),
        ("2024-03-15 转账", ["date"]),
        ("on 03/15/2024", ["date"]),
        ("转了5000元", ["number"]),
        ("$1,288.50 charged", ["number"]),
        ("1.5万", ["number"]),
        ("2024年3月15日转了12,000元", ["number", "number"]),
        ("It's 2018 not 1818.", ["number", "number"]),  # a full stop ends the number
        ("paid on 2024-03-15.", ["date"]),
    ],
)
def test_each_digit_run_takes_its_shape(text: str, shapes: list[str]) -> None:
    words = shaped(text).split()
    assert [w for w in words if w in SHAPE_WORDS.values()] == [SHAPE_WORDS[s] for s in shapes]
    assert not re.search(r"\d{4}", shaped(text))


@pytest.mark.parametrize("text", ["88", "分12期每期多少", "我想借5万块", "each 500 yuan",
                                  "尾号是123", "我的卡丢了"])
def test_short_numbers_and_text_without_digits_stay_as_written(text: str) -> None:
    assert shaped(text) == text


def test_shape_words_replace_the_digits() -> None:
    assert shaped("我的卡被盗刷了，卡号6222021234567890123").split() == [
        "我的卡被盗刷了，卡号", SHAPE_WORDS["card"]]
    assert shaped("I transferred $2,500 on 03/15/2024", SHAPE_PHRASES) == (
        "I transferred $ amount  on  date ")


def test_shaped_offsets_lead_back_to_the_digits() -> None:
    text = "卡号6222 0212 3456 7890 123被盗刷"
    shape = shape_digits(text)
    start = shape.text.index(SHAPE_WORDS["card"])
    begin, end = shape.original_span(start, start + len(SHAPE_WORDS["card"]))
    assert text[begin:end] == "6222 0212 3456 7890 123"
    after = shape.text.index("被")
    assert text[slice(*shape.original_span(after, after + 3))] == "被盗刷"


@pytest.fixture
def tokenizer(tmp_path) -> KefuTokenizer:
    return KefuTokenizer.create(
        {**KefuTokenizer.get_default_config(), "token_pattern": r"(?u)\b\w+\b"},
        LocalModelStorage(tmp_path), Resource("tok"),
        ExecutionContext(GraphSchema({}), node_name="tok"),
    )


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("我的卡被盗刷了，卡号6222021234567890123", "6222021234567890123"),
        ("my card 4111 1111 1111 1111 was stolen 😱", "4111 1111 1111 1111"),
        ("请把手机号改成138 0013 8001", "138 0013 8001"),
    ],
)
def test_a_digit_run_is_one_token_spanning_the_original_digits(tokenizer, text, digits) -> None:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    tokens = [t for t in message.get("text_tokens") if t.text.strip()]
    shaped_tokens = [t for t in tokens if t.text in SHAPE_WORDS.values()]
    assert len(shaped_tokens) == 1
    assert text[shaped_tokens[0].start:shaped_tokens[0].end] == digits
    # Every other token still reads as the text it points at.
    assert all(text[t.start:t.end] == t.text for t in tokens if t not in shaped_tokens)


@pytest.mark.parametrize("text", ["6222", "83", "￥300", "$1,288.50", "+86 138 0013 8001",
                                  "6222 0212 3456 7890", "１２３４", " 482913 ", "5！", "88"])
def test_digits_without_a_word_are_numbers_only(text: str) -> None:
    assert numbers_only(text)


@pytest.mark.parametrize("text", ["300元", "KF-20261128-00001", "卡号6222", "card 4111", "",
                                  "👍", "?!", "五百"])
def test_a_word_or_no_digit_is_not_numbers_only(text: str) -> None:
    assert not numbers_only(text)


def test_number_keys_ignore_width_and_spaces() -> None:
    assert number_key(" ８８ ") == number_key("88") == "88"
    assert number_key("6222 0212") == "62220212"
