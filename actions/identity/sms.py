"""Sending a one-time code by SMS through the SMS channel's own gateway and delivery
(bot/channels/sms_gateway.py, sms_delivery.py): to the number in E.164, retried as every text
is, through Twilio or, in development, the outbox KEFU_SMS_OUTBOX names."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import AsyncIterator, Dict, Mapping

import redis.asyncio as aioredis

from actions.redis_url import redis_url
from actions.tickets.contact import as_e164
from bot.channels.sms_delivery import Delivery, OptOuts, SmsDelivery
from bot.channels.sms_gateway import GatewaySettings

CODE_MESSAGE: Dict[str, str] = {
    "zh": "【银行】您的验证码为 {code}，5分钟内有效。请勿向任何人透露。",
    "en": "[Bank] Your verification code is {code}, valid for 5 minutes. Never share it.",
}


@asynccontextmanager
async def code_delivery(environ: Mapping[str, str]) -> AsyncIterator[SmsDelivery]:
    """The gateway KEFU_TWILIO_* (else KEFU_SMS_OUTBOX) names, and the SMS opt-outs in Redis."""
    redis = aioredis.Redis.from_url(redis_url(environ))
    try:
        yield SmsDelivery(GatewaySettings.from_environment(environ).gateway(),
                          OptOuts(lambda: redis))
    finally:
        await redis.close()


async def send_code(delivery: SmsDelivery, phone: str, code: str, language: str) -> Delivery:
    """Text the code to the number as stored ("13800138001") or in E.164."""
    text = CODE_MESSAGE.get(language, CODE_MESSAGE["zh"]).format(code=code)
    # Sent even after STOP: the customer has just asked for this code, and STOP is about texts
    # they did not ask for (a carrier's own refusal is still recorded as an opt-out).
    return await delivery.deliver(as_e164(phone) or phone, text, even_if_opted_out=True)
