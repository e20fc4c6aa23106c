"""Where a complaint's outcome will be told, as the agent sees it before resolving
(OutcomeDestination), and which final results leave the customer untold (OutcomeNotice):
the way the customer chose, the address or number it needs, and whether this service can
send that way at all; when it cannot, the agent is to call, with the number when known."""

from __future__ import annotations

from typing import AbstractSet, Any, Dict, Optional

import pytest

from actions.tickets.contact import OutcomeContact
from handoff.outcome.destination import OutcomeDestination
from handoff.outcome.notice import OutcomeNotice

BOTH = frozenset({"sms", "email"})
NONE: AbstractSet[str] = frozenset()


def contact(way: str, phone: Optional[str] = None, email: Optional[str] = None,
            call_phone: Optional[str] = None) -> OutcomeContact:
    return OutcomeContact(way=way, phone=phone, email=email, conversation_id="web-1",
                          call_phone=call_phone if call_phone is not None else phone)


MOBILE = "+8613800138001"
CASES: Dict[str, Any] = {
    "a text that can go": (
        contact("sms", MOBILE), BOTH,
        {"channel": "sms", "to": "+86****8001", "reason": None, "chosen": "sms",
         "call_customer": False, "call_to": None}),
    "an e-mail that can go": (
        contact("email", MOBILE, "li@example.com"), BOTH,
        {"channel": "email", "to": "l***@example.com", "reason": None, "chosen": "email",
         "call_customer": False, "call_to": None}),
    "an e-mail with no relay: call the number known": (
        contact("email", MOBILE, "li@example.com"), frozenset({"sms"}),
        {"channel": None, "to": None, "reason": "not_configured", "chosen": "email",
         "call_customer": True, "call_to": "+86****8001"}),
    "an e-mail with no relay and no number": (
        contact("email", None, "li@example.com"), NONE,
        {"channel": None, "to": None, "reason": "not_configured", "chosen": "email",
         "call_customer": True, "call_to": None}),
    "a text with no gateway": (
        contact("sms", MOBILE), frozenset({"email"}),
        {"channel": None, "to": None, "reason": "not_configured", "chosen": "sms",
         "call_customer": True, "call_to": "+86****8001"}),
    "no address comes before no relay (the outbox's own order)": (
        contact("email", MOBILE), NONE,
        {"channel": None, "to": None, "reason": "no_email", "chosen": "email",
         "call_customer": True, "call_to": "+86****8001"}),
    "no mobile, but a landline to call": (
        contact("sms", None, call_phone="021-62345678"), BOTH,
        {"channel": None, "to": None, "reason": "no_mobile", "chosen": "sms",
         "call_customer": True, "call_to": "021-****5678"}),
    "a call, whatever is set up": (
        contact("phone", "021-62345678"), NONE,
        {"channel": "phone", "to": "021-****5678", "reason": None, "chosen": "phone",
         "call_customer": True, "call_to": "021-****5678"}),
    "a call with no number": (
        contact("phone"), BOTH,
        {"channel": None, "to": None, "reason": "no_phone", "chosen": "phone",
         "call_customer": True, "call_to": None}),
    "answered in the conversation": (
        None, NONE,
        {"channel": None, "to": None, "reason": "in_conversation", "chosen": None,
         "call_customer": False, "call_to": None}),
}


@pytest.mark.parametrize(("given", "sends", "expected"), CASES.values(), ids=CASES.keys())
def test_where_the_outcome_will_go(given: Optional[OutcomeContact], sends: AbstractSet[str],
                                   expected: Dict[str, Any]) -> None:
    assert OutcomeDestination.of(given, sends).as_json() == expected


@pytest.mark.parametrize(("status", "untold"), [
    ("sent", False), ("already_told", False), ("call_customer", False), ("pending", False),
    ("superseded", False), ("failed", True), ("not_configured", True), ("gave_up", True)])
def test_which_final_results_leave_the_customer_untold(status: str, untold: bool) -> None:
    assert OutcomeNotice("email", status, None).undelivered is untold
