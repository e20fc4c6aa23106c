"""RedisStreamEventBroker: publishes every tracker event to a Redis stream.

The handoff service reads the stream with a consumer group to relay what a
customer writes while a conversation is paused, so every event carries its
conversation id as a stream field.
"""

from __future__ import annotations

import json
import logging
from asyncio import AbstractEventLoop
from typing import Any, Dict, Optional

import redis
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_STREAM = "kefu:events"
# Approximate trimming keeps XADD O(1); a day of a busy bank fits comfortably.
DEFAULT_MAX_LENGTH = 1_000_000


class RedisStreamEventBroker(EventBroker):
    """Appends each event as `{sender_id, event, body}` to a Redis stream."""

    def __init__(
        self,
        client: redis.Redis[bytes],
        stream: str = DEFAULT_STREAM,
        max_length: int = DEFAULT_MAX_LENGTH,
    ) -> None:
        self.client = client
        self.stream = stream
        self.max_length = max_length

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[AbstractEventLoop] = None,
    ) -> RedisStreamEventBroker:
        client = redis.Redis.from_url(
            broker_config.url,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=3),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        )
        return cls(
            client,
            stream=broker_config.kwargs.get("stream", DEFAULT_STREAM),
            max_length=int(broker_config.kwargs.get("max_length", DEFAULT_MAX_LENGTH)),
        )

    def publish(self, event: Dict[str, Any]) -> None:
        fields = stream_fields(event)
        try:
            self.client.xadd(
                self.stream, fields, maxlen=self.max_length, approximate=True
            )
        except redis.RedisError as error:
            # The tracker store still holds the event; the relay can re-read it.
            logger.error(
                "broker.publish_failed event=%s stream=%s error=%s",
                fields["event"],
                self.stream,
                type(error).__name__,
            )

    def is_ready(self) -> bool:
        try:
            return bool(self.client.ping())
        except redis.RedisError:
            return False

    async def close(self) -> None:
        self.client.close()


def stream_fields(event: Dict[str, Any]) -> Dict[str, str]:
    """The stream entry for one Rasa event dict."""
    return {
        "sender_id": str(event.get("sender_id", "")),
        "event": str(event.get("event", "")),
        "body": json.dumps(event, ensure_ascii=False, separators=(",", ":")),
    }
