"""One sample of a handoff service's GET /metrics, read as Prometheus scrapes it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient


async def scraped(client: TestClient, sample: str, token: str) -> float:
    """The value of `sample` as exposed (`kefu_handoff_reassigned_total{target="queue"}`);
    a sample not exposed fails the test (a misspelt name must not read as 0)."""
    reply = await client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 200, await reply.text()
    for line in (await reply.text()).splitlines():
        name, _, value = line.rpartition(" ")
        if name == sample:
            return float(value)
    raise AssertionError(f"{sample} is not in /metrics")
