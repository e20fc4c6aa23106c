"""What the message that opens a complaint already says, so that the form does not ask it again.

The category and what happened come from the words; the amount, the date and the card's last
four digits from the NLU's entities (bot/nlu/entity_extractor.py), each only when the message
names exactly one. Everything kept is shown on the read-back before the ticket is written.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Mapping, Optional, Sequence

from actions.complaint import answers, fields

Entity = Mapping[str, Any]

# A group of a card or phone number written in groups: the "7890" of "6222 0212 3456 7890 元".
_GROUP_BEFORE = re.compile(r"\d[ \-]$")
_GROUP_AFTER = re.compile(r"^[ \-]\d")
_FOUR_DIGITS = re.compile(r"\d{4}")


def opening_slots(text: str, entities: Sequence[Entity], today: dt.date) -> Dict[str, Any]:
    """The complaint form's slots that the opening message fills: `entities` are the message's
    entities as the NLU found them."""
    found: Dict[str, Any] = {}
    category = answers.read_category(text)
    if category and category.value != "other":
        found[fields.CATEGORY] = category.value
        if answers.has_words(text) and _is_detailed(text):
            found[fields.DESCRIPTION] = answers.stored_description(text)
    found.update(details_in(text, entities, today))
    return found


def details_in(text: str, entities: Sequence[Entity], today: dt.date) -> Dict[str, Any]:
    """The amount (and currency), the date and the card's last four digits that `text`
    names, each only when it names exactly one: from the opening message, or from the
    description, which often says them ("上周五乱扣了我一笔50元")."""
    found: Dict[str, Any] = dict(_amount(text, entities))
    date = _one_value(entities, "date")
    if date and _is_past_or_today(date, today):
        found[fields.DATE] = date
    card = _one_value(entities, "card_last_four")
    if card and _FOUR_DIGITS.fullmatch(card):
        found[fields.CARD_LAST_FOUR] = card
    return found


def _of(entities: Sequence[Entity], name: str) -> List[Entity]:
    return [entity for entity in entities if entity.get("entity") == name]


def _one_value(entities: Sequence[Entity], name: str) -> Optional[str]:
    """The value when the message names exactly one (said twice counts once); two different
    ones are left to their question."""
    values = {str(entity.get("value")) for entity in _of(entities, name)}
    return values.pop() if len(values) == 1 else None


def _amount(text: str, entities: Sequence[Entity]) -> Dict[str, str]:
    amounts = _of(entities, "amount")
    value = _one_value(entities, "amount")
    if value is None or any(_inside_longer_number(text, entity) for entity in amounts):
        return {}
    try:
        if not 0 < Decimal(value) < answers.LARGEST_AMOUNT:
            return {}
    except InvalidOperation:
        return {}
    currencies = {str(entity.get("value")) for entity in _of(entities, "currency")}
    if len(currencies) > 1:
        return {}  # "50元" and "$50": which one is the amount is asked
    return {fields.AMOUNT: value, fields.CURRENCY: currencies.pop() if currencies else "CNY"}


def _inside_longer_number(text: str, entity: Entity) -> bool:
    start, end = entity.get("start"), entity.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    return bool(_GROUP_BEFORE.search(text[max(0, start - 2):start])
                or _GROUP_AFTER.match(text[end:end + 2]))


def _is_past_or_today(value: str, today: dt.date) -> bool:
    try:
        return dt.date.fromisoformat(value) <= today
    except ValueError:
        return False


def _is_detailed(text: str) -> bool:
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return han >= 15 or len(text.split()) >= 10
