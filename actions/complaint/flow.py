"""One turn of the complaint form: read the answer, decide what to store and what to ask next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Mapping, Optional, Tuple

from actions.complaint import answers, fields
from actions.complaint.answers import Answer
from actions.complaint.opening import details_in
from actions.interruptions import (
    DIGRESSION_CONFIDENCE,
    NO_REQUEST_INTENTS,
    interrupts_free_text,
)

# These leave a structured question whatever is being asked: the customer wants out, a
# person, or is in danger. Free-text questions ask actions.interruptions first.
LEAVING_INTENTS = frozenset(
    {"cancel", "human_handoff", "request_relationship_manager", "card_stolen", "fraud_report"}
)
# Never a digression: they answer the form or carry no question of their own.
NOT_DIGRESSIONS = NO_REQUEST_INTENTS | {"complaint", "deny"}
# Intents the bank's services trigger through Rasa's API, never typed by the customer.
EXTERNAL_PREFIX = "EXTERNAL_"
FREE_TEXT_SLOTS = frozenset({fields.DESCRIPTION, fields.OUTCOME})
# Answers of this form, never a request to leave it.
ANSWERED_HERE = frozenset({"complaint"})


@dataclass(frozen=True)
class Turn:
    """What the customer just said, as the NLU understood it."""

    text: str
    intent: Optional[str]
    confidence: float
    today: dt.date
    # A button's value: /inform{"choice": "card"}.
    choice: Optional[str] = None
    # The NLU's entities in the message (entity, value, start, end).
    entities: Tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class KnownContact:
    """How kefu can already reach this customer: a verified customer's phone and email on
    record, or the number an SMS customer writes from."""

    phone: Optional[str] = None
    email: Optional[str] = None

    def detail(self, slot: str) -> Optional[str]:
        return self.phone if slot == fields.CONTACT_PHONE else self.email


NOTHING_KNOWN = KnownContact()


@dataclass
class Step:
    updates: Dict[str, Any] = field(default_factory=dict)
    problem: Optional[str] = None
    # The message is not an answer: the form steps aside for a rule to handle it.
    digression: bool = False
    # Said before the next question when the answer changes what the customer chose.
    acknowledgement: Optional[str] = None


def _leaves_form(turn: Turn, requested: str) -> bool:
    if requested in FREE_TEXT_SLOTS:
        # "转人工" or "I want to talk to a person", not a description that mentions one.
        return interrupts_free_text(turn.text, turn.intent, turn.confidence, ANSWERED_HERE)
    return turn.intent in LEAVING_INTENTS and turn.confidence >= DIGRESSION_CONFIDENCE


def _asks_something_else(turn: Turn) -> bool:
    return (
        turn.intent is not None
        and turn.intent not in NOT_DIGRESSIONS
        and turn.confidence >= DIGRESSION_CONFIDENCE
    )


def _chosen(requested: str, turn: Turn) -> Optional[str]:
    if turn.choice and turn.choice in fields.LABELS.get(requested, {}):
        return turn.choice
    if requested == fields.OUTCOME:
        # "I want an apology" names an outcome, whatever the NLU thought (cancel, 0.69).
        return answers.named_outcome(turn.text)
    return answers.label_match(requested, turn.text)


def _read(requested: str, turn: Turn) -> Optional[Answer]:
    if requested == fields.CATEGORY:
        return answers.read_category(turn.text)
    if requested == fields.DESCRIPTION:
        return answers.read_description(turn.text)
    if requested == fields.AMOUNT:
        return answers.read_amount(turn.text)
    if requested == fields.DATE:
        return answers.read_date(turn.text, turn.today)
    if requested == fields.CARD_LAST_FOUR:
        return answers.read_card_last_four(turn.text)
    if requested == fields.OUTCOME:
        return answers.read_outcome(turn.text)
    if requested == fields.CONTACT:
        return answers.read_contact(turn.text)
    raise ValueError(f"the complaint form does not ask for {requested}")


def filled_fields(slots: Mapping[str, Any]) -> list[str]:
    """The fields on the read-back, which the customer may change."""
    return [s for s in fields.slots_to_fill(slots)
            if s != fields.CONFIRMED and slots.get(s) is not None]


def contact_updates(contact: str, slots: Mapping[str, Any], known: KnownContact) -> Dict[str, Any]:
    """The way of contacting with the number or address it needs: one already given or on
    record, else empty so that the form asks for it next; the detail it does not need is
    dropped."""
    needed = fields.CONTACT_DETAIL.get(contact)
    updates: Dict[str, Any] = {fields.CONTACT: contact}
    for detail in (fields.CONTACT_PHONE, fields.CONTACT_EMAIL):
        updates[detail] = (slots.get(detail) or known.detail(detail)) if detail == needed else None
    return updates


def _contact_detail_step(requested: str, slots: Mapping[str, Any], turn: Turn,
                         known: KnownContact) -> Step:
    """The phone number (for a call or a text) or the email address; or the customer changes
    their mind ("那就在这里回复我吧") or would rather not say, and is answered here."""
    by_call = slots.get(fields.CONTACT) == "phone"  # a landline can take a call, not a text
    answer = answers.read_contact_phone(turn.text, landline_ok=by_call) \
        if requested == fields.CONTACT_PHONE else answers.read_contact_email(turn.text)
    if answer and answer.value:
        return Step({requested: answer.value})
    if answer and answer.problem:
        return Step({requested: None}, problem=answer.problem)
    # Another way of contacting that needs no such detail: a button, or said in words.
    button = turn.choice if turn.choice in fields.LABELS[fields.CONTACT] else None
    # A button's title typed ("call me" after a landline cannot take a text) may switch between
    # a call and a text; loose words may not: "my phone" at the text's number is no call.
    titled = answers.label_match(fields.CONTACT, turn.text)
    other = button or (titled if titled != slots.get(fields.CONTACT) else None) or next(
        (c for c in answers.named_contacts(turn.text)
         if fields.CONTACT_DETAIL.get(c) != requested), None)
    if other:
        return Step(contact_updates(other, slots, known))
    if answers.is_not_given(turn.text):
        return Step(contact_updates("this_channel", slots, known),
                    acknowledgement="utter_complaint_contact_here_instead")
    if _asks_something_else(turn):
        return Step(digression=True)
    return Step({requested: None}, problem=f"utter_{requested}_unclear")


def _answered(requested: str, value: Optional[str], slots: Mapping[str, Any], known: KnownContact,
              extra: Optional[Dict[str, str]] = None) -> Step:
    if requested == fields.CONTACT and value:
        return Step(contact_updates(value, slots, known))
    return Step({requested: value, **(extra or {})})


def _clear(slot: str) -> Dict[str, Any]:
    cleared: Dict[str, Any] = {slot: None, fields.CONFIRMED: None, fields.EDITING: None}
    if slot == fields.AMOUNT:
        cleared[fields.CURRENCY] = None
    return cleared


def _confirmation_step(slots: Mapping[str, Any], turn: Turn) -> Step:
    present = filled_fields(slots)
    named = turn.choice if turn.choice in present else answers.read_field_name(turn.text, present)
    if slots.get(fields.EDITING) == "choose":
        if named:
            return Step(_clear(named))
        if _asks_something_else(turn):
            return Step(digression=True)
        return Step({fields.CONFIRMED: None}, problem="utter_complaint_field_unclear")
    if answers.is_change_request(turn.text, turn.intent):
        return Step(_clear(named) if named else {fields.EDITING: "choose", fields.CONFIRMED: None})
    if answers.is_confirmation(turn.text, turn.intent):
        return Step({fields.CONFIRMED: "yes"})
    if named:  # "the amount" on its own: they want to change it
        return Step(_clear(named))
    if _asks_something_else(turn):
        return Step(digression=True)
    return Step({fields.CONFIRMED: None}, problem="utter_complaint_confirm_unclear")


def form_step(requested: Optional[str], slots: Mapping[str, Any], turn: Turn,
              known: KnownContact = NOTHING_KNOWN) -> Step:
    """Read the answer to the requested slot; the caller works out what to ask next.
    `known` is how kefu can reach the customer without asking."""
    if requested is None:
        return Step()
    if (turn.intent or "").startswith(EXTERNAL_PREFIX):
        return Step(digression=True)  # news from the bank (a resolved ticket), not an answer
    # "83" (goodbye for the NLU) or "12000" (check_balance) answers the question or is asked
    # again: a number never leaves the form.
    turn = replace(turn, intent=answers.intent_at_a_question(turn.text, turn.intent))
    chosen = _chosen(requested, turn)
    if chosen:  # a button, clicked or typed, is an answer whatever the NLU thought
        return _answered(requested, chosen, slots, known)
    if _leaves_form(turn, requested):
        return Step(digression=True)
    if requested == fields.CONFIRMED:
        return _confirmation_step(slots, turn)
    if requested in (fields.CONTACT_PHONE, fields.CONTACT_EMAIL):
        return _contact_detail_step(requested, slots, turn, known)
    if requested in FREE_TEXT_SLOTS and answers.is_question(turn.text) \
            and _asks_something_else(turn):
        return Step(digression=True)
    answer = _read(requested, turn)
    if answer is None:
        if _asks_something_else(turn):
            return Step(digression=True)
        return Step({requested: None}, problem=f"utter_{requested}_unclear")
    if answer.problem:
        return Step({requested: None}, problem=answer.problem)
    step = _answered(requested, answer.value, slots, known, answer.extra)
    if requested == fields.DESCRIPTION:
        step.updates.update(_details_not_yet_given(slots, turn))
    return step


def _details_not_yet_given(slots: Mapping[str, Any], turn: Turn) -> Dict[str, Any]:
    """What the description says of the questions still to come for this category (amount,
    date, card digits): those are not asked; nothing already answered is replaced."""
    to_ask = {slot for slot in fields.slots_to_fill(slots) if slots.get(slot) is None}
    found = details_in(turn.text, turn.entities, turn.today)
    kept = {slot: value for slot, value in found.items() if slot in to_ask}
    if fields.AMOUNT in kept:
        kept[fields.CURRENCY] = found[fields.CURRENCY]
    return kept


def next_slot(slots: Mapping[str, Any]) -> Optional[str]:
    """The first unfilled slot for this category, or None when the form is complete."""
    return next(
        (s for s in fields.slots_to_fill(slots) if slots.get(s) is None),
        None,
    )
