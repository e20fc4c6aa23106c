"""actions/tickets/history.py: each line kefu writes reads back as its kind and parameters;
lines stored before kinds existed read the same; anyone's own words stay a "note"."""

from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

from actions.tickets import history
from handoff.outcome.notice import (
    ALREADY_TOLD,
    CALL_CUSTOMER,
    FAILED,
    GAVE_UP,
    NOT_CONFIGURED,
    SENT,
    OutcomeNotice,
)

PHONE = "+86138****8001"
MAIL = "d***@example.com"


def outcome(channel: str, status: str, to: Optional[str],
            reason: Optional[str] = None) -> Dict[str, Any]:
    return {"channel": channel, "status": status, "to": to, "reason": reason}


# (actor, note as its writer writes it, kind, params)
WRITTEN = [
    ("bot", history.received(), "received", {}),
    ("bot", history.callback_requested(), "callback_requested", {}),
    ("customer:+8613800138001", history.verdict(True), "accepted", {}),
    ("customer:web-1", history.verdict(False), "not_accepted", {}),
    ("agent-wang", history.claimed("agent-wang"), "claimed", {"by": "agent-wang"}),
    ("agent-wang", history.released("agent-wang", "agent-wang"), "released",
     {"by": "agent-wang"}),
    ("supervisor-chen", history.released("supervisor-chen", "agent-wang"), "released",
     {"by": "supervisor-chen", "previous_owner": "agent-wang"}),
    ("supervisor-chen", history.reassigned("supervisor-chen", "agent-wang", "agent-smith"),
     "reassigned",
     {"by": "supervisor-chen", "previous_owner": "agent-wang", "owner": "agent-smith"}),
    ("supervisor-chen", history.reassigned("supervisor-chen", None, "agent-smith"),
     "reassigned", {"by": "supervisor-chen", "owner": "agent-smith"}),
    ("agent-wang", history.outcome_told("agent-wang"), "outcome_told", {"by": "agent-wang"}),
]


@pytest.mark.parametrize(("actor", "note", "kind", "params"), WRITTEN)
def test_each_line_written_reads_back_as_its_kind(actor, note, kind, params) -> None:
    assert history.read(actor, note) == history.HistoryLine(kind, params)
    assert history.read(actor, note).as_json() == {"kind": kind, "params": params}


NOTICES = [
    OutcomeNotice("sms", SENT, PHONE),
    OutcomeNotice("email", SENT, MAIL),
    OutcomeNotice("phone", CALL_CUSTOMER, "021-****5678"),
    OutcomeNotice("phone", CALL_CUSTOMER, None),
    OutcomeNotice("sms", FAILED, PHONE, "gateway answered 400: invalid 'To' number"),
    OutcomeNotice("sms", FAILED, None, "no phone number"),
    OutcomeNotice("email", FAILED, MAIL),
    OutcomeNotice("sms", NOT_CONFIGURED, PHONE, history.NO_GATEWAY),
    OutcomeNotice("email", NOT_CONFIGURED, MAIL, history.NO_RELAY),
    OutcomeNotice("sms", ALREADY_TOLD, PHONE, history.TOLD_IN_CONVERSATION),
    OutcomeNotice("sms", GAVE_UP, PHONE, history.gave_up_reason(8, "gateway answered 503")),
    OutcomeNotice("email", GAVE_UP, MAIL, history.gave_up_reason(1, None)),
]


@pytest.mark.parametrize("notice", NOTICES, ids=lambda notice: f"{notice.channel}-{notice.status}")
def test_an_outcome_line_reads_back_as_the_notice_it_records(notice) -> None:
    line = history.read("system", notice.note())
    assert line.kind == "outcome"
    # As the resolve response has it (the call's reason is not in the line).
    expected = {key: value for key, value in notice.as_json().items() if key != "at"}
    if notice.status == CALL_CUSTOMER:
        expected["reason"] = None
    assert line.params == expected


# Lines as stored before kinds existed (and as the writers above still write them).
STORED = [
    ("bot", "received", "received", {}),
    ("bot", "callback requested", "callback_requested", {}),
    ("customer:web-7", "customer accepted", "accepted", {}),
    ("customer:web-7", "customer did not accept", "not_accepted", {}),
    ("wang", "claimed by wang", "claimed", {"by": "wang"}),
    ("wang", "released by wang", "released", {"by": "wang"}),
    ("chen", "released by chen (claimed by wang)", "released",
     {"by": "chen", "previous_owner": "wang"}),
    ("chen", "reassigned from wang to smith by chen", "reassigned",
     {"by": "chen", "previous_owner": "wang", "owner": "smith"}),
    ("chen", "reassigned from the queue to wang by chen", "reassigned",
     {"by": "chen", "owner": "wang"}),
    ("system", "outcome sent by sms to +86138****8001", "outcome",
     outcome("sms", "sent", PHONE)),
    ("system", "outcome to be given by phone: call 021-****5678", "outcome",
     outcome("phone", "call_customer", "021-****5678")),
    ("system", "outcome to be given by phone: call no destination", "outcome",
     outcome("phone", "call_customer", None)),
    ("system", "outcome not sent by email to d***@example.com: relay answered 550", "outcome",
     outcome("email", "failed", MAIL, "relay answered 550")),
    ("system", "outcome not sent by sms to no destination: no phone number", "outcome",
     outcome("sms", "failed", None, "no phone number")),
    ("system", "outcome not sent by email to d***@example.com: no SMTP relay (KEFU_SMTP_HOST, "
     "KEFU_SMTP_FROM)", "outcome", outcome("email", "not_configured", MAIL,
                                           "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)")),
    ("system", "outcome not sent by sms to +86138****8001: told in the SMS conversation",
     "outcome", outcome("sms", "already_told", PHONE, "told in the SMS conversation")),
    ("system", "outcome not sent by sms to +86138****8001: gave up after 8 attempts: gateway "
     "answered 503", "outcome", outcome("sms", "gave_up", PHONE,
                                        "gave up after 8 attempts: gateway answered 503")),
]


@pytest.mark.parametrize(("actor", "note", "kind", "params"), STORED)
def test_lines_stored_before_kinds_existed_read_the_same(actor, note, kind, params) -> None:
    assert history.read(actor, note) == history.HistoryLine(kind, params)


@pytest.mark.parametrize(("actor", "note"), [
    ("agent-wang", "已致电客户，未接通"),
    ("agent-wang", "经核实，已退回500元至原卡"),  # a resolution
    ("agent-wang", "Called the customer; claimed by agent-wang earlier."),
    ("agent-wang", ""),
    # Someone else's line in an agent's words is the agent's note, not that line.
    ("agent-wang", "claimed by agent-li"),
    ("agent-wang", "reassigned from agent-li to agent-wang by supervisor-chen"),
    ("agent-wang", "received"),
    ("agent-wang", "customer accepted"),
    ("agent-wang", "outcome sent by sms to +86138****8001"),
    ("agent-wang", "outcome told to the customer by agent-li"),
    ("bot", "claimed by agent-wang"),
])
def test_other_words_are_a_note_shown_as_written(actor, note) -> None:
    assert history.read(actor, note) == history.HistoryLine("note", {})
