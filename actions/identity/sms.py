"""Sending a text message: a Twilio-compatible REST API, or a local outbox in development."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bot.pii import mask_pii

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, to: str, body: str) -> None: ...


class SmsNotSent(RuntimeError):
    pass


@dataclass(frozen=True)
class TwilioSms:
    """POST /2010-04-01/Accounts/{sid}/Messages.json, as Twilio and compatible gateways take it."""

    base_url: str
    account_sid: str
    auth_token: str
    sender: str
    timeout_seconds: float = 10.0

    def _session(self) -> requests.Session:
        session = requests.Session()
        # Retried only when the gateway did not take the message (connection errors, 5xx).
        retries = Retry(total=3, backoff_factor=0.2, status_forcelist=(502, 503, 504),
                        allowed_methods=frozenset({"POST"}))
        session.mount("http://", HTTPAdapter(max_retries=retries))
        session.mount("https://", HTTPAdapter(max_retries=retries))
        return session

    def send(self, to: str, body: str) -> None:
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        with self._session() as session:
            try:
                reply = session.post(url, data={"To": to, "From": self.sender, "Body": body},
                                     auth=(self.account_sid, self.auth_token),
                                     timeout=self.timeout_seconds)
            except requests.RequestException as error:
                raise SmsNotSent(type(error).__name__) from error
        if reply.status_code not in (200, 201):
            raise SmsNotSent(f"gateway answered {reply.status_code}")
        logger.info("sms.sent to=%s sid=%s", mask_pii(to), reply.json().get("sid"))


@dataclass(frozen=True)
class OutboxSms:
    """Development only: messages are appended to a file instead of being sent."""

    path: Path

    def send(self, to: str, body: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            outbox.write(json.dumps({"to": to, "body": body}, ensure_ascii=False) + "\n")
        logger.info("sms.outbox to=%s path=%s", mask_pii(to), self.path)


def sms_gateway_from_environment() -> Optional[SmsGateway]:
    """The gateway KEFU_TWILIO_* describe, else the outbox KEFU_SMS_OUTBOX names, else None."""
    sid = os.environ.get("KEFU_TWILIO_ACCOUNT_SID")
    if sid:
        return TwilioSms(
            base_url=os.environ.get("KEFU_TWILIO_BASE_URL", "https://api.twilio.com").rstrip("/"),
            account_sid=sid,
            auth_token=os.environ["KEFU_TWILIO_AUTH_TOKEN"],
            sender=os.environ["KEFU_TWILIO_FROM"],
        )
    outbox = os.environ.get("KEFU_SMS_OUTBOX")
    return OutboxSms(Path(outbox)) if outbox else None
