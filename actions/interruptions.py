"""Requests that interrupt a form: when a message is not the answer to the question asked.

A form's validation action returns no value for the requested slot when the customer asks for
something else; Rasa then rejects the form and the rules in data/rules/digressions.yml serve
the request (a person, a stolen card, another form). Structured questions (a phone number, an
amount, a score) cannot be answered by "转人工", but a free-text question (a complaint's
description, the CSAT comment, a new address) takes any words, so it needs this module to tell
an explicit request ("转人工", "I want to change my address") from an answer that happens to
sound like one ("希望人工客服接通再快一点", "the agent was rude").

A message that is just a number never interrupts: every form hands this module the intent of
`actions.complaint.answers.intent_at_a_question`, which is none for "83" (goodbye for the NLU)
or "12000" (check_balance).
"""

from __future__ import annotations

import re
from typing import AbstractSet, Any, Mapping, Optional

# Below this confidence an intent is too unsure to take the customer away from the form.
DIGRESSION_CONFIDENCE = 0.6
# Rules hand these to a person from inside any form.
HANDOFF_INTENTS = frozenset({"human_handoff", "request_relationship_manager"})
# Urgent: the rules give safety advice and hand over, whatever form is running.
SAFETY_INTENTS = frozenset({"card_stolen", "fraud_report"})
# Each starts a form of its own, which the rules switch to (bot/digression_rules.py STARTERS).
FORM_STARTERS = frozenset({"complaint", "profile_update"})
STOP_INTENTS = frozenset({"cancel"})
# Never a request of their own at a form's question: an answer, a miss, or a topic without a
# request (its menu would only interrupt the question). Each form adds its own answers.
NO_REQUEST_INTENTS = frozenset({"affirm", "inform", "out_of_scope", "nlu_fallback",
                                "vague_request"})
# Sent by the bank's systems, not typed: never an answer. A rule per form serves it
# (data/rules/digressions.yml) once the form is rejected; a loop outranks rules until then.
EXTERNAL_DIGRESSIONS = frozenset({"EXTERNAL_ticket_resolved"})
LEAVING_INTENTS = HANDOFF_INTENTS | SAFETY_INTENTS | FORM_STARTERS
# Short enough to be a request rather than a description: Chinese characters, Latin words.
SHORT_HAN, SHORT_WORDS = 16, 8

_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9']+")
# Asking: "我要…", "帮我…", "I want…", "can I…", "please…", "put me through".
_REQUEST_WORDS = re.compile(
    r"我要|我想|我需要|想要|帮我|请帮|麻烦|请给我|给我转|请转|"
    r"\bI\s*(?:want|would like|'d like|need|wanna)\b|\b(?:can|could|may) I\b|\blet me\b|"
    r"\bplease\b|\bhelp me\b|\b(?:connect|transfer|put) me\b",
    re.IGNORECASE,
)
# Judging what happened: feedback and descriptions, not a request of their own.
_FEEDBACK_WORDS = re.compile(
    r"希望|建议|态度|耐心|专业|热情|礼貌|效率|速度|体验|满意|不错|挺好|很好|太好|好评|差评|"
    r"太差|很差|太慢|很慢|太久|很久|很快|接通|感谢|谢谢|辛苦|"
    r"\b(?:was|were|been|too|very|really|so|slow|slowly|fast|quick|quickly|rude|polite|helpful|"
    r"unhelpful|patient|friendly|professional|experience|should|hope|wish|suggest|better|worse|"
    r"great|good|bad|thanks?)\b",
    re.IGNORECASE,
)


# An explicit request for a person, whatever the NLU made of the rest of the message.
_PERSON = re.compile(
    r"转人工|人工客服|人工服务|找人工|要人工|找真人|找客服|转客服|"
    r"\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a\s+|an\s+)?(?:real\s+|live\s+)?"
    r"(?:person|human|agent|someone|somebody|representative)\b|"
    r"\b(?:want|need|get|get me|give me|connect me (?:to|with)|transfer me to|put me through to)\s+"
    r"(?:a\s+|an\s+|the\s+)?(?:real\s+|live\s+)?(?:person|human|agent|representative)\b|"
    r"^\W*(?:no\W+)?(?:a\s+)?(?:human|agent)\W*$",
    re.IGNORECASE,
)


def asks_for_a_person(text: str, intent: Optional[str], confidence: float) -> bool:
    """A confident human_handoff, or a person asked for in so many words ("不接受，转人工")."""
    return (intent == "human_handoff" and confident(intent, confidence)) \
        or bool(_PERSON.search(text))


def is_short(text: str) -> bool:
    han, words = len(_HAN.findall(text)), len(_WORD.findall(text))
    return han <= SHORT_HAN and words <= SHORT_WORDS and han + words <= SHORT_HAN


def confident(intent: Optional[str], confidence: float) -> bool:
    return bool(intent) and confidence >= DIGRESSION_CONFIDENCE


def leaves_structured_question(intent: Optional[str], confidence: float,
                               answered_here: AbstractSet[str] = frozenset()) -> bool:
    """A question with a shape (a number, a code, a choice): a confident request leaves it."""
    return confident(intent, confidence) and intent in LEAVING_INTENTS - answered_here


def interrupts_free_text(text: str, intent: Optional[str], confidence: float,
                         answered_here: AbstractSet[str] = frozenset()) -> bool:
    """Whether a message at a free-text question is a request (or a stop) and not the answer.

    A stolen card, fraud or "stop" leave when the message is short: a long one is a story
    that mentions them. A request for a person or another form leaves when it is asked for
    ("我要…", "I want…") or short, unless it judges the service: that is feedback.
    """
    if not confident(intent, confidence) or intent in answered_here:
        return False
    if intent in SAFETY_INTENTS | STOP_INTENTS:
        return is_short(text)
    if intent in HANDOFF_INTENTS | FORM_STARTERS:
        if _REQUEST_WORDS.search(text):
            return True
        return is_short(text) and not _FEEDBACK_WORDS.search(text)
    return False


def asks_for_something(text: str) -> bool:
    """Worded as a request ("我想查一下余额", "I'd like to…"), even without a question mark."""
    return bool(_REQUEST_WORDS.search(text)) and not _FEEDBACK_WORDS.search(text)


def is_external_digression(latest_message: Mapping[str, Any]) -> bool:
    """The message is an event such as a ticket resolved while a form waits for an answer."""
    return (latest_message.get("intent") or {}).get("name") in EXTERNAL_DIGRESSIONS
