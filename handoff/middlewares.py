"""Middlewares: service-token authentication for the API."""

from __future__ import annotations

import hmac
import logging
from typing import Awaitable, Callable

from aiohttp import web

from handoff.keys import settings_key

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_PATHS = frozenset({"/health", "/api/v1/openapi.yaml"})


@web.middleware
async def require_service_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    expected = f"Bearer {request.app[settings_key].service_token}"
    presented = request.headers.get("Authorization", "")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        logger.warning("handoff.unauthorised path=%s remote=%s", request.path, request.remote)
        return web.json_response({"error": "missing or invalid service token"}, status=401)
    return await handler(request)
