"""SmsInput: customers who write by text message, through Twilio or a gateway that speaks its API.

Twilio posts each incoming text to `POST /webhooks/sms/webhook` as a signed form. The channel
checks the signature, answers at once with empty TwiML, and hands the text to the bot in the
background; the bot's replies (and agents' replies and ticket notices, through
`get_output_channel`) go out through the Messages API, split into SMS-sized parts. Twilio's
retries of one MessageSid are processed once, STOP/START/HELP follow the carriers' rules, and
buttons become numbered choices answered with "1", "2"… A text is held in Redis from the
webhook's answer until it is handled (bot/channels/inbox.py): if this process dies meanwhile,
another one replays it. Configuration comes from the environment only (docs/operations.md,
"SMS").
"""

from __future__ import annotations

import logging
import os
import re
import time
import unicodedata
from dataclasses import asdict, dataclass
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
)
from urllib.parse import parse_qsl

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.channel_state import ChannelRedis
from bot.channels.choices import ChoiceMemory, choice_payloads, chosen_payload, numbered_choices
from bot.channels.inbox import (
    DEFAULT_ALIVE_SECONDS,
    MAX_REPLAYS,
    HeldMessage,
    Inbox,
    InboxKeeper,
    alive_seconds_from,
    keep_while_serving,
)
from bot.channels.rest import WebhookRequestError
from bot.channels.sender_queues import SenderQueues
from bot.channels.sms_delivery import OptOuts, SmsDelivery
from bot.channels.sms_gateway import (
    CHANNEL_NAME,
    E164,
    GatewaySettings,
    SmsGateway,
)
from bot.pii import mask_pii

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# Twilio's own limit for a message body; anything longer did not come from a handset.
MAX_MESSAGE_CHARS = 1600
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
MESSAGE_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")

# Twilio retries a webhook for minutes at most; a day is ample and bounds the keys kept.
SEEN_TTL_SECONDS = 24 * 3600
SEEN_KEY = "kefu:sms:seen:{sid}"
CHOICES_KEY = "kefu:sms:choices:{customer}"

# Whole-message keywords, as carriers and Twilio match them (case-insensitive, one word).
STOP_WORDS = {"stop": "en", "stopall": "en", "unsubscribe": "en", "cancel": "en", "end": "en",
              "quit": "en", "optout": "en", "revoke": "en", "td": "zh", "退订": "zh"}
START_WORDS = {"start": "en", "unstop": "en", "yes": "en", "订阅": "zh", "开始": "zh"}
HELP_WORDS = {"help": "en", "info": "en", "帮助": "zh"}

OPTED_OUT_TEXT = {
    "zh": "您已退订，本号码不会再向您发送短信。回复“订阅”可恢复。",
    "en": "You have unsubscribed and will get no more messages from this number. "
          "Reply START to resubscribe.",
}
OPTED_IN_TEXT = {
    "zh": "您已重新订阅，可以继续与我们对话。回复“退订”可停止接收。",
    "en": "You have resubscribed and can chat with us again. Reply STOP to unsubscribe.",
}
# One message per language: each fits a single SMS (UCS-2 and GSM-7), where one bilingual
# text would be cut in the middle of a sentence.
HELP_TEXTS = ("银行客服：直接回复即可与我们对话。回复“退订”停止接收短信，回复“订阅”恢复。",
              "Bank customer service: reply to chat with us. Reply STOP to unsubscribe, "
              "START to resubscribe.")


# --- the request ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundSms:
    sender: str  # E.164, the conversation's sender id
    text: str
    message_sid: str
    to: str


def read_form(body: bytes, content_type: str) -> Dict[str, str]:
    """The fields of a webhook body; WebhookRequestError when it is not a usable form."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRequestError(413, f"request body exceeds {MAX_BODY_BYTES} bytes")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != FORM_CONTENT_TYPE:
        raise WebhookRequestError(415, f"Content-Type must be {FORM_CONTENT_TYPE}")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body),
                          errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise WebhookRequestError(400, "request body is not UTF-8 form data") from None
    fields: Dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise WebhookRequestError(400, f"field {name!r} is repeated")
        fields[name] = value
    return fields


def check_signature(validator: RequestValidator, url: str, fields: Mapping[str, str],
                    signature: Optional[str]) -> None:
    """Twilio's HMAC-SHA1 over the webhook URL and the sorted fields, keyed by the auth token."""
    if not signature:
        raise WebhookRequestError(403, "X-Twilio-Signature is missing")
    if not validator.validate(url, dict(fields), signature):
        raise WebhookRequestError(403, "X-Twilio-Signature does not match")


