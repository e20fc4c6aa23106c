"""Play an SMS customer against a running kefu: `make chat CHANNEL=sms` (development).

Each line typed is posted to kefu's SMS webhook as Twilio posts an incoming text: a form with
Twilio's fields, signed with `X-Twilio-Signature` under the auth token (KEFU_TWILIO_AUTH_TOKEN
from the environment or var/secrets.env). kefu answers by SMS asynchronously; without an SMS
gateway (`make run` without KEFU_TWILIO_ACCOUNT_SID) its texts go to the development outbox,
var/sms-outbox.jsonl, which this tool follows and prints: the bot's replies, agents' replies,
ticket notices, and one-time codes sent to the number.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import requests
from twilio.request_validator import RequestValidator

from stack.settings import SECRETS_FILE, VAR_DIR, read_env_file
from tools.outbox import OutboxFollower

DEFAULT_OUTBOX = VAR_DIR / "sms-outbox.jsonl"


def incoming_fields(sender: str, body: str, to: str, account_sid: str) -> Dict[str, str]:
    sid = "SM" + secrets.token_hex(16)
    return {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": account_sid,
            "From": sender, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01"}


def outbox_lines_for(phone: str) -> Callable[[Dict[str, Any]], Optional[str]]:
    """The outbox lines addressed to the phone (E.164): kefu's texts, one-time codes too."""

    def shown(message: Dict[str, Any]) -> Optional[str]:
        return f"kefu> {message.get('body', '')}" if message.get("to") == phone else None
    return shown


def auth_token(explicit: Optional[str]) -> str:
    token = explicit or os.environ.get("KEFU_TWILIO_AUTH_TOKEN")
    if not token and SECRETS_FILE.exists():
        token = read_env_file(SECRETS_FILE).get("KEFU_TWILIO_AUTH_TOKEN")
    if not token:
        sys.exit(f"sms_chat: no KEFU_TWILIO_AUTH_TOKEN in the environment or {SECRETS_FILE} "
                 "(start kefu once with `make run`)")
    return token


def main(argv: Optional[list[str]] = None) -> int:
    port = os.environ.get("KEFU_RASA_PORT", "5005")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="phone", default="+8613700000000",
                        help="the customer's number, E.164 (a demo customer: +8613800138001)")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/webhooks/sms/webhook")
    parser.add_argument("--signed-url", help="the URL Twilio signs (KEFU_SMS_WEBHOOK_URL)")
    parser.add_argument("--outbox", type=Path,
                        default=Path(os.environ.get("KEFU_SMS_OUTBOX", DEFAULT_OUTBOX)))
    parser.add_argument("--token", help="the auth token (default: KEFU_TWILIO_AUTH_TOKEN)")
    parser.add_argument("--quiet-seconds", type=float, default=3.0,
                        help="after the last line of piped input, wait this long for replies")
    args = parser.parse_args(argv)
    validator = RequestValidator(auth_token(args.token))
    signed_url = args.signed_url or os.environ.get("KEFU_SMS_WEBHOOK_URL") or args.url
    account_sid = os.environ.get("KEFU_TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    to = os.environ.get("KEFU_TWILIO_FROM", "+15005550006")
    follower = OutboxFollower(args.outbox, outbox_lines_for(args.phone))
    follower.start()
    interactive = sys.stdin.isatty()
    print(f"SMS from {args.phone} to {args.url}; replies from {args.outbox}. Ctrl-D ends.")
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not interactive:
            print(f"you> {text}")
        fields = incoming_fields(args.phone, text, to, account_sid)
        signature = validator.compute_signature(signed_url, fields)
        try:
            reply = requests.post(args.url, data=fields, timeout=30,
                                  headers={"X-Twilio-Signature": signature})
        except requests.RequestException as error:
            print(f"sms_chat: kefu is not answering at {args.url} ({type(error).__name__})")
            return 1
        if reply.status_code != 200:
            print(f"sms_chat: the webhook answered {reply.status_code}: {reply.text}")
    # Piped input ends at once; give kefu time to answer the last lines.
    follower.wait_until_quiet(args.quiet_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
