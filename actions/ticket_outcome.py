"""A resolved ticket: tell the customer, ask whether the outcome is acceptable, store it."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.complaint import answers, fields
from actions.conversation import REQUESTED_SLOT, owner_of
from actions.interruptions import (
    DIGRESSION_CONFIDENCE,
    NO_REQUEST_INTENTS,
    asks_for_a_person,
    confident,
    interrupts_free_text,
    is_external_digression,
    is_short,
    leaves_structured_question,
)
from actions.store.database import database_url, session_factory
from actions.tickets import history
from actions.tickets.announce import announce_ticket_change
from actions.tickets.lookup import TicketLookup
from actions.tickets.records import TicketView
from actions.tickets.resolve import RecordOutcome, TicketNotFound, VerdictNotAwaited
from bot.outcome_question import ACCEPTED_SLOT, COMMENT_SLOT, TICKET_SLOT

logger = logging.getLogger(__name__)
# Named once for the Rasa server too, which puts a texted outcome's question (agent bridge).
TICKET, ACCEPTED, COMMENT = TICKET_SLOT, ACCEPTED_SLOT, COMMENT_SLOT
# Set by action_ticket_status on every run: for a ticket asked about that awaits the customer's
# verdict, the rules in data/rules/ticket_outcome.yml then ask it (outcome_form) or record it.
NEXT, ASK, RECORD = "outcome_next", "ask", "record"
# The customer wants out of the question rather than to answer it.
LEAVING_INTENTS = frozenset({"human_handoff", "cancel"})
# Not a digression at the yes-or-no question: they answer it or carry no request that has a
# rule inside this form (data/rules/digressions.yml). Any other confident intent is served by
# its rule, and the question is asked again (or the form left, for a person or a stolen card).
# Goodbye has its own rule here (data/rules/ticket_outcome.yml): it records a "no" already
# given and says goodbye; with no verdict yet the ticket stays resolved, awaiting an answer.
NOT_DIGRESSIONS = NO_REQUEST_INTENTS | {"complaint", "deny"}
# Nothing to add at "what is still wrong?": the "no" is recorded without a comment.
_SKIP_COMMENT = re.compile(
    r"\s*(?:算了|不用了?|不必了?|跳过|不说了|没什么|没啥|就这样|没别的|没有别的|"
    r"never ?mind|forget (?:it|about it)|skip(?: it)?|nothing(?: else)?|no comment|that'?s all)"
    r"[\s吧啦了啊。.!！~,，]*",
    re.IGNORECASE)
# A complaint here is about this outcome: "不接受" reopens the ticket (bot/digression_rules.py
# ANSWERED_INSIDE), so "我要投诉" never leaves the form for a new complaint.
ANSWERED_HERE = frozenset({"complaint"})


# Accepting because there is no choice: "不得不接受", "只能接受了", "I have to accept it". An
# acceptance (the ticket closes), whatever the NLU made of it ("I have to accept it" can read as
# deny), with the customer's words kept as a note for the team.
_GRUDGING = re.compile(
    r"(?:不得不|只能|只好|只得|勉强|将就|凑合|没办法|没有办法|无奈)[^，,。.！!？?]{0,4}"
    r"(?:接受|同意|认了)|"
    + answers.latin_words(
        r"(?:have|has|had|got|gotta|need)(?:\s+to)?|no choice but to|no option but to"
        r"|reluctantly|grudgingly|guess I(?:'ll)?|I suppose I(?:'ll)?")
    + r"(?:\s+[A-Za-z']+){0,2}?\s+accept(?:s|ed)?\b",
    re.IGNORECASE)


def is_grudging_acceptance(text: str) -> bool:
    """Accepted for want of a better outcome, and not refused ("只能说不满意" is a no)."""
    return bool(_GRUDGING.search(text)) and not answers.is_refusal(text)


def read_verdict(text: str, intent: Optional[str]) -> Optional[str]:
    """"yes" or "no" to "is the outcome acceptable?", or None when it is neither."""
    if is_grudging_acceptance(text):
        return "yes"
    if answers.is_change_request(text, intent) or answers.is_refusal(text):
        return "no"
    if answers.is_confirmation(text, intent) or answers.is_acceptance(text):
        return "yes"
    return None


def verdict_slots(verdict: str, text: str) -> Dict[str, Optional[str]]:
    """The form's slots for a "yes" or a "no" said in `text`. Only a customer who does not
    accept is asked what is still wrong (the comment is left empty); one who accepts grudgingly
    ("不得不接受") has said it already, and their words are kept as a note."""
    if verdict == "no":
        return {ACCEPTED: "no", COMMENT: None}
    note = text.strip()[:2000] if is_grudging_acceptance(text) else fields.NOT_GIVEN
    return {ACCEPTED: "yes", COMMENT: note}


def stated_verdict(text: str) -> Optional[str]:
    """The verdict a message about a resolved ticket states already ("KF-… 处理结果我不接受",
    "I accept the outcome of KF-…"), read as the form reads its answers, or None. Away from the
    question only the words count: a question ("同意退款了吗？") is none, nor a change ("改一下
    联系电话") that refuses nothing."""
    if answers.is_question(text):
        return None
    verdict = read_verdict(text, None)
    return None if verdict == "no" and not answers.is_refusal(text) else verdict


# What a complaint about an earlier complaint's outcome speaks of: "我对处理结果不满意",
# "I'm not happy with how you resolved my complaint".
_OUTCOME_WORDS = re.compile(
    r"结果|处理意见|处理方案|解决方案|答复|"
    r"\b(?:outcome|resolution|result|decision|resolved|your (?:answer|reply|response))\b",
    re.IGNORECASE)


def refuses_an_outcome(text: str) -> bool:
    """The message refuses how something was resolved ("对结果不满意", "I don't accept the
    resolution"), rather than complaining of something new."""
    return bool(_OUTCOME_WORDS.search(text)) and answers.is_refusal(text)


# The first verdict on a resolution stands: a later one is told which it was (RecordOutcome).
ALREADY_RECORDED = {True: "utter_outcome_already_accepted",
                    False: "utter_outcome_already_reopened"}


def tell_verdict_recorded(dispatcher: CollectingDispatcher, number: str,
                          accepted: Optional[bool]) -> None:
    """A verdict after the first: the one recorded, with the ticket's number. A ticket never
    resolved has none (the form asks only about resolved ones): sorry, nothing recorded."""
    if accepted is None:
        logger.error("outcome.no_verdict_to_tell number=%s", number)
        dispatcher.utter_message(response="utter_outcome_not_saved")
        return
    dispatcher.utter_message(response=ALREADY_RECORDED[accepted], ticket_number=number)


async def still_awaits_verdict(number: Optional[str]) -> bool:
    """Whether the ticket asked about is still resolved, its verdict not given on another
    channel meanwhile. Unknown (no number, the database unreadable: logged) counts as yes:
    RecordOutcome checks again when the verdict is stored."""
    if not number:
        return True
    lookup = TicketLookup(session_factory(database_url()))
    try:
        return await asyncio.to_thread(lookup.resolved, number) is not None
    except SQLAlchemyError:
        logger.exception("outcome.lookup_failed number=%s", number)
        return True


def quoted_elsewhere(tracker: Tracker) -> Optional[str]:
    """The ticket number the message quotes when it is not the one asked about."""
    quoted = next(tracker.get_latest_entity_values("ticket_number"), None)
    asked = tracker.get_slot(TICKET) or ""
    return quoted.upper() if quoted and quoted.upper() != asked.upper() else None


async def awaiting_here(tracker: Tracker, number: str) -> Optional[str]:
    """The ticket's number when this conversation may see it (action_ticket_status's test)
    and it awaits the verdict; None otherwise, or when it cannot be read (logged)."""
    lookup = TicketLookup(session_factory(database_url()))
    try:
        ticket = await asyncio.to_thread(lookup.by_number, number, *owner_of(tracker))
    except SQLAlchemyError:
        logger.exception("outcome.lookup_failed number=%s", number)
        return None
    return ticket.number if ticket is not None and ticket.awaits_verdict else None


def ask_for_verdict(
    dispatcher: CollectingDispatcher, ticket: TicketView, text: str
) -> List[EventType]:
    """A ticket the customer asked about that awaits their verdict: the outcome is told and
    outcome_form asks whether it is acceptable, as when it was resolved; a verdict the message
    states is taken instead, a "yes" recorded at once and a "no" asked what is still wrong."""
    verdict = stated_verdict(text)
    if verdict is None:
        dispatcher.utter_message(response="utter_ticket_resolved", ticket_number=ticket.number,
                                 resolution=ticket.resolution)
        slots: Dict[str, Optional[str]] = {ACCEPTED: None, COMMENT: None}
    else:
        slots = verdict_slots(verdict, text)
    then = ASK if slots[COMMENT] is None else RECORD
    return [SlotSet(TICKET, ticket.number),
            *(SlotSet(name, value) for name, value in slots.items()), SlotSet(NEXT, then)]


# "no, I want to talk to a person": a no that opens a longer message.
_LEADING_NO = re.compile(r"\s*(?:no|nope|不|不要|不行)\s*[,，.。!！;；]", re.IGNORECASE)


def says_no_and_asks_for_a_person(text: str, intent: Optional[str], confidence: float) -> bool:
    """"不接受，转人工", "no, I want to talk to a person": a verdict and a request at once."""
    return asks_for_a_person(text, intent, confidence) and (
        answers.is_refusal(text) or bool(_LEADING_NO.match(text)))


def asks_something_else(intent: Optional[str], confidence: float) -> bool:
    """At the yes-or-no question, a message that is no verdict and that a rule serves."""
    if intent in LEAVING_INTENTS:
        return True
    return bool(intent) and intent not in NOT_DIGRESSIONS and confidence >= DIGRESSION_CONFIDENCE


class ActionTellTicketResolved(Action):
    def name(self) -> str:
        return "action_tell_ticket_resolved"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        number = next(tracker.get_latest_entity_values("ticket_number"), None)
        lookup = TicketLookup(session_factory(database_url()))
        ticket = await asyncio.to_thread(lookup.resolved, number) if number else None
        if ticket is None:
            logger.error("outcome.unknown_ticket number=%s", number)
            return [SlotSet(TICKET, None), SlotSet(ACCEPTED, "unknown"), SlotSet(COMMENT, "")]
        dispatcher.utter_message(
            response="utter_ticket_resolved",
            ticket_number=ticket.number,
            resolution=ticket.resolution,
        )
        return [SlotSet(TICKET, ticket.number), SlotSet(ACCEPTED, None), SlotSet(COMMENT, None)]


class ValidateOutcomeForm(FormValidationAction):
    def name(self) -> str:
        return "validate_outcome_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if is_external_digression(tracker.latest_message):
            return []  # nothing filled: Rasa rejects the form and the rule tells the news
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = tracker.latest_message.get("text") or ""
        # A number is no verdict and no request: the question is asked again.
        intent = answers.intent_at_a_question(
            text, (tracker.latest_message.get("intent") or {}).get("name"))
        confidence = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0)
        if requested is None:
            return []
        if requested == ACCEPTED:
            asked: Optional[str] = tracker.get_slot(TICKET)
            switched: List[EventType] = []
            quoted = quoted_elsewhere(tracker)
            if quoted is not None:
                # "KF-… 处理结果我接受" about another ticket than the one asked about (an older
                # text quoted): the verdict is on that one when it awaits it here; otherwise
                # a rule answers about it, and the question is asked again.
                asked = await awaiting_here(tracker, quoted)
                if asked is None:
                    return []
                switched = [SlotSet(TICKET, asked)]
            if says_no_and_asks_for_a_person(text, intent, confidence):
                # "不接受，转人工": the "no" is the answer and the person the next step, not
                # "what is still wrong?". The form ends; action_record_outcome reopens the
                # ticket and hands over.
                return [*switched, SlotSet(ACCEPTED, "no"), SlotSet(COMMENT, fields.NOT_GIVEN),
                        SlotSet(REQUESTED_SLOT, None)]
            if leaves_structured_question(intent, confidence, ANSWERED_HERE) \
                    and not answers.is_refusal(text):
                # A person, a stolen card or a profile change: "我要修改联系地址" is no "no"
                # (read_verdict takes 修改 for one), "不接受，转人工" is.
                return []
            verdict = read_verdict(text, intent)
            if verdict is None and asks_something_else(intent, confidence):
                return []  # nothing filled: Rasa rejects the form and a rule serves it
            if verdict is None:
                dispatcher.utter_message(response="utter_outcome_accepted_unclear")
                return [*switched, SlotSet(ACCEPTED, None), SlotSet(REQUESTED_SLOT, ACCEPTED)]
            slots = verdict_slots(verdict, text)
            if slots[COMMENT] is None and not await still_awaits_verdict(asked):
                # Answered already (by SMS, the question left open here): "what is still
                # wrong?" would promise another look; action_record_outcome says what stands.
                slots[COMMENT] = fields.NOT_GIVEN
            return [*switched, *(SlotSet(name, value) for name, value in slots.items()),
                    SlotSet(REQUESTED_SLOT, COMMENT if slots[COMMENT] is None else None)]
        if _SKIP_COMMENT.fullmatch(text) or (
                intent == "cancel" and confident(intent, confidence)
                and answers.read_description(text).problem):
            # "算了", "never mind", "取消": no comment, and the "no" still reopens the ticket.
            return [SlotSet(COMMENT, fields.NOT_GIVEN), SlotSet(REQUESTED_SLOT, None)]
        if intent == "goodbye" and confident(intent, confidence) and is_short(text):
            return []  # the goodbye rule records the "no" and says goodbye
        if intent == "greet" and confident(intent, confidence) and is_short(text):
            # "你好" checks someone is there; it is not what is still wrong: asked again.
            return [SlotSet(COMMENT, None), SlotSet(REQUESTED_SLOT, COMMENT)]
        if interrupts_free_text(text, intent, confidence, ANSWERED_HERE):
            return []  # "转人工" or "我的卡被偷了" is not what is still wrong: a rule takes it
        # "没有" or "不满意" alone adds nothing; "还是不满意，钱没有退回来" says what is wrong.
        comment = text.strip() if answers.has_words(text) and not answers.is_only_a_refusal(text) \
            else fields.NOT_GIVEN
        return [SlotSet(COMMENT, comment[:2000]), SlotSet(REQUESTED_SLOT, None)]


