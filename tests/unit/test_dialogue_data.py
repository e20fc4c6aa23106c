"""Rules that keep forms whole: every question asked mid-form has its answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import yaml

from actions.complaint import fields
from actions.complaint.flow import NOT_DIGRESSIONS
from actions.csat_form import DECLINING_INTENTS
from actions.csat_form import NOT_DIGRESSIONS as CSAT_NOT_DIGRESSIONS
from actions.ticket_outcome import NOT_DIGRESSIONS as OUTCOME_NOT_DIGRESSIONS
from bot.digression_rules import OUTPUT as DIGRESSIONS_FILE
from bot.digression_rules import render

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _rules() -> List[Dict[str, Any]]:
    rules: List[Dict[str, Any]] = []
    for path in (PROJECT_ROOT / "data" / "rules").glob("*.yml"):
        rules.extend(yaml.safe_load(path.read_text()).get("rules") or [])
    return rules


def _domain() -> Dict[str, Any]:
    merged: Dict[str, Any] = {"intents": [], "slots": {}, "forms": {}, "responses": {}}
    for path in (PROJECT_ROOT / "bot" / "domain").glob("*.yml"):
        content = yaml.safe_load(path.read_text())
        merged["intents"] += content.get("intents") or []
        for key in ("slots", "forms", "responses"):
            merged[key].update(content.get(key) or {})
    return merged


def _intents_with_form_rule(form: str) -> Set[str]:
    return {
        rule["steps"][0]["intent"]
        for rule in _rules()
        if {"active_loop": form} in (rule.get("condition") or [])
        and "intent" in rule["steps"][0]
    }


@pytest.mark.parametrize(
    ("form", "not_interrupting"),
    [("complaint_form", NOT_DIGRESSIONS), ("csat_form", CSAT_NOT_DIGRESSIONS | DECLINING_INTENTS),
     ("outcome_form", OUTCOME_NOT_DIGRESSIONS)],
)
def test_every_intent_that_can_interrupt_a_form_has_a_rule_for_it(form, not_interrupting) -> None:
    interrupting = set(_domain()["intents"]) - not_interrupting - {"EXTERNAL_handoff_resolved"}
    assert interrupting - _intents_with_form_rule(form) == set()


def test_every_form_of_the_domain_has_digression_rules() -> None:
    for form in _domain()["forms"]:
        served = _intents_with_form_rule(form)
        assert {"card_stolen", "human_handoff", "branch_hours"} <= served, form


def test_the_generated_digression_rules_are_up_to_date() -> None:
    assert DIGRESSIONS_FILE.read_text() == render(), "run `make digressions`"


def test_the_slots_a_one_step_rule_names_follow_it_into_every_form() -> None:
    """Rasa refuses to train when a featurized slot an action sets in one rule is missing after
    it in another: outcome_next after action_ticket_status goes into every form's rule."""
    from bot.digression_rules import FORMS, digression_rules
    inside = [rule["steps"] for rule in digression_rules()
              if rule["steps"][0] == {"intent": "ticket_status"}]
    assert [steps[-2] for steps in inside] == [{"action": form} for form in FORMS]
    assert all(steps[1:3] == [{"action": "action_ticket_status"},
                              {"slot_was_set": [{"outcome_next": None}]}] for steps in inside)


def test_every_question_and_re_ask_of_the_form_exists() -> None:
    domain = _domain()
    assert domain["forms"]["complaint_form"]["required_slots"] == fields.ALL_SLOTS
    responses = domain["responses"]
    for slot in fields.ALL_SLOTS:
        assert f"utter_ask_{slot}" in responses or slot == fields.CONFIRMED
    for slot in (fields.CATEGORY, fields.AMOUNT, fields.DATE, fields.CARD_LAST_FOUR,
                 fields.CONTACT):
        assert f"utter_{slot}_unclear" in responses
    actions_source = "\n".join(p.read_text() for p in (PROJECT_ROOT / "actions").rglob("*.py"))
    for problem in set(__import__("re").findall(r'"(utter_complaint_[a-z_]+)"', actions_source)):
        assert problem in responses, problem


def test_choice_labels_exist_in_both_languages() -> None:
    for choices in fields.LABELS.values():
        for labels in choices.values():
            assert labels["zh"] and labels["en"]
    for names in fields.FIELD_NAMES.values():
        assert names["zh"] and names["en"]