def inbound_message(fields: Mapping[str, str]) -> InboundSms:
    sender, text, sid = fields.get("From"), fields.get("Body"), fields.get("MessageSid")
    if not sender:
        raise WebhookRequestError(400, "'From' is required")
    if not E164.fullmatch(sender):
        raise WebhookRequestError(400, "'From' must be an E.164 phone number")
    if text is None:
        raise WebhookRequestError(400, "'Body' is required")
    if len(text) > MAX_MESSAGE_CHARS:
        raise WebhookRequestError(413, f"'Body' exceeds {MAX_MESSAGE_CHARS} characters")
    if not sid or not MESSAGE_SID.fullmatch(sid):
        raise WebhookRequestError(400, "'MessageSid' is required")
    return InboundSms(sender=sender, text=text, message_sid=sid, to=fields.get("To", ""))


# --- keywords and numbered choices --------------------------------------------------------------


@dataclass(frozen=True)
class Keyword:
    kind: str  # "stop", "start" or "help"
    language: str


def keyword_of(text: str) -> Optional[Keyword]:
    """STOP/START/HELP and their Chinese words, when they are the whole message."""
    word = unicodedata.normalize("NFKC", text).strip().strip(".!。！").casefold()
    for kind, words in (("stop", STOP_WORDS), ("start", START_WORDS), ("help", HELP_WORDS)):
        if word in words:
            return Keyword(kind, words[word])
    return None


# --- state in Redis -----------------------------------------------------------------------------


class SmsState(ChannelRedis):
    """Held texts, seen MessageSids, opted-out numbers and each number's last choices."""

    def __init__(self, redis_url: str, inbox_alive_seconds: int = DEFAULT_ALIVE_SECONDS) -> None:
        super().__init__(redis_url)
        self._choices = ChoiceMemory(lambda: self.client, CHOICES_KEY)
        self._opt_outs = OptOuts(lambda: self.client)
        self.inbox = Inbox(lambda: self.client, CHANNEL_NAME, alive_seconds=inbox_alive_seconds)

    async def hold_first_delivery(self, inbound: InboundSms) -> bool:
        """True the first time a MessageSid is seen (SET NX), and the text is then held until
        it is handled; False for Twilio's retries."""
        return await self.inbox.hold_first_delivery(
            inbound.message_sid, asdict(inbound), SEEN_KEY.format(sid=inbound.message_sid),
            SEEN_TTL_SECONDS)

    async def is_opted_out(self, phone: str) -> bool:
        return await self._opt_outs.is_opted_out(phone)

    async def opt_out(self, phone: str) -> bool:
        """Opt the number out; True when it was subscribed until now."""
        return await self._opt_outs.opt_out(phone)

    async def opt_in(self, phone: str) -> bool:
        """Opt the number back in; True when it had opted out."""
        return await self._opt_outs.opt_in(phone)

    async def remember_choices(self, phone: str, payloads: List[str]) -> None:
        await self._choices.remember(phone, payloads)

    async def take_choices(self, phone: str) -> List[str]:
        """The number's last choices, forgotten as they are read: they answer one reply."""
        return await self._choices.take(phone)


# --- settings -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsSettings:
    account_sid: Optional[str]
    auth_token: Optional[str]
    sender: Optional[str]
    base_url: str
    # The public URL Twilio calls (and signs); behind a proxy it is not the one Sanic sees.
    webhook_url: Optional[str]
    redis_url: Optional[str]
    outbox: Optional[str]
    # A process that has not said it is alive for this long has its held texts replayed.
    inbox_alive_seconds: int = DEFAULT_ALIVE_SECONDS

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SmsSettings:
        gateway = GatewaySettings.from_environment(environ)
        return cls(
            account_sid=gateway.account_sid,
            auth_token=gateway.auth_token,
            sender=gateway.sender,
            base_url=gateway.base_url,
            webhook_url=environ.get("KEFU_SMS_WEBHOOK_URL") or None,
            redis_url=environ.get("REDIS_URL") or None,
            outbox=gateway.outbox,
            inbox_alive_seconds=alive_seconds_from(environ),
        )

    def gateway(self) -> Optional[SmsGateway]:
        """Twilio when KEFU_TWILIO_* are complete, else the development outbox, else none."""
        return GatewaySettings(self.account_sid, self.auth_token, self.sender, self.base_url,
                               self.outbox).gateway()


