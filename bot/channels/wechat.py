"""WeChatInput: followers of the bank's WeChat Official Account.

WeChat calls `GET /webhooks/wechat/webhook` once to verify the URL (`echostr`), then posts
each message and event as XML, signed (and, in safe mode, AES-encrypted). WeChat waits 5 s
for an answer and otherwise retries, three times in all: the channel answers passively when
the bot is done in time (KEFU_WECHAT_REPLY_SECONDS, 4 s by default), else with "success",
and the replies follow through the customer-service message API. Retries of one MsgId are
processed once. Texts and voice messages (their `Recognition`) go to the bot; a subscribe
event is greeted; menu clicks become the intents `menu` maps their keys to; anything else
gets a polite answer in the customer's language. A message for the bot is held in Redis from
the webhook's answer until it is handled (bot/channels/inbox.py): if this process dies
meanwhile, another one replays it and replies through the API. Configuration from the
environment only (docs/operations.md, "WeChat").
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.channel_state import ChannelRedis
from bot.channels.choices import ChoiceMemory, chosen_payload
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
from bot.channels.wechat_api import AccessTokens, CustomerServiceApi, OutboxSender, WeChatSender
from bot.channels.wechat_output import (
    CHANNEL_NAME,
    TurnOutput,
    WeChatOutput,
    conversation_id_of,
    mask_openid,
)
from bot.channels.wechat_security import SafeMode, check_signature, valid_aes_key
from bot.channels.wechat_xml import (
    InboundWeChat,
    decode_body,
    encrypted_part,
    inbound_message,
    text_reply_xml,
)

logger = logging.getLogger(__name__)

SUCCESS = "success"
# WeChat retries within 15 s; the answer given is kept a little longer for them.
SEEN_TTL_SECONDS = 3600
REPLY_TTL_SECONDS = 60
SEEN_KEY = "kefu:wechat:seen:{key}"
REPLY_KEY = "kefu:wechat:reply:{key}"
CHOICES_KEY = "kefu:wechat:choices:{customer}"
DEFAULT_REPLY_SECONDS = 4.0
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan"})
WELCOME_PAYLOAD = "/greet"

# The channel's own answers, in the customer's language (the tracker's `language` slot).
POLITE_ANSWERS: Dict[str, Dict[str, str]] = {
    "unsupported": {
        "zh": "抱歉，我目前只能阅读文字和语音消息。请用文字描述您的问题，我们马上为您处理。",
        "en": "Sorry, I can only read text and voice messages for now. "
              "Please type your question and we will help you right away.",
    },
    "empty": {
        "zh": "您好，请直接输入您想咨询的问题。",
        "en": "Hello, please type the question you would like to ask.",
    },
    "menu": {
        "zh": "抱歉，这个菜单项暂时无法使用。请直接输入您的问题。",
        "en": "Sorry, this menu item is not available at the moment. Please type your question.",
    },
}


@dataclass(frozen=True)
class WeChatSettings:
    token: Optional[str]
    app_id: Optional[str]
    app_secret: Optional[str]
    aes_key: Optional[str]
    api_base: str
    redis_url: Optional[str]
    outbox: Optional[str]
    reply_seconds: float = DEFAULT_REPLY_SECONDS
    menu: Mapping[str, str] = field(default_factory=dict)
    # A process that has not said it is alive for this long has its held messages replayed.
    inbox_alive_seconds: int = DEFAULT_ALIVE_SECONDS

    @classmethod
    def from_environment(cls, environ: Mapping[str, str],
                         menu: Optional[Mapping[str, str]] = None) -> WeChatSettings:
        return cls(
            token=environ.get("KEFU_WECHAT_TOKEN") or None,
            app_id=environ.get("KEFU_WECHAT_APP_ID") or None,
            app_secret=environ.get("KEFU_WECHAT_APP_SECRET") or None,
            aes_key=environ.get("KEFU_WECHAT_AES_KEY") or None,
            api_base=(environ.get("KEFU_WECHAT_API_BASE")
                      or "https://api.weixin.qq.com").rstrip("/"),
            redis_url=environ.get("REDIS_URL") or None,
            outbox=environ.get("KEFU_WECHAT_OUTBOX") or None,
            reply_seconds=float(environ.get("KEFU_WECHAT_REPLY_SECONDS")
                                or DEFAULT_REPLY_SECONDS),
            menu=dict(menu or {}),
            inbox_alive_seconds=alive_seconds_from(environ),
        )

    def safe_mode(self) -> Optional[SafeMode]:
        if self.token and self.app_id and self.aes_key and valid_aes_key(self.aes_key):
            return SafeMode(self.token, self.aes_key, self.app_id)
        return None


# --- what a message asks for ----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What to do with a message: give the bot `text`, answer `polite` ourselves, or nothing."""

    text: Optional[str] = None
    polite: Optional[str] = None
    reason: str = ""


