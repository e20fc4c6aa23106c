"""Buttons as numbered choices, for channels that carry only text (SMS, WeChat).

A bot message with buttons is sent as its text followed by "1. …", "2. …"; the payloads are
remembered in Redis per customer, and the customer's next text, when it is one of the numbers
("2", "２", "2."), is given to the bot as that button's payload. Buttons whose titles already
are numbered 1…n ("5 非常满意" … "1 非常不满意") are sent as they are and answered by those
numbers: a customer who texts "5" for "5 非常满意" must not get the fifth button.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Callable, List, Mapping, Optional, Sequence

import redis.asyncio as aioredis

# Numbered choices answer the last buttons of the day; older ones are forgotten.
CHOICES_TTL_SECONDS = 24 * 3600


_TITLE_NUMBER = re.compile(r"\s*(\d{1,2})(?!\d)")


def title_numbers(buttons: Sequence[Mapping[str, Any]]) -> Optional[List[int]]:
    """The numbers the titles start with, when they number the buttons 1…n themselves."""
    found = [_TITLE_NUMBER.match(str(button.get("title", ""))) for button in buttons]
    numbers = [int(match.group(1)) for match in found if match]
    if len(numbers) != len(buttons) or sorted(numbers) != list(range(1, len(buttons) + 1)):
        return None
    return numbers


def numbered_choices(text: Optional[str], buttons: Sequence[Mapping[str, Any]]) -> str:
    if title_numbers(buttons):
        lines = [str(button.get("title", "")) for button in buttons]
    else:
        lines = [f"{number}. {button.get('title', '')}" for number, button in
                 enumerate(buttons, start=1)]
    return "\n".join([text, *lines] if text else lines)


def button_payload(button: Mapping[str, Any]) -> str:
    return str(button.get("payload") or button.get("title") or "")


def choice_payloads(buttons: Sequence[Mapping[str, Any]]) -> List[str]:
    """The payloads to remember, in the order of the numbers the customer will answer with."""
    numbers = title_numbers(buttons)
    if not numbers:
        return [button_payload(button) for button in buttons]
    by_number = dict(zip(numbers, buttons, strict=True))
    return [button_payload(by_number[number]) for number in sorted(by_number)]


def chosen_payload(text: str, payloads: Sequence[str]) -> Optional[str]:
    """The payload a reply such as "2" (or "２", "2.") picks from the last choices, if any."""
    answer = unicodedata.normalize("NFKC", text).strip().rstrip(".。")
    if re.fullmatch(r"\d{1,2}", answer, re.ASCII) and 1 <= int(answer) <= len(payloads):
        return payloads[int(answer) - 1]
    return None


class ChoiceMemory:
    """Each customer's last choices in Redis, under `key_template.format(customer=…)`."""

    def __init__(self, client: Callable[[], aioredis.Redis], key_template: str) -> None:
        self._client, self._key_template = client, key_template

    def _key(self, customer: str) -> str:
        return self._key_template.format(customer=customer)

    async def remember(self, customer: str, payloads: List[str]) -> None:
        await self._client().set(self._key(customer), json.dumps(payloads),
                                 ex=CHOICES_TTL_SECONDS)

    async def take(self, customer: str) -> List[str]:
        """The customer's last choices, forgotten as they are read: they answer one reply."""
        key = self._key(customer)
        async with self._client().pipeline(transaction=True) as pipe:
            stored, _ = await pipe.get(key).delete(key).execute()
        return list(json.loads(stored)) if stored else []
