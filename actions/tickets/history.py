"""The lines kefu itself writes into a ticket's history ("received", "claimed by agent-wang",
"outcome sent by sms to +86138****8001"…): written here and read back here as a kind and its
parameters, so the console can show each in Chinese or English and writers and reader cannot
drift. The stored note stays plain English text (rows written before kinds existed read the
same). Anything else, an agent's note or a resolution, is kind "note" and shown as written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Dict, Mapping, Optional, Pattern, Tuple

# Who writes the lines that are not an agent's: the bot (a complaint or callback filed), the
# customer's conversation (their verdict), the handoff service (how the customer was told).
BOT_ACTOR = "bot"
SYSTEM_ACTOR = "system"
CUSTOMER_ACTOR = "customer:"

NOTE = "note"
RECEIVED = "received"
CALLBACK_REQUESTED = "callback_requested"
ACCEPTED = "accepted"
NOT_ACCEPTED = "not_accepted"
CLAIMED = "claimed"
RELEASED = "released"
REASSIGNED = "reassigned"
OUTCOME = "outcome"
# An agent told the customer an outcome their text or e-mail could not carry.
OUTCOME_TOLD = "outcome_told"

# Final results of telling a customer their complaint's outcome (OutcomeNotice.status).
SENT = "sent"
FAILED = "failed"
# No SMS gateway or SMTP relay is configured: nothing could be sent.
NOT_CONFIGURED = "not_configured"
# Temporary failures until the last attempt allowed (KEFU_OUTCOME_MAX_ATTEMPTS).
GAVE_UP = "gave_up"
# The customer texts from that number and was told in that conversation already.
ALREADY_TOLD = "already_told"
# They asked for a call: the agent calls them (nothing is sent).
CALL_CUSTOMER = "call_customer"

# The reasons that tell a status apart in a stored "outcome not sent" line.
NO_GATEWAY = "no SMS gateway (KEFU_TWILIO_*)"
NO_RELAY = "no SMTP relay (KEFU_SMTP_HOST, KEFU_SMTP_FROM)"
TOLD_IN_CONVERSATION = "told in the SMS conversation"
_GAVE_UP_REASON = "gave up after {attempts} attempts: {last}"
NO_DESTINATION = "no destination"


@dataclass(frozen=True)
class HistoryLine:
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> Dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params)}


@dataclass(frozen=True)
class _Form:
    """One wording of a kind: "{name}" marks a parameter. Lines with a {by} are the acting
    agent's own; `writer`, when set, is the only actor (or actor prefix) that writes it."""

    kind: str
    template: str
    writer: Optional[str] = None
    fixed: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pattern(self) -> Pattern[str]:
        return _compiled(self.template)

    def write(self, **params: str) -> str:
        return self.template.format(**params)

    def read(self, actor: str, note: str) -> Optional[Dict[str, Any]]:
        """The parameters, when `note` is this wording written by `actor`; None otherwise."""
        found = self.pattern.fullmatch(note)
        if found is None or not _written_by(self.writer, actor):
            return None
        params = found.groupdict()
        if "by" in params and params["by"] != actor:
            return None
        return {**params, **self.fixed}


def _written_by(writer: Optional[str], actor: str) -> bool:
    if writer is None:
        return True
    return actor.startswith(writer) if writer.endswith(":") else actor == writer


@cache
def _compiled(template: str) -> Pattern[str]:
    """The template as a pattern: its words as they are, each parameter one or more
    characters (the fewest that let the rest of the line match)."""
    pieces = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(piece) if at % 2 == 0 else f"(?P<{piece}>.+?)"
                              for at, piece in enumerate(pieces)), re.DOTALL)


_RECEIVED = _Form(RECEIVED, "received", writer=BOT_ACTOR)
_CALLBACK_REQUESTED = _Form(CALLBACK_REQUESTED, "callback requested", writer=BOT_ACTOR)
_ACCEPTED = _Form(ACCEPTED, "customer accepted", writer=CUSTOMER_ACTOR)
_NOT_ACCEPTED = _Form(NOT_ACCEPTED, "customer did not accept", writer=CUSTOMER_ACTOR)
_CLAIMED = _Form(CLAIMED, "claimed by {by}")
# A supervisor releasing an agent's complaint; an agent releasing their own says no more.
_RELEASED_OTHERS = _Form(RELEASED, "released by {by} (claimed by {previous_owner})")
_RELEASED = _Form(RELEASED, "released by {by}")
_REASSIGNED_FROM_QUEUE = _Form(REASSIGNED, "reassigned from the queue to {owner} by {by}")
_REASSIGNED = _Form(REASSIGNED, "reassigned from {previous_owner} to {owner} by {by}")
_OUTCOME_SENT = _Form(OUTCOME, "outcome sent by {channel} to {to}", writer=SYSTEM_ACTOR,
                      fixed={"status": SENT, "reason": None})
