"""One handoff per customer across channels: announcing a join, and joining the customer's
other conversations when their handoff begins.

A verified customer's conversations on other channels (channel_identities) join the handoff
quietly: paused, so that the bot does not answer there, but the agent's replies keep going
where the customer is. When the customer then writes on one of them, the relay announces it
(`announce_join`), as action_session_start's join does for a new conversation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import ChannelIdentity, Customer, utc_now
from handoff.conversations import load_record
from handoff.keys import messages_key, redis_key
from handoff.live import SUPERVISORS, agent_audience
from handoff.rasa_client import RasaClient
from handoff.routing.join import JoinHandoff
from handoff.routing.scripts import RoutingScripts
from handoff.state import dispatcher_key, live_key
from handoff.texts import notice

logger = logging.getLogger(__name__)

# Conversations verified this long ago or more recently join; older ones start anew.
LINKED_WITHIN = dt.timedelta(days=90)
MAX_LINKED = 10


def other_conversations(sessions: sessionmaker[Session], customer_number: str,
                        holder: str) -> List[Tuple[str, str]]:
    """(channel, conversation id) of the customer's other verified conversations, newest first."""
    with sessions() as session:
        rows = session.execute(
            select(ChannelIdentity.channel, ChannelIdentity.sender_id)
            .join(Customer, Customer.id == ChannelIdentity.customer_id)
            .where(Customer.customer_number == customer_number,
                   ChannelIdentity.verified_at >= utc_now() - LINKED_WITHIN,
                   ChannelIdentity.sender_id != holder)
            .order_by(ChannelIdentity.verified_at.desc()).limit(MAX_LINKED)
        ).all()
    return [(channel, sender_id) for channel, sender_id in rows]


class JoinOtherConversations:
    def __init__(self, sessions: sessionmaker[Session], scripts: RoutingScripts,
                 rasa: RasaClient) -> None:
        self._sessions, self._scripts, self._rasa = sessions, scripts, rasa

    async def call(self, customer_number: str, holder: str) -> List[str]:
        """Join and pause the customer's other conversations; the ones joined."""
        joined = []
        for channel, sender_id in await asyncio.to_thread(
                other_conversations, self._sessions, customer_number, holder):
            outcome = await JoinHandoff(self._scripts).call(sender_id, customer_number, channel,
                                                           quiet=True)
            if outcome is not None and outcome.holder == holder:
                await self._rasa.pause(sender_id)
                joined.append(sender_id)
        logger.info("handoff.other_channels_joined holder=%s count=%d", holder, len(joined))
        return joined


async def announce_join(app: web.Application, sender_id: str, channel: str, holder: str,
                        said: Optional[Dict[str, Any]] = None) -> None:
    """Tell the customer their agent continues here, and show the agent the switch (and
    what the customer said there, when that is what joined them)."""
    redis = app[redis_key]
    record = await load_record(redis, holder)
    if record is None:
        return
    lines: List[Dict[str, Any]] = [{
        "role": "system", "event": "channel_joined", "channel": channel,
        "timestamp": time.time(), "text": notice("channel_joined", record.language)}]
    if said:
        lines.append({"role": "customer", "text": str(said.get("text", "")), "channel": channel,
                      "timestamp": said.get("timestamp") or time.time(),
                      "intent": said.get("intent"), "emotion": said.get("emotion")})
    audience = [agent_audience(record.agent), SUPERVISORS] if record.agent else [SUPERVISORS]
    for shown in lines:
        await redis.rpush(messages_key(holder), json.dumps(shown, ensure_ascii=False))
        await app[live_key].publish(audience, {
            "type": "message", "conversation_id": holder, "message": shown})
    # In the background: Rasa may still be handling the message that led here, under the
    # conversation's lock, and the notice waits for that lock.
    app[dispatcher_key].send_later(
        sender_id, notice("continued", record.language), {"kefu_notice": "continued"})
    logger.info("handoff.joined conversation=%s channel=%s holder=%s", sender_id, channel,
                holder)
