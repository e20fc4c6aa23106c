"""A resolved complaint's outcome reaches the customer the way they chose: through the handoff
service's real app and resolve endpoint, a real Redis, SQLite and PostgreSQL, the fake Twilio
on loopback (Twilio's wire format) and a real SMTP server on loopback. Rasa is not running
here, so the customer is never told in their conversation (tests/integration covers that)."""

from __future__ import annotations

import logging

import pytest
import redis.asyncio as aioredis

from actions.store.database import session_factory
from actions.store.models import utc_now
from actions.tickets.open_callback import OpenCallback
from actions.tickets.resolve import ResolveTicket
from bot.channels.sms_delivery import OPTED_OUT_KEY, OptOuts, SmsDelivery
from bot.channels.sms_segments import split_sms
from handoff.app import create_app
from handoff.keys import conversation_key
from handoff.metrics import HandoffMetrics
from handoff.outcome.deliver import DeliverOutcome
from handoff.outcome.notify import NotifyOutcome
from handoff.outcome.outbox import NoticeOutbox
from handoff.outcome.retry import RetryPolicy
from handoff.outcome.smtp import EmailNotSent, SmtpMailer, SmtpSettings
from handoff.outcome.texts import outcome_email, outcome_sms
from handoff.outcome.worker import OutboxWorker
from handoff.routing.clock import now_ms
from handoff.settings import HandoffSettings
from tests.fakes.smtp_server import LoopbackSmtp, self_signed_certificate
from tests.unit.outcome_service import (
    MAIL_FROM,
    TOKEN,
    WANG,
    Service,
    gateway_of,
    service_settings,
    sqlite_database,
)


@pytest.fixture
async def service(aiohttp_client, redis_url, database_url, twilio, relay) -> Service:
    """On SQLite and on PostgreSQL (the database_url fixture)."""
    settings = service_settings(
        redis_url, database_url, sms_gateway=gateway_of(twilio),
        smtp=SmtpSettings(host="127.0.0.1", port=relay.port, sender=MAIL_FROM))
    return Service(await aiohttp_client(create_app(settings)), session_factory(database_url),
                   twilio, relay)


async def test_a_web_customer_who_chose_a_text_is_texted_the_outcome(service, caplog) -> None:
    number = service.complaint(contact_phone="13800138001")
    with caplog.at_level(logging.INFO):
        answer = await service.resolve(number, "已退回多收的年费200元")
    notice = answer["outcome_notice"]
    assert (answer["status"], answer["customer_notified"], answer["call_customer"]) == (
        "resolved", False, False)
    assert (notice["channel"], notice["status"], notice["to"], notice["reason"]) == (
        "sms", "sent", "+86138****8001", None)
    assert service.texts_to(WANG) == split_sms(outcome_sms(number, "已退回多收的年费200元", "zh"))
    assert number in service.texts_to(WANG)[0]
    assert service.ticket(number) == ("resolved", "已退回多收的年费200元")
    # The resolution first, then what the customer was sent, when and where (masked).
    assert service.history(number)[-2:] == [
        ("agent-7", "resolved", "已退回多收的年费200元"),
        ("system", "resolved", "outcome sent by sms to +86138****8001")]
    [audited] = service.audited(number)
    assert audited == {"actor": "system", "channel": "sms", "status": "sent",
                       "to": "+86138****8001", "reason": None}
    assert notice["at"] is not None
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("outcome.")]
    assert logged == [f"outcome.sent ticket={number} channel=sms to=+86138****8001 reason=-"]
    # Rasa is not running: the phone's conversation could not be asked (the text's number
    # still works), and the notice stands.
    assert f"rasa.outcome_question_failed ticket={number} error=ClientConnectorError" in [
        r.getMessage() for r in caplog.records]
    assert service.relay.received == []
    assert service.outbox(number) == [("sent", 1, None)]


