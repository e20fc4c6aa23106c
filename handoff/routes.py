"""The handoff service's routes, in one table."""

from __future__ import annotations

from aiohttp import web

from handoff import api


def setup_routes(app: web.Application) -> None:
    app.router.add_routes(
        [
            web.get("/health", api.health),
            web.get("/api/v1/openapi.yaml", api.openapi_document),
            web.post("/api/v1/handoffs", api.create_handoff),
            web.get("/api/v1/queue", api.list_queue),
            web.post("/api/v1/tickets/{number}/resolve", api.resolve_ticket),
            web.get("/api/v1/kpi", api.kpi),
        ]
    )
