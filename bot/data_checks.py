"""kefu's own checks of the training data and domain, run by `make validate` after Rasa's:
every response in zh and en, enough examples per intent and language, every form question
exists, every intent is described in docs/intents.md with the file that holds its examples,
and the generated digression rules are up to date.

Each check returns the problems it found as sentences a designer can act on.
Run: python -m bot.data_checks
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("zh", "en")
MIN_EXAMPLES_PER_LANGUAGE = 20
# Sent by buttons or by kefu's services, never typed: no training examples.
PAYLOAD_ONLY_INTENTS = frozenset(
    {"inform", "EXTERNAL_ticket_resolved", "EXTERNAL_handoff_resolved"}
)
_SINGLE_BRACE = re.compile(r"(?<!\{)\{(?!\{)")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def load_domain(domain_dir: Path) -> Dict[str, Any]:
    merged: Dict[str, Any] = {"intents": [], "responses": {}, "forms": {}, "actions": []}
    for path in sorted(domain_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text()) or {}
        merged["intents"] += [i if isinstance(i, str) else next(iter(i))
                              for i in content.get("intents") or []]
        merged["actions"] += content.get("actions") or []
        for key in ("responses", "forms"):
            merged[key].update(content.get(key) or {})
    return merged


def examples_per_intent(nlu_dir: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in nlu_dir.glob("*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            if "intent" in block:
                counts[block["intent"]] += sum(
                    1 for line in block["examples"].splitlines() if line.strip().startswith("- ")
                )
    return counts


def _response_language(variant: Dict[str, Any]) -> str | None:
    for condition in variant.get("condition") or []:
        if condition.get("name") == "language":
            return str(condition.get("value"))
    return None


def check_responses(responses: Dict[str, List[Dict[str, Any]]]) -> List[str]:
    """Every response in zh and en, with the same button payloads in both."""
    problems = []
    for name, variants in sorted(responses.items()):
        languages = {_response_language(v) for v in variants}
        for language in LANGUAGES:
            if language not in languages:
                problems.append(f"response {name} has no {language} variant")
        payloads = {tuple(b.get("payload") for b in v.get("buttons") or []) for v in variants}
        if len(payloads) > 1:
            problems.append(f"response {name}: buttons differ between languages")
        if any(_SINGLE_BRACE.search(p or "") for buttons in payloads for p in buttons):
            problems.append(f"response {name}: write payload braces doubled, "
                            "'/inform{{\"choice\": \"x\"}}' (Rasa fills single {slots})")
    return problems


def check_intent_examples(intents: Iterable[str], data_dir: Path) -> List[str]:
    """Every typed intent has enough examples in each language."""
    problems = []
    counts = {language: examples_per_intent(data_dir / language) for language in LANGUAGES}
    for intent in sorted(set(intents) - PAYLOAD_ONLY_INTENTS):
        for language in LANGUAGES:
            found = counts[language][intent]
            if found < MIN_EXAMPLES_PER_LANGUAGE:
                problems.append(f"intent {intent}: {found} {language} examples, "
                                f"{MIN_EXAMPLES_PER_LANGUAGE} needed")
    return problems


def check_forms(domain: Dict[str, Any]) -> List[str]:
    """Every slot a form fills is asked for by a response or an action."""
    problems = []
    for form, definition in domain["forms"].items():
        for slot in definition.get("required_slots") or []:
            if f"utter_ask_{slot}" not in domain["responses"] and \
                    f"action_ask_{slot}" not in domain["actions"]:
                problems.append(f"form {form}: nothing asks for {slot} "
                                f"(add utter_ask_{slot} or action_ask_{slot})")
    return problems


# A row of docs/intents.md's table: | `intent` | file | ...
_INTENT_ROW = re.compile(r"^\| `(\w+)` \| ([^|]+?) \|", re.MULTILINE)


def intent_files(nlu_dir: Path) -> Dict[str, set[str]]:
    """The training files (by topic, without .yml) that hold each intent's examples."""
    files: Dict[str, set[str]] = {}
    for path in nlu_dir.glob("*/*.yml"):
        for block in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            if "intent" in block:
                files.setdefault(block["intent"], set()).add(path.stem)
    return files


def check_intents_documented(intents: Iterable[str], doc: str, nlu_dir: Path) -> List[str]:
    """Every typed intent has a row in docs/intents.md naming its training file, and every
    row an intent of the domain."""
    documented = {intent: topic.strip() for intent, topic in _INTENT_ROW.findall(doc)}
    typed = set(intents) - PAYLOAD_ONLY_INTENTS
    files = intent_files(nlu_dir)
    problems = [f"intent {intent} is not described in docs/intents.md"
                for intent in sorted(typed - set(documented))]
    problems += [f"docs/intents.md describes {intent}, which the domain does not have"
                 for intent in sorted(set(documented) - typed)]
    for intent in sorted(typed & set(documented)):
        if intent in files and files[intent] != {documented[intent]}:
            problems.append(f"docs/intents.md says {intent} is in {documented[intent]}.yml; "
                            f"its examples are in {', '.join(sorted(files[intent]))}")
    return problems


def check_digressions() -> List[str]:
    """data/rules/digressions.yml matches the rules it is generated from."""
    from bot.digression_rules import OUTPUT, render

    if not OUTPUT.exists() or OUTPUT.read_text() != render():
        return ["data/rules/digressions.yml is out of date: run `make digressions`"]
    return []


def all_problems(root: Path = PROJECT_ROOT) -> List[str]:
    domain = load_domain(root / "bot" / "domain")
    return (check_responses(domain["responses"])
            + check_intent_examples(domain["intents"], root / "data" / "nlu")
            + check_forms(domain)
            + check_intents_documented(domain["intents"], (root / "docs" / "intents.md")
                                       .read_text(), root / "data" / "nlu")
            + check_digressions())


def main() -> int:
    problems = all_problems()
    for problem in problems:
        print(f"data_checks: {problem}")
    print(f"data_checks: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
