"""EscalationPolicy: hands a conversation to a person when the customer is upset or stuck.

Each customer message's emotion (from EmotionClassifier) stays in the tracker with the
message; this policy keeps `emotion_level` and `emotion_trend` slots in step with them and,
after a message that calls for it (bot/policies/escalation.py: anger or anxiety above a
threshold, rising distress, repeated fallbacks, a threat to go to the regulator,
bereavement), predicts `action_escalate` ahead of the rules, with the reason and priority in
slots. Thresholds come from config.yml. Inside forms, which read every message as an answer,
only a threat to go to the regulator or a bereavement hands over; a complaint said in anger
opens the complaint form first unless the anger reaches `complaint_anger`. It does not
escalate again until an agent has handed the conversation back.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.constants import POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.escalation import Thresholds, Turn, escalation, trend, turn_from_parse_data

ESCALATE_ACTION = "action_escalate"
HANDED_BACK_INTENT = "EXTERNAL_handoff_resolved"
HANDOFF_ACTIONS = frozenset({ESCALATE_ACTION, "action_handoff"})
LEVEL_SLOT, TREND_SLOT = "emotion_level", "emotion_trend"
REASON_SLOT, PRIORITY_SLOT = "escalation_reason", "escalation_priority"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class EscalationPolicy(Policy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Above RulePolicy (6): an angry customer is handed over before a rule answers.
        return {POLICY_PRIORITY: 7, **Thresholds().__dict__}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain,
              **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[str, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        turns = session_turns(tracker)
        events = trajectory_events(tracker, turns)
        if tracker.latest_action_name == ESCALATE_ACTION:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities, events=events)
        if tracker.latest_action_name != ACTION_LISTEN_NAME or escalated_this_session(tracker):
            return self._prediction(probabilities, events=events)
        found = escalation(turns, Thresholds.from_config(self.config))
        if found is None or ESCALATE_ACTION not in domain.action_names_or_texts \
                or (tracker.active_loop_name and not found.overrides_forms):
            return self._prediction(probabilities, events=events)
        probabilities[domain.index_for_action(ESCALATE_ACTION)] = 1.0
        events += [SlotSet(REASON_SLOT, found.reason), SlotSet(PRIORITY_SLOT, found.priority)]
        # Inside a form, Rasa lets only "no user" predictions (the form's own) compete.
        return self._prediction(probabilities, events=events,
                                is_no_user_prediction=bool(tracker.active_loop_name))


def _since_session_start(tracker: DialogueStateTracker) -> List[Event]:
    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
    return events[starts[-1]:] if starts else events


def session_turns(tracker: DialogueStateTracker) -> List[Turn]:
    return [turn_from_parse_data(event.parse_data, event.text)  # type: ignore[arg-type]
            for event in _since_session_start(tracker) if isinstance(event, UserUttered)]


def escalated_this_session(tracker: DialogueStateTracker) -> bool:
    """Handed over already, and no agent has handed the conversation back since."""
    escalated = False
    for event in _since_session_start(tracker):
        if isinstance(event, ActionExecuted) and event.action_name in HANDOFF_ACTIONS:
            escalated = True
        elif isinstance(event, UserUttered) and event.intent_name == HANDED_BACK_INTENT:
            escalated = False
    return escalated


def trajectory_events(tracker: DialogueStateTracker, turns: List[Turn]) -> List[Event]:
    """SlotSets for the latest distress level and its trend, when they changed."""
    if not turns:
        return []
    level, direction = round(turns[-1].distress, 3), trend(turns)
    events: List[Event] = []
    if tracker.get_slot(LEVEL_SLOT) != level:
        events.append(SlotSet(LEVEL_SLOT, level))
    if tracker.get_slot(TREND_SLOT) != direction:
        events.append(SlotSet(TREND_SLOT, direction))
    return events
