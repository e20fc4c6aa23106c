"""RevealComplaintContact on SQLite and PostgreSQL: in full to the owner, audited."""

from __future__ import annotations

import pytest

from handoff.complaints.claim import ClaimComplaint
from handoff.complaints.errors import ComplaintNotClaimed, ComplaintNotFound, NoContactDetail
from handoff.complaints.reveal import RevealComplaintContact


def test_the_owner_sees_the_number_in_full_and_the_audit_says_so_without_it(desk) -> None:
    number = desk.complaint(contact_preference="phone", contact_phone="021-62345678-123")
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    contact = RevealComplaintContact(desk.sessions).call(number=number, agent=desk.agent("wang"))
    assert contact.revealed() == {"number": number, "contact_preference": "phone",
                                  "contact_kind": "phone", "contact": "021-62345678-123"}
    assert contact.masked()["contact"] == "021-****5678"
    assert desk.audited(number)[-1] == {
        "actor": "agent:wang", "action": "ticket.contact_revealed", "via": "complaints",
        "contact_kind": "phone", "role": "agent"}
    assert "62345678" not in str(desk.audited(number))


def test_only_the_owner_and_supervisors_and_only_what_there_is(desk) -> None:
    number = desk.complaint(contact_preference="email", contact_phone=None,
                            contact_email="li.lei@example.com")
    with pytest.raises(ComplaintNotClaimed):  # seen in the queue, not claimed
        RevealComplaintContact(desk.sessions).call(number=number, agent=desk.agent("wang"))
    ClaimComplaint(desk.sessions).call(number=number, agent=desk.agent("wang"))
    with pytest.raises(ComplaintNotFound):
        RevealComplaintContact(desk.sessions).call(number=number, agent=desk.agent("smith"))
    assert RevealComplaintContact(desk.sessions).call(
        number=number, agent=desk.agent("chen")).detail == "li.lei@example.com"
    here = desk.complaint(contact_preference="this_channel", contact_phone=None)
    with pytest.raises(NoContactDetail):
        RevealComplaintContact(desk.sessions).call(number=here, agent=desk.agent("chen"))
    assert [row["actor"] for row in desk.audited(number)
            if row["action"] == "ticket.contact_revealed"] == ["agent:chen"]
