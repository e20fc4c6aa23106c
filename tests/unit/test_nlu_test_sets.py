"""The held-out NLU test sets (tests/nlu/{zh,en}.yml) stay apart from the training data.

A test utterance that is also a training example, in either language, only shows that the model
remembers what it was taught; the test sets are written separately, so none may be one."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAINING_DIR = PROJECT_ROOT / "data" / "nlu"
TEST_SET_DIR = PROJECT_ROOT / "tests" / "nlu"
LANGUAGES = ("zh", "en")
MIN_TEST_UTTERANCES_PER_INTENT = 15
ENTITY_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def _folded(text: str) -> str:
    """Case-folded, whitespace collapsed: how two utterances are compared."""
    return " ".join(text.casefold().split())


def _utterances(path: Path) -> List[Tuple[str, str]]:
    """(intent, utterance) for every example of every intent block in a Rasa NLU YAML file."""
    utterances: List[Tuple[str, str]] = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip().startswith("- "):
                    utterances.append((block["intent"], line.strip()[2:].strip()))
    return utterances


def _training() -> Tuple[Dict[str, Set[str]], Set[str]]:
    """Every training example (folded, with and without its entity annotations) with the
    intents it is trained under, and the trained intents, over all of data/nlu."""
    examples: Dict[str, Set[str]] = {}
    intents: Set[str] = set()
    for path in sorted(TRAINING_DIR.glob("**/*.yml")):
        for intent, text in _utterances(path):
            intents.add(intent)
            plain = ENTITY_ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text)
            for key in {_folded(text), _folded(plain)}:
                examples.setdefault(key, set()).add(intent)
    return examples, intents


TRAINING_EXAMPLES, TRAINED_INTENTS = _training()


def _test_set(language: str) -> List[Tuple[str, str]]:
    return _utterances(TEST_SET_DIR / f"{language}.yml")


def test_training_data_and_test_sets_are_found() -> None:
    assert len(TRAINING_EXAMPLES) > 1000
    for language in LANGUAGES:
        assert len(_test_set(language)) > 500, language


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_test_utterance_is_a_training_example(language: str) -> None:
    shared = [(intent, text, sorted(TRAINING_EXAMPLES[_folded(text)]))
              for intent, text in _test_set(language) if _folded(text) in TRAINING_EXAMPLES]
    assert shared == [], f"{len(shared)} {language} test utterances are training examples"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_utterance_is_twice_in_a_test_set(language: str) -> None:
    counts = Counter(_folded(text) for _, text in _test_set(language))
    assert sorted(text for text, count in counts.items() if count > 1) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tested_intent_is_trained(language: str) -> None:
    untrained = {intent for intent, _ in _test_set(language)} - TRAINED_INTENTS
    assert untrained == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tested_intent_has_enough_test_utterances(language: str) -> None:
    counts = Counter(intent for intent, _ in _test_set(language))
    too_few = {intent: n for intent, n in counts.items() if n < MIN_TEST_UTTERANCES_PER_INTENT}
    assert too_few == {}
