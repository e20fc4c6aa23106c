"""A fake Twilio on loopback, both ways, in Twilio's wire format.

Outbound: the Messages API (the real URL, basic auth, form fields, JSON reply and error
bodies); every accepted message is recorded. Inbound: a customer's text posted to a webhook
as Twilio posts it, a form with Twilio's fields signed with `X-Twilio-Signature` (computed
here from Twilio's documented algorithm, not with the twilio library kefu validates with).
Runs its own event loop in a thread, so synchronous tests and other processes (the action
server) can use it alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

import requests
from aiohttp import BasicAuth, web

from tests.fakes.loopback import LoopbackServer


@dataclass(frozen=True)
class SentMessage:
    to: str
    sender: str
    body: str
    sid: str


# Twilio's error code and message for each status an outage test asks for.
OUTAGE_ERRORS: Dict[int, Tuple[int, str]] = {
    400: (21211, "The 'To' number is not a valid phone number."),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


def _twilio_error(status: int, code: int, message: str) -> web.Response:
    # Twilio's error body: https://www.twilio.com/docs/usage/twilios-response
    return web.json_response({"code": code, "message": message, "more_info":
                              f"https://www.twilio.com/docs/errors/{code}", "status": status},
                             status=status)


class FakeTwilio(LoopbackServer):
    thread_name = "fake-twilio"

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "test-token",
                 sender: str = "+15005550006") -> None:
        self.account_sid, self.auth_token, self.sender = account_sid, auth_token, sender
        super().__init__()
        self.messages: List[SentMessage] = []
        # Statuses the Messages API answers next, before accepting again (outage and refusal
        # tests).
        self.outage: List[int] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {"KEFU_TWILIO_BASE_URL": self.base_url, "KEFU_TWILIO_ACCOUNT_SID": self.account_sid,
                "KEFU_TWILIO_AUTH_TOKEN": self.auth_token, "KEFU_TWILIO_FROM": self.sender}

    def sent_to(self, phone: str) -> List[SentMessage]:
        with self._lock:
            return [message for message in self.messages if message.to == phone]

    def wait_for(self, phone: str, count: int, timeout: float = 30.0) -> List[SentMessage]:
        """The messages sent to `phone` once there are at least `count` (or TimeoutError)."""
        with self._arrived:
            if not self._arrived.wait_for(
                    lambda: len([m for m in self.messages if m.to == phone]) >= count, timeout):
                sent = [m.body for m in self.messages if m.to == phone]
                raise TimeoutError(f"{len(sent)} of {count} messages to {phone}: {sent}")
            return [message for message in self.messages if message.to == phone]

    # --- inbound: Twilio calling a webhook ---------------------------------------------------

    def signature(self, url: str, fields: Mapping[str, str]) -> str:
        """X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token, of the URL followed
        by each field's name and value in name order (twilio.com/docs/usage/webhooks)."""
        payload = url + "".join(name + fields[name] for name in sorted(fields))
        digest = hmac.new(self.auth_token.encode(), payload.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def incoming_fields(self, sender: str, body: str, to: Optional[str] = None,
                        message_sid: Optional[str] = None) -> Dict[str, str]:
        """The form Twilio posts for an incoming SMS."""
        sid = message_sid or "SM" + secrets.token_hex(16)
        return {
            "ToCountry": "CN", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0",
            "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
            "FromCity": "", "Body": body, "FromCountry": "CN", "To": to or self.sender,
            "ToZip": "", "NumSegments": "1", "MessageSid": sid, "AccountSid": self.account_sid,
            "From": sender, "ApiVersion": "2010-04-01",
        }

    def post_webhook(self, url: str, fields: Mapping[str, str], *, signed_url: Optional[str] = None,
                     signature: Optional[str] = None) -> requests.Response:
        """POST the form to `url`, signed for `signed_url` (the public URL Twilio knows the
        webhook by, when a proxy forwards to `url`) unless a `signature` is given."""
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                   "User-Agent": "TwilioProxy/1.1",
                   "X-Twilio-Signature": signature if signature is not None
                   else self.signature(signed_url or url, fields)}
        return requests.post(url, data=dict(fields), headers=headers, timeout=30)

    async def _create_message(self, request: web.Request) -> web.Response:
        with self._lock:
            failure = self.outage.pop(0) if self.outage else None
        if failure is not None:
            return _twilio_error(failure, *OUTAGE_ERRORS.get(failure, OUTAGE_ERRORS[503]))
        if request.match_info["sid"] != self.account_sid:
            return _twilio_error(404, 20404, "The requested resource was not found")
        try:
            auth = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            auth = None
        if auth is None or (auth.login, auth.password) != (self.account_sid, self.auth_token):
            return _twilio_error(401, 20003, "Authenticate")
        form = await request.post()
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        if not to:
            return _twilio_error(400, 21604, "A 'To' phone number is required.")
        if not body:
            return _twilio_error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return _twilio_error(400, 21617,
                                 "The concatenated message body exceeds the 1600 character limit.")
        message = SentMessage(to=to, sender=str(form.get("From", "")), body=body,
                              sid="SM" + secrets.token_hex(16))
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return web.json_response({
            "sid": message.sid, "account_sid": self.account_sid, "to": to,
            "from": message.sender, "body": body, "status": "queued", "num_segments": "1",
            "direction": "outbound-api", "api_version": "2010-04-01", "error_code": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}.json",
        }, status=201)

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create_message)
        return app

    def __enter__(self) -> FakeTwilio:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
