"""`make validate`'s own checks: they pass on kefu's data and catch what they are for."""

from __future__ import annotations

from pathlib import Path

from bot.data_checks import (
    all_problems,
    check_forms,
    check_intent_examples,
    check_intents_documented,
    check_responses,
)


def test_kefus_data_passes() -> None:
    assert all_problems() == []


def test_a_response_without_english_is_caught() -> None:
    zh_only = {"utter_x": [{"condition": [{"type": "slot", "name": "language", "value": "zh"}],
                            "text": "你好"}]}
    assert check_responses(zh_only) == ["response utter_x has no en variant"]


def test_buttons_that_differ_by_language_are_caught() -> None:
    def variant(language: str, payload: str) -> dict:
        return {"condition": [{"type": "slot", "name": "language", "value": language}],
                "text": "?", "buttons": [{"title": "t", "payload": payload}]}

    problems = check_responses({"utter_y": [variant("zh", "/affirm"), variant("en", "yes")]})
    assert problems == ["response utter_y: buttons differ between languages"]


def test_too_few_examples_are_caught(tmp_path: Path) -> None:
    for language, count in (("zh", 20), ("en", 3)):
        (tmp_path / language).mkdir()
        lines = "".join(f"      - example {i}\n" for i in range(count))
        (tmp_path / language / "x.yml").write_text(
            f'version: "3.1"\nnlu:\n  - intent: greet\n    examples: |\n{lines}')
    assert check_intent_examples(["greet", "inform"], tmp_path) == [
        "intent greet: 3 en examples, 20 needed"]


def test_a_form_slot_nobody_asks_for_is_caught() -> None:
    domain = {"forms": {"f": {"required_slots": ["a", "b"]}},
              "responses": {"utter_ask_a": []}, "actions": []}
    assert check_forms(domain) == ["form f: nothing asks for b (add utter_ask_b or action_ask_b)"]


def test_single_braces_in_a_payload_are_caught() -> None:
    variant = {"condition": [{"type": "slot", "name": "language", "value": "zh"}], "text": "?",
               "buttons": [{"title": "t", "payload": '/inform{"choice": "x"}'}]}
    english = {**variant, "condition": [{"type": "slot", "name": "language", "value": "en"}]}
    assert "write payload braces doubled" in check_responses({"utter_z": [variant, english]})[0]


def test_an_intent_missing_from_the_intents_doc_or_in_the_wrong_file_is_caught(
        tmp_path: Path) -> None:
    for language in ("zh", "en"):
        (tmp_path / language).mkdir()
        (tmp_path / language / "cards.yml").write_text(
            'version: "3.1"\nnlu:\n  - intent: card_lost\n    examples: |\n      - x\n')
    doc = ("| intent | file | means |\n|---|---|---|\n"
           "| `card_lost` | security | lost card |\n| `old_intent` | cards | gone |\n")
    assert check_intents_documented(["card_lost", "greet", "inform"], doc, tmp_path) == [
        "intent greet is not described in docs/intents.md",
        "docs/intents.md describes old_intent, which the domain does not have",
        "docs/intents.md says card_lost is in security.yml; its examples are in cards",
    ]
