"""The context a human agent needs when the bot hands a conversation over.

Plain functions over the tracker's event list, so they are tested without a
running action server. Card, ID and phone numbers reach the agent masked.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

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
    # A clicked button arrives as its payload; the agent reads its title, as the customer did.
    titles: Dict[str, str] = {}
    for event in events:
        if event.get("event") == "user" and event.get("text"):
            parse_data = event.get("parse_data") or {}
            lines.append(_line("customer", event, (parse_data.get("intent") or {}).get("name"),
                               parse_data.get("emotion"), titles))
        elif event.get("event") == "bot" and event.get("text"):
            lines.append(_line("bot", event, None, None, {}))
            titles = {str(button.get("payload")): str(button.get("title"))
                      for button in (event.get("data") or {}).get("buttons") or []}
    return lines


def _line(role: str, event: Dict[str, Any], intent: Optional[str],
          emotion: Optional[Dict[str, Any]], titles: Dict[str, str]) -> TranscriptLine:
    said = str(event["text"])
    return TranscriptLine(
        role=role,
        text=mask_pii(titles.get(said, said)),
        timestamp=float(event.get("timestamp") or 0.0),
        intent=intent,
        emotion=emotion,
        channel=event.get("input_channel") if role == "customer" else None,
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
