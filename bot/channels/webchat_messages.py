"""What the web chat page is sent: bot messages with kefu's metadata, and the transcript.

Pure functions of Rasa's message fields and tracker events, so that they can be tested
without a socket. The page shows who speaks (the bot, an agent by name, the service) and
the handoff status (with the bot, waiting in the queue at place N, with an agent) from the
`metadata.kefu` object of each `bot_uttered` event.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, Iterable, List, Mapping, Optional
from urllib.parse import urlsplit

from rasa.shared.core.constants import EXTERNAL_MESSAGE_PREFIX
from rasa.shared.core.events import BotUttered, Event, UserUttered

# The page limits the text box to this; the channel refuses longer messages.
MAX_MESSAGE_CHARS = 1000
# Earlier messages sent back to a page that reconnects (the newest ones).
MAX_HISTORY_MESSAGES = 200
MAX_AGENT_NAME_CHARS = 40
# Ids the channel accepts from a page: its own uuid4 hex ids, or what older clients sent.
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")

# Responses after which the customer waits for an agent (bot/domain/handoff.yml).
WAITING_RESPONSES = frozenset({
    "utter_handoff_queued", "utter_handoff_queued_no_estimate", "utter_handoff_keep_waiting",
    "utter_handoff_no_agents", "utter_handoff_closed", "utter_queue_status_offer",
    "utter_queue_status_offer_estimate"})
# The handoff service's notices (handoff/texts.py) that leave the customer waiting.
WAITING_NOTICES = frozenset({"queue_position", "queue_position_unknown", "agent_coming",
                             "agent_left", "transferred", "reassigned"})


def kefu_metadata(fields: Mapping[str, Any]) -> Dict[str, Any]:
    """Who speaks and the handoff status, from a bot message's metadata (agent bridge
    notices and replies, or Rasa's `utter_action` and response variables)."""
    notice = fields.get("kefu_notice")
    name = fields.get("agent_name")
    if notice == "agent_joined" or (notice is None and fields.get("agent_id")):
        said: Dict[str, Any] = {"from": "agent", "handoff": "agent"}
        if isinstance(name, str) and name.strip():
            said["agent_name"] = name.strip()[:MAX_AGENT_NAME_CHARS]
        return said
    if notice in WAITING_NOTICES:
        return _waiting("service", fields.get("position"))
    if fields.get("utter_action") in WAITING_RESPONSES:
        return _waiting("bot", fields.get("queue_position"))
    return {"from": "bot", "handoff": "bot"}


def _waiting(speaker: str, position: Any) -> Dict[str, Any]:
    said: Dict[str, Any] = {"from": speaker, "handoff": "waiting"}
    if isinstance(position, int) and not isinstance(position, bool) and position > 0:
        said["position"] = position
    return said


def bot_messages(text: Optional[str], buttons: Optional[List[Dict[str, Any]]],
                 fields: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """The `bot_uttered` payloads of one bot message, as Rasa's socket.io channel splits
    them (one per paragraph, the buttons on the last), each with kefu's metadata."""
    metadata = {"kefu": kefu_metadata(fields)}
    parts = [part for part in (text or "").strip().split("\n\n") if part] or [""]
    messages: List[Dict[str, Any]] = [{"text": part, "metadata": metadata} for part in parts]
    if buttons:
        messages[-1]["quick_replies"] = [
            {"content_type": "text", "title": str(button.get("title", "")),
             "payload": str(button.get("payload", ""))} for button in buttons]
    return [message for message in messages if message["text"] or "quick_replies" in message]


def transcript(events: Iterable[Event]) -> List[Dict[str, Any]]:
    """The conversation as the page shows it: the customer's messages (a button's title
    rather than its payload) and the bot's and agents' messages, each with its own
    buttons, the newest last."""
    lines: List[Dict[str, Any]] = []
    # The buttons of the bot's latest turn (all its messages since the customer last wrote),
    # title by payload: a click answers any of them, not only the last message's.
    offered: Dict[str, str] = {}
    bot_turn = False
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text or ""
            if not text.strip() or text.startswith(EXTERNAL_MESSAGE_PREFIX):
                continue
            lines.append({"from": "customer", "text": offered.get(text, text)})
            offered, bot_turn = {}, False
        elif isinstance(event, BotUttered):
            buttons = event.data.get("buttons") or event.data.get("quick_replies") or []
            lines.extend({"from": "bot", "message": message} for message in bot_messages(
                event.text, buttons, event.metadata or {}))
            titles = _titles(buttons)
            offered = {**offered, **titles} if bot_turn else titles
            bot_turn = True
    return lines[-MAX_HISTORY_MESSAGES:]


def _titles(buttons: Iterable[Any]) -> Dict[str, str]:
    """A bot message's buttons, title by payload (a click sends the payload as its text)."""
    return {str(button["payload"]): str(button.get("title") or button["payload"])
            for button in buttons if isinstance(button, dict) and button.get("payload")}


def valid_session_id(session_id: Any) -> bool:
    return isinstance(session_id, str) and SESSION_ID.fullmatch(session_id) is not None


def message_problem(text: Any) -> Optional[str]:
    """Why a customer's message cannot be taken, or None."""
    if not isinstance(text, str) or not text.strip():
        return "empty"
    if len(text) > MAX_MESSAGE_CHARS:
        return "too_long"
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in text):
        return "control_characters"
    return None


def origin_allowed(origin: Optional[str], host: str, allowed: Iterable[str]) -> bool:
    """A browser's Origin is the page's own host (the page served by this channel) or one
    the bank configured (KEFU_WEBCHAT_ORIGINS); clients without an Origin are not browsers."""
    if not origin:
        return True
    if origin in allowed:
        return True
    return bool(host) and urlsplit(origin).netloc == host
