"""The context a human agent needs when the bot hands a conversation over.

Plain functions over the tracker's event list, so they are tested without a
running action server. Card, ID and phone numbers reach the agent masked.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, TypedDict

from typing_extensions import NotRequired

from bot.pii import mask_pii

# Why the bot hands over; the handoff service routes and prioritises on it.
REASON_CUSTOMER_REQUEST = "customer_request"
REASON_BOT_REQUEST = "bot_request"
SUMMARY_MAX_CHARS = 280


class TranscriptLine(TypedDict):
    role: str  # "customer" or "bot"
    text: str
    timestamp: float
    intent: Optional[str]
    # The customer's emotion in this message ({name, confidence}); None for the bot's lines.
    emotion: Optional[Dict[str, Any]]
    # The channel the customer wrote on (None for the bot's lines): the console's badge.
    channel: Optional[str]
    # A bot line: the titles of the buttons it offered, as the customer saw them.
    choices: NotRequired[List[str]]
    # A customer line: True when it is a button they clicked (its title in `text`).
    clicked: NotRequired[bool]


class HandoffContext(TypedDict):
    conversation_id: str
    channel: str
    language: str
    reason: str
    priority: str  # "urgent" (fraud, stolen card), "high" or "normal"
    summary: str
    transcript: List[TranscriptLine]
    intents: List[str]
    entities: List[Dict[str, Any]]
    emotion_trajectory: List[Dict[str, Any]]
    # Filled in by action_handoff: the verified customer (masked) and their open tickets.
    customer: NotRequired[Optional[Dict[str, Any]]]
    open_tickets: NotRequired[List[Dict[str, Any]]]


def transcript_from_events(events: List[Dict[str, Any]]) -> List[TranscriptLine]:
    """Customer and bot messages in order, from a tracker's events."""
    lines: List[TranscriptLine] = []
    # The buttons of the bot's latest turn (all its messages since the customer last wrote),
    # by payload: still clickable until the bot speaks again after the customer.
    offered: Dict[str, str] = {}
    bot_turn = False
    for event in events:
        if event.get("event") == "user" and event.get("text"):
            lines.append(_customer_line(event, offered))
            bot_turn = False
        elif event.get("event") == "bot" and event.get("text"):
            titles = button_titles(event)
            offered = {**offered, **titles} if bot_turn else titles
            bot_turn = True
            lines.append(_bot_line(event, list(titles.values())))
    return lines


def button_titles(bot_event: Mapping[str, Any]) -> Dict[str, str]:
    """A bot message's buttons, title by payload (a click sends the payload as its text)."""
    data = bot_event.get("data") or {}
    buttons = data.get("buttons") or data.get("quick_replies") or []
    return {str(button["payload"]): mask_pii(str(button.get("title") or button["payload"]))
            for button in buttons if isinstance(button, dict) and button.get("payload")}


def _customer_line(event: Dict[str, Any], offered: Dict[str, str]) -> TranscriptLine:
    parse_data = event.get("parse_data") or {}
    said = str(event["text"])
    return TranscriptLine(
        role="customer",
        text=offered.get(said) or mask_pii(said),
        timestamp=float(event.get("timestamp") or 0.0),
        intent=(parse_data.get("intent") or {}).get("name"),
        emotion=parse_data.get("emotion"),
        channel=event.get("input_channel"),
        clicked=said in offered,
    )


def _bot_line(event: Dict[str, Any], choices: List[str]) -> TranscriptLine:
    return TranscriptLine(
        role="bot",
        text=mask_pii(str(event["text"])),
        timestamp=float(event.get("timestamp") or 0.0),
        intent=None,
        emotion=None,
        channel=None,
        choices=choices,
    )


def emotion_trajectory(transcript: List[TranscriptLine]) -> List[Dict[str, Any]]:
    """Each customer message's emotion in order, with when it was said."""
    return [{"timestamp": line["timestamp"], **line["emotion"]}
            for line in transcript if line["role"] == "customer" and line["emotion"]]


def intents_in_order(transcript: List[TranscriptLine]) -> List[str]:
    return [line["intent"] for line in transcript if line["intent"]]


def summarise(transcript: List[TranscriptLine], reason: str) -> str:
    """One line an agent reads first: what the customer said last (the console shows the
    reason beside it in the agent's language; the reason's code only when nothing was said)."""
    said = [line["text"] for line in transcript if line["role"] == "customer"]
    return (" / ".join(said[-3:]) or reason)[:SUMMARY_MAX_CHARS]


def build_handoff_context(
    *,
    conversation_id: str,
    channel: str,
    language: str,
    reason: str,
    events: List[Dict[str, Any]],
    priority: str = "normal",
    entities: List[Dict[str, Any]],
) -> HandoffContext:
    transcript = transcript_from_events(events)
    return HandoffContext(
        conversation_id=conversation_id,
        channel=channel,
        language=language,
        reason=reason,
        priority=priority,
        summary=summarise(transcript, reason),
        transcript=transcript,
        intents=intents_in_order(transcript),
        entities=entities,
        emotion_trajectory=emotion_trajectory(transcript),
    )
