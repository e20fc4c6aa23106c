"""What kefu says on WeChat: in the passive reply while the 5 s last, else by the API.

`WeChatOutput` sends through the customer-service API (agents' replies, notices, and bot
messages too late for a passive reply). `TurnOutput` is one message's output: it collects the
bot's messages while the webhook may still answer passively; when the time is up it turns
into a `WeChatOutput` and sends what it holds, then everything after it, in order.

A passive reply holds one message, so the bot's messages are joined into one text (a blank
line between them): the customer reads them in order. Sending the first passively and the
rest through the API could show them out of order (the API may deliver before WeChat shows
the passive reply) and spends the API's quota of messages per follower.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Iterable, List, Optional, Set

from rasa.core.channels.channel import OutputChannel

from bot.channels.choices import ChoiceMemory, choice_payloads, numbered_choices
from bot.channels.wechat_api import WeChatNotSent, WeChatSender, split_text
from bot.channels.wechat_xml import MAX_TEXT_BYTES

logger = logging.getLogger(__name__)

CHANNEL_NAME = "wechat"
# Between the bot's messages when they share one passive reply.
JOINER = "\n\n"


def conversation_id_of(openid: str) -> str:
    """A follower's conversation id: their OpenID under the channel's name, which no caller
    of another channel may choose (bot/channels/sender_ids.py)."""
    return f"{CHANNEL_NAME}:{openid}"


def openid_of(conversation_id: str) -> str:
    return conversation_id.removeprefix(f"{CHANNEL_NAME}:")


def mask_openid(openid: str) -> str:
    """Enough of an OpenID to follow one follower through the log, not to write to them."""
    return f"{openid[:4]}…{openid[-4:]}" if len(openid) > 10 else "…"


def joined(texts: List[str]) -> Optional[str]:
    """The texts as one passive reply, or None when none or too long for one message."""
    text = JOINER.join(part.strip() for part in texts if part.strip())
    if not text or len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        return None
    return text


class WeChatOutput(OutputChannel):
    """Sends through the customer-service API; buttons become numbered choices."""

    def __init__(self, sender: Optional[WeChatSender], choices: Optional[ChoiceMemory]) -> None:
        self._sender, self._choices = sender, choices

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def emit(self, recipient_id: str, text: str) -> bool:
        return await self.deliver(recipient_id, text)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.emit(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        if await self.emit(recipient_id, numbered_choices(text, buttons)) and self._choices:
            await self._choices.remember(openid_of(recipient_id),
                                         choice_payloads(buttons))

    async def send_quick_replies(self, recipient_id: str, text: str,
                                 quick_replies: List[Dict[str, Any]], **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.emit(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self.emit(recipient_id, str(attachment))

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]],
                            **kwargs: Any) -> None:
        for element in elements:
            lines = [str(element.get(key)) for key in ("title", "subtitle") if element.get(key)]
            await self.emit(recipient_id, "\n".join(lines))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any],
                               **kwargs: Any) -> None:
        logger.warning("wechat.not_sent openid=%s reason=custom_payload",
                       mask_openid(openid_of(recipient_id)))

    async def deliver(self, recipient_id: str, text: str) -> bool:
        """Send the text through the API in parts WeChat takes; True when all were taken."""
        openid = openid_of(recipient_id)
        masked = mask_openid(openid)
        if self._sender is None:
            logger.warning("wechat.not_sent openid=%s reason=no_api", masked)
            return False
        parts = split_text(text)
        for number, part in enumerate(parts, start=1):
            try:
                await self._sender.send_text(openid, part)
            except WeChatNotSent as error:
                # 45015: the follower wrote more than 48 h ago; 45047: 20 messages unanswered.
                logger.error("wechat.send_failed openid=%s part=%d/%d reason=%s errcode=%s",
                             masked, number, len(parts), error, error.errcode)
                return False
        logger.info("wechat.sent openid=%s parts=%d", masked, len(parts))
        return True


class TurnOutput(WeChatOutput):
    """One message's replies: collected for the passive reply, or sent when time is up."""

    def __init__(self, sender: Optional[WeChatSender], choices: Optional[ChoiceMemory],
                 openid: str) -> None:
        super().__init__(sender, choices)
        self.openid = openid
        self.collected: List[str] = []
        self.passive = True
        self._pending: List[str] = []
        self._sending = asyncio.Lock()
        self._tasks: Set[asyncio.Task[None]] = set()

    async def emit(self, recipient_id: str, text: str) -> bool:
        if self.passive:
            self.collected.append(text)
            return True
        self._pending.append(text)
        await self._send_pending()
        return True

    def take_passive(self) -> Optional[str]:
        """The passive reply's text; None (and the API from now on) when it cannot be one."""
        text = joined(self.collected)
        if text is None and self.collected:
            self.switch_to_api()
            return None
        self.passive = False
        self.collected = []
        return text

    def switch_to_api(self) -> None:
        """No passive reply any more: what was collected goes by the API, in order."""
        if not self.passive:
            return
        self.passive = False
        self._pending, self.collected = self.collected + self._pending, []
        if self._pending:
            task = asyncio.create_task(self._send_pending())
            self._tasks.add(task)  # a reference, or the loop may drop the task midway
            task.add_done_callback(self._tasks.discard)

    async def _send_pending(self) -> None:
        async with self._sending:
            while self._pending:
                await self.deliver(self.openid, self._pending.pop(0))

    async def drained(self) -> None:
        """Wait until everything handed to the API has been sent (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))