async def test_an_english_customer_who_chose_e_mail_is_e_mailed_the_outcome(service) -> None:
    number = service.complaint(language="en", contact_preference="email",
                               contact_email="david.chen@example.com",
                               description="Charged twice for the annual fee")
    answer = await service.resolve(number, "We refunded the second fee of 200 yuan.")
    notice = answer["outcome_notice"]
    assert (notice["channel"], notice["status"], notice["to"]) == (
        "email", "sent", "d***@example.com")
    [mail] = service.relay.received
    assert (mail.mail_from, mail.rcpt_tos) == ("kefu@bank.example", ["david.chen@example.com"])
    assert mail.message["Subject"] == f"Your complaint {number} has been resolved"
    assert mail.message["To"] == "david.chen@example.com"
    assert str(mail.message["From"]) == MAIL_FROM
    body = mail.message.get_content()
    assert "We refunded the second fee of 200 yuan." in body and number in body
    assert service.history(number)[-1] == (
        "system", "resolved", "outcome sent by email to d***@example.com")
    assert service.twilio.messages == []


async def test_a_verified_customer_is_reached_at_the_profile_s_address(service) -> None:
    """Verified customers are not asked for an address on the form: the profile has one."""
    number = service.complaint(contact_preference="email", customer_id=service.customer_id("C0001"))
    answer = await service.resolve(number, "经核实，年费已全额退回。")
    assert answer["outcome_notice"]["to"] == "w***@example.com"
    [mail] = service.relay.received
    assert mail.rcpt_tos == ["wang@example.com"]
    assert mail.message["Subject"] == f"您的投诉（工单号{number}）已处理完毕"
    assert mail.message.get_content_charset() == "utf-8"
    body = mail.message.get_content()
    assert body.startswith("尊敬的王女士：") and "经核实，年费已全额退回。" in body
    # Texted at the profile's number the same way.
    texted = service.complaint(customer_id=service.customer_id("C0001"))
    assert (await service.resolve(texted, "已退回。"))["outcome_notice"]["status"] == "sent"
    assert service.texts_to(WANG) == split_sms(outcome_sms(texted, "已退回。", "zh"))


async def test_a_customer_who_asked_for_a_call_is_called_by_the_agent(service) -> None:
    number = service.complaint(contact_preference="phone", contact_phone="13800138001")
    answer = await service.resolve(number, "已退回年费")
    assert answer["call_customer"] is True
    assert answer["outcome_notice"] | {"at": None} == {
        "channel": "phone", "status": "call_customer", "to": "+86138****8001", "reason": None,
        "at": None}
    assert service.twilio.messages == [] and service.relay.received == []
    assert service.history(number)[-1] == (
        "system", "resolved", "outcome to be given by phone: call +86138****8001")


@pytest.mark.parametrize(("kind", "preference"), [("this_channel", "this_channel"),
                                                  ("callback", "phone")])
async def test_a_reply_here_or_a_callback_request_sends_nothing_more(service, kind,
                                                                      preference) -> None:
    if kind == "callback":  # the call is the outcome: nobody is asked to call again
        number = OpenCallback(service.sessions)(channel="socketio", sender_id="web-2",
                                                language="zh", summary="callback: 转人工",
                                                priority="normal").number
    else:
        number = service.complaint(contact_preference=preference)
    answer = await service.resolve(number, "已回电说明")
    assert (answer["call_customer"], answer["outcome_notice"]) == (False, None)
    assert service.twilio.messages == [] and service.audited(number) == []


async def test_an_sms_customer_told_in_their_conversation_is_not_texted_twice(
        service, redis_client) -> None:
    """With an agent in the SMS conversation the agent tells them there; otherwise (Rasa not
    reachable here) the outcome is texted to the number they wrote from."""
    phone = "+8613700137003"
    with_agent = service.complaint(channel="sms", sender_id=phone, contact_phone="13700137003")
    redis_client.hset(conversation_key(phone), "status", "active")
    answer = await service.resolve(with_agent, "已退回")
    assert answer["with_an_agent"] is True
    assert (answer["outcome_notice"]["status"], answer["outcome_notice"]["reason"]) == (
        "already_told", "told in the SMS conversation")
    assert service.texts_to(phone) == []
    assert service.outbox(with_agent) == [("already_told", 1, "told in the SMS conversation")]

    redis_client.delete(conversation_key(phone))
    not_told = service.complaint(channel="sms", sender_id=phone)  # no number on the ticket
    answer = await service.resolve(not_told, "已退回")
    assert answer["outcome_notice"]["status"] == "sent"
    assert service.texts_to(phone) == split_sms(outcome_sms(not_told, "已退回", "zh"))


