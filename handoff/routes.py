"""The handoff service's routes, in one table."""

from __future__ import annotations

from aiohttp import web

from handoff import (
    agent_api,
    api,
    complaints_api,
    console,
    reassign_api,
    team_api,
    tickets_api,
)
from handoff.console import STATIC_DIR

CONVERSATION = "/api/v1/agent/conversations/{conversation_id}"
COMPLAINT = "/api/v1/agent/complaints/{number}"


def setup_routes(app: web.Application) -> None:
    app.router.add_routes(
        [
            web.get("/health", api.health),
            web.get("/metrics", api.metrics),
            web.get("/api/v1/openapi.yaml", api.openapi_document),
            # kefu's own processes (service token)
            web.post("/api/v1/handoffs", api.create_handoff),
            web.post("/api/v1/handoffs/join", api.join_handoff),
            web.get("/api/v1/handoffs/{conversation_id}", api.handoff_status),
            web.delete("/api/v1/handoffs/{conversation_id}", api.cancel_handoff),
            web.get("/api/v1/queue", api.list_queue),
            web.post("/api/v1/tickets/{number}/resolve", api.resolve_ticket),
            web.get("/api/v1/kpi", api.kpi),
            # agents (session cookie; CSRF header on POST)
            web.post("/api/v1/agent/login", agent_api.login),
            web.post("/api/v1/agent/logout", agent_api.logout),
            web.get("/api/v1/agent/me", agent_api.me),
            web.post("/api/v1/agent/presence", agent_api.set_presence),
            web.get("/api/v1/agent/conversations", agent_api.list_conversations),
            web.get(CONVERSATION, agent_api.conversation_detail),
            web.post(f"{CONVERSATION}/accept", agent_api.accept),
            web.post(f"{CONVERSATION}/messages", agent_api.send_message),
            web.post(f"{CONVERSATION}/transfer", agent_api.transfer),
            web.post(f"{CONVERSATION}/resolve", agent_api.resolve),
            web.post(f"{CONVERSATION}/tickets", tickets_api.open_ticket),
            web.post(f"{CONVERSATION}/tickets/{{number}}/contact", tickets_api.reveal_contact),
            web.get("/api/v1/agent/callbacks", tickets_api.list_callbacks),
            web.post("/api/v1/agent/tickets/{number}/resolve", tickets_api.resolve_ticket),
            # the complaints team's work queue
            web.get("/api/v1/agent/complaints", complaints_api.list_complaints),
            web.get(COMPLAINT, complaints_api.complaint_detail),
            web.post(f"{COMPLAINT}/claim", complaints_api.claim),
            web.post(f"{COMPLAINT}/release", complaints_api.release),
            web.post(f"{COMPLAINT}/reassign", complaints_api.reassign),
            web.post(f"{COMPLAINT}/notes", complaints_api.add_note),
            web.post(f"{COMPLAINT}/contact", complaints_api.reveal_contact),
            web.post(f"{COMPLAINT}/resolve", complaints_api.resolve),
            web.post(f"{COMPLAINT}/told", complaints_api.customer_told),
            web.get("/api/v1/agent/canned-replies", agent_api.canned_replies),
            web.get("/api/v1/agent/team", team_api.team),
            web.get("/api/v1/agent/live", console.live_socket),
            web.get("/api/v1/supervisor/overview", console.supervisor_overview),
            web.get("/api/v1/supervisor/missed-offers", console.missed_offers),
            web.post("/api/v1/supervisor/conversations/{conversation_id}/reassign",
                     reassign_api.reassign),
            # the console page and its assets, all shipped with the service
            web.get("/console", console.console_page),
            web.static("/console/static", STATIC_DIR),
        ]
    )
