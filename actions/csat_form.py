"""Satisfaction at the end of a conversation: a score from 1 to 5, then an optional comment."""

from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.complaint import answers, fields
from actions.complaint.flow import DIGRESSION_CONFIDENCE
from actions.conversation import REQUESTED_SLOT, channel_of, language_of
from actions.satisfaction.answers import read_comment, read_score
from actions.satisfaction.record import AddCsatComment, CsatAnswer, RecordCsat
from actions.store.database import database_url, session_factory

logger = logging.getLogger(__name__)
SCORE, COMMENT, RECORDED = "csat_score", "csat_comment", "csat_recorded"
RESPONSE_ID = "csat_response_id"
DECLINED = "declined"
# A score is asked once; these mean "no thanks" rather than another question.
DECLINING_INTENTS = frozenset({"deny", "cancel", "goodbye", "thank"})
NOT_DIGRESSIONS = frozenset({"affirm", "inform", "out_of_scope", "nlu_fallback"})


def _asks_something_else(intent: Optional[str], confidence: float) -> bool:
    return bool(intent) and intent not in NOT_DIGRESSIONS and confidence >= DIGRESSION_CONFIDENCE


class ValidateCsatForm(FormValidationAction):
    def name(self) -> str:
        return "validate_csat_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = tracker.latest_message.get("text") or ""
        intent_data = tracker.latest_message.get("intent") or {}
        intent, confidence = intent_data.get("name"), float(intent_data.get("confidence") or 0)
        choice = next(tracker.get_latest_entity_values("choice"), None)
        if requested == SCORE:
            score = read_score(text, choice)
            if score is not None:
                stored = await _store_score(tracker, score)
                return [SlotSet(SCORE, str(score)), SlotSet(RESPONSE_ID, stored),
                        SlotSet(REQUESTED_SLOT, COMMENT)]
            declined = read_comment(text) is None and answers.has_words(text)
            if intent in DECLINING_INTENTS or declined:
                return [SlotSet(SCORE, DECLINED), SlotSet(COMMENT, fields.NOT_GIVEN),
                        SlotSet(REQUESTED_SLOT, None)]
            if answers.is_question(text) and _asks_something_else(intent, confidence):
                return []  # a rule answers, then the score is asked again
            dispatcher.utter_message(response="utter_csat_score_unclear")
            return [SlotSet(SCORE, None), SlotSet(REQUESTED_SLOT, SCORE)]
        if requested == COMMENT:
            if answers.is_question(text) and _asks_something_else(intent, confidence):
                return []
            comment = read_comment(text)
            return [SlotSet(COMMENT, comment or fields.NOT_GIVEN), SlotSet(REQUESTED_SLOT, None)]
        return []


def _served_by(tracker: Tracker) -> str:
    handed_over = any(
        event.get("event") == "action" and event.get("name") == "action_handoff"
        for event in tracker.events
    )
    return "agent" if handed_over else "bot"


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
