"""What the bot answers when the NLU is not sure: a number alone is asked about, "neither"
asks for a description."""

from __future__ import annotations

import pytest

from actions.not_understood import not_understood_response


@pytest.mark.parametrize("text", ["6222", "6222 0212 3456 7890", "￥300", "１３８００１３８００１"])
def test_a_number_alone_is_asked_about(text: str) -> None:
    assert not_understood_response(text) == "utter_number_without_request"


@pytest.mark.parametrize("text", ["blorp zzkt", "你懂我意思吧", "卡号6222", ""])
def test_anything_else_is_asked_to_rephrase(text: str) -> None:
    assert not_understood_response(text) == "utter_default"


@pytest.mark.parametrize("text", ["/nlu_fallback", " /nlu_fallback "])
def test_neither_of_the_offered_requests_asks_for_a_description(text: str) -> None:
    # The customer answered the question: "sorry, I didn't understand" would be wrong.
    assert not_understood_response(text) == "utter_describe_request"
