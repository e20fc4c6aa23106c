"""What the agent sees of a message said after the handoff: the customer's (a clicked
button by its title) or the bot's (its buttons' titles as `choices`), shaped like the
handoff transcript's lines (actions/handoff_context.py, TranscriptLine). PII masked."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Mapping, Optional

from bot.pii import mask_pii


def customer_message(entry_id: str, event: Dict[str, Any],
                     offered: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """What the agent sees of a customer's message: a clicked button by its title."""
    parse_data = event.get("parse_data") or {}
    said = str(event.get("text") or "")
    title = (offered or {}).get(said)
    return {
        "id": entry_id,
        "role": "customer",
        "text": mask_pii(title or said),
        "clicked": title is not None,
        "channel": event.get("input_channel") or "unknown",
        "timestamp": float(event.get("timestamp") or time.time()),
        "intent": (parse_data.get("intent") or {}).get("name"),
        "emotion": parse_data.get("emotion"),
    }


def bot_message(entry_id: str, event: Mapping[str, Any], choices: List[str],
                channel: str) -> Dict[str, Any]:
    """What the agent sees of a message the bot (or the service) sent the customer, on
    `channel`: its text and the titles of the buttons it offered (already masked)."""
    return {
        "id": entry_id,
        "role": "bot",
        "text": mask_pii(str(event.get("text") or "")),
        "choices": choices,
        "channel": channel,
        "timestamp": float(event.get("timestamp") or time.time()),
        "intent": None,
        "emotion": None,
    }


def is_agent_reply(event: Mapping[str, Any]) -> bool:
    """An agent's own reply (agent_api.send_message stores and shows it already), not one
    of the service's notices, some of which name the agent too ("agent_joined")."""
    metadata = event.get("metadata") or {}
    return bool(metadata.get("agent_id")) and metadata.get("kefu_notice") is None
