"""Entities in Chinese and English: the pattern rules and KefuEntityExtractor in Rasa's storage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Tuple

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.entity_synonyms import EntitySynonymMapper
from rasa.shared.importers.rasa import RasaFileImporter
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.entity_extractor import KefuEntityExtractor
from bot.nlu.entity_rules import find_entities, find_landline_numbers, hanzi_to_int

TODAY = dt.date(2026, 11, 25)  # a Wednesday
ENTITY_DATA = Path(__file__).resolve().parents[2] / "data" / "nlu" / "entities.yml"


def _found(text: str) -> List[Tuple[str, str, str]]:
    return [(s.entity, text[s.start:s.end], s.value) for s in find_entities(text, TODAY)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我昨天在ATM取了两千块没出钱",
         [("date", "昨天", "2026-11-24"), ("amount", "两千", "2000"), ("currency", "块", "CNY")]),
        ("尾号1234的卡被扣了199元",
         [("card_last_four", "1234", "1234"), ("amount", "199", "199"),
          ("currency", "元", "CNY")]),
        ("工单kf-20261123-00042怎么样了",
         [("ticket_number", "kf-20261123-00042", "KF-20261123-00042")]),
        ("手机号改成138 1234 5678", [("phone", "138 1234 5678", "13812345678")]),
        ("call me on +86 13912345678", [("phone", "+86 13912345678", "13912345678")]),
        ("I was charged $1,200.50 on Nov 3",
         [("currency", "$", "USD"), ("amount", "1,200.50", "1200.5"),
          ("date", "Nov 3", "2026-11-03")]),
        ("send 500 dollars to my mom last Friday",
         [("amount", "500", "500"), ("currency", "dollars", "USD"),
          ("date", "last Friday", "2026-11-20")]),
        ("卡号后四位是5678，上周五转了1.5万",
         [("card_last_four", "5678", "5678"), ("date", "上周五", "2026-11-20"),
          ("amount", "1.5万", "15000")]),
        ("RMB 2000 on 2026-11-20",
         [("currency", "RMB", "CNY"), ("amount", "2000", "2000"),
          ("date", "2026-11-20", "2026-11-20")]),
        ("my card ending in 4321", [("card_last_four", "4321", "4321")]),
        ("12月30号的交易", [("date", "12月30号", "2025-12-30")]),  # no year: the last one past
        ("the 3rd of October", [("date", "3rd of October", "2026-10-03")]),
        ("15号转了500元",
         [("date", "15号", "2026-11-15"), ("amount", "500", "500"), ("currency", "元", "CNY")]),
        ("上个月15号扣了两千", [("date", "上个月15号", "2026-10-15"), ("amount", "两千", "2000")]),
        ("charged 15 dollars on the 15th",
         [("amount", "15", "15"), ("currency", "dollars", "USD"),
          ("date", "the 15th", "2026-11-15")]),
        ("尾号1515的卡15号被扣15元",
         [("card_last_four", "1515", "1515"), ("date", "15号", "2026-11-15"),
          ("amount", "15", "15"), ("currency", "元", "CNY")]),
        # Days and months in Chinese numerals.
        ("十五号那天扣的", [("date", "十五号", "2026-11-15")]),
        ("上个月二十一号", [("date", "上个月二十一号", "2026-10-21")]),
        ("三月十五日转的", [("date", "三月十五日", "2026-03-15")]),
        ("十二月一号", [("date", "十二月一号", "2025-12-01")]),
        ("三十一号", [("date", "三十一号", "2026-10-31")]),
        ("5k usd", [("amount", "5k", "5000"), ("currency", "usd", "USD")]),
        ("€30 fee", [("currency", "€", "EUR"), ("amount", "30", "30")]),
        # A label makes a number an amount without a currency.
        ("金额12000.00", [("amount", "12000.00", "12000")]),
        ("转账金额12000.00元", [("amount", "12000.00", "12000"), ("currency", "元", "CNY")]),
        ("交易金额：12,000.50", [("amount", "12,000.50", "12000.5")]),
        ("金额为1.2万", [("amount", "1.2万", "12000")]),
        ("amount 12000.00", [("amount", "12000.00", "12000")]),
        ("the amount was 80.", [("amount", "80", "80")]),
        ("12,000.50元", [("amount", "12,000.50", "12000.5"), ("currency", "元", "CNY")]),
        ("1.2万", [("amount", "1.2万", "12000")]),
        ("￥300", [("currency", "￥", "CNY"), ("amount", "300", "300")]),
    ],
)
def test_patterns_find_and_normalise(text: str, expected: List[Tuple[str, str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    ["等了半个小时了！！！", "I have 3 cards", "我有2张卡", "", "🙂🙂", "转账失败 error 1234",
     "2026-02-30", "KF-2026112-0004", "12,000.50", "金额一致", "金额不对", "amount 10%",
     "金额12:30", "paramount 500", "第15个", "15号窗口", "the 15th time", "15th floor",
     # A number after 号 is part of it; numerals that are no day, or part of a larger number.
     "卡号15号", "编号3号", "三十二号", "一百一十五号", "一号线", "十号窗口", "第十五号"],
)
def test_plain_numbers_and_invalid_values_are_not_entities(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(
    ("hanzi", "value"),
    [("十五", 15), ("两万", 20_000), ("一千二百", 1200), ("一千二", 1200), ("三万五", 35_000),
     ("一千零五", 1005), ("一亿", 100_000_000), ("零", None)],
)
def test_chinese_numerals(hanzi: str, value: int) -> None:
    assert hanzi_to_int(hanzi) == value


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


@pytest.fixture
def trained(tmp_path):
    """The extractor and Rasa's synonym mapper trained on kefu's entity data, then loaded."""
    training_data = RasaFileImporter(training_data_paths=[str(ENTITY_DATA)]).get_nlu_data()
    storage = LocalModelStorage(tmp_path)
    extractor = KefuEntityExtractor.create({}, storage, Resource("entities"), _context("e"))
    extractor.train(training_data)
    mapper = EntitySynonymMapper.create(EntitySynonymMapper.get_default_config(), storage,
                                        Resource("synonyms"), _context("s"))
    mapper.train(training_data)
    loaded = KefuEntityExtractor.load({}, storage, Resource("entities"), _context("e"))
    return loaded, mapper


def _entities(trained, text: str) -> List[Tuple[str, str]]:
    extractor, mapper = trained
    message = Message(data={TEXT: text})
    mapper.process(extractor.process([message]))
    return [(e["entity"], e["value"]) for e in message.get(ENTITIES, [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的信用卡被扣了500元", [("card_type", "credit_card"), ("amount", "500"),
                                   ("currency", "CNY")]),
        ("my Credit Card was charged twice", [("card_type", "credit_card")]),
        ("储蓄卡尾号6789", [("card_type", "debit_card"), ("card_last_four", "6789")]),
        ("open a savings account", [("account_type", "savings_account")]),
        ("活期转定期存款", [("account_type", "current_account"),
                           ("account_type", "fixed_deposit")]),
        ("discredit cardigan", []),  # English words only as whole words
        ("转账金额12000.00元", [("amount", "12000"), ("currency", "CNY")]),
        ("金额12000.00", [("amount", "12000")]),
        ("amount 12000.00", [("amount", "12000")]),
    ],
)
def test_extractor_and_synonyms_give_one_value_in_both_languages(trained, text, expected):
    assert _entities(trained, text) == expected


def test_extracted_entities_name_their_extractor(trained) -> None:
    extractor, _ = trained
    message = Message(data={TEXT: "转了两万"})
    extractor.process([message])
    entity = message.get(ENTITIES)[0]
    assert entity["extractor"] == "KefuEntityExtractor"
    assert (entity["start"], entity["end"]) == (2, 4)


def test_every_lookup_word_maps_to_a_canonical_value() -> None:
    data = RasaFileImporter(training_data_paths=[str(ENTITY_DATA)]).get_nlu_data()
    words = {str(w).lower() for table in data.lookup_tables for w in table["elements"]}
    assert words - set(data.entity_synonyms) == set()


@pytest.mark.parametrize(("text", "number"), [
    ("021-62345678", "021-62345678"), ("（0755）8765 4321转123", "0755-87654321-123"),
    ("010 8888 6666", "010-88886666"), ("02162345678", "021-62345678"),
    ("0571-8888888", "0571-8888888"), ("call (021) 2345-6789 ext. 12", "021-23456789-12")])
def test_landlines_are_read_with_their_area_code(text: str, number: str) -> None:
    assert [span.value for span in find_landline_numbers(text)] == [number]


@pytest.mark.parametrize("text", ["13800138001", "62345678", "021-12345678", "2024-03-15",
                                  "0.5", "金额12000.00元"])
def test_other_numbers_are_not_landlines(text: str) -> None:
    assert list(find_landline_numbers(text)) == []


def test_a_landline_is_not_an_nlu_entity() -> None:
    # It takes no text message or one-time code: only the complaint's call-back reads it.
    assert _found("座机021-62345678") == []


@pytest.mark.parametrize(("today", "text", "date"), [
    (dt.date(2026, 11, 28), "last Monday", "2026-11-23"),  # a Saturday: five days before
    (dt.date(2026, 11, 28), "last Saturday", "2026-11-21"),  # never today
    (dt.date(2026, 11, 25), "last Friday", "2026-11-20"),
    (dt.date(2026, 11, 28), "上周一", "2026-11-16"),  # the week before, as Chinese says it
])
def test_last_weekday_is_the_most_recent_one_before_today(today: dt.date, text: str,
                                                         date: str) -> None:
    assert [s.value for s in find_entities(text, today) if s.entity == "date"] == [date]
