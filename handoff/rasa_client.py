"""Talking to the customer through Rasa, in the channel they last used.

Agent replies and the service's notices are `bot` events recorded in the tracker and sent
through the customer's own output channel, by kefu's agent bridge channel, which also puts
a texted complaint outcome's question into the phone's conversation. Resuming the bot uses
Rasa's HTTP API (tracker events, then trigger_intent).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from aiohttp import ClientError, ClientSession

logger = logging.getLogger(__name__)

TICKET_RESOLVED_INTENT = "EXTERNAL_ticket_resolved"
HANDOFF_RESOLVED_INTENT = "EXTERNAL_handoff_resolved"


class RasaClient:
    def __init__(self, http: ClientSession, rasa_url: str, token: str,
                 service_token: str = "") -> None:
        self._http = http
        self._url = rasa_url
        self._token = token
        self._service_token = service_token

    async def send_bot_message(self, conversation_id: str, text: str,
                               metadata: Dict[str, Any]) -> bool:
        """Say `text` to the customer as the bank, on their latest channel, through kefu's
        agent bridge channel (bot/channels/agent_bridge.py); True when Rasa took it."""
        try:
            async with self._http.post(
                f"{self._url}/webhooks/agent_bridge/message",
                headers={"Authorization": f"Bearer {self._service_token}"},
                json={"conversation_id": conversation_id, "text": text, "metadata": metadata},
            ) as reply:
                if reply.status == 200:
                    return True
                logger.error("rasa.bridge_failed status=%s", reply.status)
        except (ClientError, TimeoutError, asyncio.TimeoutError) as error:
            logger.error("rasa.bridge_failed error=%s", type(error).__name__)
        return False

    async def ask_about_outcome(self, conversation_id: str, number: str) -> Optional[str]:
        """Leave the customer's running conversation waiting for their verdict on the outcome
        of `number` (bot/channels/agent_bridge.py); what Rasa did (asked, not_running,
        with_an_agent, busy), or None when it could not be asked."""
        try:
            async with self._http.post(
                f"{self._url}/webhooks/agent_bridge/outcome_question",
                headers={"Authorization": f"Bearer {self._service_token}"},
                json={"conversation_id": conversation_id, "ticket_number": number},
            ) as reply:
                if reply.status == 200:
                    return str((await reply.json()).get("question"))
                logger.error("rasa.outcome_question_failed ticket=%s status=%s", number,
                             reply.status)
        # asyncio's own on Python 3.10 (the session's total timeout), not the builtin.
        except (ClientError, TimeoutError, asyncio.TimeoutError) as error:
            logger.error("rasa.outcome_question_failed ticket=%s error=%s", number,
                         type(error).__name__)
        return None

    async def take_over(self, conversation_id: str) -> bool:
        """Pause the bot (if a callback was offered instead it was not paused) and withdraw
        that offer: the agent has the conversation now."""
        return await self._append(conversation_id, [
            {"event": "slot", "name": "handoff_offer", "value": None}, {"event": "pause"}])

    async def pause(self, conversation_id: str) -> bool:
        """Pause the bot in a conversation that has begun (the customer's messages there go
        to the agent); True when it was paused, False when it has not begun or on failure."""
        try:
            async with self._http.post(
                f"{self._url}/webhooks/agent_bridge/pause",
                headers={"Authorization": f"Bearer {self._service_token}"},
                json={"conversation_id": conversation_id},
            ) as reply:
                if reply.status == 200:
                    return bool((await reply.json()).get("paused"))
                logger.error("rasa.pause_failed status=%s", reply.status)
        except (ClientError, TimeoutError, asyncio.TimeoutError) as error:
            logger.error("rasa.pause_failed error=%s", type(error).__name__)
        return False

    async def resume(self, conversation_id: str) -> bool:
        """Un-pause the bot, listening for the customer's next message."""
        # A paused bot never ran action_listen; without it the rules that follow the
        # next intent would not match (they start from a listening bot).
        return await self._append(conversation_id, [
            {"event": "resume"}, {"event": "action", "name": "action_listen"}])

    async def resume_and_trigger(self, conversation_id: str, intent: str) -> bool:
        """Un-pause the bot, then run `intent` as if the customer had said it."""
        if not await self.resume(conversation_id):
            return False
        return await trigger_intent(self._http, self._url, self._token, conversation_id,
                                    intent, {})

    async def _append(self, conversation_id: str, events: List[Dict[str, Any]]) -> bool:
        # include_events=NONE: Rasa would otherwise send the whole tracker back.
        params = {"token": self._token, "output_channel": "latest", "include_events": "NONE"}
        try:
            async with self._http.post(
                f"{self._url}/conversations/{conversation_id}/tracker/events",
                params=params, json=events,
            ) as reply:
                if reply.status == 200:
                    return True
                logger.error("rasa.append_failed status=%s", reply.status)
        except (ClientError, TimeoutError, asyncio.TimeoutError) as error:
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
    except (ClientError, TimeoutError, asyncio.TimeoutError) as error:
        logger.error("rasa.trigger_failed intent=%s error=%s", intent, type(error).__name__)
    return False
