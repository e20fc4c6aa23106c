"""LanguageSlotPolicy: keeps the `language` slot in step with each user turn.

The LanguageDetector writes `language` into the parse result. A policy's
mandatory events are applied before the predicted action runs, so the reply to
a message is already in that message's language. The policy never predicts an
action itself (all probabilities are zero).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.constants import POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.language_detector import LANGUAGE_KEY

LANGUAGE_SLOT = "language"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class LanguageSlotPolicy(Policy):
    """Emits `SlotSet("language", ...)` when the customer's language changes."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Lowest priority: it only ever contributes events, never an action.
        return {POLICY_PRIORITY: 0}

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[dict] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self._prediction(
            self._default_predictions(domain), events=language_slot_events(tracker)
        )


def language_slot_events(tracker: DialogueStateTracker) -> List[Event]:
    """A SlotSet when the latest user message's language differs from the slot."""
    latest = tracker.get_last_event_for(UserUttered)
    if latest is None:
        return []
    language = latest.parse_data.get(LANGUAGE_KEY)  # type: ignore[misc]
    if not language or language == tracker.get_slot(LANGUAGE_SLOT):
        return []
    return [SlotSet(LANGUAGE_SLOT, language)]
