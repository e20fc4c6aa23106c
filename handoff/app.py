"""App factory of the handoff service."""

from __future__ import annotations

from typing import AsyncIterator, Optional

from aiohttp import ClientSession, ClientTimeout, web
from redis.asyncio import Redis

from actions.store.database import database_url, session_factory
from handoff.keys import http_key, redis_key, settings_key, sql_sessions_key
from handoff.middlewares import require_service_token
from handoff.routes import setup_routes
from handoff.settings import HandoffSettings, load_settings

MAX_REQUEST_BYTES = 1024 * 1024


async def redis_connection(app: web.Application) -> AsyncIterator[None]:
    app[redis_key] = Redis.from_url(app[settings_key].redis_url)
    yield
    await app[redis_key].close()


async def http_client(app: web.Application) -> AsyncIterator[None]:
    # Rasa answers within seconds or the customer is told later; never hang an agent's request.
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        app[http_key] = session
        yield


async def sql_store(app: web.Application) -> AsyncIterator[None]:
    sessions = session_factory(app[settings_key].database_url or database_url())
    app[sql_sessions_key] = sessions
    yield
    sessions.kw["bind"].dispose()


def create_app(settings: Optional[HandoffSettings] = None) -> web.Application:
    settings = settings or load_settings()
    if not settings.service_token:
        raise ValueError("the handoff service needs a non-empty KEFU_SERVICE_TOKEN")
    app = web.Application(
        middlewares=[require_service_token], client_max_size=MAX_REQUEST_BYTES
    )
    app[settings_key] = settings
    app.cleanup_ctx.extend([redis_connection, http_client, sql_store])
    setup_routes(app)
    return app
