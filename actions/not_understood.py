"""What the bot says when the NLU is not sure what the customer wants: which of two requests,
what a number is for, or please rephrase."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from actions.intent_choices import choice_buttons, offered_intents
from bot.nlu.digit_shapes import numbers_only


def not_understood_response(text: str) -> str:
    """A number alone gets its own answer: ask what it is for, and warn against sending a full
    card number in the chat. Anything else: please rephrase."""
    return "utter_number_without_request" if numbers_only(text) else "utter_default"


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        response = not_understood_response(text)
        offered = offered_intents(tracker.latest_message.get("intent_ranking") or []) \
            if response == "utter_default" else []
        if offered:
            dispatcher.utter_message(response="utter_which_request",
                                     buttons=choice_buttons(offered, language_of(tracker)))
        else:
            dispatcher.utter_message(response=response)
        return []
