"""The callback-or-wait offer answered in the customer's own words, not by a button."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff_choice
from actions.handoff_answers import typed_choice


@pytest.mark.parametrize("text, choice", [
    ("请回电", "callback"), ("回电吧", "callback"), ("给我打电话吧", "callback"),
    ("不等了，回电吧", "callback"), ("Call me back", "callback"), ("callback please", "callback"),
    ("please call me", "callback"), ("继续等候", "wait"), ("我等着", "wait"), ("等一下吧", "wait"),
    ("我可以排队", "wait"), ("I'll wait", "wait"), ("I can wait", "wait"), ("WAIT", "wait"),
    ("不等了", None), ("我不想等", None), ("I don't want to wait", None), ("can't wait", None),
    ("ok", None), ("好的", None), ("不用了", None), ("waiter", None), ("recall", None),
])
def test_typed_choice_reads_either_button_in_words(text: str, choice: Optional[str]) -> None:
    assert typed_choice(text) == choice


def _run(text: str, intent: str, entities: Optional[list] = None,
         monkeypatch: pytest.MonkeyPatch = None) -> tuple:
    left: List[str] = []

    async def leave(sender_id: str, settings: object) -> None:
        left.append(sender_id)

    monkeypatch.setattr(handoff_choice, "cancel_handoff", leave)
    tracker = Tracker("web-1", {"handoff_offer": "callback", "language": "zh"},
                      {"text": text, "intent": {"name": intent}, "entities": entities or []},
                      [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(handoff_choice.ActionHandoffChoice().run(dispatcher, tracker, {}))
    return [e["event"] for e in events], [m.get("response") for m in dispatcher.messages], left


def test_a_typed_wait_keeps_the_place_and_pauses_the_bot(monkeypatch) -> None:
    events, said, left = _run("继续等候", "cancel", monkeypatch=monkeypatch)
    assert (events, said, left) == (["slot", "pause"], ["utter_handoff_keep_waiting"], [])


def test_a_no_without_either_choice_leaves_the_queue(monkeypatch) -> None:
    events, said, left = _run("不用了", "deny", monkeypatch=monkeypatch)
    assert (events, said, left) == (["slot"], ["utter_handoff_withdrawn"], ["web-1"])


def test_neither_choice_named_asks_again_and_keeps_the_offer(monkeypatch) -> None:
    events, said, left = _run("好的", "affirm", monkeypatch=monkeypatch)
    assert (events, said, left) == ([], ["utter_handoff_choose"], [])


def test_the_wait_button_still_keeps_the_place(monkeypatch) -> None:
    events, said, left = _run('/inform{"choice": "wait"}', "inform",
                              [{"entity": "choice", "value": "wait"}], monkeypatch)
    assert (events, said, left) == (["slot", "pause"], ["utter_handoff_keep_waiting"], [])
