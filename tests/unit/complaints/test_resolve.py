"""ResolveComplaint on SQLite and PostgreSQL: the owner or a supervisor resolves, through
ResolveTicketAndNotify (Rasa is not running: the customer is not told in a conversation)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import ClientSession

from actions.tickets.resolve import ResolveTicket, TicketNotOwned
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import ComplaintClosed, ComplaintNotClaimed, ComplaintNotFound
from handoff.complaints.reassign import ReassignComplaint
from handoff.complaints.resolve import ResolveComplaint
from handoff.resolve_ticket import ResolveTicketAndNotify
from stack.processes import free_port


@pytest.fixture
async def resolve(desk) -> Any:
    async with ClientSession() as http:
        yield ResolveComplaint(desk.sessions, ResolveTicketAndNotify(
            desk.sessions, http, f"http://127.0.0.1:{free_port()}", ""))


async def test_the_owner_resolves_and_it_is_audited(desk, resolve) -> None:
    number = desk.complaint()
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    resolved = await resolve.call(number=number, agent=desk.agent("wang"),
                                  resolution="已退回500元至原卡")
    assert (resolved.ticket.number, resolved.ticket.status, resolved.customer_notified) == (
        number, "resolved", False)
    ticket = desk.ticket(number)
    assert (ticket.status, ticket.resolution, ticket.owner_agent_id) == (
        "resolved", "已退回500元至原卡", "wang")
    assert desk.history(number)[-1] == ("wang", "resolved", "已退回500元至原卡")
    assert desk.audited(number)[-1] == {"actor": "agent:wang", "action": "ticket.resolved",
                                        "customer_notified": False, "outcome": None}
    with pytest.raises(ComplaintClosed):
        await resolve.call(number=number, agent=desk.agent("wang"), resolution="again")


async def test_a_supervisor_resolves_anyone_s_and_a_colleague_nobody_s(desk, resolve) -> None:
    claimed, waiting = desk.complaint(), desk.complaint()
    ClaimComplaint(desk.sessions).call(number=claimed, agent=desk.agent("wang"))
    with pytest.raises(ComplaintNotFound):
        await resolve.call(number=claimed, agent=desk.agent("smith"), resolution="x")
    with pytest.raises(ComplaintNotClaimed):
        await resolve.call(number=waiting, agent=desk.agent("smith"), resolution="x")
    assert desk.ticket(claimed).status == desk.ticket(waiting).status == "open"
    await resolve.call(number=claimed, agent=desk.agent("chen"), resolution="已处理")
    await resolve.call(number=waiting, agent=desk.agent("chen"), resolution="已处理")
    assert desk.ticket(claimed).status == desk.ticket(waiting).status == "resolved"


def test_the_owner_is_checked_again_under_the_row_s_lock(desk) -> None:
    """A complaint reassigned after the agent's check: ResolveTicket refuses it."""
    number = desk.complaint()
    ReassignComplaint(desk.sessions).call(number=number, supervisor=desk.agent("chen"),
                                          to_agent_id="smith")
    with pytest.raises(TicketNotOwned) as refused:
        ResolveTicket(desk.sessions)(number, "已处理", "wang", lambda owner: owner == "wang")
    assert refused.value.owner == "smith"
    assert desk.ticket(number).status == "open"
