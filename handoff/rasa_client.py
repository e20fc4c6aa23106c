"""Telling a customer something through Rasa, in the channel they last used."""

from __future__ import annotations

import logging
from typing import Any, Dict

from aiohttp import ClientError, ClientSession

logger = logging.getLogger(__name__)

TICKET_RESOLVED_INTENT = "EXTERNAL_ticket_resolved"


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