def plan_for(inbound: InboundWeChat, menu: Mapping[str, str]) -> Plan:
    if inbound.msg_type in ("text", "voice"):
        if inbound.text and inbound.text.strip():
            return Plan(text=inbound.text)
        # A voice message without Recognition: speech recognition is off for the account.
        return Plan(polite="empty" if inbound.msg_type == "text" else "unsupported",
                    reason=f"empty_{inbound.msg_type}")
    if inbound.msg_type != "event":
        return Plan(polite="unsupported", reason=f"type_{inbound.msg_type[:20]}")
    if inbound.event in SUBSCRIBE_EVENTS:
        return Plan(text=WELCOME_PAYLOAD, reason="subscribe")
    if inbound.event == "click":
        intent = menu.get(inbound.event_key or "")
        if intent:
            return Plan(text=f"/{intent}", reason="menu")
        return Plan(polite="menu", reason="unknown_menu_key")
    # unsubscribe, VIEW (a menu link), LOCATION, TEMPLATESENDJOBFINISH…: nothing to say.
    return Plan(reason=f"event_{(inbound.event or '-')[:20]}")


# --- state in Redis -------------------------------------------------------------------------------


class WeChatState(ChannelRedis):
    """Held messages, seen MsgIds, the passive replies given (for WeChat's retries) and
    numbered choices."""

    def __init__(self, redis_url: str, inbox_alive_seconds: int = DEFAULT_ALIVE_SECONDS) -> None:
        super().__init__(redis_url)
        self.choices = ChoiceMemory(lambda: self.client, CHOICES_KEY)
        self.inbox = Inbox(lambda: self.client, CHANNEL_NAME, alive_seconds=inbox_alive_seconds)

    async def first_delivery(self, key: str) -> bool:
        return bool(await self.client.set(SEEN_KEY.format(key=key), "1", nx=True,
                                          ex=SEEN_TTL_SECONDS))

    async def hold_first_delivery(self, inbound: InboundWeChat) -> bool:
        """first_delivery, and the message is then held until the bot has handled it."""
        return await self.inbox.hold_first_delivery(
            inbound.dedupe_key, asdict(inbound), SEEN_KEY.format(key=inbound.dedupe_key),
            SEEN_TTL_SECONDS)

    async def remember_reply(self, key: str, text: str) -> None:
        await self.client.set(REPLY_KEY.format(key=key), text, ex=REPLY_TTL_SECONDS)

    async def reply_given(self, key: str) -> Optional[str]:
        stored = await self.client.get(REPLY_KEY.format(key=key))
        return stored.decode("utf-8") if stored else None


# --- the channel ----------------------------------------------------------------------------------


