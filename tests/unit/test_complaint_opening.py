"""The message that opens a complaint fills what it says, from the NLU's entities, and only that."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from actions.complaint import fields
from actions.complaint.opening import opening_slots
from bot.nlu.entity_extractor import KefuEntityExtractor

TODAY = dt.date(2026, 11, 27)  # a Friday: 上周五 is 2026-11-20, "last Friday" 2026-11-20 too


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> KefuEntityExtractor:
    return KefuEntityExtractor.create({}, LocalModelStorage(tmp_path_factory.mktemp("nlu")),
                                      Resource("entities"),
                                      ExecutionContext(GraphSchema({}), "entities"))


def opened(extractor: KefuEntityExtractor, text: str) -> Dict[str, Any]:
    """The slots `text` fills with the entities KefuEntityExtractor finds in it on TODAY."""
    entities: List[Dict[str, Any]] = [
        {"entity": s.entity, "start": s.start, "end": s.end, "value": s.value}
        for s in extractor.spans(text, TODAY)]
    return opening_slots(text, entities, TODAY)


def test_a_fee_complaint_keeps_its_amount_and_date_in_both_languages(extractor) -> None:
    zh = "我要投诉，你们上周五乱扣了我一笔50元的年费"
    assert opened(extractor, zh) == {
        fields.CATEGORY: "fees", fields.DESCRIPTION: zh,
        fields.AMOUNT: "50", fields.CURRENCY: "CNY", fields.DATE: "2026-11-20"}
    en = "I want to complain, you charged me a 50 yuan annual fee last Friday for nothing"
    assert opened(extractor, en) == {
        fields.CATEGORY: "fees", fields.DESCRIPTION: en,
        fields.AMOUNT: "50", fields.CURRENCY: "CNY", fields.DATE: "2026-11-20"}


def test_a_card_complaint_keeps_the_card_digits_too(extractor) -> None:
    found = opened(extractor, "我要投诉，上周五ATM吞了我的卡，卡里被扣了500元，卡号尾号1234")
    assert (found[fields.CATEGORY], found[fields.AMOUNT], found[fields.DATE],
            found[fields.CARD_LAST_FOUR]) == ("card", "500", "2026-11-20", "1234")


def test_an_opening_that_says_nothing_fills_nothing(extractor) -> None:
    assert opened(extractor, "我要投诉") == {}
    assert opened(extractor, "I want to make a complaint") == {}
    # Not knowing is said at the question, not in passing.
    unsure = opened(extractor, "我要投诉，乱扣了多少钱我也不清楚")
    assert fields.AMOUNT not in unsure and fields.DATE not in unsure


@pytest.mark.parametrize("text", [
    "我要投诉，卡号6222 0212 3456 7890 元",      # the last group of a card number
    "I want to complain, card 6222-0212-3456-7890 USD",
    "我要投诉，$6222 0212 3456 7890",
])
def test_a_group_of_a_card_number_is_no_amount(extractor, text: str) -> None:
    assert fields.AMOUNT not in opened(extractor, text)


def test_a_phone_number_is_no_amount_and_the_real_amount_is_kept(extractor) -> None:
    found = opened(extractor, "我要投诉，手机138-0013-8001收到短信说扣了50元")
    assert (found[fields.AMOUNT], found[fields.CURRENCY]) == ("50", "CNY")
    assert opened(extractor, "我要投诉，手机号13800138001被乱扣费")[fields.CATEGORY] == "fees"
    assert fields.AMOUNT not in opened(extractor, "我要投诉，手机号13800138001被乱扣费")


@pytest.mark.parametrize(("text", "left_to_ask"), [
    ("我要投诉，卡里有5000元，你们扣了我50元年费", fields.AMOUNT),
    ("I want to complain, you charged 50 yuan and then $50 on my card", fields.AMOUNT),
    ("我要投诉，11月3日和上周五各扣了一次年费", fields.DATE),
    ("我要投诉，尾号1234和尾号5678的卡都被扣了年费", fields.CARD_LAST_FOUR),
    ("我要投诉，明天还要扣我的年费", fields.DATE),                  # not yet happened
    ("I want to complain about a fee on 2027-01-05", fields.DATE),
])
def test_two_different_values_or_a_future_date_are_left_to_their_question(
        extractor, text: str, left_to_ask: str) -> None:
    assert left_to_ask not in opened(extractor, text)


def test_the_same_amount_said_twice_is_one_amount(extractor) -> None:
    found = opened(extractor, "我要投诉，扣了50元年费，整整50元")
    assert (found[fields.AMOUNT], found[fields.CURRENCY]) == ("50", "CNY")


def test_a_full_card_or_id_number_in_the_opening_is_kept_as_its_last_four(extractor) -> None:
    text = ("我要投诉，我的卡6222021234567890123上周五在ATM被吞了，"
            "身份证110101199003071234也被复印了")
    description = opened(extractor, text)[fields.DESCRIPTION]
    assert "6222021234567890123" not in description and "0123" in description
    assert "110101199003071234" not in description and "1234" in description
