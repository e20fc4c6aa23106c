"""The profile form: verify by one-time code (once per conversation), view, change a field."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import REQUESTED_SLOT, channel_of, choice_payload, language_of
from actions.identity import profile_flow as flow
from actions.identity.codes import CheckCode, IssueCode
from actions.identity.labels import FIELD_LABELS, profile_summary, value_label
from actions.identity.profile import PhoneTaken, UpdateProfile, linked_customer, mask_phone
from actions.identity.records import CustomerView
from actions.identity.sms import code_delivery, send_code
from actions.interruptions import is_external_digression
from actions.store.database import database_url, session_factory
from bot.pii import mask_pii

logger = logging.getLogger(__name__)


def customer_slots(customer: CustomerView) -> List[EventType]:
    return [SlotSet(flow.CUSTOMER_ID, str(customer.id)),
            SlotSet(flow.CUSTOMER_NAME, customer.display_name),
            SlotSet(flow.CUSTOMER_SEGMENT, customer.segment)]


def _otp_secret() -> str:
    # Generated into var/secrets.env by `make run`; an operator sets it in production.
    return os.environ["KEFU_OTP_SECRET"]


class ActionStartProfile(Action):
    def name(self) -> str:
        return "action_start_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        cleared: List[EventType] = [SlotSet(slot, None) for slot in flow.CLEARED_AFTER_FORM]
        # "我要修改联系地址": the field is known before verification and not asked again.
        named = flow.read_field(tracker.latest_message.get("text") or "", None)
        if named in flow.OPENING_FIELDS:
            cleared = [*cleared, SlotSet(flow.FIELD, named)]
        customer = await asyncio.to_thread(
            linked_customer, session_factory(database_url()), channel_of(tracker),
            tracker.sender_id)
        if customer is None:
            dispatcher.utter_message(response="utter_verify_first")
            return [*cleared, SlotSet(flow.CUSTOMER_ID, None)]
        return [*cleared, *customer_slots(customer)]


class ValidateProfileForm(FormValidationAction):
    def name(self) -> str:
        return "validate_profile_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        if is_external_digression(tracker.latest_message):
            return []  # nothing filled: Rasa rejects the form and the rule tells the news
        intent = tracker.latest_message.get("intent") or {}
        step = flow.profile_step(
            tracker.get_slot(REQUESTED_SLOT), tracker.slots,
            tracker.latest_message.get("text") or "", intent.get("name"),
            float(intent.get("confidence") or 0.0),
            next(tracker.get_latest_entity_values("choice"), None))
        if step.digression:
            return []
        events: List[EventType] = [SlotSet(k, v) for k, v in step.updates.items()]
        if step.problem:
            dispatcher.utter_message(response=step.problem)
        if step.send_code_to:
            events += await self._send_code(dispatcher, tracker, step.send_code_to)
        if step.check_code:
            events += await self._check_code(dispatcher, tracker, step.check_code)
        slots: Dict[str, Any] = dict(tracker.slots)
        slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
        return [*events, SlotSet(REQUESTED_SLOT, flow.next_slot(slots))]

    async def _send_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         phone: str) -> List[EventType]:
        issue = IssueCode(session_factory(database_url()), _otp_secret())
        issued = await asyncio.to_thread(issue, channel_of(tracker), tracker.sender_id, phone)
        if issued.status == "rate_limited":
            logger.warning("verify.rate_limited sender=%s", tracker.sender_id)
            dispatcher.utter_message(response="utter_verify_rate_limited")
            return [SlotSet(flow.VERIFY_FAILED, True)]
        if issued.code:
            await self._text_code(phone, issued.code, issued.language)
        # The same answer whether or not the number is a customer's.
        dispatcher.utter_message(response="utter_verify_code_sent", phone=mask_phone(phone))
        return []

    @staticmethod
    async def _text_code(phone: str, code: str, language: str) -> None:
        async with code_delivery(os.environ) as delivery:
            if not delivery.configured:
                logger.error("verify.no_sms_gateway: set KEFU_TWILIO_* (docs/operations.md)")
                return
            sent = await send_code(delivery, phone, code, language)
        if not sent.sent:
            logger.error("verify.sms_failed to=%s reason=%s", mask_pii(phone), sent.reason)

    async def _check_code(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          code: str) -> List[EventType]:
        check = CheckCode(session_factory(database_url()), _otp_secret())
        result = await asyncio.to_thread(check, channel_of(tracker), tracker.sender_id, code)
        if result.status == "verified" and result.customer is not None:
            logger.info("verify.verified sender=%s", tracker.sender_id)
            dispatcher.utter_message(response="utter_verified",
                                     customer_name=result.customer.display_name)
            return [SlotSet(flow.CODE, "verified"), *customer_slots(result.customer)]
        if result.status == "wrong":
            dispatcher.utter_message(response="utter_verify_code_wrong",
                                     attempts_left=result.attempts_left)
            return [SlotSet(flow.CODE, None)]
        if result.status == "expired":
            dispatcher.utter_message(response="utter_verify_code_expired")
            return [SlotSet(flow.PHONE, None), SlotSet(flow.CODE, None)]
        logger.warning("verify.locked sender=%s", tracker.sender_id)
        dispatcher.utter_message(response="utter_verify_locked")
        return [SlotSet(flow.VERIFY_FAILED, True)]


async def _customer(tracker: Tracker) -> Optional[CustomerView]:
    return await asyncio.to_thread(linked_customer, session_factory(database_url()),
                                   channel_of(tracker), tracker.sender_id)



class ActionAskProfileField(Action):
    def name(self) -> str:
        return "action_ask_profile_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        customer, language = await _customer(tracker), language_of(tracker)
        if customer is None:
            return []
        dispatcher.utter_message(
            response="utter_profile_summary", profile=profile_summary(customer, language),
            buttons=[{"title": FIELD_LABELS[name][language], "payload": choice_payload(name)}
                     for name in FIELD_LABELS])
        return []


class ActionAskProfileValue(Action):
    def name(self) -> str:
        return "action_ask_profile_value"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response=f"utter_ask_profile_value_{tracker.get_slot(flow.FIELD)}")
        return []


class ActionAskProfileConfirmed(Action):
    def name(self) -> str:
        return "action_ask_profile_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        customer, language = await _customer(tracker), language_of(tracker)
        field = tracker.get_slot(flow.FIELD)
        if customer is None:
            return []
        old = getattr(customer, field)
        dispatcher.utter_message(
            response="utter_ask_profile_confirmed", field=FIELD_LABELS[field][language],
            old=value_label(field, old, language) if old is not None else "—",
            new=value_label(field, tracker.get_slot(flow.VALUE), language))
        return []


class ActionUpdateProfile(Action):
    def name(self) -> str:
        return "action_update_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        cleared = [SlotSet(slot, None) for slot in flow.CLEARED_AFTER_FORM]
        field, customer_id = tracker.get_slot(flow.FIELD), tracker.get_slot(flow.CUSTOMER_ID)
        if tracker.get_slot(flow.VERIFY_FAILED) or not customer_id or not field:
            return cleared
        if field == flow.NO_CHANGE or tracker.get_slot(flow.CONFIRMED) != "yes":
            dispatcher.utter_message(response="utter_profile_no_change")
            return cleared
        value: Any = tracker.get_slot(flow.VALUE)
        if field == "marketing_consent":
            value = value == "true"
        update = UpdateProfile(session_factory(database_url()))
        actor = f"customer:{channel_of(tracker)}:{tracker.sender_id}"
        try:
            await asyncio.to_thread(update, int(customer_id), field, value, actor)
        except PhoneTaken:
            dispatcher.utter_message(response="utter_profile_phone_taken")
            return cleared
        except (SQLAlchemyError, LookupError):
            logger.exception("profile.not_saved sender=%s", tracker.sender_id)
            dispatcher.utter_message(response="utter_profile_not_saved")
            return cleared
        logger.info("profile.updated field=%s sender=%s", field, tracker.sender_id)
        dispatcher.utter_message(response="utter_profile_updated",
                                 field=FIELD_LABELS[field][language_of(tracker)])
        return cleared


class ActionGreet(Action):
    """Key customers known on this channel are greeted by name and offered their manager."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            customer = await _customer(tracker)
        except SQLAlchemyError:
            logger.exception("greet.lookup_failed")
            customer = None
        if customer is None:
            dispatcher.utter_message(response="utter_greet")
            return []
        if customer.is_key_customer and customer.relationship_manager:
            dispatcher.utter_message(response="utter_greet_key_customer",
                                     customer_name=customer.display_name,
                                     manager=customer.relationship_manager)
        else:
            dispatcher.utter_message(response="utter_greet_known_customer",
                                     customer_name=customer.display_name)
        return customer_slots(customer)