class WeChatInput(InputChannel):
    """GET/POST /webhooks/wechat/webhook: WeChat's verification and its signed messages."""

    def __init__(self, settings: WeChatSettings, state: Optional[WeChatState] = None,
                 sender: Optional[WeChatSender] = None) -> None:
        self.settings = settings
        self.state = state or (WeChatState(settings.redis_url, settings.inbox_alive_seconds)
                               if settings.redis_url else None)
        self.sender = sender or self._sender()
        self.output = WeChatOutput(self.sender, self.state.choices if self.state else None)
        self.safe_mode = settings.safe_mode()
        self.queues = SenderQueues()
        self.turns: Dict[str, TurnOutput] = {}  # in flight, by dedupe key
        for missing, why in ((not settings.token, "KEFU_WECHAT_TOKEN"),
                             (self.state is None, "REDIS_URL")):
            if missing:
                logger.warning("wechat.not_configured missing=%s (the webhook answers 503)", why)
        if settings.aes_key and self.safe_mode is None:
            logger.warning("wechat.not_configured missing=KEFU_WECHAT_APP_ID or a valid "
                           "KEFU_WECHAT_AES_KEY (safe-mode messages answer 503)")
        if self.sender is None:
            logger.warning("wechat.not_configured missing=KEFU_WECHAT_APP_ID/APP_SECRET "
                           "(slow replies and agents' replies cannot be sent)")

    def _sender(self) -> Optional[WeChatSender]:
        """The customer-service API when KEFU_WECHAT_APP_* are set, else the outbox, else none."""
        s = self.settings
        if s.app_id and s.app_secret and self.state is not None:
            state = self.state
            return CustomerServiceApi(s.api_base, AccessTokens(
                s.api_base, s.app_id, s.app_secret, lambda: state.client))
        return OutboxSender(Path(s.outbox)) if s.outbox else None

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        # Secrets come from the environment; credentials.yml holds only the menu's keys.
        menu = (credentials or {}).get("menu") or {}
        return cls(WeChatSettings.from_environment(
            os.environ, {str(key): str(intent) for key, intent in menu.items()}))

    def get_output_channel(self) -> Optional[OutputChannel]:
        return self.output

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("kefu_wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return self.verify(request)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        keep_while_serving(webhook, self.inbox_keeper(on_new_message))
        return webhook

    def inbox_keeper(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
                     ) -> Optional[InboxKeeper]:
        """The task that keeps this process alive in the inbox and replays dead ones' messages."""
        if self.state is None:
            return None
        return InboxKeeper(self.state.inbox,
                           lambda held: self._replay(held, on_new_message), _log_dropped)

    def _replay(self, held: HeldMessage,
                on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """A message taken by a process that died before the bot handled it: handled now, and
        answered through the customer-service API (that webhook's answer is long gone)."""
        inbound = InboundWeChat(**held.fields)
        text = plan_for(inbound, self.settings.menu).text
        if text is None:
            raise ValueError("the held message has nothing for the bot (the menu changed?)")
        logger.warning("wechat.replayed openid=%s key=%s replay=%d/%d held_s=%d",
                       mask_openid(inbound.openid), _short(inbound.dedupe_key), held.replays,
                       MAX_REPLAYS, time.time() - held.held_at)
        self.queues.submit(inbound.openid,
                           self._handle_logged(inbound, text, self.output, on_new_message))

    def verify(self, request: Request) -> HTTPResponse:
        """WeChat's URL check: echo `echostr` when the signature is ours."""
        if not self.settings.token:
            return _rejected(503, "the WeChat channel is not configured", b"", None)
        args = request.args
        try:
            check_signature(self.settings.token, args.get("signature"), args.get("timestamp"),
                            args.get("nonce"))
        except WebhookRequestError as error:
            return _rejected(error.status, error.reason, b"", None)
        echostr = args.get("echostr") or ""
        logger.info("wechat.verified")
        return response.text(echostr)

    async def receive(self, request: Request,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        started = time.monotonic()
        body, args = request.body or b"", request.args
        if not self.settings.token or self.state is None:
            return _rejected(503, "the WeChat channel is not configured", body, None)
        inbound: Optional[InboundWeChat] = None
        aes = (args.get("encrypt_type") or "raw").lower()
        try:
            check_signature(self.settings.token, args.get("signature"), args.get("timestamp"),
                            args.get("nonce"))
            text = decode_body(body)
            if aes == "aes":
                if self.safe_mode is None:
                    raise WebhookRequestError(503, "safe mode is not configured")
                text = self.safe_mode.decrypt(encrypted_part(text), args.get("msg_signature"),
                                              args.get("timestamp"), args.get("nonce"))
            elif aes != "raw":
                raise WebhookRequestError(400, "encrypt_type must be raw or aes")
            inbound = inbound_message(text)
        except WebhookRequestError as error:
            return _rejected(error.status, error.reason, body, inbound)
        plan = plan_for(inbound, self.settings.menu)
        try:
            # A message for the bot is held before the answer: WeChat will not send it again.
            first = await (self.state.hold_first_delivery(inbound) if plan.text is not None
                           else self.state.first_delivery(inbound.dedupe_key))
            given = None if first else await self.state.reply_given(inbound.dedupe_key)
        except RedisError as error:
            # Not taken: WeChat's retry gets another chance.
            return _rejected(503, f"Redis unavailable ({type(error).__name__})", body, inbound)
        masked = mask_openid(inbound.openid)
        if not first:
            in_flight = self.turns.get(inbound.dedupe_key)
            if in_flight is not None:
                in_flight.switch_to_api()  # the first delivery's answer may never arrive
            logger.info("wechat.duplicate openid=%s key=%s replayed=%s", masked,
                        _short(inbound.dedupe_key), given is not None)
            return self._answer(request, inbound, given)
        logger.info("wechat.received openid=%s type=%s key=%s reason=%s", masked,
                    inbound.msg_type, _short(inbound.dedupe_key), plan.reason or "-")
        if plan.polite is not None:
            reply = POLITE_ANSWERS[plan.polite][await self._language(request, inbound.openid)]
        elif plan.text is not None:
            reply = await self._bot_turn(inbound, plan.text, started, on_new_message)
        else:
            reply = None
        if reply is not None:
            await self._remember_reply(inbound.dedupe_key, reply)
        logger.info("wechat.answered openid=%s passive=%s ms=%d", masked, reply is not None,
                    (time.monotonic() - started) * 1000)
        return self._answer(request, inbound, reply)

    async def _bot_turn(self, inbound: InboundWeChat, text: str, started: float,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Optional[str]:
        """Hand the text to the bot; its replies if it is done in time, else None."""
        turn = TurnOutput(self.sender, self.state.choices if self.state else None,
                          inbound.openid)
        self.turns[inbound.dedupe_key] = turn
        task = self.queues.submit(inbound.openid,
                                  self._handle_logged(inbound, text, turn, on_new_message))
        task.add_done_callback(lambda _: self.turns.pop(inbound.dedupe_key, None))
        remaining = self.settings.reply_seconds - (time.monotonic() - started)
        await asyncio.wait([task], timeout=max(0.0, remaining))
        if task.done() and turn.passive:
            return turn.take_passive()
        turn.switch_to_api()
        logger.info("wechat.deferred openid=%s after_ms=%d", mask_openid(inbound.openid),
                    (time.monotonic() - started) * 1000)
        return None

    async def _handle_logged(self, inbound: InboundWeChat, text: str, output: WeChatOutput,
                             on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        try:
            if self.state is not None and not text.startswith("/"):
                text = chosen_payload(text, await self.state.choices.take(inbound.openid)) or text
            await on_new_message(UserMessage(
                text, output, conversation_id_of(inbound.openid), input_channel=self.name(),
                message_id=inbound.dedupe_key,
                # input_channel: a new conversation's session start has no message to read.
                metadata={"input_channel": self.name(),
                          "wechat": {"type": inbound.msg_type, "account": inbound.account}}))
        except Exception:
            # The webhook may have answered already; the log is where a failure can be seen.
            logger.exception("wechat.processing_failed openid=%s key=%s",
                             mask_openid(inbound.openid), _short(inbound.dedupe_key))
        # Not reached when cancelled (shutdown): the message stays held and is replayed.
        await self._release(inbound)

    async def _release(self, inbound: InboundWeChat) -> None:
        if self.state is None:
            return
        try:
            await self.state.inbox.release(inbound.dedupe_key)
        except RedisError as error:
            # Still held: replayed (a second time) only if this process dies.
            logger.warning("wechat.not_released openid=%s key=%s error=%s",
                           mask_openid(inbound.openid), _short(inbound.dedupe_key),
                           type(error).__name__)

    async def _remember_reply(self, key: str, reply: str) -> None:
        try:
            if self.state is not None:
                await self.state.remember_reply(key, reply)
        except RedisError as error:
            logger.warning("wechat.reply_not_kept key=%s error=%s", _short(key),
                           type(error).__name__)

    async def _language(self, request: Request, openid: str) -> str:
        """The conversation's `language` slot; Chinese when it cannot be read."""
        try:
            tracker = await request.app.ctx.agent.tracker_store.retrieve(
                conversation_id_of(openid))
        except Exception as error:  # the polite answer must not fail on the tracker store
            logger.warning("wechat.language_unknown error=%s", type(error).__name__)
            return "zh"
        language = tracker.get_slot("language") if tracker is not None else None
        return language if language in ("zh", "en") else "zh"

    def _answer(self, request: Request, inbound: InboundWeChat,
                reply: Optional[str]) -> HTTPResponse:
        if reply is None:
            return response.text(SUCCESS)
        xml = text_reply_xml(inbound, reply, int(time.time()))
        if (request.args.get("encrypt_type") or "").lower() == "aes" and self.safe_mode:
            xml = self.safe_mode.encrypt(xml, request.args.get("nonce") or "")
        return response.text(xml, content_type="application/xml")


def _short(key: str) -> str:
    # Event keys hold the OpenID: only a MsgId is logged whole.
    return key if key.isdigit() else mask_openid(key.split(":", 1)[0]) + ":event"


def _log_dropped(held: HeldMessage) -> None:
    openid = str(held.fields.get("openid") or "")
    logger.error("wechat.dropped openid=%s key=%s replays=%d reason=replayed_too_often",
                 mask_openid(openid), _short(held.message_id), held.replays - 1)


def _rejected(status: int, reason: str, body: bytes,
              inbound: Optional[InboundWeChat]) -> HTTPResponse:
    shown = mask_openid(inbound.openid) if inbound is not None else "-"
    logger.warning("wechat.request_rejected status=%s reason=%s openid=%s body_bytes=%s",
                   status, reason, shown, len(body))
    return response.json({"error": reason}, status=status)
