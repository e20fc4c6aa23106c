"""Reading the bilingual responses of bot/domain/, for assertions on replies."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

DOMAIN_DIR = Path(__file__).resolve().parents[1] / "bot" / "domain"


@lru_cache(maxsize=1)
def all_responses() -> Dict[str, List[Dict[str, Any]]]:
    responses: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        responses.update(yaml.safe_load(path.read_text()).get("responses") or {})
    return responses


def variant_language(variant: Dict[str, Any]) -> str | None:
    for condition in variant.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == "language":
            return str(condition.get("value"))
    return None


def other_conditions(variant: Dict[str, Any]) -> Tuple[Tuple[str, str], ...]:
    """The variant's slot conditions besides the language ("complaint_contact": "sms")."""
    return tuple(sorted(
        (str(condition.get("name")), str(condition.get("value")))
        for condition in variant.get("condition") or []
        if condition.get("type") == "slot" and condition.get("name") != "language"))


def response_text(name: str, language: str, slots: Optional[Mapping[str, str]] = None,
                  **values: Any) -> str:
    """The text of response `name` in `language`, with its {placeholders} filled; where its
    variants depend on other slots too, the one these `slots` select."""
    for variant in all_responses()[name]:
        if variant_language(variant) == language and all(
                (slots or {}).get(slot) == value for slot, value in other_conditions(variant)):
            return str(variant["text"]).format(**values)
    raise KeyError(f"{name} has no {language} variant for {slots}")


def as_text_message(name: str, language: str, **values: Any) -> str:
    """Response `name` as a text-only channel (SMS, WeChat) sends it: its text, and its
    buttons as numbered choices."""
    from bot.channels.choices import numbered_choices

    for variant in all_responses()[name]:
        if variant_language(variant) == language:
            buttons = [{"title": button["title"], "payload": button["payload"].format()}
                       for button in variant.get("buttons") or []]
            return numbered_choices(str(variant["text"]).format(**values), buttons)
    raise KeyError(name)
