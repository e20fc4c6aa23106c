"""Delivering a text to a number: never to one that opted out, cut into SMS-sized parts, in
order. Shared by the SMS channel's output (bot/channels/sms.py) and the handoff service's
outcome notices; free of Rasa."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.channels.sms_gateway import E164, UNSUBSCRIBED_RECIPIENT, SmsGateway, SmsNotSent
from bot.channels.sms_segments import encoding_of, split_sms
from bot.pii import mask_pii

logger = logging.getLogger(__name__)

OPTED_OUT_KEY = "kefu:sms:opted_out"
TOO_MANY_REQUESTS = 429


class OptOutList(Protocol):
    async def is_opted_out(self, phone: str) -> bool: ...

    async def opt_out(self, phone: str) -> bool: ...


class OptOuts:
    """Numbers (E.164) that sent STOP, in one Redis set every process reads."""

    def __init__(self, client: Callable[[], aioredis.Redis]) -> None:
        self._client = client

    async def is_opted_out(self, phone: str) -> bool:
        return bool(await self._client().sismember(OPTED_OUT_KEY, phone))

    async def opt_out(self, phone: str) -> bool:
        """Opt the number out; True when it was subscribed until now."""
        return bool(await self._client().sadd(OPTED_OUT_KEY, phone))

    async def opt_in(self, phone: str) -> bool:
        """Opt the number back in; True when it had opted out."""
        return bool(await self._client().srem(OPTED_OUT_KEY, phone))


@dataclass(frozen=True)
class Delivery:
    sent: bool
    # Why not: not_a_phone_number, opted_out, opt_out_unknown, no_gateway, or the gateway's.
    reason: Optional[str] = None
    parts: int = 0
    # Worth trying again later: the gateway unreachable, busy (5xx, 429) or Redis down.
    temporary: bool = False


class SmsDelivery:
    def __init__(self, gateway: Optional[SmsGateway], opt_outs: OptOutList) -> None:
        self._gateway, self._opt_outs = gateway, opt_outs

    @property
    def configured(self) -> bool:
        return self._gateway is not None

    async def deliver(self, to: str, text: str, *, even_if_opted_out: bool = False) -> Delivery:
        """Send the text in SMS-sized parts, in order; sent when every part was taken."""
        masked = mask_pii(to)
        if not E164.fullmatch(to):
            logger.warning("sms.not_sent to=%s reason=not_a_phone_number", masked)
            return Delivery(False, "not_a_phone_number")
        try:
            if not even_if_opted_out and await self._opt_outs.is_opted_out(to):
                logger.info("sms.suppressed to=%s reason=opted_out", masked)
                return Delivery(False, "opted_out")
        except RedisError as error:
            # Unknown consent counts as none: better silent than texting an opted-out number.
            logger.error("sms.not_sent to=%s reason=opt_out_unknown error=%s", masked,
                         type(error).__name__)
            return Delivery(False, "opt_out_unknown", temporary=True)
        if self._gateway is None:
            logger.warning("sms.not_sent to=%s reason=no_gateway", masked)
            return Delivery(False, "no_gateway")
        parts, sids = split_sms(text), []
        for number, part in enumerate(parts, start=1):
            try:
                sids.append(await self._gateway.send(to, part) or "-")
            except SmsNotSent as error:
                logger.error("sms.send_failed to=%s part=%d/%d reason=%s code=%s", masked,
                             number, len(parts), error, error.code)
                if error.code == UNSUBSCRIBED_RECIPIENT:
                    await self._record_opt_out(to)  # the carrier says so: honour it here too
                return Delivery(False, str(error), number - 1, temporary=_temporary(error))
        # The sids also keep the line unique: Rasa's RepeatedLogFilter drops repeated lines.
        logger.info("sms.sent to=%s parts=%d encoding=%s sid=%s", masked, len(parts),
                    encoding_of(text).name, ",".join(sids))
        return Delivery(True, parts=len(parts))

    async def _record_opt_out(self, to: str) -> None:
        try:
            await self._opt_outs.opt_out(to)
        except RedisError as error:
            # The text was refused all the same; the caller gets its answer.
            logger.error("sms.opt_out_not_recorded to=%s error=%s", mask_pii(to),
                         type(error).__name__)


def _temporary(error: SmsNotSent) -> bool:
    """No answer, a server error or "too many requests": the gateway may take it later; any
    other 4xx (a bad number, an unsubscribed recipient) would be refused again."""
    return error.status is None or error.status >= 500 or error.status == TOO_MANY_REQUESTS
