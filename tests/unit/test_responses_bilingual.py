"""Every response the bot can send exists in Chinese and in English."""

from __future__ import annotations

import re
import string
from typing import Dict, List, Tuple

import pytest

from bot.language import detect_language
from tests.bilingual import all_responses, other_conditions, variant_language

RESPONSES = sorted(all_responses())


def test_the_domain_has_responses() -> None:
    assert "utter_greet" in RESPONSES and "utter_handoff_queued" in RESPONSES


@pytest.mark.parametrize("name", RESPONSES)
def test_response_has_exactly_one_zh_and_one_en_variant(name: str) -> None:
    # Per case where a response also depends on another slot (a call or a text).
    cases: Dict[Tuple[Tuple[str, str], ...], List[str]] = {}
    for variant in all_responses()[name]:
        cases.setdefault(other_conditions(variant), []).append(
            variant_language(variant) or "none")
    assert all(sorted(languages) == ["en", "zh"] for languages in cases.values()), cases


@pytest.mark.parametrize("name", RESPONSES)
def test_each_variant_is_written_in_its_language(name: str) -> None:
    for variant in all_responses()[name]:
        text = variant.get("text", "")
        assert text.strip(), f"{name} has an empty variant"
        assert detect_language(text) == variant_language(variant), f"{name}: {text}"


@pytest.mark.parametrize("name", RESPONSES)
def test_variants_fill_the_same_placeholders(name: str) -> None:
    fields = [
        sorted(field for _, field, _, _ in string.Formatter().parse(variant["text"]) if field)
        for variant in all_responses()[name]
    ]
    assert all(names == fields[0] for names in fields), f"{name}: {fields}"


@pytest.mark.parametrize("name", RESPONSES)
def test_buttons_are_the_same_in_both_languages(name: str) -> None:
    payloads = [
        [button["payload"] for button in variant.get("buttons", [])]
        for variant in all_responses()[name]
    ]
    assert all(payload == payloads[0] for payload in payloads)


def test_chinese_variants_use_full_width_punctuation() -> None:
    for name, variants in all_responses().items():
        for variant in variants:
            if variant_language(variant) == "zh":
                assert not re.search(r"[\u4e00-\u9fff][,?!]", variant["text"]), name