@pytest.mark.parametrize(("refusals", "status", "reason", "delivered"), [
    (["550 5.1.1 Mailbox unavailable"], "failed", "relay answered 550", 0),
    # Temporary: retried, and taken at the third attempt.
    (["451 4.3.0 Try again later"] * 2, "sent", None, 1),
    # Still refused after three: the outbox tries again later (test_outcome_outbox.py).
    (["451 4.3.0 Try again later"] * 3, "pending", "relay answered 451", 0),
])
async def test_an_e_mail_the_relay_refuses_is_reported_and_the_resolution_stands(
        service, refusals, status, reason, delivered) -> None:
    number = service.complaint(contact_preference="email", contact_email="li@example.com")
    service.relay.mailbox.refusals = list(refusals)
    answer = await service.resolve(number, "已退回")
    notice = answer["outcome_notice"]
    assert (notice["status"], notice["reason"]) == (status, reason)
    assert notice["to"] == "l***@example.com"
    assert len(service.relay.received) == delivered and service.relay.mailbox.refusals == []
    assert service.ticket(number) == ("resolved", "已退回")
    recorded = [] if status == "pending" else [status]  # the history waits for the result
    assert [row["status"] for row in service.audited(number)] == recorded


async def test_a_text_the_gateway_refuses_is_reported_masked(service, caplog) -> None:
    number = service.complaint(contact_phone="13800138001")
    service.twilio.outage = [400]  # the gateway refuses the number: no retry would help
    with caplog.at_level(logging.INFO):
        answer = await service.resolve(number, "已退回")
    notice = answer["outcome_notice"]
    assert (notice["status"], notice["reason"]) == ("failed", "gateway answered 400")
    assert service.ticket(number) == ("resolved", "已退回") and service.texts_to(WANG) == []
    assert service.history(number)[-1][2] == (
        "outcome not sent by sms to +86138****8001: gateway answered 400")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("outcome.")]
    assert lines == [f"outcome.failed ticket={number} channel=sms to=+86138****8001 "
                     "reason=gateway answered 400"]
    assert all("13800138001" not in r.getMessage() for r in caplog.records)


async def test_a_number_that_sent_stop_is_not_texted(service, redis_client) -> None:
    redis_client.sadd(OPTED_OUT_KEY, WANG)
    number = service.complaint(contact_phone="13800138001")
    notice = (await service.resolve(number, "已退回"))["outcome_notice"]
    assert (notice["status"], notice["reason"]) == ("failed", "opted_out")
    assert service.texts_to(WANG) == []


async def test_without_a_relay_or_a_gateway_nothing_is_sent_and_the_ticket_says_so(
        aiohttp_client, redis_url, tmp_path, caplog) -> None:
    database_url = sqlite_database(tmp_path)
    with caplog.at_level(logging.WARNING):
        client = await aiohttp_client(create_app(service_settings(redis_url, database_url)))
    assert any("outcome.not_configured e-mail: KEFU_SMTP_HOST" in r.getMessage()
               for r in caplog.records)
    unconfigured = Service(client, session_factory(database_url))
    mailed = unconfigured.complaint(contact_preference="email", contact_email="li@example.com")
    texted = unconfigured.complaint(contact_phone="13800138001")
    for number, channel, reason in (
            (mailed, "email", "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)"),
            (texted, "sms", "no SMS gateway (KEFU_TWILIO_*)")):
        notice = (await unconfigured.resolve(number, "已退回"))["outcome_notice"]
        assert (notice["channel"], notice["status"], notice["reason"]) == (
            channel, "not_configured", reason)
        assert unconfigured.history(number)[-1][2].endswith(f": {reason}")
        assert unconfigured.ticket(number) == ("resolved", "已退回")
        assert unconfigured.outbox(number) == [("not_configured", 1, reason)]  # not retried
        # Counted, once: nobody told the customer.
        assert await unconfigured.counted("kefu_handoff_outcome_notices_failed_total"
                                          f'{{channel="{channel}",status="not_configured"}}') == 1


