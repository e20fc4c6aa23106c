"""Play a WeChat follower against a running kefu: `make chat CHANNEL=wechat` (development).

Each line typed is posted to kefu's WeChat webhook as WeChat posts a follower's text: XML
signed with the token (KEFU_WECHAT_TOKEN from the environment or var/secrets.env), and
AES-encrypted in safe mode when KEFU_WECHAT_AES_KEY and KEFU_WECHAT_APP_ID are set. The
passive reply is printed as it comes; replies sent later (the bot took over 4 s, agents'
replies, notices) go through the customer-service API, which under `make run` without an
Official Account is the development outbox var/wechat-outbox.jsonl, followed and printed
here. `/subscribe` and `/click KEY` send those events.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional

import requests

from stack.settings import SECRETS_FILE, VAR_DIR, read_env_file
from tests.fakes.wechat import FakeWeChat
from tools.outbox import OutboxFollower

DEFAULT_OUTBOX = VAR_DIR / "wechat-outbox.jsonl"


def outbox_lines_for(openid: str) -> Callable[[Dict[str, Any]], Optional[str]]:
    """The customer-service API messages sent to the follower."""
    def shown(message: Dict[str, Any]) -> Optional[str]:
        return f"kefu (API)> {message.get('content', '')}" \
            if message.get("touser") == openid else None
    return shown


def setting(name: str, explicit: Optional[str] = None) -> Optional[str]:
    value = explicit or os.environ.get(name)
    if not value and SECRETS_FILE.exists():
        value = read_env_file(SECRETS_FILE).get(name)
    return value or None


def message_for(wechat: FakeWeChat, openid: str, line: str) -> str:
    if line == "/subscribe":
        return wechat.message_xml(openid, "event", Event="subscribe", EventKey="")
    if line.startswith("/click "):
        return wechat.message_xml(openid, "event", Event="CLICK", EventKey=line[7:].strip())
    return wechat.text_xml(openid, line)


def main(argv: Optional[list[str]] = None) -> int:
    port = os.environ.get("KEFU_RASA_PORT", "5005")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openid", default="o" + secrets.token_hex(14)[:27],
                        help="the follower's OpenID (default: a new one each run)")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/webhooks/wechat/webhook")
    parser.add_argument("--outbox", type=Path,
                        default=Path(os.environ.get("KEFU_WECHAT_OUTBOX", DEFAULT_OUTBOX)))
    parser.add_argument("--token", help="the webhook token (default: KEFU_WECHAT_TOKEN)")
    parser.add_argument("--quiet-seconds", type=float, default=6.0,
                        help="after the last line of piped input, wait this long for replies")
    args = parser.parse_args(argv)
    token = setting("KEFU_WECHAT_TOKEN", args.token)
    if not token:
        sys.exit(f"wechat_chat: no KEFU_WECHAT_TOKEN in the environment or {SECRETS_FILE} "
                 "(start kefu once with `make run`)")
    aes_key, app_id = setting("KEFU_WECHAT_AES_KEY"), setting("KEFU_WECHAT_APP_ID")
    fields: Dict[str, str] = {"token": token}
    if aes_key and app_id:
        fields.update(aes_key=aes_key, app_id=app_id)
    # The fake's client side plays WeChat: WeChat's own signing and encryption algorithm.
    wechat = FakeWeChat(**fields)
    safe_mode = bool(aes_key and app_id)
    follower = OutboxFollower(args.outbox, outbox_lines_for(args.openid))
    follower.start()
    interactive = sys.stdin.isatty()
    print(f"WeChat follower {args.openid} → {args.url} ({'safe mode' if safe_mode else 'plain'}"
          f"); API replies from {args.outbox}. /subscribe, /click KEY; Ctrl-D ends.")
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        if not interactive:
            print(f"you> {text}")
        try:
            reply = wechat.post(args.url, message_for(wechat, args.openid, text), aes=safe_mode)
        except requests.RequestException as error:
            print(f"wechat_chat: kefu is not answering at {args.url} ({type(error).__name__})")
            return 1
        if reply.status != 200:
            print(f"wechat_chat: the webhook answered {reply.status}: {reply.body}")
        elif reply.content is not None:
            print(f"kefu> {reply.content}")
            follower.last_seen = time.monotonic()
    # Piped input ends at once; give kefu time to answer the last lines by the API.
    follower.wait_until_quiet(args.quiet_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
