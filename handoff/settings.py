"""Handoff service settings, read from the environment."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Mapping

from bot.channels.sms_gateway import GatewaySettings
from handoff.outcome.smtp import SmtpSettings


@dataclass(frozen=True)
class HandoffSettings:
    redis_url: str
    service_token: str
    # Average handling time of one chat, for the customer's expected wait.
    seconds_per_queue_position: int = 180
    # Where customers are told of agents' actions in their own channel.
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    # Tickets and agents live in kefu's SQL store; empty means actions.store.database's default.
    database_url: str = ""
    # Session cookies only over HTTPS; `make run` serves plain HTTP on loopback and turns it off.
    secure_cookies: bool = True
    # This instance's name in the event-stream consumer group: stable across restarts, so
    # that it re-reads what it had not acknowledged.
    instance: str = "handoff-1"
    # When agents work (Beijing time); outside them, and when nobody is online, customers
    # are offered a callback.
    agent_hours: str = "08:00-22:00"
    # An offer not accepted within this is withdrawn and the agent set away.
    offer_seconds: int = 60
    # A conversation waiting this long for its skill may go to any agent speaking the
    # language (0: never).
    skill_overflow_seconds: int = 300
    # Where complaint outcomes are texted (the SMS channel's gateway) and e-mailed.
    sms_gateway: GatewaySettings = field(default_factory=GatewaySettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)

    def check(self) -> None:
        """Refuse settings that make no sense (raised at start, naming the variable)."""
        if self.offer_seconds < 1:
            raise ValueError("KEFU_OFFER_SECONDS must be at least 1")
        if self.skill_overflow_seconds < 0:
            raise ValueError("KEFU_SKILL_OVERFLOW_SECONDS must be 0 (never) or more")
        self.smtp.check()


def whole_seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name) or str(default)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of seconds, not {value!r}") from None


def load_settings() -> HandoffSettings:
    return HandoffSettings(
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        service_token=os.environ["KEFU_SERVICE_TOKEN"],
        seconds_per_queue_position=int(os.environ.get("KEFU_SECONDS_PER_QUEUE_POSITION", "180")),
        rasa_url=os.environ.get("KEFU_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=os.environ.get("KEFU_RASA_TOKEN", ""),
        database_url=os.environ.get("KEFU_DATABASE_URL", ""),
        secure_cookies=os.environ.get("KEFU_SECURE_COOKIES", "true").lower() != "false",
        instance=os.environ.get("KEFU_HANDOFF_INSTANCE") or f"handoff-{socket.gethostname()}",
        agent_hours=os.environ.get("KEFU_AGENT_HOURS", "08:00-22:00"),
        offer_seconds=whole_seconds(os.environ, "KEFU_OFFER_SECONDS", 60),
        skill_overflow_seconds=whole_seconds(os.environ, "KEFU_SKILL_OVERFLOW_SECONDS", 300),
        sms_gateway=GatewaySettings.from_environment(os.environ),
        smtp=SmtpSettings.from_environment(os.environ),
    )
