"""Handoff service settings, read from the environment."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Mapping

from bot.channels.sms_gateway import GatewaySettings
from handoff.outcome.retry import RetryPolicy
from handoff.outcome.smtp import SmtpSettings


@dataclass(frozen=True)
class HandoffSettings:
    redis_url: str
    service_token: str
    # Seconds of an agent's time one chat is taken to cost while too few chats of its
    # language and skill have been measured (handoff/wait_estimate.py).
    seconds_per_queue_position: int = 180
    # Chats resolved within the window needed before their handling times are used.
    wait_min_chats: int = 5
    wait_window_minutes: int = 240
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
    # An agent whose console has had no live connection for this long goes off shift (a
    # reload or a short network drop does not end it).
    console_grace_seconds: int = 90
    # The conversations of an agent whose shift ended that way go back to the queue after
    # this much longer, unless they are back (0: never).
    disconnected_return_seconds: int = 300
    # Where complaint outcomes are texted (the SMS channel's gateway) and e-mailed.
    sms_gateway: GatewaySettings = field(default_factory=GatewaySettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    # How often a text or e-mail that failed for a temporary reason is tried, how far apart.
    outcome_retry: RetryPolicy = field(default_factory=RetryPolicy)

    def check(self) -> None:
        """Refuse settings that make no sense (raised at start, naming the variable)."""
        if self.offer_seconds < 1:
            raise ValueError("KEFU_OFFER_SECONDS must be at least 1")
        if self.console_grace_seconds < 1:
            raise ValueError("KEFU_CONSOLE_GRACE_SECONDS must be at least 1")
        if self.skill_overflow_seconds < 0:
            raise ValueError("KEFU_SKILL_OVERFLOW_SECONDS must be 0 (never) or more")
        if self.disconnected_return_seconds < 0:
            raise ValueError("KEFU_DISCONNECTED_RETURN_SECONDS must be 0 (never) or more")
        self.smtp.check()
        self.outcome_retry.check()
        for value, name in ((self.seconds_per_queue_position, "KEFU_SECONDS_PER_QUEUE_POSITION"),
                            (self.wait_min_chats, "KEFU_WAIT_MIN_CHATS"),
                            (self.wait_window_minutes, "KEFU_WAIT_WINDOW_MINUTES")):
            if value < 1:
                raise ValueError(f"{name} must be at least 1")


def whole_seconds(environ: Mapping[str, str], name: str, default: int) -> int:
    return whole_number(environ, name, default, "a whole number of seconds")


def whole_number(environ: Mapping[str, str], name: str, default: int,
                 what: str = "a whole number") -> int:
    value = environ.get(name) or str(default)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be {what}, not {value!r}") from None


def load_settings() -> HandoffSettings:
    return HandoffSettings(
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        service_token=os.environ["KEFU_SERVICE_TOKEN"],
        seconds_per_queue_position=whole_seconds(os.environ, "KEFU_SECONDS_PER_QUEUE_POSITION",
                                                 180),
        wait_min_chats=whole_number(os.environ, "KEFU_WAIT_MIN_CHATS", 5),
        wait_window_minutes=whole_number(os.environ, "KEFU_WAIT_WINDOW_MINUTES", 240),
        rasa_url=os.environ.get("KEFU_RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=os.environ.get("KEFU_RASA_TOKEN", ""),
        database_url=os.environ.get("KEFU_DATABASE_URL", ""),
        secure_cookies=os.environ.get("KEFU_SECURE_COOKIES", "true").lower() != "false",
        instance=os.environ.get("KEFU_HANDOFF_INSTANCE") or f"handoff-{socket.gethostname()}",
        agent_hours=os.environ.get("KEFU_AGENT_HOURS", "08:00-22:00"),
        offer_seconds=whole_seconds(os.environ, "KEFU_OFFER_SECONDS", 60),
        skill_overflow_seconds=whole_seconds(os.environ, "KEFU_SKILL_OVERFLOW_SECONDS", 300),
        console_grace_seconds=whole_seconds(os.environ, "KEFU_CONSOLE_GRACE_SECONDS", 90),
        disconnected_return_seconds=whole_seconds(os.environ,
                                                  "KEFU_DISCONNECTED_RETURN_SECONDS", 300),
        sms_gateway=GatewaySettings.from_environment(os.environ),
        smtp=SmtpSettings.from_environment(os.environ),
        outcome_retry=RetryPolicy(
            max_attempts=whole_number(os.environ, "KEFU_OUTCOME_MAX_ATTEMPTS", 8),
            first_wait_seconds=whole_seconds(os.environ, "KEFU_OUTCOME_RETRY_SECONDS", 30)),
    )
