"""What the bot says when the customer's request is unclear: which of two requests, which
request of a topic, what a number is for, or please rephrase."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from actions.intent_choices import choice_buttons, offered_intents
from actions.topic_menus import leans_vague, menu_buttons, response_of, topic_of
from bot.nlu.digit_shapes import numbers_only
from bot.policies.escalation import NEITHER_CHOICE


def not_understood_response(text: str) -> str:
    """A number alone gets its own answer: ask what it is for, and warn against sending a full
    card number in the chat. "Neither" / "something else" clicked under offered requests: ask
    for a description. Anything else: please rephrase."""
    if numbers_only(text):
        return "utter_number_without_request"
    if text.strip() == NEITHER_CHOICE:
        return "utter_describe_request"
    return "utter_default"


class ActionNotUnderstood(Action):
    def name(self) -> str:
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        ranking = tracker.latest_message.get("intent_ranking") or []
        response = not_understood_response(text)
        offered = offered_intents(ranking) if response == "utter_default" else []
        if response == "utter_default" and leans_vague(ranking):
            _offer_topic_menu(dispatcher, text, language_of(tracker))
        elif offered:
            dispatcher.utter_message(response="utter_which_request",
                                     buttons=choice_buttons(offered, language_of(tracker)))
        else:
            dispatcher.utter_message(response=response)
        return []


class ActionTopicMenu(Action):
    """`vague_request`: the requests of the topic the customer named, as buttons."""

    def name(self) -> str:
        return "action_topic_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        _offer_topic_menu(dispatcher, tracker.latest_message.get("text") or "",
                          language_of(tracker))
        return []


def _offer_topic_menu(dispatcher: CollectingDispatcher, text: str, language: str) -> None:
    topic = topic_of(text)
    dispatcher.utter_message(response=response_of(topic), buttons=menu_buttons(topic, language))
