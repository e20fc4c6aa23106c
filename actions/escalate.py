"""action_escalate: acknowledge how the customer feels, then hand over with the reason.

Predicted by bot.policies.escalation_policy.EscalationPolicy, which puts the reason and
priority into slots just before this action runs.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_over

# What the bot says first, by reason: standard service language for each feeling.
ACKNOWLEDGEMENTS = {
    "anger": "utter_escalate_anger",
    "anxiety": "utter_escalate_anxiety",
    "rising_distress": "utter_escalate_distress",
    "repeated_fallback": "utter_escalate_fallback",
    "regulator_threat": "utter_escalate_regulator",
    "bereavement": "utter_escalate_bereavement",
}


class ActionEscalate(Action):
    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[str, Any]) -> List[EventType]:
        reason = tracker.get_slot("escalation_reason") or "bot_request"
        priority = tracker.get_slot("escalation_priority") or "normal"
        dispatcher.utter_message(response=ACKNOWLEDGEMENTS.get(reason, "utter_escalate_distress"))
        # A form in progress (a complaint) ends here: the agent sees what was said so far.
        leave_form: List[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)] \
            if tracker.active_loop.get("name") else []
        events = await hand_over(dispatcher, tracker, reason, priority)
        return [*leave_form, *events, SlotSet("escalation_reason", None),
                SlotSet("escalation_priority", None)]
