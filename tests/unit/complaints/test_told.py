"""RecordCustomerTold on SQLite and PostgreSQL, with the marks the outcome's final result
leaves (add_to_history, as the outbox writes it): a complaint whose text or e-mail could not
go stays listed, marked, until an agent says the customer was told, or the customer's
verdict shows they heard it."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.tickets.resolve import RecordOutcome, ResolveTicket
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import ComplaintNotClaimed, ComplaintNotFound, NothingUndelivered
from handoff.complaints.lists import ListComplaints
from handoff.complaints.records import HistoryStep
from handoff.complaints.told import RecordCustomerTold
from handoff.outcome.notice import OutcomeNotice
from handoff.outcome.record import add_to_history
from tests.unit.complaints.conftest import NOON_UTC

FAILED_AT = NOON_UTC + dt.timedelta(hours=2)
TOLD_AT = NOON_UTC + dt.timedelta(hours=3)


def resolved(desk, status: str, owner: str = "wang") -> str:
    """A complaint its owner resolved, whose text then came to `status`."""
    number = desk.complaint()
    if owner:
        ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent(owner))
    ResolveTicket(desk.sessions)(number, "已退款", owner or "chen")
    with desk.sessions.begin() as session:
        add_to_history(session, number, OutcomeNotice("sms", status, "+86138****8001",
                                                      "gateway answered 400"), FAILED_AT)
    return number


def mine(desk, agent_id: str = "wang") -> list:
    return [item.number for item in ListComplaints(desk.sessions).call(
        agent=desk.agent(agent_id)).mine]


@pytest.mark.parametrize("status", ["failed", "not_configured", "gave_up"])
def test_an_outcome_that_could_not_go_stays_listed_until_an_agent_told_the_customer(
        desk, status: str) -> None:
    number = resolved(desk, status)
    assert desk.ticket(number).outcome_undelivered_at is not None
    [listed] = ListComplaints(desk.sessions).call(agent=desk.agent("wang")).mine
    assert (listed.number, listed.as_json(NOON_UTC)["undelivered"]) == (number, True)

    step = RecordCustomerTold(desk.sessions, lambda: TOLD_AT).call(
        number=number, agent=desk.agent("wang"))
    assert step == HistoryStep(TOLD_AT, "wang", "resolved",
                               "outcome told to the customer by wang")
    assert desk.history(number)[-1] == ("wang", "resolved",
                                        "outcome told to the customer by wang")
    assert desk.audited(number)[-1] == {"actor": "agent:wang", "action": "ticket.outcome_told",
                                        "role": "agent"}
    assert (desk.ticket(number).outcome_undelivered_at, mine(desk)) == (None, [])
    with pytest.raises(NothingUndelivered):  # told already (a double click, a colleague)
        RecordCustomerTold(desk.sessions).call(number=number, agent=desk.agent("wang"))


@pytest.mark.parametrize("status", ["sent", "already_told", "call_customer"])
def test_an_outcome_that_went_leaves_nothing_to_tell(desk, status: str) -> None:
    number = resolved(desk, status)
    assert (desk.ticket(number).outcome_undelivered_at, mine(desk)) == (None, [])
    with pytest.raises(NothingUndelivered):
        RecordCustomerTold(desk.sessions).call(number=number, agent=desk.agent("wang"))


@pytest.mark.parametrize("accepted", [True, False])
def test_the_customer_s_verdict_shows_they_heard_it(desk, accepted: bool) -> None:
    number = resolved(desk, "gave_up")
    RecordOutcome(desk.sessions)(number, accepted, None, "customer:web-1")
    assert desk.ticket(number).outcome_undelivered_at is None
    # Not accepted, it is back to work as any reopened complaint, unmarked.
    assert [(item.number, item.undelivered_at) for item in ListComplaints(
        desk.sessions).call(agent=desk.agent("wang")).mine] == (
        [] if accepted else [(number, None)])


def test_a_final_result_after_the_verdict_leaves_no_mark(desk) -> None:
    number = desk.complaint()
    ResolveTicket(desk.sessions)(number, "已退款", "chen")
    RecordOutcome(desk.sessions)(number, True, None, "customer:web-1")
    with desk.sessions.begin() as session:
        add_to_history(session, number, OutcomeNotice("email", "gave_up", None), FAILED_AT)
    assert desk.ticket(number).outcome_undelivered_at is None


def test_who_may_say_the_customer_was_told(desk) -> None:
    owned = resolved(desk, "failed")
    with pytest.raises(ComplaintNotFound):  # wang's: a colleague does not see it
        RecordCustomerTold(desk.sessions).call(number=owned, agent=desk.agent("smith"))
    nobody_s = resolved(desk, "failed", owner="")
    with pytest.raises(ComplaintNotFound):  # not on the complaints team
        RecordCustomerTold(desk.sessions).call(number=nobody_s, agent=desk.agent("zhao"))
    assert [item.number for item in ListComplaints(desk.sessions).call(
        agent=desk.agent("smith")).queue] == [nobody_s]
    RecordCustomerTold(desk.sessions).call(number=nobody_s, agent=desk.agent("smith"))
    # Told, a resolved complaint nobody owns is the team's no more.
    with pytest.raises(ComplaintNotFound):
        RecordCustomerTold(desk.sessions).call(number=nobody_s, agent=desk.agent("smith"))
    RecordCustomerTold(desk.sessions).call(number=owned, agent=desk.agent("chen"))
    open_one = desk.complaint()
    with pytest.raises(ComplaintNotClaimed):  # in the queue: claim it first
        RecordCustomerTold(desk.sessions).call(number=open_one, agent=desk.agent("smith"))
