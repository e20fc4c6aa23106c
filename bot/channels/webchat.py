"""WebChatInput: Rasa's socket.io channel (the rasa-webchat protocol) for kefu's chat page.

Subclasses Rasa's `SocketIOInput` and keeps its name, events and rooms (so agents' replies
reach the page through `get_output_channel()` as before), and adds what a bank needs:

- only the page's own origin, or those in KEFU_WEBCHAT_ORIGINS, may open the socket
  (stock Rasa disables the check altogether);
- a page may resume only a conversation that is already a web conversation; any other
  session id (an SMS customer's phone number, a WeChat openid, an unknown id) gets a new
  one, and messages are taken only for the session the socket was confirmed for;
- after `session_confirm` the page is sent the conversation so far (`session_history`),
  so that a reload or a reconnection shows what was said, agents' replies included;
- each `bot_uttered` carries `metadata.kefu` (who speaks, the handoff status);
- empty, oversized or control-character messages are refused with `kefu_error`;
- the chat page itself: GET /webhooks/web/chat and /webhooks/web/static/*.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, FrozenSet, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.webchat_messages import (
    bot_messages,
    message_problem,
    origin_allowed,
    transcript,
    valid_session_id,
)

logger = logging.getLogger(__name__)

PAGE_DIR = Path(__file__).resolve().parent / "webchat_page"
HISTORY_EVENT = "session_history"
ERROR_EVENT = "kefu_error"


def allowed_origins_from_environment() -> FrozenSet[str]:
    """KEFU_WEBCHAT_ORIGINS: comma-separated origins (scheme://host[:port]) of the bank's
    pages that embed the chat or host a copy of it."""
    raw = os.environ.get("KEFU_WEBCHAT_ORIGINS", "")
    return frozenset(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())


def page_headers(allowed_origins: FrozenSet[str]) -> Dict[str, str]:
    """A strict Content-Security-Policy: the page's own scripts, styles and socket only;
    framed only by itself and the bank's configured origins."""
    ancestors = " ".join(["'self'", *sorted(allowed_origins)])
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
            f"frame-ancestors {ancestors}"),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


class WebChatOutput(SocketIOOutput):
    """Rasa's socket.io output, with kefu's metadata on every text message."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for message in bot_messages(text, None, kwargs):
            await self._send_message(recipient_id, message)

    async def send_text_with_buttons(self, recipient_id: str, text: str,
                                     buttons: List[Dict[str, Any]], **kwargs: Any) -> None:
        for message in bot_messages(text, buttons, kwargs):
            await self._send_message(recipient_id, message)


class WebChatInput(SocketIOInput):
    # Origins besides the page's own that may open the socket and frame the page.
    allowed_origins: FrozenSet[str] = frozenset()

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def url_prefix(self) -> str:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = cls(credentials.get("user_message_evt", "user_uttered"),
                      credentials.get("bot_message_evt", "bot_uttered"),
                      session_persistence=True,
                      socketio_path=credentials.get("socketio_path", "/socket.io"))
        channel.allowed_origins = allowed_origins_from_environment()
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return None
        return WebChatOutput(self.sio, self.bot_message_evt)

    def _origin_check(self, origin: Optional[str], environ: Dict[str, Any]) -> bool:
        allowed = origin_allowed(origin, environ.get("HTTP_HOST", ""), self.allowed_origins)
        if not allowed:
            logger.warning("webchat.origin_refused origin=%s", origin)
        return allowed

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self._origin_check,
                          cors_credentials=False)
        self.sio = sio
        web = SocketBlueprint(sio, self.socketio_path or "/socket.io", "kefu_webchat", __name__)
        headers = page_headers(self.allowed_origins)

        @web.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @web.route("/chat", methods=["GET"])
        async def page(_: Request) -> HTTPResponse:
            return await response.file(PAGE_DIR / "chat.html", headers=headers)

        web.static("/static", str(PAGE_DIR / "static"))

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            app = sio.get_environ(sid)["sanic.request"].app
            tracker = None
            if valid_session_id(asked):
                tracker = await app.ctx.agent.tracker_store.retrieve(asked)
            if tracker is None or tracker.get_latest_input_channel() != self.name():
                if asked:
                    logger.info("webchat.new_session reason=%s",
                                "unknown" if tracker is None else "not_a_web_conversation")
                session_id, tracker = uuid.uuid4().hex, None
            else:
                session_id = asked
            await sio.save_session(sid, {"session_id": session_id})
            sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)
            history = transcript(tracker.events) if tracker is not None else []
            await sio.emit(HISTORY_EVENT, {"session_id": session_id, "messages": history},
                           room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            session_id = (await sio.get_session(sid)).get("session_id")
            data = data if isinstance(data, dict) else {}
            if session_id is None or data.get("session_id") != session_id:
                logger.warning("webchat.message_refused reason=wrong_session")
                await sio.emit(ERROR_EVENT, {"error": "no_session"}, room=sid)
                return
            text = data.get("message")
            problem = message_problem(text)
            if problem is not None:
                logger.warning("webchat.message_refused reason=%s", problem)
                await sio.emit(ERROR_EVENT, {"error": problem}, room=sid)
                return
            # The page's own metadata is not passed on: nothing in a browser is trusted.
            await on_new_message(UserMessage(
                text, WebChatOutput(sio, self.bot_message_evt), session_id,
                input_channel=self.name(),
                # A new session has no message to read its channel from (action_session_start).
                metadata={"input_channel": self.name()}))

        return web
