"""Satisfaction at the end of a conversation: a score from 1 to 5, then an optional comment."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.complaint import answers, fields
from actions.conversation import REQUESTED_SLOT, channel_of, language_of
from actions.interruptions import (
    DIGRESSION_CONFIDENCE,
    NO_REQUEST_INTENTS,
    STOP_INTENTS,
    asks_for_something,
    interrupts_free_text,
    is_external_digression,
)
from actions.satisfaction.answers import read_comment, read_score, says_bye_bye
from actions.satisfaction.record import AddCsatComment, CsatAnswer, RecordCsat
from actions.store.database import database_url, session_factory

logger = logging.getLogger(__name__)
SCORE, COMMENT, RECORDED = "csat_score", "csat_comment", "csat_recorded"
RESPONSE_ID = "csat_response_id"
DECLINED = "declined"
# A score is asked once; these mean "no thanks" rather than another question.
DECLINING_INTENTS = frozenset({"deny", "cancel", "goodbye", "thank"})
NOT_DIGRESSIONS = NO_REQUEST_INTENTS


@dataclass
class CsatStep:
    updates: Dict[str, Any] = field(default_factory=dict)
    # A score to store at once (many customers leave before the comment).
    score: Optional[int] = None
    problem: Optional[str] = None
    # Not an answer: the form is rejected and a rule serves the message.
    digression: bool = False


def _asks_something_else(intent: Optional[str], confidence: float) -> bool:
    return bool(intent) and intent not in NOT_DIGRESSIONS and confidence >= DIGRESSION_CONFIDENCE


def _declines(text: str, intent: Optional[str], confidence: float) -> bool:
    """A "no thanks": "88"/"886", a no on its own ("不", "no"), or a goodbye, thanks, cancel or
    no the NLU is sure of. An unsure one is asked again, like any other unclear answer
    ("不用了"/"no thanks" decline in `csat_step` as a comment that says nothing)."""
    if says_bye_bye(text):
        return True
    if intent == "deny":
        # A number the NLU took for a no is no "no thanks": the score is asked again.
        if answers.yes_or_no(text, intent) != "no":
            return False
        return confidence >= DIGRESSION_CONFIDENCE or answers.is_only_a_refusal(text)
    return intent in DECLINING_INTENTS and confidence >= DIGRESSION_CONFIDENCE


def is_request(text: str, intent: Optional[str], confidence: float) -> bool:
    """A banking request instead of a score or a comment, for the rules to serve.

    A person, a stolen card, a complaint, a profile change (the rules leave the form for
    them), or a question or "我想…/I'd like…" the rules answer. Feedback that sounds like
    one ("希望人工客服接通再快一点", "the agent was rude") is not.
    """
    if intent in STOP_INTENTS:
        return False  # "stop" is no score or no comment, never a request
    if interrupts_free_text(text, intent, confidence):
        return True
    return _asks_something_else(intent, confidence) and (
        answers.is_question(text) or asks_for_something(text))


def heard_intent(text: str, intent: Optional[str]) -> Optional[str]:
    """"88" and "886" say goodbye, as they do for the NLU; any other message that is just a
    number is a score or asked again ("83" is goodbye 0.93 for the NLU, "12000" check_balance),
    never a "no thanks" or a request."""
    return "goodbye" if says_bye_bye(text) else answers.intent_at_a_question(text, intent)


def csat_step(requested: Optional[str], slots: Dict[str, Any], text: str,
              intent: Optional[str], confidence: float, choice: Optional[str]) -> CsatStep:
    """What one message does to the survey; the action stores the score and replies."""
    intent = heard_intent(text, intent)
    if requested == SCORE:
        score = read_score(text, choice)
        if score is not None:
            return CsatStep(score=score)
        if choice is None and is_request(text, intent, confidence):
            return CsatStep(digression=True)  # a rule serves it; the score is asked later
        declined = read_comment(text) is None and answers.has_words(text)
        if _declines(text, intent, confidence) or declined:
            return CsatStep(updates={SCORE: DECLINED, COMMENT: fields.NOT_GIVEN,
                                     REQUESTED_SLOT: None})
        return CsatStep(updates={SCORE: None, REQUESTED_SLOT: SCORE},
                        problem="utter_csat_score_unclear")
    if requested == COMMENT:
        if slots.get(COMMENT) is not None:
            # Back after a rule served a request made instead of the comment: the survey ends.
            return CsatStep(updates={REQUESTED_SLOT: None})
        if choice is None and is_request(text, intent, confidence):
            # Not a comment: the score is kept, the survey is over and the rules serve the
            # request (a person, another form, an answer).
            return CsatStep(updates={COMMENT: fields.NOT_GIVEN, RECORDED: True},
                            digression=True)
        stop = intent in STOP_INTENTS and confidence >= DIGRESSION_CONFIDENCE
        comment = None if stop else read_comment(text)
        return CsatStep(updates={COMMENT: comment or fields.NOT_GIVEN, REQUESTED_SLOT: None})
    return CsatStep()


class ValidateCsatForm(FormValidationAction):
    def name(self) -> str:
        return "validate_csat_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if is_external_digression(tracker.latest_message):
            return []  # nothing filled: Rasa rejects the form and the rule tells the news
        intent_data = tracker.latest_message.get("intent") or {}
        step = csat_step(
            tracker.get_slot(REQUESTED_SLOT), tracker.slots,
            tracker.latest_message.get("text") or "", intent_data.get("name"),
            float(intent_data.get("confidence") or 0),
            next(tracker.get_latest_entity_values("choice"), None))
        if step.score is not None:
            stored = await _store_score(tracker, step.score)
            return [SlotSet(SCORE, str(step.score)), SlotSet(RESPONSE_ID, stored),
                    SlotSet(REQUESTED_SLOT, COMMENT)]
        if step.problem:
            dispatcher.utter_message(response=step.problem)
        events: List[EventType] = [SlotSet(k, v) for k, v in step.updates.items()]
        if step.digression and events:
            # Rasa rejects a form that sets no slot; with slots set it must be told to.
            events.append(ActionExecutionRejected(self.form_name()))
        return events


def _served_by(tracker: Tracker) -> str:
    """"agent" when this conversation was handed over, or an agent's handoff begun on
    another channel ended here (the customer had moved to this one)."""
    return "agent" if any(_is_handoff(event) for event in tracker.events) else "bot"


def _is_handoff(event: Dict[str, Any]) -> bool:
    if event.get("event") == "action":
        return event.get("name") == "action_handoff"
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return event.get("event") == "user" and intent == "EXTERNAL_handoff_resolved"


async def _store_score(tracker: Tracker, score: int) -> Optional[str]:
    """The score is kept as soon as it is given: many customers leave before the comment."""
    answer = CsatAnswer(
        channel=channel_of(tracker),
        sender_id=tracker.sender_id,
        language=language_of(tracker),
        score=score,
        comment=None,
        served_by=_served_by(tracker),
    )
    try:
        return str(await asyncio.to_thread(RecordCsat(session_factory(database_url())), answer))
    except SQLAlchemyError:
        logger.exception("csat.not_saved sender=%s", tracker.sender_id)
        return None


class ActionRecordCsat(Action):
    """After the comment (or none): keep it with the score and thank the customer once."""

    def name(self) -> str:
        return "action_record_csat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        response_id, comment = tracker.get_slot(RESPONSE_ID), tracker.get_slot(COMMENT)
        if tracker.get_slot(RECORDED) or not response_id:
            return [SlotSet(RECORDED, True)]
        if comment not in (None, fields.NOT_GIVEN):
            try:
                await asyncio.to_thread(AddCsatComment(session_factory(database_url())),
                                        int(response_id), comment)
            except SQLAlchemyError:
                logger.exception("csat.comment_not_saved sender=%s", tracker.sender_id)
        dispatcher.utter_message(response="utter_csat_thanks")
        return [SlotSet(RECORDED, True)]


class ActionResetCsat(Action):
    """A new part of the conversation (after an agent) earns a new question."""

    def name(self) -> str:
        return "action_reset_csat"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return [SlotSet(SCORE, None), SlotSet(COMMENT, None), SlotSet(RECORDED, None),
                SlotSet(RESPONSE_ID, None)]
