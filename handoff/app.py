"""App factory of the handoff service."""

from __future__ import annotations

from typing import AsyncIterator, Optional

from aiohttp import web
from redis.asyncio import Redis

from handoff.keys import redis_key, settings_key
from handoff.middlewares import require_service_token
from handoff.routes import setup_routes
from handoff.settings import HandoffSettings, load_settings

MAX_REQUEST_BYTES = 1024 * 1024


async def redis_connection(app: web.Application) -> AsyncIterator[None]:
    app[redis_key] = Redis.from_url(app[settings_key].redis_url)
    yield
    await app[redis_key].close()


def create_app(settings: Optional[HandoffSettings] = None) -> web.Application:
    settings = settings or load_settings()
    if not settings.service_token:
        raise ValueError("the handoff service needs a non-empty KEFU_SERVICE_TOKEN")
    app = web.Application(
        middlewares=[require_service_token], client_max_size=MAX_REQUEST_BYTES
    )
    app[settings_key] = settings
    app.cleanup_ctx.append(redis_connection)
    setup_routes(app)
    return app