# --- output -------------------------------------------------------------------------------------


class SmsOutput(OutputChannel):
    """Sends the bot's, agents' and notices' messages by SMS; nothing to opted-out numbers."""

    def __init__(self, gateway: Optional[SmsGateway], state: SmsState) -> None:
        self._state = state
        self._delivery = SmsDelivery(gateway, state)

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.deliver(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        if await self.deliver(recipient_id, numbered_choices(text, buttons)):
            await self._state.remember_choices(recipient_id,
                                               choice_payloads(buttons))

    async def send_quick_replies(self, recipient_id: str, text: str,
                                 quick_replies: List[Dict[str, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.deliver(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self.deliver(recipient_id, str(attachment))

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]],
                            **kwargs: Any) -> None:
        for element in elements:
            lines = [str(element.get(key)) for key in ("title", "subtitle") if element.get(key)]
            await self.deliver(recipient_id, "\n".join(lines))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any],
                               **kwargs: Any) -> None:
        logger.warning("sms.not_sent to=%s reason=custom_payload", mask_pii(recipient_id))

    async def deliver(self, to: str, text: str, *, even_if_opted_out: bool = False) -> bool:
        """Send the text in SMS-sized parts, in order; True when every part was taken."""
        delivery = await self._delivery.deliver(to, text, even_if_opted_out=even_if_opted_out)
        return delivery.sent


# --- input --------------------------------------------------------------------------------------


