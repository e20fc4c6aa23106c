"""App factory of the handoff service."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import AsyncIterator, Callable, List, Optional

from aiohttp import ClientSession, ClientTimeout, web
from redis.asyncio import Redis

from actions.store.database import database_url, session_factory
from bot.channels.sms_delivery import OptOuts, SmsDelivery
from handoff.agents import AccountCache
from handoff.console_leases import ConsoleLeases
from handoff.dispatcher import Dispatcher, RoutingTimes
from handoff.hours import OpeningHours
from handoff.joining import announce_join
from handoff.keys import http_key, redis_key, settings_key, sql_sessions_key
from handoff.live import ALL_AGENTS, LiveHub
from handoff.metrics import HandoffMetrics
from handoff.middlewares import authenticate, json_errors
from handoff.outcome.deliver import DeliverOutcome
from handoff.outcome.notify import NotifyOutcome
from handoff.outcome.outbox import CHANNELS, NoticeOutbox, moment
from handoff.outcome.smtp import SmtpMailer
from handoff.outcome.worker import OutboxWorker
from handoff.rasa_client import RasaClient
from handoff.relay import CustomerRelay
from handoff.routes import setup_routes
from handoff.routing.clock import now_ms
from handoff.routing.scripts import RoutingScripts
from handoff.settings import HandoffSettings, load_settings
from handoff.state import (
    accounts_key,
    console_leases_key,
    dispatcher_key,
    estimator_key,
    live_key,
    metrics_key,
    notice_channels_key,
    outbox_key,
    outcome_key,
    rasa_key,
    routing_clock_key,
    scripts_key,
    stop_key,
)
from handoff.wait_estimate import WaitEstimator, WaitSettings

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1024 * 1024
# Background loops notice a stop within a quarter of a second; after this they are cancelled.
STOP_SECONDS = 5.0


async def redis_connection(app: web.Application) -> AsyncIterator[None]:
    app[redis_key] = Redis.from_url(app[settings_key].redis_url)
    app[scripts_key] = RoutingScripts(app[redis_key])
    app[live_key] = LiveHub(app[redis_key])
    settings = app[settings_key]
    app[estimator_key] = WaitEstimator(app[redis_key], WaitSettings(
        seconds_per_chat=settings.seconds_per_queue_position,
        min_chats=settings.wait_min_chats, window_minutes=settings.wait_window_minutes,
        overflow_seconds=settings.skill_overflow_seconds))
    app[console_leases_key] = ConsoleLeases(app[redis_key], settings.console_grace_seconds,
                                            app[routing_clock_key])
    yield
    await app[redis_key].close()


async def http_client(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    # Rasa answers within seconds or the customer is told later; never hang an agent's request.
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        app[http_key] = session
        app[rasa_key] = RasaClient(session, settings.rasa_url, settings.rasa_token,
                                   settings.service_token)
        yield


async def sql_store(app: web.Application) -> AsyncIterator[None]:
    sessions = session_factory(app[settings_key].database_url or database_url())
    app[sql_sessions_key] = sessions
    app[accounts_key] = AccountCache(sessions)
    yield


async def outcome_notices(app: web.Application) -> AsyncIterator[None]:
    """Complaint outcomes by SMS (the SMS channel's gateway and opt-outs) and e-mail, through
    the outbox and its worker, which runs for the app's lifetime."""
    settings, redis, sessions = app[settings_key], app[redis_key], app[sql_sessions_key]
    gateway = settings.sms_gateway.gateway()
    for missing, what in ((gateway is None, "SMS: KEFU_TWILIO_*"),
                          (not settings.smtp.configured, "e-mail: KEFU_SMTP_HOST, KEFU_SMTP_FROM")):
        if missing:
            logger.warning("outcome.not_configured %s unset; customers who chose it are not "
                           "sent their complaint's outcome (recorded on the ticket)", what)
    clock = app[routing_clock_key]
    outbox = NoticeOutbox(sessions, settings.instance, lambda: moment(clock()))
    deliver = DeliverOutcome(
        SmsDelivery(gateway, OptOuts(lambda: redis)),
        SmtpMailer(settings.smtp) if settings.smtp.configured else None, settings.smtp.sender)
    live, rasa = app[live_key], app[rasa_key]

    async def complaints_changed(number: str) -> None:
        await live.publish([ALL_AGENTS], {"type": "complaints_changed", "number": number})

    async def texted(number: str, phone: str) -> None:
        # A plain "接受" or "no" texted back is the verdict (docs/operations.md).
        await rasa.ask_about_outcome(phone, number)

    worker = OutboxWorker(outbox, deliver, sessions, settings.outcome_retry, clock,
                          app[metrics_key], complaints_changed, texted)
    app[outbox_key] = worker
    app[notice_channels_key] = frozenset(way for way in CHANNELS if deliver.sends(way))
    app[outcome_key] = NotifyOutcome(sessions, outbox, worker)
    running = asyncio.get_running_loop().create_task(worker.run(app[stop_key]))
    yield  # stop_background_work (on_shutdown) has told it to stop
    await app[outcome_key].close(STOP_SECONDS)
    await _stopped([running])


async def background_work(app: web.Application) -> AsyncIterator[None]:
    """The live fan-out, the customer relay and the dispatcher, for the app's lifetime."""
    settings = app[settings_key]
    metrics = app[metrics_key]
    app[dispatcher_key] = Dispatcher(
        app[redis_key], app[scripts_key], app[live_key], app[rasa_key], metrics,
        app[estimator_key], app[sql_sessions_key], app[console_leases_key],
        RoutingTimes(offer_seconds=settings.offer_seconds,
                     skill_overflow_seconds=settings.skill_overflow_seconds,
                     disconnected_return_seconds=settings.disconnected_return_seconds),
        app[routing_clock_key])
    relay = CustomerRelay(
        app[redis_key], app[scripts_key], app[live_key], settings.instance,
        on_relayed=metrics.relay_seconds.labels("to_agent").observe,
        on_returned=functools.partial(announce_join, app),
        on_queue_question=app[dispatcher_key].answer_queue_question)
    await relay.ensure_group()
    stop = app[stop_key]
    loop = asyncio.get_running_loop()
    tasks = [loop.create_task(work) for work in (
        app[live_key].listen(stop), relay.run(stop), app[dispatcher_key].run(stop))]
    yield  # stop_background_work (on_shutdown) has told them to stop
    await _stopped(tasks)


async def _stopped(tasks: List[asyncio.Task[None]]) -> None:
    """Loops told to stop get STOP_SECONDS to finish, then are cancelled."""
    _done, late = await asyncio.wait(tasks, timeout=STOP_SECONDS)
    for task in late:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def stop_background_work(app: web.Application) -> None:
    """At shutdown, before aiohttp waits for the tasks started since the app began: loops
    that keep starting short waits of their own would hold that wait for its whole minute
    (SIGTERM went unanswered until honcho's SIGKILL). The cleanup contexts then await them."""
    app[stop_key].set()
    for wake in (app[dispatcher_key].wake, app[outbox_key].wake):
        wake()


async def close_consoles(app: web.Application) -> None:
    await app[live_key].close_all()


def create_app(settings: Optional[HandoffSettings] = None,
               routing_clock: Callable[[], int] = now_ms) -> web.Application:
    """`routing_clock` gives the routing passes' and the outbox worker's "now" (ms): tests
    move it by hand."""
    settings = settings or load_settings()
    OpeningHours.parse(settings.agent_hours)  # a wrong KEFU_AGENT_HOURS stops the start
    settings.check()
    if not settings.service_token:
        raise ValueError("the handoff service needs a non-empty KEFU_SERVICE_TOKEN")
    app = web.Application(middlewares=[json_errors, authenticate],
                          client_max_size=MAX_REQUEST_BYTES)
    app[settings_key] = settings
    app[metrics_key] = HandoffMetrics()
    app[routing_clock_key] = routing_clock
    app.cleanup_ctx.extend([redis_connection, http_client, sql_store, outcome_notices,
                            background_work])
    app[stop_key] = asyncio.Event()
    app.on_shutdown.extend([stop_background_work, close_consoles])
    setup_routes(app)
    return app