_OUTCOME_CALL = _Form(OUTCOME, "outcome to be given by phone: call {to}", writer=SYSTEM_ACTOR,
                      fixed={"channel": "phone", "status": CALL_CUSTOMER, "reason": None})
_OUTCOME_NOT_SENT = _Form(OUTCOME, "outcome not sent by {channel} to {to}: {reason}",
                          writer=SYSTEM_ACTOR)
_OUTCOME_TOLD = _Form(OUTCOME_TOLD, "outcome told to the customer by {by}")
# Tried in this order: a specific wording before the general one it would also match.
_FORMS: Tuple[_Form, ...] = (
    _RECEIVED, _CALLBACK_REQUESTED, _ACCEPTED, _NOT_ACCEPTED, _CLAIMED, _RELEASED_OTHERS,
    _RELEASED, _REASSIGNED_FROM_QUEUE, _REASSIGNED, _OUTCOME_SENT, _OUTCOME_CALL,
    _OUTCOME_NOT_SENT, _OUTCOME_TOLD)


def received() -> str:
    return _RECEIVED.write()


def callback_requested() -> str:
    return _CALLBACK_REQUESTED.write()


def verdict(accepted: bool) -> str:
    return (_ACCEPTED if accepted else _NOT_ACCEPTED).write()


def claimed(by: str) -> str:
    return _CLAIMED.write(by=by)


def released(by: str, previous_owner: str) -> str:
    if previous_owner == by:
        return _RELEASED.write(by=by)
    return _RELEASED_OTHERS.write(by=by, previous_owner=previous_owner)


def reassigned(by: str, previous_owner: Optional[str], owner: str) -> str:
    if previous_owner is None:
        return _REASSIGNED_FROM_QUEUE.write(by=by, owner=owner)
    return _REASSIGNED.write(by=by, previous_owner=previous_owner, owner=owner)


def outcome_told(by: str) -> str:
    return _OUTCOME_TOLD.write(by=by)


def gave_up_reason(attempts: int, last: Optional[str]) -> str:
    """An outcome notice's reason once its attempts ran out."""
    return _GAVE_UP_REASON.format(attempts=attempts, last=last or "not sent")


def outcome(channel: str, status: str, to: Optional[str], reason: Optional[str]) -> str:
    """How the customer was told (`to` masked): sent, a call to make, or why not sent."""
    destination = to or NO_DESTINATION
    if status == SENT:
        return _OUTCOME_SENT.write(channel=channel, to=destination)
    if status == CALL_CUSTOMER:
        return _OUTCOME_CALL.write(to=destination)
    return _OUTCOME_NOT_SENT.write(channel=channel, to=destination, reason=reason or status)


def read(actor: str, note: str) -> HistoryLine:
    """What a stored line says; kind "note" (no parameters) for words kefu did not write."""
    for form in _FORMS:
        params = form.read(actor, note)
        if params is not None:
            return HistoryLine(form.kind, _outcome(params) if form.kind == OUTCOME else params)
    return HistoryLine(NOTE)


def _outcome(params: Dict[str, Any]) -> Dict[str, Any]:
    """As OutcomeNotice.as_json has it: channel, status, to (None: none known), reason."""
    to = None if params["to"] == NO_DESTINATION else params["to"]
    if "status" in params:
        return {**params, "to": to}
    status, reason = _not_sent(params["reason"])
    return {"channel": params["channel"], "status": status, "to": to, "reason": reason}


def _not_sent(reason: str) -> Tuple[str, Optional[str]]:
    """The status a stored reason stands for (a bare status when the notice had no reason)."""
    if reason in (FAILED, NOT_CONFIGURED, GAVE_UP, ALREADY_TOLD):
        return reason, None
    if reason in (NO_GATEWAY, NO_RELAY):
        return NOT_CONFIGURED, reason
    if reason == TOLD_IN_CONVERSATION:
        return ALREADY_TOLD, reason
    if _compiled(_GAVE_UP_REASON).fullmatch(reason):
        return GAVE_UP, reason
    return FAILED, reason
