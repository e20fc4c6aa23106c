"""Sending to a WeChat follower outside a passive reply: the customer-service message API.

`POST {base}/cgi-bin/message/custom/send?access_token=…` with `{"touser", "msgtype": "text",
"text": {"content"}}`; the access token comes from `GET {base}/cgi-bin/token` and is kept in
Redis until shortly before it expires, so that every Rasa process shares one (a new token
retires the old one within minutes). A token WeChat calls invalid or expired (40001, 40014,
42001) is fetched anew and the message sent once more.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Protocol

import aiohttp
import redis.asyncio as aioredis

from bot.channels.wechat_xml import MAX_TEXT_BYTES

logger = logging.getLogger(__name__)

TOKEN_KEY = "kefu:wechat:access_token:{app_id}"
# Refreshed five minutes early, so no request goes out with a token about to expire.
TOKEN_MARGIN_SECONDS = 300
BAD_TOKEN_CODES = frozenset({40001, 40014, 42001})
SYSTEM_BUSY = -1


class WeChatNotSent(RuntimeError):
    def __init__(self, reason: str, errcode: Optional[int] = None) -> None:
        super().__init__(reason)
        self.errcode = errcode


class WeChatSender(Protocol):
    async def send_text(self, openid: str, content: str) -> None: ...


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> List[str]:
    """The text in parts of at most `max_bytes` UTF-8 bytes, cut after a line when possible."""
    parts: List[str] = []
    rest = text.strip()
    while len(rest.encode("utf-8")) > max_bytes:
        cut = len(rest.encode("utf-8")[:max_bytes].decode("utf-8", "ignore"))
        line_end = rest.rfind("\n", 0, cut)
        cut = line_end + 1 if line_end > cut // 2 else cut
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [*parts, rest] if rest else parts


async def _json(reply: aiohttp.ClientResponse) -> Dict[str, Any]:
    try:
        body = await reply.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        raise WeChatNotSent(f"WeChat answered {reply.status} without JSON") from None
    if not isinstance(body, dict):
        raise WeChatNotSent(f"WeChat answered {reply.status} with {type(body).__name__}")
    return body


def _text(stored: Any) -> Optional[str]:
    return stored.decode() if isinstance(stored, bytes) else stored


@dataclass
class AccessTokens:
    base_url: str
    app_id: str
    app_secret: str
    redis: Callable[[], aioredis.Redis]

    @property
    def key(self) -> str:
        return TOKEN_KEY.format(app_id=self.app_id)

    async def get(self, http: aiohttp.ClientSession) -> str:
        cached = _text(await self.redis().get(self.key))
        return cached or await self.refresh(http)

    async def refresh(self, http: aiohttp.ClientSession) -> str:
        params = {"grant_type": "client_credential", "appid": self.app_id,
                  "secret": self.app_secret}
        async with http.get(f"{self.base_url}/cgi-bin/token", params=params) as reply:
            body = await _json(reply)
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise WeChatNotSent(f"no access token: {body.get('errmsg')}", body.get("errcode"))
        seconds = int(expires_in) if isinstance(expires_in, int) else 7200
        await self.redis().set(self.key, token,
                               ex=max(60, seconds - TOKEN_MARGIN_SECONDS))
        logger.info("wechat.token_refreshed expires_in=%s", seconds)
        return token

    async def forget(self, token: str) -> None:
        if _text(await self.redis().get(self.key)) == token:
            await self.redis().delete(self.key)


@dataclass
class CustomerServiceApi:
    """WeChat's customer-service message API (or anything that speaks it)."""

    base_url: str
    tokens: AccessTokens
    timeout_seconds: float = 10.0

    async def send_text(self, openid: str, content: str) -> None:
        # ensure_ascii=False: WeChat shows \\uXXXX escapes as they are, not as characters.
        payload = json.dumps({"touser": openid, "msgtype": "text", "text": {"content": content}},
                             ensure_ascii=False).encode("utf-8")
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            for attempt in range(3):
                try:
                    token = await self.tokens.get(http)
                    async with http.post(f"{self.base_url}/cgi-bin/message/custom/send",
                                         params={"access_token": token}, data=payload,
                                         headers={"Content-Type": "application/json"}) as reply:
                        body = await _json(reply)
                except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as error:
                    if attempt == 2:
                        raise WeChatNotSent(type(error).__name__) from error
                    continue
                errcode = body.get("errcode", 0)
                if errcode == 0:
                    return
                if errcode in BAD_TOKEN_CODES and attempt < 2:
                    await self.tokens.forget(token)
                    continue
                if errcode == SYSTEM_BUSY and attempt < 2:
                    await asyncio.sleep(0.2 * 2 ** attempt)  # back off before the next attempt
                    continue
                raise WeChatNotSent(str(body.get("errmsg", "refused")), errcode)
        raise WeChatNotSent("no attempt left")


@dataclass(frozen=True)
class OutboxSender:
    """Development only (`make run` without KEFU_WECHAT_APP_ID): messages go to a file."""

    path: Path

    async def send_text(self, openid: str, content: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(json.dumps({"touser": openid, "content": content, "channel": "wechat",
                                     "id": secrets.token_hex(8)}, ensure_ascii=False) + "\n")
