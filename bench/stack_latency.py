"""Start-up time and webhook round trips of the running stack, kefu's REST channel vs stock.

One Rasa server serves both kefu's validated REST channel and Rasa's stock one
(bench/credentials-stock-rest.yml), so both are measured in the same run on the
same model, Redis tracker store and event broker. Requests go one at a time.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path
from typing import Dict, List

import requests

from bench.report import PROJECT_ROOT, latency_summary, write_results
from stack.ephemeral import ephemeral_stack

MESSAGES = ["你好", "hello", "谢谢", "thank you", "你是机器人吗", "are you a bot?"]
ROUNDS = 50  # conversations per channel; each sends every message once


def time_conversation(session: requests.Session, url: str, samples_ms: List[float]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    for text in MESSAGES:
        started = time.perf_counter()
        reply = session.post(url, json={"sender": sender, "message": text}, timeout=30)
        samples_ms.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()


def time_channels(urls: Dict[str, str], rounds: int) -> Dict[str, List[float]]:
    """Conversations on each channel in turn, so load and noise fall on both alike."""
    samples_ms: Dict[str, List[float]] = {name: [] for name in urls}
    with requests.Session() as session:
        for _ in range(rounds):
            for name, url in urls.items():
                time_conversation(session, url, samples_ms[name])
    return samples_ms


def main() -> Dict[str, object]:
    credentials = PROJECT_ROOT / "bench" / "credentials-stock-rest.yml"
    with tempfile.TemporaryDirectory() as workdir, ephemeral_stack(
        Path(workdir), {"KEFU_CREDENTIALS": str(credentials)}
    ) as stack:
        samples = time_channels(
            {
                "kefu": f"{stack.rasa_url}/webhooks/rest/webhook",
                "stock": f"{stack.rasa_url}/webhooks/stock_rest/webhook",
            },
            ROUNDS,
        )
        kefu, stock = latency_summary(samples["kefu"]), latency_summary(samples["stock"])
        ready_seconds = stack.ready_seconds
    figures = {
        "ready_seconds": round(ready_seconds, 1),
        "webhook_p50_ms": kefu["p50_ms"],
        "webhook_p95_ms": kefu["p95_ms"],
        "webhook_requests": kefu["count"],
        "stock_webhook_p50_ms": stock["p50_ms"],
        "stock_webhook_p95_ms": stock["p95_ms"],
    }
    write_results(
        "stack",
        figures,
        f"""
Whole stack on loopback (Redis tracker/lock store, Redis stream broker, action server,
handoff service), one request at a time, {kefu['count']} webhook calls per channel
alternating zh and en messages (greet, thank, bot challenge).

| figure | kefu REST channel | stock Rasa `RestInput` (same server) |
|---|---|---|
| processes healthy after start (s) | {figures['ready_seconds']} | — |
| webhook p50 (ms) | {kefu['p50_ms']} | {stock['p50_ms']} |
| webhook p95 (ms) | {kefu['p95_ms']} | {stock['p95_ms']} |
""",
    )
    return figures


if __name__ == "__main__":
    print(main())
