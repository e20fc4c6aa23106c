"""Talking to the customer through Rasa, in the channel they last used.

Agent replies and the service's notices are `bot` events appended to the tracker with
`output_channel=latest&execute_side_effects=true`: Rasa sends them through the
customer's own output channel and records them in the conversation.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from aiohttp import ClientError, ClientSession

logger = logging.getLogger(__name__)

TICKET_RESOLVED_INTENT = "EXTERNAL_ticket_resolved"
HANDOFF_RESOLVED_INTENT = "EXTERNAL_handoff_resolved"


class RasaClient:
    def __init__(self, http: ClientSession, rasa_url: str, token: str) -> None:
        self._http = http
        self._url = rasa_url
        self._token = token

    async def send_bot_message(self, conversation_id: str, text: str,
                               metadata: Dict[str, Any]) -> bool:
        """Say `text` to the customer as the bank; True when Rasa took it."""
        return await self._append(conversation_id, [
            {"event": "bot", "text": text, "metadata": metadata}], side_effects=True)

    async def resume_and_trigger(self, conversation_id: str, intent: str) -> bool:
        """Un-pause the bot, then run `intent` as if the customer had said it."""
        # A paused bot never ran action_listen; without it the rules that follow the
        # intent would not match (they start from a listening bot).
        back = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        if not await self._append(conversation_id, back, side_effects=False):
            return False
        return await trigger_intent(self._http, self._url, self._token, conversation_id,
                                    intent, {})

    async def _append(self, conversation_id: str, events: List[Dict[str, Any]],
                      *, side_effects: bool) -> bool:
        params = {"token": self._token, "output_channel": "latest"}
        if side_effects:
            params["execute_side_effects"] = "true"
        try:
            async with self._http.post(
                f"{self._url}/conversations/{conversation_id}/tracker/events",
                params=params, json=events,
            ) as reply:
                if reply.status == 200:
                    return True
                logger.error("rasa.append_failed status=%s", reply.status)
        except (ClientError, TimeoutError) as error:
            logger.error("rasa.append_failed error=%s", type(error).__name__)
        return False


async def trigger_intent(
    http: ClientSession,
    rasa_url: str,
    token: str,
    conversation_id: str,
    intent: str,
    entities: Dict[str, Any],
) -> bool:
    """Run `intent` in the conversation as if the customer had said it; True when Rasa did."""
    try:
        async with http.post(
            f"{rasa_url}/conversations/{conversation_id}/trigger_intent",
            params={"output_channel": "latest", "token": token},
            json={"name": intent, "entities": entities},
        ) as reply:
            if reply.status == 200:
                return True
            logger.error("rasa.trigger_failed intent=%s status=%s", intent, reply.status)
    except (ClientError, TimeoutError) as error:
        logger.error("rasa.trigger_failed intent=%s error=%s", intent, type(error).__name__)
    return False
