"""One-time codes and profile changes on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from actions.identity.codes import MAX_ATTEMPTS, CheckCode, IssueCode
from actions.identity.demo import seed_demo_customers
from actions.identity.profile import PhoneTaken, UpdateProfile, linked_customer, masked
from actions.store.database import session_factory
from actions.store.models import AuditEvent, VerificationCode

SECRET = "test-otp-secret"
T0 = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.timezone.utc)


def at(minutes: float):
    return lambda: T0 + dt.timedelta(minutes=minutes)


@pytest.fixture
def sessions(database_url: str):
    factory = session_factory(database_url)
    assert seed_demo_customers(factory) == 3
    assert seed_demo_customers(factory) == 0  # idempotent
    return factory


def test_a_code_links_the_sender_to_the_customer(sessions) -> None:
    issued = IssueCode(sessions, SECRET, at(0))("rest", "web-1", "13800138001")
    assert issued.status == "issued" and len(issued.code) == 6 and issued.language == "zh"
    with sessions() as session:
        stored = session.execute(select(VerificationCode)).scalar_one()
        assert issued.code not in stored.code_hash  # kept as an HMAC only
    assert linked_customer(sessions, "rest", "web-1") is None
    check = CheckCode(sessions, SECRET, at(1))("rest", "web-1", issued.code)
    assert check.status == "verified" and check.customer.display_name == "王女士"
    assert linked_customer(sessions, "rest", "web-1").customer_number == "C0001"
    # Used once only.
    assert CheckCode(sessions, SECRET, at(2))("rest", "web-1", issued.code).status == "expired"


def test_codes_expire_after_five_minutes(sessions) -> None:
    issued = IssueCode(sessions, SECRET, at(0))("rest", "web-1", "13800138001")
    assert CheckCode(sessions, SECRET, at(5.5))("rest", "web-1", issued.code).status == "expired"


def test_five_wrong_codes_lock_it_even_against_the_right_one(sessions) -> None:
    issued = IssueCode(sessions, SECRET, at(0))("rest", "web-1", "13800138001")
    wrong = "000000" if issued.code != "000000" else "111111"
    results = [CheckCode(sessions, SECRET, at(1))("rest", "web-1", wrong)
               for _ in range(MAX_ATTEMPTS)]
    assert [r.attempts_left for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].status == "locked"
    assert CheckCode(sessions, SECRET, at(1))("rest", "web-1", issued.code).status == "locked"


def test_an_unknown_number_is_answered_alike_but_can_never_verify(sessions) -> None:
    issued = IssueCode(sessions, SECRET, at(0))("rest", "web-2", "13512345678")
    assert issued.status == "issued" and issued.code is None
    with sessions() as session:
        stored = session.execute(select(VerificationCode)).scalar_one()
    assert stored.customer_id is None


def test_codes_are_rate_limited_per_conversation_and_per_phone(sessions) -> None:
    issue = IssueCode(sessions, SECRET, at(0))
    assert [issue("rest", "web-1", "13800138001").status for _ in range(4)] == [
        "issued", "issued", "issued", "rate_limited"]
    assert [issue("rest", f"web-{i}", "13800138001").status for i in (2, 3, 4)] == [
        "issued", "issued", "rate_limited"]
    assert IssueCode(sessions, SECRET, at(16))("rest", "web-1", "13800138001").status == "issued"


def test_profile_changes_are_audited_masked(sessions) -> None:
    issued = IssueCode(sessions, SECRET, at(0))("rest", "web-1", "13900139002")
    customer = CheckCode(sessions, SECRET, at(1))("rest", "web-1", issued.code).customer
    updated = UpdateProfile(sessions, at(2))(customer.id, "email", "new@example.com", "customer:x")
    assert updated.email == "new@example.com"
    with pytest.raises(PhoneTaken):
        UpdateProfile(sessions, at(3))(customer.id, "phone", "13800138001", "customer:x")
    with pytest.raises(ValueError):
        UpdateProfile(sessions, at(3))(customer.id, "segment", "private", "customer:x")
    with sessions() as session:
        audit = session.execute(select(AuditEvent).where(
            AuditEvent.action == "profile.updated")).scalar_one()
    assert json.loads(audit.detail) == {"field": "email", "old": "c***@example.com",
                                        "new": "n***@example.com"}
    assert audit.actor == "customer:x" and audit.subject == "C0002"


def test_masking() -> None:
    assert masked("phone", "13800138001") == "138****8001"
    assert masked("email", "wang@example.com") == "w***@example.com"
    assert masked("address", "上海市浦东新区世纪大道100号") == "上海市浦东新****"
    assert masked("address", None) == "—"
