"""Round trips of kefu's SMS and WeChat channels on loopback, stock REST beside them.

One Rasa server (bench/credentials-channels.yml) serves Rasa's stock REST channel, kefu's SMS
channel and its WeChat channel, against the fake Twilio and fake WeChat (tests/fakes), so all
are measured in the same run on the same model and stores. Requests go one at a time.

- stock REST: POST → the JSON answer.
- SMS: a signed Twilio webhook POST → the reply recorded by the fake Twilio's Messages API.
- WeChat: a signed XML POST → the webhook's answer (the passive reply), with actions as fast
  as they are, then with every action held 8 s by a delaying proxy before the action server:
  the answer ("success") must still come within WeChat's 5 s, the reply later by the API.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import requests

from bench.report import PROJECT_ROOT, latency_summary, write_results
from stack.ephemeral import ephemeral_stack
from tests.fakes.action_delay import ActionDelayProxy
from tests.fakes.twilio import FakeTwilio
from tests.fakes.wechat import FakeWeChat

# Each answered by one short message (one SMS part), greet through an action.
MESSAGES = ["你好", "hello", "谢谢", "thank you"]
ROUNDS = 20  # conversations per channel; each sends every message once
SLOW_ACTION_SECONDS = 8.0
SLOW_MESSAGES = 15  # "你好" from new followers: action_greet, held 8 s each
WECHAT_LIMIT_SECONDS = 5.0


def stock_rest_turn(session: requests.Session, url: str, sender: str, text: str) -> float:
    started = time.perf_counter()
    session.post(url, json={"sender": sender, "message": text}, timeout=30).raise_for_status()
    return (time.perf_counter() - started) * 1000


def sms_turn(twilio: FakeTwilio, url: str, phone: str, text: str) -> float:
    before = len(twilio.sent_to(phone))
    started = time.perf_counter()
    reply = twilio.post_webhook(url, twilio.incoming_fields(phone, text))
    assert reply.status_code == 200, reply.text
    twilio.wait_for(phone, before + 1)
    return (time.perf_counter() - started) * 1000


def wechat_turn(wechat: FakeWeChat, url: str, openid: str, text: str) -> float:
    started = time.perf_counter()
    reply = wechat.post(url, wechat.text_xml(openid, text))
    elapsed = (time.perf_counter() - started) * 1000
    assert reply.status == 200 and reply.content, reply.body
    return elapsed


def main() -> Dict[str, object]:
    credentials = PROJECT_ROOT / "bench" / "credentials-channels.yml"
    samples: Dict[str, List[float]] = {"stock_rest": [], "sms": [], "wechat": [],
                                       "wechat_slow_answer": [], "wechat_slow_delivery": []}
    with FakeTwilio() as twilio, FakeWeChat() as wechat, tempfile.TemporaryDirectory() as workdir:
        proxy = ActionDelayProxy()
        proxy.start()
        environment = {"KEFU_CREDENTIALS": str(credentials), "KEFU_ACTION_URL": proxy.webhook_url,
                       **twilio.environment(), **wechat.environment()}
        try:
            with ephemeral_stack(Path(workdir), environment) as stack:
                proxy.upstream = f"http://127.0.0.1:{stack.environment['KEFU_ACTION_PORT']}"
                rest = f"{stack.rasa_url}/webhooks/stock_rest/webhook"
                sms = f"{stack.rasa_url}/webhooks/sms/webhook"
                wechat_url = f"{stack.rasa_url}/webhooks/wechat/webhook"
                with requests.Session() as session:
                    for _ in range(ROUNDS):
                        sender, phone = secrets.token_hex(6), f"+1555{secrets.randbelow(10**7):07d}"
                        openid = "o" + secrets.token_hex(14)[:27]
                        for text in MESSAGES:
                            samples["stock_rest"].append(
                                stock_rest_turn(session, rest, f"bench-{sender}", text))
                            samples["sms"].append(sms_turn(twilio, sms, phone, text))
                            samples["wechat"].append(wechat_turn(wechat, wechat_url, openid, text))
                proxy.delay_seconds = SLOW_ACTION_SECONDS
                for _ in range(SLOW_MESSAGES):
                    openid = "o" + secrets.token_hex(14)[:27]
                    started = time.perf_counter()
                    reply = wechat.post(wechat_url, wechat.text_xml(openid, "你好"))
                    samples["wechat_slow_answer"].append((time.perf_counter() - started) * 1000)
                    assert reply.status == 200 and reply.body == "success", reply.body
                    wechat.wait_for(openid, 1)
                    samples["wechat_slow_delivery"].append((time.perf_counter() - started) * 1000)
        finally:
            proxy.stop()
    summary = {name: latency_summary(values) for name, values in samples.items()}
    slow = summary["wechat_slow_answer"]
    assert slow["p95_ms"] < WECHAT_LIMIT_SECONDS * 1000, slow
    figures = {f"{name}_{key}": value for name, values in summary.items()
               for key, value in values.items() if key in ("p50_ms", "p95_ms", "count")}
    write_results("channels", figures, f"""
SMS and WeChat round trips on loopback, one request at a time, the whole stack (Redis stores
and broker, action server, handoff service) with the fake Twilio and fake WeChat
(`make bench-channels`, `bench/channels.py`); {ROUNDS} conversations per channel of
{len(MESSAGES)} messages (你好, hello, 谢谢, thank you; greeting runs a custom action).

| channel: from the request to | p50 (ms) | p95 (ms) | requests |
|---|---|---|---|
| stock Rasa `RestInput`: its JSON answer | {summary['stock_rest']['p50_ms']} | {summary['stock_rest']['p95_ms']} | {summary['stock_rest']['count']} |
| SMS: signed webhook → the reply at the fake Twilio | {summary['sms']['p50_ms']} | {summary['sms']['p95_ms']} | {summary['sms']['count']} |
| WeChat: signed XML → the passive reply | {summary['wechat']['p50_ms']} | {summary['wechat']['p95_ms']} | {summary['wechat']['count']} |
| WeChat, actions held {SLOW_ACTION_SECONDS:.0f} s: the webhook's answer ("success") | {slow['p50_ms']} | {slow['p95_ms']} | {slow['count']} |
| WeChat, actions held {SLOW_ACTION_SECONDS:.0f} s: the reply at the customer-service API | {summary['wechat_slow_delivery']['p50_ms']} | {summary['wechat_slow_delivery']['p95_ms']} | {summary['wechat_slow_delivery']['count']} |

WeChat gives up on an answer after 5 s; kefu answers passively when the bot is done within
`KEFU_WECHAT_REPLY_SECONDS` (4 s), so with slow actions the webhook answers at about 4 s and
the reply follows through the API when the action is done.
""")
    return figures


if __name__ == "__main__":
    print(main())
