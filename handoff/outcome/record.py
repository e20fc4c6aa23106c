"""What was done to tell a customer their complaint's outcome, where the agent and the
supervisor see it: a line of the ticket's history (actor `system`) and an audit row, written
in the caller's transaction; and the log line (destinations masked, texts never)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import Ticket, TicketEvent
from actions.tickets import history
from actions.tickets.records import RESOLVED
from actions.tickets.resolve import TicketNotFound
from handoff.audit import SYSTEM_ACTOR, audit_row, log_audited
from handoff.outcome.notice import CALL_CUSTOMER, NOT_CONFIGURED, SENT, OutcomeNotice

logger = logging.getLogger(__name__)

AUDIT_ACTION = "ticket.outcome_notice"


def add_to_history(session: Session, number: str, notice: OutcomeNotice,
                   at: dt.datetime) -> None:
    """The history line and the audit row; the ticket keeps its status, and is marked when
    the customer was left untold (the complaint lists show it until someone tells them)."""
    # Locked: a verdict arriving meanwhile waits, then clears the mark this may set.
    ticket = session.execute(select(Ticket).where(
        Ticket.number == number.upper()).with_for_update()).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(number)
    ticket.events.append(TicketEvent(occurred_at=at, actor=history.SYSTEM_ACTOR,
                                     status=ticket.status, note=notice.note()))
    # A verdict meanwhile (reopened, closed) shows the customer heard it after all.
    if notice.undelivered and ticket.status == RESOLVED:
        ticket.outcome_undelivered_at = at
    session.add(audit_row(SYSTEM_ACTOR, AUDIT_ACTION, ticket.number, channel=notice.channel,
                          status=notice.status, to=notice.to, reason=notice.reason))


def log_notice(number: str, notice: OutcomeNotice) -> None:
    log = logger.info if notice.status in (SENT, CALL_CUSTOMER) \
        else logger.warning if notice.status == NOT_CONFIGURED else logger.error
    log("outcome.%s ticket=%s channel=%s to=%s reason=%s", notice.status, number,
        notice.channel, notice.to or "-", notice.reason or "-")


def log_recorded(number: str) -> None:
    log_audited(SYSTEM_ACTOR, AUDIT_ACTION, number)
