"""The read-back of a complaint and times as customers read them, in zh and en."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from actions.complaint import fields
from actions.identity.profile import mask_email, mask_phone
from actions.tickets.numbers import BANK_TIMEZONE

ZH_CURRENCY_NAMES = {"CNY": "元", "USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元",
                     "GBP": "英镑", "AUD": "澳元", "CAD": "加元", "KRW": "韩元"}


def local_date(iso_date: str, language: str) -> str:
    date = dt.date.fromisoformat(iso_date)
    return f"{date.year}年{date.month}月{date.day}日" if language == "zh" \
        else f"{date.day} {date:%b %Y}"


def _value(slot: str, slots: Mapping[str, Any], language: str) -> str:
    value = str(slots[slot])
    if value == fields.NOT_GIVEN:
        return fields.label(slot, value, language)
    if slot == fields.AMOUNT:
        currency = slots.get(fields.CURRENCY) or "CNY"
        if language == "zh":
            return f"{value} {ZH_CURRENCY_NAMES.get(currency, currency)}"
        return f"{currency} {value}"
    if slot == fields.DATE:
        return local_date(value, language)
    # Masked as the profile's read-back shows a phone or email: enough to recognise it.
    if slot == fields.CONTACT_PHONE:
        return mask_phone(value)
    if slot == fields.CONTACT_EMAIL:
        return mask_email(value)
    return fields.label(slot, value, language)


def complaint_summary(slots: Mapping[str, Any], language: str) -> str:
    """One line per field the customer gave, in the form's order."""
    separator = "：" if language == "zh" else ": "
    lines = []
    for slot in fields.slots_to_fill(slots):
        if slot == fields.CONFIRMED or slots.get(slot) is None:
            continue
        name = fields.FIELD_NAMES[slot][language]
        lines.append(f"{name}{separator}{_value(slot, slots, language)}")
    return "\n".join(lines)


def local_time(moment: dt.datetime, language: str) -> str:
    """Beijing time, as a customer in China reads it."""
    local = moment.astimezone(BANK_TIMEZONE)
    if language == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {local:%b %Y}, {local:%H:%M} (Beijing time)"
