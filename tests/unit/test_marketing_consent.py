"""Marketing consent at the profile form: a yes only in words that say yes, zh and en.

English words count whole ("ok" is not in "look" or "book"), and a yes-word inside a no
("不可以", "不太需要", "无法接受", "没兴趣", "not interested") is a no.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from actions.conversation import REQUESTED_SLOT
from actions.identity import profile_flow as flow
from actions.profile_form import ValidateProfileForm
from tests.unit.form_runs import SlotsAndResponses, run_validation

ASKING_CONSENT = {flow.CUSTOMER_ID: "1", flow.FIELD: "marketing_consent",
                  REQUESTED_SLOT: flow.VALUE}


def _answer(text: str, intent: Optional[str], confidence: float,
            language: str) -> SlotsAndResponses:
    """The slots the profile form's validation sets and the responses it sends."""
    return run_validation(ValidateProfileForm(), "profile_form",
                          {"language": language, **ASKING_CONSENT}, text, intent, confidence)


ASKED_AGAIN = ({flow.VALUE: None, REQUESTED_SLOT: flow.VALUE}, ["utter_profile_choice_unclear"])


def _consent(value: str) -> Tuple[Dict[str, Any], List[Optional[str]]]:
    return {flow.VALUE: value, REQUESTED_SLOT: flow.CONFIRMED}, []


# (text, intent, confidence, language) as models/kefu.tar.gz reads them.
NEITHER = [("let me look into it", "nlu_fallback", 0.5, "en"),
           ("I will book a visit", "nlu_fallback", 0.5, "en"),
           ("not sure", "deny", 0.91, "en"), ("I'm not sure", "deny", 0.93, "en"),
           ("let me think about it", "nlu_fallback", 0.5, "en"),
           ("需要考虑一下", "nlu_fallback", 0.5, "zh"), ("我不确定", "deny", 0.84, "zh"),
           ("我再想想", "goodbye", 0.68, "zh")]
NO = [("不可以", "deny", 1.0, "zh"), ("不同意", "deny", 1.0, "zh"),
      ("不太需要", "deny", 0.98, "zh"), ("不是很愿意", "deny", 1.0, "zh"),
      ("没兴趣", "affirm", 0.82, "zh"),
      ("无法接受", "nlu_fallback", 0.5, "zh"), ("别再发了", "goodbye", 0.54, "zh"),
      ("不想收到", "cancel", 0.6, "zh"), ("not interested", "deny", 1.0, "en"),
      ("opt out", "cancel", 0.99, "en"), ("unsubscribe", "cancel", 0.89, "en"),
      ("stop sending", "cancel", 0.67, "en"), ("I'd rather not", "cancel", 0.77, "en"),
      ("absolutely not", "deny", 0.8, "en"), ("no", "deny", 1.0, "en")]
YES = [("需要", "deny", 0.67, "zh"), ("同意", "cancel", 0.64, "zh"),
       ("愿意", "nlu_fallback", 0.5, "zh"), ("可以发给我", "nlu_fallback", 0.5, "zh"),
       ("没问题", "affirm", 1.0, "zh"),
       ("ok", "affirm", 1.0, "en"), ("opt in", "nlu_fallback", 0.5, "en"),
       ("no problem", "thank", 1.0, "en"), ("that's fine", "affirm", 0.96, "en")]


@pytest.mark.parametrize(("text", "intent", "confidence", "language"), NEITHER)
def test_words_that_hold_a_yes_word_or_doubt_are_asked_again(text, intent, confidence,
                                                            language) -> None:
    assert _answer(text, intent, confidence, language) == ASKED_AGAIN


@pytest.mark.parametrize(("text", "intent", "confidence", "language"), NO)
def test_a_no_is_a_no_even_with_a_yes_word_in_it(text, intent, confidence, language) -> None:
    assert _answer(text, intent, confidence, language) == _consent("false")


@pytest.mark.parametrize(("text", "intent", "confidence", "language"), YES)
def test_a_yes_in_words_is_a_yes_whatever_the_intent(text, intent, confidence, language) -> None:
    assert _answer(text, intent, confidence, language) == _consent("true")


def test_a_real_stop_still_cancels_the_change() -> None:
    # "算了" and "免了" say no word about marketing: the form is left, nothing is changed.
    assert _answer("算了", "cancel", 1.0, "zh") == ({}, [])
    assert _answer("免了", "cancel", 0.84, "zh") == ({}, [])


# Read from the words alone (no intent): whole English words, and no yes inside a no.
@pytest.mark.parametrize("text", ["let me look into it", "I will book a visit", "broken",
                                  "token", "unsure", "nonstop", "yesterday", "不确定"])
def test_words_alone_that_say_neither(text: str) -> None:
    assert flow.read_value("marketing_consent", text, None, None) == (
        None, "utter_profile_choice_unclear")


@pytest.mark.parametrize("text", ["不可以", "不同意", "不太需要", "不是很愿意", "没有兴趣",
                                  "不感兴趣", "不能接受", "可以不要吗", "没有", "don't",
                                  "no thanks", "not now", "nope", "please don't send them"])
def test_words_alone_that_say_no(text: str) -> None:
    assert flow.read_value("marketing_consent", text, None, None) == ("false", None)


@pytest.mark.parametrize("text", ["可以", "愿意接收", "好的", "好", "要", "ok的", "OK", "okay",
                                  "yes please", "sure", "why not", "sign me up"])
def test_words_alone_that_say_yes(text: str) -> None:
    assert flow.read_value("marketing_consent", text, None, None) == ("true", None)