class ActionRecordOutcome(Action):
    def name(self) -> str:
        return "action_record_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        number, verdict = tracker.get_slot(TICKET), tracker.get_slot(ACCEPTED)
        cleared: List[EventType] = [SlotSet(TICKET, None), SlotSet(ACCEPTED, None),
                                    SlotSet(COMMENT, None)]
        if not number or verdict not in ("yes", "no"):
            return cleared
        comment = tracker.get_slot(COMMENT)
        record = RecordOutcome(session_factory(database_url()))
        try:
            await asyncio.to_thread(
                record, number, verdict == "yes",
                None if comment in (None, fields.NOT_GIVEN) else comment,
                f"{history.CUSTOMER_ACTOR}{tracker.sender_id}",
            )
        except VerdictNotAwaited as already:
            # Answered first on another channel (or again here): the first answer stands.
            logger.info("outcome.not_awaited number=%s status=%s", number, already.status)
            tell_verdict_recorded(dispatcher, already.number, already.accepted)
            return cleared + _handoff_after(tracker, verdict)
        except (SQLAlchemyError, TicketNotFound):
            logger.exception("outcome.not_saved number=%s", number)
            dispatcher.utter_message(response="utter_outcome_not_saved")
            return cleared + _handoff_after(tracker, verdict)
        await announce_ticket_change(number)
        response = "utter_outcome_thanks" if verdict == "yes" else "utter_outcome_reopened"
        dispatcher.utter_message(response=response, ticket_number=number)
        return cleared + _handoff_after(tracker, verdict)


def _handoff_after(tracker: Tracker, verdict: str) -> List[EventType]:
    """A "no" said with a request for a person ("不接受，转人工") ends the form by completing it,
    and no rule follows that with a person: hand over here."""
    if tracker.latest_action_name != "outcome_form":
        return []  # a rule deactivated the form: it runs action_handoff itself
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    confidence = float((message.get("intent") or {}).get("confidence") or 0)
    if verdict == "no" and asks_for_a_person(message.get("text") or "", intent, confidence):
        return [FollowupAction("action_handoff")]
    return []