class SmsInput(InputChannel):
    """POST /webhooks/sms/webhook: Twilio's signed form for each text a customer sends."""

    def __init__(self, settings: SmsSettings, state: Optional[SmsState] = None,
                 gateway: Optional[SmsGateway] = None) -> None:
        self.settings = settings
        self.state = state or (SmsState(settings.redis_url, settings.inbox_alive_seconds)
                               if settings.redis_url else None)
        self.output = (SmsOutput(gateway or settings.gateway(), self.state)
                       if self.state is not None else None)
        self.queues = SenderQueues()
        self._validator = RequestValidator(settings.auth_token or "")
        for missing, why in ((not settings.auth_token, "KEFU_TWILIO_AUTH_TOKEN"),
                             (self.state is None, "REDIS_URL")):
            if missing:
                logger.warning("sms.not_configured missing=%s (the webhook answers 503)", why)
        if settings.auth_token and not settings.webhook_url:
            logger.warning("sms.webhook_url_unset (signatures are checked against the URL "
                           "the server sees; set KEFU_SMS_WEBHOOK_URL behind a proxy)")

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        # Secrets never live in credentials.yml: everything comes from the environment.
        return cls(SmsSettings.from_environment(os.environ))

    def get_output_channel(self) -> Optional[OutputChannel]:
        return self.output

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("kefu_sms_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        keep_while_serving(webhook, self.inbox_keeper(on_new_message))
        return webhook

    def inbox_keeper(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                     ) -> Optional[InboxKeeper]:
        """The task that keeps this process alive in the inbox and replays dead ones' texts."""
        if self.state is None:
            return None
        return InboxKeeper(self.state.inbox,
                           lambda held: self._replay(held, on_new_message), _log_dropped)

    def _replay(self, held: HeldMessage,
                on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """A text taken by a process that died before handling it, handled as if just taken
        (its MessageSid is already seen: it does not go through the webhook again)."""
        inbound = InboundSms(**held.fields)
        logger.warning("sms.replayed from=%s sid=%s replay=%d/%d held_s=%d",
                       mask_pii(inbound.sender), inbound.message_sid, held.replays, MAX_REPLAYS,
                       time.time() - held.held_at)
        self.queues.submit(inbound.sender, self._handle_logged(inbound, on_new_message))

    async def receive(self, request: Request,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        body = request.body or b""
        if not self.settings.auth_token or self.state is None:
            return _rejected(503, "the SMS channel is not configured", body, None)
        fields: Dict[str, str] = {}
        try:
            fields = read_form(body, request.headers.get("Content-Type", ""))
            check_signature(self._validator, self.settings.webhook_url or request.url, fields,
                            request.headers.get("X-Twilio-Signature"))
            inbound = inbound_message(fields)
        except WebhookRequestError as error:
            return _rejected(error.status, error.reason, body, fields)
        try:
            # Held before the answer: Twilio will not send it again once told it was received.
            first = await self.state.hold_first_delivery(inbound)
        except RedisError as error:
            # Not taken: Twilio's retry (or its fallback URL) gets another chance.
            return _rejected(503, f"Redis unavailable ({type(error).__name__})", body, fields)
        if not first:
            logger.info("sms.duplicate from=%s sid=%s", mask_pii(inbound.sender),
                        inbound.message_sid)
            return _twiml()
        logger.info("sms.received from=%s sid=%s chars=%d", mask_pii(inbound.sender),
                    inbound.message_sid, len(inbound.text))
        self.queues.submit(inbound.sender, self._handle_logged(inbound, on_new_message))
        return _twiml()

    async def _handle_logged(self, inbound: InboundSms,
                             on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        try:
            await self.handle(inbound, on_new_message)
        except Exception:
            # The webhook has answered already; the log is where a failure can be seen.
            logger.exception("sms.processing_failed from=%s sid=%s",
                             mask_pii(inbound.sender), inbound.message_sid)
        # Not reached when cancelled (shutdown): the text stays held and is replayed.
        await self._release(inbound)

    async def _release(self, inbound: InboundSms) -> None:
        if self.state is None:
            return
        try:
            await self.state.inbox.release(inbound.message_sid)
        except RedisError as error:
            # Still held: replayed (a second time) only if this process dies.
            logger.warning("sms.not_released from=%s sid=%s error=%s", mask_pii(inbound.sender),
                           inbound.message_sid, type(error).__name__)

    async def handle(self, inbound: InboundSms,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Keywords are the channel's business; everything else goes to the bot."""
        if self.state is None or self.output is None:
            raise RuntimeError("the SMS channel has no Redis (REDIS_URL)")
        phone, keyword = inbound.sender, keyword_of(inbound.text)
        if keyword is not None and keyword.kind == "stop":
            if await self.state.opt_out(phone):
                logger.info("sms.opted_out from=%s", mask_pii(phone))
                # The one message an opted-out number still gets: the confirmation.
                await self.output.deliver(phone, OPTED_OUT_TEXT[keyword.language],
                                          even_if_opted_out=True)
            return
        if keyword is not None and keyword.kind == "help":
            # Carriers require HELP to be answered whatever the number's opt-in state.
            for text in HELP_TEXTS:
                await self.output.deliver(phone, text, even_if_opted_out=True)
            return
        if keyword is not None and keyword.kind == "start" and await self.state.opt_in(phone):
            logger.info("sms.opted_in from=%s", mask_pii(phone))
            await self.output.deliver(phone, OPTED_IN_TEXT[keyword.language])
            return
        if not inbound.text.strip():
            logger.info("sms.ignored from=%s sid=%s reason=empty_body", mask_pii(phone),
                        inbound.message_sid)
            return
        text = chosen_payload(inbound.text, await self.state.take_choices(phone)) or inbound.text
        await on_new_message(UserMessage(
            text, self.output, phone, input_channel=self.name(),
            message_id=inbound.message_sid,
            # input_channel: a new conversation's session start has no message to read it from.
            metadata={"input_channel": self.name(), "sms": {"to": inbound.to}}))


def _log_dropped(held: HeldMessage) -> None:
    sender = str(held.fields.get("sender", ""))
    logger.error("sms.dropped from=%s sid=%s replays=%d reason=replayed_too_often",
                 mask_pii(sender) if E164.fullmatch(sender) else "-", held.message_id,
                 held.replays - 1)


def _twiml() -> HTTPResponse:
    return response.text(EMPTY_TWIML, content_type="text/xml")


def _rejected(status: int, reason: str, body: bytes,
              fields: Optional[Mapping[str, str]]) -> HTTPResponse:
    sender = (fields or {}).get("From") or ""
    # Only a well-formed number is logged (masked): the field is the caller's to choose.
    shown = mask_pii(sender) if E164.fullmatch(sender) else "-"
    logger.warning("sms.request_rejected status=%s reason=%s from=%s body_bytes=%s", status,
                   reason, shown, len(body))
    return response.json({"error": reason}, status=status)
