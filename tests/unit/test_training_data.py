"""Every intent is trained with enough Chinese and English examples."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"
MIN_EXAMPLES_PER_LANGUAGE = 20


def _examples_per_intent(language: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in (DATA_DIR / language).glob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" in block:
                lines = [line for line in block["examples"].splitlines() if line.strip()]
                counts[block["intent"]] += len(lines)
    return counts


ZH, EN = _examples_per_intent("zh"), _examples_per_intent("en")


def test_both_languages_cover_the_same_intents() -> None:
    assert set(ZH) == set(EN)


@pytest.mark.parametrize("intent", sorted(set(ZH) | set(EN)))
def test_intent_has_enough_examples_in_each_language(intent: str) -> None:
    assert ZH[intent] >= MIN_EXAMPLES_PER_LANGUAGE, f"{intent}: {ZH[intent]} zh examples"
    assert EN[intent] >= MIN_EXAMPLES_PER_LANGUAGE, f"{intent}: {EN[intent]} en examples"
