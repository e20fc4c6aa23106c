"""When the bot should hand a conversation to a person, from how the customer feels and what
they say: plain functions over the user turns, free of Rasa, used by EscalationPolicy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Dict, List, Optional, Sequence

from bot.nlu.digit_shapes import numbers_only

NEGATIVE_EMOTIONS = ("angry", "anxious", "sad")
FALLBACK_INTENTS = frozenset({"nlu_fallback"})
# The "neither" button under "which of these do you mean?" (actions/intent_choices.py): the
# fallback again, so "please rephrase", but an answer, not a message the bot failed to read.
NEITHER_CHOICE = "/nlu_fallback"
# A topic without a request ("我的卡有问题", "help"): answered with the topic's menu
# (actions/topic_menus.py), but in a run of misses it is one more message that named no request.
VAGUE_INTENT = "vague_request"
COMPLAINT_INTENT = "complaint"
# Asking for the complaint process itself ("我要投诉", "I want to complain"), not only venting.
_ASKS_TO_COMPLAIN = re.compile(r"投诉|complain", re.IGNORECASE)
_REGULATOR = re.compile(r"银保监|银监会|金融监管|监管局|12378|人民银行投诉|ombudsman|regulator"
                        r"|financial conduct|cbirc|nfra", re.IGNORECASE)
_BEREAVEMENT = re.compile(r"去世|过世|离世|病逝|走了.*(后事|遗产|销户|卡)|遗产|继承|丧事|"
                          r"passed away|died|death of|bereave|deceased|estate of|funeral|executor"
                          r"|\blate (?:mother|father|husband|wife|son|daughter|parent|partner)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """One customer message as the NLU read it."""

    text: str
    intent: Optional[str]
    emotion: str
    confidence: float

    @property
    def distress(self) -> float:
        """How negative the message is, 0 to 1: the confidence of a negative emotion."""
        return self.confidence if self.emotion in NEGATIVE_EMOTIONS else 0.0


@dataclass(frozen=True)
class Thresholds:
    anger: float = 0.8
    # Anger said with a complaint hands over only from here; below, the complaint form opens.
    complaint_anger: float = 0.99
    anxiety: float = 0.8
    rising_turns: int = 3
    rising_floor: float = 0.5
    fallbacks_in_a_row: int = 2

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> Thresholds:
        return cls(**{name: config[name] for name in cls.__dataclass_fields__ if name in config})


@dataclass(frozen=True)
class Escalation:
    reason: str
    priority: str  # "urgent", "high" or "normal", for the handoff queue

    @property
    def overrides_forms(self) -> bool:
        """A threat to go to the regulator or a bereavement is handed over even mid-form."""
        return self.reason in ("regulator_threat", "bereavement")


def turn_from_parse_data(parse_data: Dict[str, Any], text: Optional[str]) -> Turn:
    emotion = parse_data.get("emotion") or {}
    return Turn(text=text or "", intent=(parse_data.get("intent") or {}).get("name"),
                emotion=str(emotion.get("name") or "neutral"),
                confidence=float(emotion.get("confidence") or 0.0))


def trend(turns: Sequence[Turn], window: int = 3) -> str:
    """"rising", "falling" or "steady" distress over the last `window` customer messages."""
    levels = [turn.distress for turn in turns[-window:]]
    if len(levels) < window:
        return "steady"
    if all(a < b for a, b in pairwise(levels)):
        return "rising"
    if all(a > b for a, b in pairwise(levels)):
        return "falling"
    return "steady"


def escalation(turns: Sequence[Turn], thresholds: Thresholds) -> Optional[Escalation]:
    """Why to hand over now, if at all; the latest turn is the last one."""
    if not turns:
        return None
    latest = turns[-1]
    if _REGULATOR.search(latest.text):
        return Escalation("regulator_threat", "urgent")
    if _BEREAVEMENT.search(latest.text):
        return Escalation("bereavement", "high")
    if latest.emotion == "angry" and latest.confidence >= _anger_threshold(latest, thresholds):
        return Escalation("anger", "high")
    if latest.emotion == "anxious" and latest.confidence >= thresholds.anxiety:
        return Escalation("anxiety", "high")
    recent = turns[-thresholds.rising_turns:]
    if len(recent) == thresholds.rising_turns and trend(turns, thresholds.rising_turns) == \
            "rising" and all(t.emotion in NEGATIVE_EMOTIONS for t in recent) \
            and latest.distress >= thresholds.rising_floor:
        return Escalation("rising_distress", "high")
    if latest.text.strip() == NEITHER_CHOICE:
        return None
    read = [t for t in turns if t.text.strip() != NEITHER_CHOICE]
    last = read[-thresholds.fallbacks_in_a_row:]
    # Vague messages alone get menus; a miss among them means the bot is not getting there.
    if len(last) == thresholds.fallbacks_in_a_row \
            and all(_not_understood(t) or t.intent == VAGUE_INTENT for t in last) \
            and any(_not_understood(t) for t in last):
        return Escalation("repeated_fallback", "normal")
    return None


def _anger_threshold(turn: Turn, thresholds: Thresholds) -> float:
    """A customer who asks to complain gets the complaint form first (its rule in
    data/rules/complaint.yml), unless the anger is extreme: the form keeps what the message
    says and the ticket's priority rises with the anger."""
    if turn.intent == COMPLAINT_INTENT and _ASKS_TO_COMPLAIN.search(turn.text):
        return max(thresholds.anger, thresholds.complaint_anger)
    return thresholds.anger


def _not_understood(turn: Turn) -> bool:
    # A number alone (a card or phone number typed into a form) is data the NLU has no
    # intent for, not a customer the bot fails to understand.
    return turn.intent in FALLBACK_INTENTS and not numbers_only(turn.text)


def trajectory(turns: Sequence[Turn]) -> List[Dict[str, Any]]:
    """Every customer message's emotion, in order, for the agent's context."""
    return [{"emotion": t.emotion, "confidence": round(t.confidence, 3)} for t in turns]
