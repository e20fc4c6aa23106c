"""The README's NLU section describes config.yml as it is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _config() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())


def _nlu_section() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## Understanding customers (NLU)", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _named_in_order(text: str, names: List[str]) -> List[str]:
    """The names of `names` that appear in `text` as `Name`, in the order they appear."""
    found = [(text.find(f"`{name}`"), name) for name in set(names) if f"`{name}`" in text]
    return [name for _, name in sorted(found)]


def test_the_nlu_section_names_every_component_of_the_pipeline_in_order() -> None:
    pipeline = [_short(step["name"]) for step in _config()["pipeline"]]
    text = _nlu_section().replace("`SentenceCountsFeaturizer`s", "`SentenceCountsFeaturizer`")
    assert _named_in_order(text, pipeline) == list(dict.fromkeys(pipeline))


def test_the_nlu_section_counts_the_count_featurizers_and_their_ngrams() -> None:
    counts = [step for step in _config()["pipeline"]
              if _short(step["name"]) == "SentenceCountsFeaturizer"]
    text = _nlu_section()
    assert f"{NUMBER_WORDS[len(counts)]} `SentenceCountsFeaturizer`s" in text
    for step in counts:
        if step["analyzer"] == "word":
            assert step["max_ngram"] == 2 and "words and word pairs" in text
        else:
            assert f"character {step['min_ngram']}–{step['max_ngram']}-grams" in text


def test_the_nlu_section_names_every_policy() -> None:
    text = _nlu_section()
    for policy in _config()["policies"]:
        name = _short(policy["name"])
        described = {"RulePolicy": "rule", "MemoizationPolicy": "memoization"}.get(name)
        assert (re.search(rf"\b{described}\b", text) if described else f"`{name}`" in text), name
