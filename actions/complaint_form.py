"""The complaint form's actions: start it, read each answer, read back, submit, clear."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.complaint import fields
from actions.complaint.flow import (
    NOTHING_KNOWN,
    KnownContact,
    Turn,
    filled_fields,
    form_step,
    next_slot,
)
from actions.complaint.opening import opening_slots
from actions.complaint.summary import complaint_summary, local_time
from actions.conversation import REQUESTED_SLOT, channel_of, choice_payload, language_of
from actions.identity.profile import customer_by_id
from actions.interruptions import is_external_digression
from actions.store.database import database_url, session_factory
from actions.ticket_outcome import NEXT as OUTCOME_NEXT
from actions.ticket_outcome import ask_for_verdict, refuses_an_outcome
from actions.ticket_status import awaiting_verdict
from actions.tickets.announce import announce_ticket_change
from actions.tickets.numbers import BANK_TIMEZONE
from actions.tickets.open_complaint import OpenComplaint
from actions.tickets.records import ComplaintDraft
from bot.nlu.entity_rules import find_phone_numbers
from bot.pii import mask_pii
from bot.policies.escalation import NEGATIVE_EMOTIONS

logger = logging.getLogger(__name__)

# bot.channels.sms.CHANNEL_NAME, not imported: the action server does not load Rasa's channels.
SMS_CHANNEL = "sms"



def _today() -> dt.date:
    return dt.datetime.now(BANK_TIMEZONE).date()


def _turn(tracker: Tracker) -> Turn:
    intent = tracker.latest_message.get("intent") or {}
    return Turn(
        text=tracker.latest_message.get("text") or "",
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        today=_today(),
        choice=next(tracker.get_latest_entity_values("choice"), None),
        entities=tuple(tracker.latest_message.get("entities") or ()),
    )


# The questions whose answers depend on how kefu can already reach the customer.
CONTACT_QUESTIONS = frozenset({fields.CONTACT, fields.CONTACT_PHONE, fields.CONTACT_EMAIL})


def sms_sender_phone(tracker: Tracker) -> Optional[str]:
    """On the SMS channel the sender is the customer's own number (E.164): a mainland mobile
    as its 11 digits, like the customers table, any other number as it is."""
    if channel_of(tracker) != SMS_CHANNEL or not tracker.sender_id.startswith("+"):
        return None
    mobile = next(find_phone_numbers(tracker.sender_id), None)
    return mobile.value if mobile else tracker.sender_id


async def known_contact(tracker: Tracker) -> KnownContact:
    """The SMS sender's own number, and a verified customer's phone and email on record."""
    sms_phone = sms_sender_phone(tracker)
    customer_id = tracker.get_slot("customer_id")
    if not customer_id:
        return KnownContact(phone=sms_phone)
    try:
        customer = await asyncio.to_thread(
            customer_by_id, session_factory(database_url()), int(customer_id))
    except SQLAlchemyError:
        # Asking the customer costs a question; a ticket nobody can act on costs more.
        logger.warning("complaint.contact_lookup_failed customer=%s", customer_id, exc_info=True)
        return KnownContact(phone=sms_phone)
    if customer is None:
        return KnownContact(phone=sms_phone)
    return KnownContact(phone=sms_phone or customer.phone, email=customer.email)


class ActionStartComplaint(Action):
    """Apologise, and keep what the opening message already says (category, what happened, and
    the amount, date and card digits the NLU found in it): the form asks only for the rest."""

    def name(self) -> str:
        return "action_start_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        # "我对处理结果不满意" said while a ticket awaits the customer's verdict is that verdict,
        # not a new complaint (a rule in data/rules/ticket_outcome.yml asks or records it).
        # Only straight after the customer's message: leaving another form takes the form.
        if tracker.latest_action_name == "action_listen" and refuses_an_outcome(text):
            due = await awaiting_verdict(tracker)
            if due is not None:
                logger.info("complaint.about_an_outcome ticket=%s sender=%s", due.number,
                            mask_pii(tracker.sender_id))
                dispatcher.utter_message(response="utter_outcome_about_ticket",
                                         ticket_number=due.number)
                return ask_for_verdict(dispatcher, due, text)
        dispatcher.utter_message(response="utter_complaint_start")
        found = opening_slots(text, tracker.latest_message.get("entities") or [], _today())
        return [SlotSet(slot, None) for slot in fields.CLEARED_AFTER_FORM if slot not in found] + [
            SlotSet(slot, value) for slot, value in found.items()
        ] + [SlotSet(OUTCOME_NEXT, None)]


class ValidateComplaintForm(FormValidationAction):
    """Reads every answer itself (custom slot mappings), so it overrides `run` as a whole."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if is_external_digression(tracker.latest_message):
            return []  # nothing filled: Rasa rejects the form and the rule tells the news
        requested: Optional[str] = tracker.get_slot(REQUESTED_SLOT)
        known = await known_contact(tracker) if requested in CONTACT_QUESTIONS \
            else NOTHING_KNOWN
        step = form_step(requested, tracker.slots, _turn(tracker), known)
        if step.digression:
            return []  # nothing filled: Rasa rejects the form and a rule answers instead
        if step.acknowledgement:
            dispatcher.utter_message(response=step.acknowledgement)
        if step.problem:
            dispatcher.utter_message(response=step.problem)
        slots = {**tracker.slots, **step.updates}
        return [SlotSet(slot, value) for slot, value in step.updates.items()] + [
            SlotSet(REQUESTED_SLOT, next_slot(slots))
        ]


