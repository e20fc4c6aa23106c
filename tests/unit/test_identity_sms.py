"""One-time codes by SMS: through the SMS channel's gateway and delivery, to the number in
E.164, on a real Redis (opt-outs) with the fake Twilio on loopback or the development outbox."""

from __future__ import annotations

import json
from typing import List, Optional, Tuple

import redis.asyncio as aioredis

from actions.identity.sms import CODE_MESSAGE, code_delivery, send_code
from bot.channels.sms_delivery import OptOuts, SmsDelivery
from bot.channels.sms_gateway import UNSUBSCRIBED_RECIPIENT, SmsNotSent
from stack.processes import free_port

STORED = "13800138001"  # as customers.phone and the profile form hold a mainland mobile
E164 = "+8613800138001"


class CarrierRefusal:
    """A gateway that answers as Twilio does for a number that opted out at the carrier."""

    def __init__(self) -> None:
        self.tried: List[Tuple[str, str]] = []

    async def send(self, to: str, body: str) -> Optional[str]:
        self.tried.append((to, body))
        raise SmsNotSent("gateway answered 400", 400, UNSUBSCRIBED_RECIPIENT)


async def test_a_code_goes_to_the_number_in_e164_and_is_retried(twilio, redis_url) -> None:
    twilio.outage = [503]  # the gateway did not take it: tried again, as every text is
    async with code_delivery({**twilio.environment(), "REDIS_URL": redis_url}) as delivery:
        sent = await send_code(delivery, STORED, "123456", "zh")
    assert sent.sent and twilio.outage == []
    [message] = twilio.messages
    assert (message.to, message.sender, message.body) == (
        E164, twilio.sender, CODE_MESSAGE["zh"].format(code="123456"))


async def test_a_number_that_sent_stop_still_gets_the_code_it_asked_for(
        twilio, redis_url) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    opt_outs = OptOuts(lambda: redis)
    await opt_outs.opt_out(E164)
    async with code_delivery({**twilio.environment(), "REDIS_URL": redis_url}) as delivery:
        assert (await send_code(delivery, STORED, "654321", "en")).sent
        # Other texts stay suppressed: the code does not opt the number back in.
        assert (await delivery.deliver(E164, "Our new savings rates")).reason == "opted_out"
    assert [m.body for m in twilio.sent_to(E164)] == [CODE_MESSAGE["en"].format(code="654321")]
    assert await opt_outs.is_opted_out(E164)
    await redis.close()


async def test_without_twilio_the_code_goes_to_the_outbox(tmp_path, redis_url) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    async with code_delivery({"KEFU_SMS_OUTBOX": str(outbox), "REDIS_URL": redis_url}) as delivery:
        assert (await send_code(delivery, STORED, "123456", "zh")).sent
    line = json.loads(outbox.read_text(encoding="utf-8"))
    assert (line["to"], line["body"]) == (E164, CODE_MESSAGE["zh"].format(code="123456"))


async def test_without_a_gateway_nothing_is_configured(redis_url) -> None:
    async with code_delivery({"REDIS_URL": redis_url}) as delivery:
        assert not delivery.configured


async def test_a_carrier_s_refusal_is_recorded_as_an_opt_out(redis_url) -> None:
    redis = aioredis.Redis.from_url(redis_url)
    gateway = CarrierRefusal()
    sent = await send_code(SmsDelivery(gateway, OptOuts(lambda: redis)), STORED, "123456", "zh")
    assert (sent.sent, sent.reason) == (False, "gateway answered 400")
    assert gateway.tried[0][0] == E164
    assert await OptOuts(lambda: redis).is_opted_out(E164)
    await redis.close()


async def test_a_refusal_is_answered_even_when_redis_cannot_record_it(caplog) -> None:
    unreachable = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    delivery = SmsDelivery(CarrierRefusal(), OptOuts(lambda: unreachable))
    sent = await send_code(delivery, STORED, "123456", "zh")
    assert (sent.sent, sent.reason) == (False, "gateway answered 400")
    [line] = [r.getMessage() for r in caplog.records if "sms.opt_out_not_recorded" in r.message]
    assert "+86138****8001" in line and E164 not in line
    await unreachable.close()
