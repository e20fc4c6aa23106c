"""Card, phone and ID numbers, amounts, dates and emoji in real customers' messages: the intent
is the one the words say, confident enough to pass the fallback, and the entities are still
found in the original text. Through config.yml's components trained on kefu's data/nlu."""

from __future__ import annotations

import re
from typing import Iterator, List, Tuple

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT

from tests.nlu_pipeline import PROJECT_ROOT, TrainedPipeline, train_pipeline

FALLBACK_THRESHOLD = next(
    float(step["threshold"])
    for step in yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    if step["name"] == "FallbackClassifier")


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedPipeline]:
    yield train_pipeline(tmp_path_factory.mktemp("nlu"))


# The reported bug, and messages that the digits' n-grams led astray before (ticket_status).
CASES = [
    ("我的卡被盗刷了，卡号6222021234567890123", "card_stolen"),
    ("我的卡被盗刷了😭卡号6222021234567890123", "card_stolen"),
    ("我的卡丢了，卡号6222 0212 3456 7890 123", "card_lost"),
    ("钱包丢了🙏 卡号6228480402564890018 帮我挂失", "card_lost"),
    ("卡号6222021234567890123被冻结了", "card_frozen"),
    ("6222021234567890123这张卡怎么激活", "card_activate"),
    ("我要改手机号，新号码是13912345678", "profile_update"),
    ("身份证号11010519900307123X，我想开个户", "account_open"),
    ("给6222021234567890123转账5000元没到账", "transfer_not_received"),
    ("2024年3月15日转了12,000元，对方说没收到", "transfer_not_received"),
    ("2024-03-15 转账失败了，提示错误", "transfer_failed"),
    ("存50000定期一年利息多少", "deposit_rates"),
    ("尾号1234的卡在ATM被吞了😡", "card_swallowed"),
    ("工单KF-20261125-00031处理到哪了", "ticket_status"),
    ("I lost my card, number 4111111111111111", "card_lost"),
    ("my card 4111 1111 1111 1111 was stolen 😱", "card_stolen"),
    ("card 4111111111111111 is frozen, please unlock it", "card_frozen"),
    ("I transferred $2,500 on 03/15/2024 and it hasn't arrived", "transfer_not_received"),
    ("my transfer of 12,000 yuan on 2024-03-15 failed", "transfer_failed"),
    ("please change my phone number to 13800138001", "profile_update"),
    ("my ID number is 110105199003071234, how do I open an account", "account_open"),
    ("there's a charge of $1,288.50 on my statement I don't recognise", "unknown_charge"),
    ("I want to activate my new card 6222021234567890123", "card_activate"),
    ("卡号：6222021234567890123 冻结了", "card_frozen"),
    ("转账失败 账号6222021234567890123 金额12000.00 时间2024-03-15 10:32", "transfer_failed"),
    ("卡被盗刷了，卡号6222021234567890123，手机13800138001，身份证11010519900307123X",
     "card_stolen"),
    ("my card was stolen. card 4111111111111111, phone 13800138001, id 110105199003071234",
     "card_stolen"),
]
# A message's digits, and the separators between them, as a customer might leave them out.
_NUMBERS = re.compile(r"[\d*]+(?:[ ,.:-]\d+)*")


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_numbers_do_not_change_the_intent(nlu: TrainedPipeline, text: str, intent: str) -> None:
    predicted = nlu.parse(text).get(INTENT)
    assert predicted["name"] == intent
    assert predicted["confidence"] >= FALLBACK_THRESHOLD


@pytest.mark.parametrize(("text", "intent"), CASES)
def test_a_number_costs_little_confidence(nlu: TrainedPipeline, text: str, intent: str) -> None:
    # Before digit shapes: up to 0.6 lost, 0.10 on average.
    without_numbers = nlu.parse(_NUMBERS.sub("", text)).get(INTENT)
    assert without_numbers["name"] == intent
    assert nlu.parse(text).get(INTENT)["confidence"] >= without_numbers["confidence"] - 0.15


def _entities(nlu: TrainedPipeline, text: str) -> List[Tuple[str, str, str]]:
    return [(e["entity"], text[e["start"]:e["end"]], e["value"])
            for e in nlu.parse(text).get(ENTITIES, [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("尾号1234的卡在ATM被吞了😡", ("card_last_four", "1234", "1234")),
        ("我要改手机号，新号码是139 1234 5678", ("phone", "139 1234 5678", "13912345678")),
        ("给6222021234567890123转账5000元没到账", ("amount", "5000", "5000")),
        ("2024-03-15 转账失败了", ("date", "2024-03-15", "2024-03-15")),
        ("I was charged $1,288.50 twice", ("amount", "1,288.50", "1288.5")),
        ("工单KF-20261125-00031处理到哪了",
         ("ticket_number", "KF-20261125-00031", "KF-20261125-00031")),
    ],
)
def test_entities_are_found_in_the_original_text(nlu: TrainedPipeline, text: str,
                                                 expected: Tuple[str, str, str]) -> None:
    assert expected in _entities(nlu, text)


# A number alone asks for nothing: read as "6222" -> check_balance, "83" -> goodbye (0.92),
# "￥300" -> affirm (0.79) before. Under the fallback threshold the bot asks what it is for.
@pytest.mark.parametrize("text", ["6222", "83", "￥300", "6222 0212 3456 7890",
                                  "+86 138 0013 8001", "１２３４", "13800138001", "2024-03-15"])
def test_a_number_alone_falls_back(nlu: TrainedPipeline, text: str) -> None:
    # This pipeline stops before the FallbackClassifier, which turns such a one to nlu_fallback.
    assert nlu.parse(text).get(INTENT)["confidence"] < FALLBACK_THRESHOLD


def test_a_number_the_training_data_reads_as_a_word_keeps_its_intent(nlu: TrainedPipeline
                                                                     ) -> None:
    # "88" (拜拜) is one of goodbye's examples in data/nlu.
    predicted = nlu.parse("88").get(INTENT)
    assert predicted["name"] == "goodbye"
    assert predicted["confidence"] >= FALLBACK_THRESHOLD
