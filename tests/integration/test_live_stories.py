"""Test stories (Rasa's YAML) replayed through the real servers, for what `rasa test` cannot
replay: escalations that depend on the emotion the NLU reads, and what a form really does with
a message (tests/stories_live/). Each turn's actions are checked, and a `slot_was_set` step's
slots must hold those values once the turn is over (`requested_slot`: the question asked)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

LIVE_STORIES = Path(__file__).resolve().parents[1] / "stories_live"
IGNORED_ACTIONS = {"action_listen", "action_session_start"}


def _stories() -> List[Dict[str, Any]]:
    stories: List[Dict[str, Any]] = []
    for path in sorted(LIVE_STORIES.glob("*.yml")):
        stories.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["stories"])
    return stories


def _actions_since(events: List[Dict[str, Any]], count: int) -> List[str]:
    """Actions the bot ran after the `count`-th user message, up to the next one."""
    seen, actions = 0, []
    for event in events:
        if event["event"] == "user":
            seen += 1
        elif event["event"] == "action" and seen == count \
                and event["name"] not in IGNORED_ACTIONS:
            actions.append(event["name"])
    return actions


def _slots_after_each_turn(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The slots set so far, as they stand at the end of each customer message's turn."""
    slots: Dict[str, Any] = {}
    after: List[Dict[str, Any]] = []
    for event in events:
        if event["event"] == "user":
            if after:
                after[-1] = dict(slots)
            after.append({})
        elif event["event"] == "slot":
            slots[event["name"]] = event["value"]
    if after:
        after[-1] = dict(slots)
    return after


@pytest.mark.parametrize("story", _stories(), ids=lambda story: story["story"])
def test_live_story(stack, story: Dict[str, Any]) -> None:
    sender = f"live-{uuid.uuid4().hex[:8]}"
    expected: List[List[str]] = []
    expected_slots: List[Dict[str, Any]] = []
    for step in story["steps"]:
        if "user" in step:
            stack.say(sender, step["user"].strip())
            expected.append([])
            expected_slots.append({})
        elif "action" in step:
            expected[-1].append(step["action"])
        elif "slot_was_set" in step:
            for slot in step["slot_was_set"]:
                expected_slots[-1].update(slot)
    events = stack.tracker_via_api(sender)["events"]
    ran = [_actions_since(events, turn) for turn in range(1, len(expected) + 1)]
    assert ran == expected
    held = _slots_after_each_turn(events)
    assert [{name: slots.get(name) for name in wanted} for slots, wanted in
            zip(held, expected_slots, strict=True)] == expected_slots
