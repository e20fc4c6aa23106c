"""Authentication: the service token for kefu's own processes, sessions for agents."""

from __future__ import annotations

import hmac
import logging
from typing import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from handoff.agent_api import AGENT_SESSION
from handoff.keys import redis_key, settings_key
from handoff.sessions import CSRF_HEADER, SESSION_COOKIE, find_session

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_PATHS = frozenset({"/health", "/api/v1/openapi.yaml", "/api/v1/agent/login"})
PUBLIC_PREFIXES = ("/console",)
SESSION_PREFIXES = ("/api/v1/agent/", "/api/v1/supervisor/")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        if path == "/api/v1/agent/login" and request.content_type != "application/json":
            # A cross-site form cannot send JSON without a CORS preflight we never allow.
            return _denied(request, 415, "send JSON (application/json)")
        return await handler(request)
    if path.startswith(SESSION_PREFIXES):
        return await _with_agent_session(request, handler)
    expected = f"Bearer {request.app[settings_key].service_token}"
    presented = request.headers.get("Authorization", "")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        return _denied(request, 401, "missing or invalid service token")
    return await handler(request)


async def _with_agent_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        # A browser not signed in yet (the console asks /agent/me at every page load).
        return _denied(request, 401, "sign in first", level=logging.INFO)
    session = await find_session(request.app[redis_key], token)
    if session is None:  # forged, expired or signed out elsewhere
        return _denied(request, 401, "sign in first")
    if request.method not in SAFE_METHODS and not session.csrf_matches(
            request.headers.get(CSRF_HEADER, "")):
        return _denied(request, 403, "missing or wrong CSRF token")
    if request.headers.get("Upgrade", "").lower() == "websocket" and not _same_origin(request):
        return _denied(request, 403, "WebSocket from another origin")
    if request.path.startswith("/api/v1/supervisor/") and session.role != "supervisor":
        return _denied(request, 403, "supervisors only")
    request[AGENT_SESSION] = session
    return await handler(request)


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _denied(request: web.Request, status: int, reason: str,
            level: int = logging.WARNING) -> web.Response:
    logger.log(level, "handoff.denied status=%s path=%s remote=%s reason=%s", status,
               request.path, request.remote, reason)
    return web.json_response({"error": reason}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own 404 and 405 answers are plain text; the API's errors are JSON."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.content_type == "application/json" or error.status < 400:
            raise
        return _denied(request, error.status, error.reason.lower())
