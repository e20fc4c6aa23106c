"""The contact center's opening hours (Beijing time), as `KEFU_AGENT_HOURS` gives them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class OpeningHours:
    opens: dt.time
    closes: dt.time

    @classmethod
    def parse(cls, spec: str) -> OpeningHours:
        """'08:00-22:00'; '00:00-24:00' means always open."""
        try:
            start, end = (part.strip() for part in spec.split("-"))
            closes = dt.time.max if end == "24:00" else dt.time.fromisoformat(end)
            return cls(dt.time.fromisoformat(start), closes)
        except ValueError as error:
            raise ValueError(f"opening hours must look like 08:00-22:00, not {spec!r}") from error

    def open_at(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(BEIJING).time()
        return self.opens <= local < self.closes
