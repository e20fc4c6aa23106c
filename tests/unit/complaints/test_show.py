"""ShowComplaint on SQLite and PostgreSQL: what the owner works with, and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from actions.identity.demo import seed_demo_customers
from actions.store.models import Customer
from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import ComplaintNotFound
from handoff.complaints.note import AddComplaintNote
from handoff.complaints.show import ShowComplaint
from tests.unit.complaints.conftest import NOON_UTC

# A gateway and a relay set up: texts and e-mails can go.
SENDS = frozenset({"sms", "email"})


def test_the_owner_sees_the_whole_complaint_with_the_contact_masked(desk) -> None:
    seed_demo_customers(desk.sessions)
    with desk.sessions() as session:
        wang_id = session.execute(select(Customer.id).where(
            Customer.customer_number == "C0001")).scalar_one()
    number = desk.complaint(customer_id=wang_id)
    ClaimComplaint(desk.sessions, lambda: NOON_UTC).call(number=number, agent=desk.agent("wang"))
    AddComplaintNote(desk.sessions, lambda: NOON_UTC).call(
        number=number, agent=desk.agent("wang"), note="已联系网点调取录像")
    shown = ShowComplaint(desk.sessions, SENDS).call(number=number, agent=desk.agent("wang"))
    detail = shown.as_json(NOON_UTC)
    assert {key: detail[key] for key in (
        "number", "status", "category", "amount", "currency", "incident_date", "card_last_four",
        "desired_outcome", "contact_preference", "contact_kind", "contact", "owner_agent_id",
        "overdue", "resolution")} == {
        "number": number, "status": "open", "category": "card", "amount": "500",
        "currency": "CNY", "incident_date": "2026-11-20", "card_last_four": "1234",
        "desired_outcome": "refund", "contact_preference": "sms", "contact_kind": "phone",
        "contact": "138****8001", "owner_agent_id": "wang", "overdue": False,
        "resolution": None}
    # The customer's words, their card number cut to its last four digits.
    assert detail["description"] == "ATM吞卡，卡号***************0123"
    assert detail["customer"] == {"display_name": "王女士", "customer_number": "C0001",
                                  "segment": "private"}
    assert [(step["actor"], step["note"]) for step in detail["history"]] == [
        ("bot", "received"), ("wang", "claimed by wang"), ("wang", "已联系网点调取录像")]
    assert detail["history"][1]["at"] == NOON_UTC.isoformat()
    assert "13800138001" not in str(detail)


def test_a_waiting_complaint_shows_to_the_team_and_is_overdue_after_a_day(desk) -> None:
    number = desk.complaint(contact_preference="this_channel", contact_phone=None)
    shown = ShowComplaint(desk.sessions, SENDS).call(number=number, agent=desk.agent("smith"))
    detail = shown.as_json(NOON_UTC + dt.timedelta(hours=25))
    assert (detail["overdue"], detail["owner_agent_id"], detail["contact_kind"],
            detail["contact"], detail["customer"]) == (True, None, None, None, None)


def test_a_claimed_complaint_is_its_owner_s_and_the_supervisors_only(desk) -> None:
    number = desk.complaint()
    with pytest.raises(ComplaintNotFound):  # no complaints skill: not even the queue
        ShowComplaint(desk.sessions, SENDS).call(number=number, agent=desk.agent("zhao"))
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    for colleague in ("smith", "zhao"):
        with pytest.raises(ComplaintNotFound):
            ShowComplaint(desk.sessions, SENDS).call(number=number, agent=desk.agent(colleague))
    assert ShowComplaint(desk.sessions, SENDS).call(
        number=number, agent=desk.agent("chen")).summary.owner_agent_id == "wang"
    with pytest.raises(ComplaintNotFound):
        ShowComplaint(desk.sessions, SENDS).call(number="KF-20261123-99999",
                                                 agent=desk.agent("chen"))
