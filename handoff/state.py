"""Typed app-state keys of the parts built at start-up (connections are in keys.py)."""

from __future__ import annotations

import asyncio
from typing import Callable, FrozenSet

from aiohttp import web

from handoff.agents import AccountCache
from handoff.console_leases import ConsoleLeases
from handoff.dispatcher import Dispatcher
from handoff.live import LiveHub
from handoff.metrics import HandoffMetrics
from handoff.outcome.notify import NotifyOutcome
from handoff.outcome.worker import OutboxWorker
from handoff.rasa_client import RasaClient
from handoff.routing.scripts import RoutingScripts
from handoff.wait_estimate import WaitEstimator

scripts_key = web.AppKey("routing_scripts", RoutingScripts)
live_key = web.AppKey("live", LiveHub)
metrics_key = web.AppKey("metrics", HandoffMetrics)
rasa_key = web.AppKey("rasa", RasaClient)
dispatcher_key = web.AppKey("dispatcher", Dispatcher)
accounts_key = web.AppKey("accounts", AccountCache)
outcome_key = web.AppKey("outcome", NotifyOutcome)
outbox_key = web.AppKey("outbox_worker", OutboxWorker)
# The ways a complaint's outcome can be sent from here (sms, email): a gateway or relay set up.
notice_channels_key = web.AppKey("notice_channels", FrozenSet[str])
estimator_key = web.AppKey("wait_estimator", WaitEstimator)
console_leases_key = web.AppKey("console_leases", ConsoleLeases)
# The service's "now" (ms) for the routing passes and the outbox worker: the system clock, or
# a test's own.
routing_clock_key = web.AppKey("routing_clock", Callable[[], int])
# Set at shutdown: every background loop (dispatcher, relay, live fan-out, outbox) stops.
stop_key = web.AppKey("stop_background_work", asyncio.Event)
