"""The routing Lua scripts, registered once per Redis connection."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

LUA_DIR = Path(__file__).resolve().parent / "lua"
SCRIPT_NAMES = ("enqueue", "assign", "accept", "presence", "transfer", "finish", "relay",
                "cancel", "join", "withdraw", "end_shifts", "reassign", "return_disconnected")
# Local functions some scripts share (Lua scripts cannot call one another).
PRELUDES = {"enqueue": "joining", "join": "joining", "finish": "releasing",
            "cancel": "releasing"}


def script_source(name: str) -> str:
    prelude = PRELUDES.get(name)
    body = (LUA_DIR / f"{name}.lua").read_text()
    return (LUA_DIR / f"{prelude}.lua").read_text() + body if prelude else body


class RoutingScripts:
    """Each script by name; redis-py runs them with EVALSHA and reloads them after a restart."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        loaded = {name: redis.register_script(script_source(name)) for name in SCRIPT_NAMES}
        self.enqueue: AsyncScript = loaded["enqueue"]
        self.assign: AsyncScript = loaded["assign"]
        self.accept: AsyncScript = loaded["accept"]
        self.presence: AsyncScript = loaded["presence"]
        self.transfer: AsyncScript = loaded["transfer"]
        self.finish: AsyncScript = loaded["finish"]
        self.relay: AsyncScript = loaded["relay"]
        self.cancel: AsyncScript = loaded["cancel"]
        self.join: AsyncScript = loaded["join"]
        self.withdraw: AsyncScript = loaded["withdraw"]
        self.end_shifts: AsyncScript = loaded["end_shifts"]
        self.reassign: AsyncScript = loaded["reassign"]
        self.return_disconnected: AsyncScript = loaded["return_disconnected"]