async def test_a_slow_relay_answers_the_agent_pending_and_records_the_result_later(
        redis_url, tmp_path, relay) -> None:
    sessions = session_factory(sqlite_database(tmp_path))
    service = Service(None, sessions)
    number = service.complaint(contact_preference="email", contact_email="li@example.com")
    outbox = NoticeOutbox(sessions, "handoff-1", utc_now)
    ticket = ResolveTicket(sessions, with_resolution=outbox.queue)(number, "已退回", "agent-7")
    redis = aioredis.Redis.from_url(redis_url)
    deliver = DeliverOutcome(SmsDelivery(None, OptOuts(lambda: redis)),
                             SmtpMailer(SmtpSettings(host="127.0.0.1", port=relay.port,
                                                     sender=MAIL_FROM)), MAIL_FROM)
    metrics = HandoffMetrics()
    worker = OutboxWorker(outbox, deliver, sessions, RetryPolicy(), now_ms, metrics)
    sent = "kefu_handoff_outcome_notices_sent_total"
    notify = NotifyOutcome(sessions, outbox, worker, wait_seconds=0.05)
    relay.mailbox.released.clear()  # the relay holds the message until the test lets it go
    notice = await notify.call(ticket, told_in_conversation=False)
    assert notice is not None and (notice.status, notice.to) == ("pending", "l***@example.com")
    assert service.audited(number) == [] and relay.received == []
    assert metrics.registry.get_sample_value(sent, {"channel": "email"}) == 0
    relay.mailbox.released.set()
    await notify.close(timeout=30)
    assert len(relay.received) == 1
    # Counted once the row says sent, not when the agent was answered.
    assert metrics.registry.get_sample_value(sent, {"channel": "email"}) == 1
    assert service.history(number)[-1] == (
        "system", "resolved", "outcome sent by email to l***@example.com")
    assert service.outbox(number) == [("sent", 1, None)]
    await redis.close()


async def test_starttls_and_a_login_reach_a_relay_that_requires_them(tmp_path) -> None:
    certificate = self_signed_certificate(tmp_path)
    message = outcome_email(number="KF-20261128-00001", resolution="已退回", language="zh",
                            sender="kefu@bank.example", to="li@example.com")
    with LoopbackSmtp(tls=certificate, login=("kefu", "s3cret")) as secured:
        settings = SmtpSettings(host="127.0.0.1", port=secured.port, sender="kefu@bank.example",
                                starttls=True, username="kefu", password="s3cret",
                                ca_file=str(certificate[0]))
        await SmtpMailer(settings).send(message)
        assert [mail.rcpt_tos for mail in secured.received] == [["li@example.com"]]
        with pytest.raises(EmailNotSent, match="relay answered 535") as refused:
            await SmtpMailer(SmtpSettings(**{**settings.__dict__, "password": "wrong"})).send(
                message)
        assert refused.value.temporary is False
        with pytest.raises(EmailNotSent, match="relay answered 530"):  # STARTTLS required
            await SmtpMailer(SmtpSettings(host="127.0.0.1", port=secured.port,
                                          sender="kefu@bank.example")).send(message)
        with pytest.raises(EmailNotSent, match="SSLCertVerificationError"):  # not trusted
            await SmtpMailer(SmtpSettings(**{**settings.__dict__, "ca_file": None})).send(
                message)
        assert len(secured.received) == 1


def test_smtp_settings_come_from_the_environment_and_never_send_a_password_in_clear() -> None:
    settings = SmtpSettings.from_environment({
        "KEFU_SMTP_HOST": "smtp.bank.example", "KEFU_SMTP_FROM": "kefu@bank.example",
        "KEFU_SMTP_STARTTLS": "true", "KEFU_SMTP_USERNAME": "kefu",
        "KEFU_SMTP_PASSWORD": "s3cret"})
    assert (settings.host, settings.port, settings.starttls, settings.configured) == (
        "smtp.bank.example", 587, True, True)
    settings.check()
    plain = SmtpSettings.from_environment({"KEFU_SMTP_HOST": "relay", "KEFU_SMTP_PORT": "2525"})
    assert (plain.port, plain.starttls, plain.configured) == (2525, False, False)  # no From
    with pytest.raises(ValueError, match="KEFU_SMTP_STARTTLS=true"):
        SmtpSettings(host="relay", sender="a@b.example", username="u", password="p").check()
    with pytest.raises(ValueError, match="KEFU_SMTP_PORT"):
        SmtpSettings.from_environment({"KEFU_SMTP_PORT": "smtp"})
    with pytest.raises(ValueError, match="KEFU_SMTP_STARTTLS=true"):
        create_app(HandoffSettings(redis_url="redis://127.0.0.1:1", service_token=TOKEN,
                                   smtp=SmtpSettings(host="relay", sender="a@b.example",
                                                     username="u", password="p")))
