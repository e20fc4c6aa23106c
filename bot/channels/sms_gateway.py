"""Sending one text message: Twilio's Messages API (or a gateway that speaks it), or a local
outbox in development. Free of Rasa, so that the handoff service texts customers through the
same code as the SMS channel (docs/operations.md, "SMS")."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Protocol

import aiohttp

CHANNEL_NAME = "sms"
E164 = re.compile(r"\+[1-9]\d{6,14}")
# Twilio's error for a recipient who opted out at the carrier or at Twilio itself.
UNSUBSCRIBED_RECIPIENT = 21610


class SmsNotSent(RuntimeError):
    def __init__(self, reason: str, status: Optional[int] = None,
                 code: Optional[int] = None) -> None:
        super().__init__(reason)
        self.status, self.code = status, code


class SmsGateway(Protocol):
    async def send(self, to: str, body: str) -> Optional[str]: ...


@dataclass(frozen=True)
class TwilioGateway:
    """POST {base}/2010-04-01/Accounts/{sid}/Messages.json with basic auth and To/From/Body."""

    base_url: str
    account_sid: str
    auth_token: str
    sender: str
    timeout_seconds: float = 10.0
    retries: int = 2

    async def send(self, to: str, body: str) -> Optional[str]:
        """The new message's sid; SmsNotSent when the gateway did not take it."""
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        form = {"To": to, "From": self.sender, "Body": body}
        timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
        for attempt in range(self.retries + 1):
            try:
                async with aiohttp.ClientSession(timeout=timeout) as http, http.post(
                        url, data=form,
                        auth=aiohttp.BasicAuth(self.account_sid, self.auth_token)) as reply:
                    if reply.status in (200, 201):
                        return str((await reply.json(content_type=None)).get("sid") or "")
                    # Retried only when the gateway did not take the message (502/503/504).
                    if reply.status not in (502, 503, 504) or attempt == self.retries:
                        raise SmsNotSent(f"gateway answered {reply.status}", reply.status,
                                         await _twilio_error_code(reply))
            except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as error:
                if attempt == self.retries:
                    raise SmsNotSent(type(error).__name__) from error
            await asyncio.sleep(0.2 * 2 ** attempt)  # back off before the next attempt
        raise SmsNotSent("no attempt left")


async def _twilio_error_code(reply: aiohttp.ClientResponse) -> Optional[int]:
    try:
        code = (await reply.json(content_type=None)).get("code")
    except (ValueError, aiohttp.ContentTypeError):
        return None
    return int(code) if isinstance(code, int) else None


@dataclass(frozen=True)
class OutboxGateway:
    """Development only (`make run` without KEFU_TWILIO_*): texts are appended to a file."""

    path: Path

    async def send(self, to: str, body: str) -> Optional[str]:
        sid = "OB" + secrets.token_hex(16)  # an id for the log line, as Twilio gives one
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(json.dumps({"to": to, "body": body, "channel": CHANNEL_NAME,
                                     "sid": sid}, ensure_ascii=False) + "\n")
        return sid


@dataclass(frozen=True)
class GatewaySettings:
    """KEFU_TWILIO_* and KEFU_SMS_OUTBOX: where texts go."""

    account_sid: Optional[str] = None
    auth_token: Optional[str] = None
    sender: Optional[str] = None
    base_url: str = "https://api.twilio.com"
    outbox: Optional[str] = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> GatewaySettings:
        return cls(
            account_sid=environ.get("KEFU_TWILIO_ACCOUNT_SID") or None,
            auth_token=environ.get("KEFU_TWILIO_AUTH_TOKEN") or None,
            sender=environ.get("KEFU_TWILIO_FROM") or None,
            base_url=(environ.get("KEFU_TWILIO_BASE_URL") or "https://api.twilio.com").rstrip("/"),
            outbox=environ.get("KEFU_SMS_OUTBOX") or None,
        )

    def gateway(self) -> Optional[SmsGateway]:
        """Twilio when KEFU_TWILIO_* are complete, else the development outbox, else none."""
        if self.account_sid and self.auth_token and self.sender:
            return TwilioGateway(self.base_url, self.account_sid, self.auth_token, self.sender)
        return OutboxGateway(Path(self.outbox)) if self.outbox else None