class ActionAskComplaintConfirmed(Action):
    """The read-back, or (after "change") the list of fields the customer can change."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        language = language_of(tracker)
        if tracker.get_slot(fields.EDITING) == "choose":
            dispatcher.utter_message(
                response="utter_complaint_which_field",
                buttons=[
                    {"title": fields.FIELD_NAMES[slot][language], "payload": choice_payload(slot)}
                    for slot in filled_fields(tracker.slots)
                ],
            )
        else:
            dispatcher.utter_message(
                response="utter_complaint_read_back",
                summary=complaint_summary(tracker.slots, language),
            )
        return []


class ActionSubmitComplaint(Action):
    """Write the confirmed complaint as a ticket and tell the customer its number and SLA."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        draft = complaint_draft(tracker)
        try:
            ticket = await asyncio.to_thread(OpenComplaint(session_factory(database_url())), draft)
        except SQLAlchemyError:
            logger.exception("complaint.not_saved sender=%s", mask_pii(tracker.sender_id))
            dispatcher.utter_message(response="utter_complaint_not_saved")
            return [FollowupAction("action_handoff")]
        logger.info("complaint.ticket_opened number=%s priority=%s contact=%s reach=%s",
                    ticket.number, ticket.priority, draft.contact_preference,
                    mask_pii(draft.contact_phone or draft.contact_email or "-"))
        await announce_ticket_change(ticket.number)
        dispatcher.utter_message(
            response="utter_complaint_received",
            ticket_number=ticket.number,
            due=local_time(ticket.sla_due_at, draft.language),
        )
        return [SlotSet(slot, None) for slot in fields.CLEARED_AFTER_FORM] + [
            SlotSet("last_ticket_number", ticket.number)
        ]


class ActionClearComplaint(Action):
    """After a cancellation: forget the draft."""

    def name(self) -> str:
        return "action_clear_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return [SlotSet(slot, None) for slot in fields.CLEARED_AFTER_FORM]


def _given(value: Any) -> Optional[str]:
    return None if value in (None, fields.NOT_GIVEN) else str(value)


def complaint_draft(tracker: Tracker) -> ComplaintDraft:
    slots: Dict[str, Any] = tracker.slots
    category = slots.get(fields.CATEGORY) or "other"
    asked = fields.DETAILS_BY_CATEGORY.get(category, [])

    def detail(slot: str) -> Optional[str]:
        return _given(slots.get(slot)) if slot in asked else None

    incident_date = detail(fields.DATE)
    amount = detail(fields.AMOUNT)
    contact = slots.get(fields.CONTACT) or "this_channel"
    # Only the detail the chosen contact needs: a phone for a call or a text, else an email.
    reach = _given(slots.get(fields.CONTACT_DETAIL[contact])) \
        if contact in fields.CONTACT_DETAIL else None
    return ComplaintDraft(
        channel=channel_of(tracker),
        sender_id=tracker.sender_id,
        language=language_of(tracker),
        category=category,
        description=slots.get(fields.DESCRIPTION) or "",
        desired_outcome=slots.get(fields.OUTCOME) or "",
        contact_preference=contact,
        contact_phone=reach if fields.CONTACT_DETAIL.get(contact) == fields.CONTACT_PHONE
        else None,
        contact_email=reach if fields.CONTACT_DETAIL.get(contact) == fields.CONTACT_EMAIL
        else None,
        amount=amount,
        currency=slots.get(fields.CURRENCY) if amount else None,
        incident_date=dt.date.fromisoformat(incident_date) if incident_date else None,
        card_last_four=detail(fields.CARD_LAST_FOUR),
        customer_id=int(slots["customer_id"]) if slots.get("customer_id") else None,
        segment=slots.get("customer_segment"),
        emotion=strongest_negative_emotion(tracker.events),
    )


def strongest_negative_emotion(events: List[Dict[str, Any]]) -> Optional[str]:
    """The most confident angry, anxious or sad reading of the customer in this session."""
    best: Optional[tuple[float, str]] = None
    for event in events:
        if event.get("event") == "session_started":
            best = None
        emotion = (event.get("parse_data") or {}).get("emotion") or {} \
            if event.get("event") == "user" else {}
        name, confidence = emotion.get("name"), float(emotion.get("confidence") or 0)
        if name in NEGATIVE_EMOTIONS and confidence >= 0.5 \
                and (best is None or confidence > best[0]):
            best = (confidence, name)
    return best[1] if best else None
