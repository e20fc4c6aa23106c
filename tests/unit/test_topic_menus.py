"""A topic without a request ("我的卡有问题", "help"): the bot offers the topic's requests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.intent_choices import INTENT_TITLES
from actions.not_understood import ActionNotUnderstood, ActionTopicMenu
from actions.topic_menus import (
    GENERAL,
    every_topic,
    leans_vague,
    menu_buttons,
    response_of,
    topic_of,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, topic", [
    ("我的卡有问题", "card"),
    ("my card has a problem", "card"),
    ("Card problem", "card"),
    ("信用卡的问题", "credit_card"),
    ("question about my credit card", "credit_card"),
    ("还款的事", "repayment"),
    ("转账有问题", "transfer"),
    ("my transfer", "transfer"),
    ("贷款的事", "loan"),
    ("my loan", "loan"),
    ("我的账户有问题", "account"),
    ("issue with my account", "account"),
    ("钱", "money"),
    ("where is my money", "money"),
    ("帮帮我", "general"),
    ("I have a question", "general"),
    ("", "general"),
    ("🙏🙏", "general"),
])
def test_the_topic_is_read_from_the_customers_words(text: str, topic: str) -> None:
    assert topic_of(text).name == topic


def test_words_inside_other_words_are_not_a_topic() -> None:
    # "discard" holds "card", "accountant" holds "account": neither names a topic.
    assert topic_of("discard this").name == "general"
    assert topic_of("ask my accountant").name == "general"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_topics_menu_names_its_requests_and_ends_with_something_else(language: str) -> None:
    buttons = menu_buttons(topic_of("我的卡有问题"), language)
    assert [b["payload"] for b in buttons] == [
        "/card_lost", "/card_frozen", "/card_activate", "/card_declined", "/card_replace",
        "/card_delivery", "/card_swallowed", "/nlu_fallback"]
    assert buttons[0]["title"] == INTENT_TITLES["card_lost"][language]
    assert buttons[-1]["title"] == {"zh": "其他问题", "en": "Something else"}[language]


def test_the_general_menu_invites_words_instead_of_something_else() -> None:
    payloads = [b["payload"] for b in menu_buttons(GENERAL, "en")]
    assert "/nlu_fallback" not in payloads and "/human_handoff" in payloads


def test_every_topic_offers_titled_requests_and_has_a_response_in_both_languages() -> None:
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    for topic in every_topic():
        assert set(topic.requests) <= set(INTENT_TITLES), topic.name
        variations = domain.responses[response_of(topic)]
        languages = {c["value"] for v in variations for c in v["condition"]}
        assert languages == {"zh", "en"}, topic.name
    assert "vague_request" in domain.intents and "utter_describe_request" in domain.responses


@pytest.mark.parametrize("ranking, vague", [
    ([("nlu_fallback", 0.55), ("vague_request", 0.53), ("card_lost", 0.32)], True),
    ([("vague_request", 0.53), ("nlu_fallback", 0.55)], True),
    ([("nlu_fallback", 0.55), ("card_frozen", 0.39), ("vague_request", 0.37)], False),
    ([], False),
])
def test_a_fallback_leans_vague_only_when_vague_is_the_best_guess(
        ranking: List[Any], vague: bool) -> None:
    assert leans_vague([{"name": n, "confidence": c} for n, c in ranking]) is vague


def _run(action: Any, text: str, intent: str, ranking: List[Dict[str, Any]],
         language: str) -> List[Dict[str, Any]]:
    tracker = Tracker("web-vague", {"language": language},
                      {"text": text, "intent": {"name": intent, "confidence": 0.9},
                       "intent_ranking": ranking},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_the_action_offers_the_topics_menu_in_the_customers_language() -> None:
    messages = _run(ActionTopicMenu(), "转账有问题", "vague_request", [], "zh")
    assert [m["response"] for m in messages] == ["utter_topic_transfer"]
    assert [b["title"] for b in messages[0]["buttons"]][:2] == ["转账失败", "转账未到账"]


def test_an_unsure_vague_reading_gets_the_menu_not_please_rephrase() -> None:
    messages = _run(ActionNotUnderstood(), "我的钱不见了", "nlu_fallback", [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "vague_request", "confidence": 0.53},
        {"name": "card_lost", "confidence": 0.32}], "zh")
    assert [m["response"] for m in messages] == ["utter_topic_money"]
    assert "/unknown_charge" in [b["payload"] for b in messages[0]["buttons"]]
