"""Every intent is trained with enough Chinese and English examples, answered, and tested fairly."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import pytest
import yaml

from bot.data_checks import PAYLOAD_ONLY_INTENTS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data" / "nlu"
MIN_EXAMPLES_PER_LANGUAGE = 20
ENTITY_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def _plain(example: str) -> str:
    return ENTITY_ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example)


def _examples(path: Path) -> Iterator[Tuple[str, str]]:
    for block in yaml.safe_load(path.read_text()).get("nlu") or []:
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    yield block["intent"], _plain(line.strip()[2:])


def _examples_per_intent(language: str) -> Counter[str]:
    return Counter(intent for path in (DATA_DIR / language).glob("*.yml")
                   for intent, _ in _examples(path))


def _normalised(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text).lower()


def _distinctive(text: str) -> bool:
    """Short stock phrases ("yes", "谢谢") are bound to recur; longer ones must not."""
    return len(text.split()) >= 4 if text.isascii() else len(_normalised(text)) >= 8


def _domain_intents() -> Set[str]:
    intents: Set[str] = set()
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        for intent in yaml.safe_load(path.read_text()).get("intents") or []:
            intents.add(intent if isinstance(intent, str) else next(iter(intent)))
    return intents


def _intents_opening_a_rule_or_story() -> Set[str]:
    intents: Set[str] = set()
    for path in (PROJECT_ROOT / "data").glob("**/*.yml"):
        content = yaml.safe_load(path.read_text()) or {}
        for flow in (content.get("rules") or []) + (content.get("stories") or []):
            intents.update(step["intent"] for step in flow.get("steps", []) if "intent" in step)
    return intents


ZH, EN = _examples_per_intent("zh"), _examples_per_intent("en")


def test_both_languages_cover_the_same_intents() -> None:
    assert set(ZH) == set(EN)


def test_every_domain_intent_is_trained_and_answered() -> None:
    domain = _domain_intents() - PAYLOAD_ONLY_INTENTS
    assert domain - set(ZH) == set(), "domain intents without zh training examples"
    assert domain - set(EN) == set(), "domain intents without en training examples"
    assert set(ZH) - domain == set(), "trained intents missing from the domain"
    unanswered = domain - _intents_opening_a_rule_or_story() - {"affirm", "deny"}
    assert unanswered == set(), "intents no rule or story answers"


@pytest.mark.parametrize("intent", sorted(set(ZH) | set(EN)))
def test_intent_has_enough_examples_in_each_language(intent: str) -> None:
    assert ZH[intent] >= MIN_EXAMPLES_PER_LANGUAGE, f"{intent}: {ZH[intent]} zh examples"
    assert EN[intent] >= MIN_EXAMPLES_PER_LANGUAGE, f"{intent}: {EN[intent]} en examples"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_held_out_test_set_shares_no_distinctive_utterance_with_training(language: str) -> None:
    training: Dict[str, str] = {
        _normalised(text): intent
        for path in (DATA_DIR / language).glob("*.yml") for intent, text in _examples(path)
    }
    test_path = PROJECT_ROOT / "tests" / "nlu" / f"{language}.yml"
    shared = [text for _, text in _examples(test_path)
              if _distinctive(text) and _normalised(text) in training]
    assert shared == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_no_utterance_is_trained_under_two_intents(language: str) -> None:
    seen: Dict[str, str] = {}
    clashes = []
    for path in (DATA_DIR / language).glob("*.yml"):
        for intent, text in _examples(path):
            key = _normalised(text)
            if key in seen and seen[key] != intent:
                clashes.append((text, seen[key], intent))
            seen[key] = intent
    assert clashes == []
