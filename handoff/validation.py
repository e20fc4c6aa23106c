"""Validation of a handoff request posted by action_handoff."""

from __future__ import annotations

from typing import Any, Dict

SUPPORTED_LANGUAGES = ("zh", "en")
PRIORITIES = ("urgent", "high", "normal")
MAX_ID_CHARS = 128
MAX_TRANSCRIPT_LINES = 500


class InvalidHandoffRequest(ValueError):
    """The request body is not a usable handoff request."""


def validate_handoff_request(payload: Any) -> Dict[str, Any]:
    """Return the request when it is complete; raise InvalidHandoffRequest otherwise."""
    if not isinstance(payload, dict):
        raise InvalidHandoffRequest("body must be a JSON object")
    conversation_id = payload.get("conversation_id")
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise InvalidHandoffRequest("'conversation_id' is required")
    if len(conversation_id) > MAX_ID_CHARS:
        raise InvalidHandoffRequest(f"'conversation_id' exceeds {MAX_ID_CHARS} characters")
    if payload.get("language") not in SUPPORTED_LANGUAGES:
        raise InvalidHandoffRequest(f"'language' must be one of {', '.join(SUPPORTED_LANGUAGES)}")
    for name in ("channel", "reason"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            raise InvalidHandoffRequest(f"'{name}' is required")
    if payload.get("priority", "normal") not in PRIORITIES:
        raise InvalidHandoffRequest(f"'priority' must be one of {', '.join(PRIORITIES)}")
    transcript = payload.get("transcript", [])
    if not isinstance(transcript, list) or len(transcript) > MAX_TRANSCRIPT_LINES:
        raise InvalidHandoffRequest(
            f"'transcript' must be a list of at most {MAX_TRANSCRIPT_LINES} lines"
        )
    return payload


def validate_join_request(payload: Any) -> Dict[str, str]:
    """{"conversation_id", "customer_number", "channel"}: who starts where, proven to be whom."""
    if not isinstance(payload, dict):
        raise InvalidHandoffRequest("body must be a JSON object")
    for name in ("conversation_id", "customer_number", "channel"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidHandoffRequest(f"'{name}' is required")
        if len(value) > MAX_ID_CHARS:
            raise InvalidHandoffRequest(f"'{name}' exceeds {MAX_ID_CHARS} characters")
    return {name: payload[name] for name in ("conversation_id", "customer_number", "channel")}


MAX_RESOLUTION_CHARS = 2000


def validate_resolution(payload: Any) -> Dict[str, str]:
    """{"resolution": what was done, "agent_id": who did it}, both required."""
    if not isinstance(payload, dict):
        raise InvalidHandoffRequest("body must be a JSON object")
    resolution, agent_id = payload.get("resolution"), payload.get("agent_id")
    if not isinstance(resolution, str) or not resolution.strip():
        raise InvalidHandoffRequest("'resolution' is required")
    if len(resolution) > MAX_RESOLUTION_CHARS:
        raise InvalidHandoffRequest(f"'resolution' exceeds {MAX_RESOLUTION_CHARS} characters")
    if not isinstance(agent_id, str) or not agent_id.strip() or len(agent_id) > MAX_ID_CHARS:
        raise InvalidHandoffRequest("'agent_id' is required")
    return {"resolution": resolution.strip(), "agent_id": agent_id.strip()}
