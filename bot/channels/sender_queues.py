"""Each customer's messages handled one after another, in the order a webhook took them."""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine, Dict, Optional, Set


class SenderQueues:
    """Runs each sender's messages one after another, in the order the webhook took them."""

    def __init__(self) -> None:
        self._tails: Dict[str, asyncio.Task[None]] = {}
        self._running: Set[asyncio.Task[None]] = set()

    def submit(self, sender: str, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(self._after(self._tails.get(sender), work))
        self._tails[sender] = task
        self._running.add(task)  # a reference, or the loop may drop the task midway
        task.add_done_callback(lambda done: self._forget(sender, done))
        return task

    @staticmethod
    async def _after(previous: Optional[asyncio.Task[None]],
                     work: Coroutine[Any, Any, None]) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        await work

    def _forget(self, sender: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._tails.get(sender) is task:
            del self._tails[sender]

    async def drain(self) -> None:
        """Wait until every submitted message has been handled."""
        while self._running:
            await asyncio.wait(list(self._running))
