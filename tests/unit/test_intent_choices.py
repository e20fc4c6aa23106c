"""When the NLU hesitates between two requests, the bot offers both as buttons."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.intent_choices import (
    INTENT_TITLES,
    NEVER_OFFERED,
    OFFER_TOGETHER,
    choice_buttons,
    offered_intents,
)
from actions.not_understood import ActionNotUnderstood

ROOT = Path(__file__).resolve().parents[2]


def ranking(*pairs: Any) -> List[Dict[str, Any]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_two_requests_that_share_the_confidence_are_offered() -> None:
    hesitant = ranking(("credit_card_repayment", 0.45), ("loan_repayment", 0.4),
                       ("card_limit", 0.1))
    assert offered_intents(hesitant) == ["credit_card_repayment", "loan_repayment"]


def test_nothing_is_offered_when_the_two_hold_too_little() -> None:
    spread = ranking(("card_replace", 0.25), ("card_swallowed", 0.2), ("card_lost", 0.2))
    assert offered_intents(spread) == []


def test_dialogue_intents_and_the_fallback_are_never_offered() -> None:
    with_dialogue = ranking(("nlu_fallback", 0.5), ("affirm", 0.45), ("card_lost", 0.3),
                            ("greet", 0.1), ("card_stolen", 0.3))
    assert offered_intents(with_dialogue) == ["card_lost", "card_stolen"]


def test_one_request_alone_is_not_a_choice() -> None:
    assert offered_intents(ranking(("card_lost", 0.45), ("affirm", 0.4))) == []


@pytest.mark.parametrize("language, titles", [
    ("zh", ["信用卡还款", "贷款还款", "都不是"]),
    ("en", ["Credit card repayment", "Loan repayment", "Neither"]),
])
def test_the_buttons_name_the_requests_in_the_customers_language(
        language: str, titles: List[str]) -> None:
    buttons = choice_buttons(["credit_card_repayment", "loan_repayment"], language)
    assert [b["title"] for b in buttons] == titles
    # A click is that intent for sure; "neither" is the fallback: "please describe it".
    assert [b["payload"] for b in buttons] == [
        "/credit_card_repayment", "/loan_repayment", "/nlu_fallback"]


def _not_understood(text: str, parsed_ranking: List[Dict[str, Any]],
                    language: str) -> List[Dict[str, Any]]:
    tracker = Tracker("web-unsure", {"language": language},
                      {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.5},
                       "intent_ranking": parsed_ranking},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionNotUnderstood().run(dispatcher, tracker, {}))
    return dispatcher.messages


def test_the_bot_asks_which_of_the_two() -> None:
    messages = _not_understood("还款晚了会怎样", [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "credit_card_repayment", "confidence": 0.48},
        {"name": "loan_repayment", "confidence": 0.44}], "zh")
    assert [m["response"] for m in messages] == ["utter_which_request"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["信用卡还款", "贷款还款", "都不是"]


def test_without_two_likely_requests_the_bot_asks_to_rephrase() -> None:
    messages = _not_understood("blorp zzkt", [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "card_lost", "confidence": 0.2},
        {"name": "greet", "confidence": 0.15}], "en")
    assert [m["response"] for m in messages] == ["utter_default"]
    assert not messages[0]["buttons"]


def test_a_number_alone_is_asked_about_even_if_two_requests_are_likely() -> None:
    messages = _not_understood("6222", [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "check_balance", "confidence": 0.45},
        {"name": "card_lost", "confidence": 0.4}], "zh")
    assert [m["response"] for m in messages] == ["utter_number_without_request"]


def test_every_offered_request_is_an_intent_of_the_domain_with_both_titles() -> None:
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    # Every intent is decided on: offered with its titles, or never offered.
    assert set(domain.intents) == set(INTENT_TITLES) | NEVER_OFFERED
    assert not set(INTENT_TITLES) & NEVER_OFFERED
    assert all(set(titles) == {"zh", "en"} and all(titles.values())
               for titles in INTENT_TITLES.values())
    assert "utter_which_request" in domain.responses


def test_the_share_offered_is_the_one_tune_fallback_chose() -> None:
    chosen = json.loads((ROOT / "bench" / "results" / "fallback.json").read_text())
    assert OFFER_TOGETHER == chosen["offer_together"]
