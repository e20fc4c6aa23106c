"""When to hand over: the decision on customer turns, and EscalationPolicy on Rasa trackers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.escalation import Thresholds, Turn, escalation, trajectory, trend
from bot.policies.escalation_policy import EscalationPolicy

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"
T = Thresholds()


def turn(emotion: str = "neutral", confidence: float = 0.9, text: str = "…",
         intent: str = "out_of_scope") -> Turn:
    return Turn(text=text, intent=intent, emotion=emotion, confidence=confidence)


@pytest.mark.parametrize(
    ("turns", "reason"),
    [
        ([turn("angry", 0.95)], "anger"),
        ([turn("anxious", 0.85)], "anxiety"),
        ([turn("angry", 0.6)], None),
        ([turn("sad", 0.5), turn("angry", 0.6), turn("angry", 0.7)], "rising_distress"),
        ([turn("sad", 0.5), turn("happy", 0.6), turn("angry", 0.7)], None),
        ([turn("angry", 0.7), turn("angry", 0.6), turn("angry", 0.5)], None),
        ([turn(intent="nlu_fallback"), turn(intent="nlu_fallback")], "repeated_fallback"),
        ([turn(intent="nlu_fallback"), turn(intent="greet")], None),
        # A topic without a request gets its menu; two in a row are two menus, not misses...
        ([turn(intent="vague_request"), turn(intent="vague_request")], None),
        # ...but beside a miss, the bot has not understood twice.
        ([turn(intent="nlu_fallback"), turn(intent="vague_request")], "repeated_fallback"),
        ([turn(intent="vague_request"), turn(intent="nlu_fallback")], "repeated_fallback"),
        # "Neither" under "which of these?" is an answer: "please rephrase", not a second miss;
        # the rephrased message missing too is.
        ([turn(intent="nlu_fallback"), turn(intent="nlu_fallback", text="/nlu_fallback")], None),
        ([turn(intent="nlu_fallback"), turn(intent="nlu_fallback", text="/nlu_fallback"),
          turn(intent="nlu_fallback")], "repeated_fallback"),
        # Card or phone numbers typed into a form are data, not the bot failing to understand.
        ([turn(intent="nlu_fallback", text="13800138001"), turn(intent="nlu_fallback")], None),
        ([turn(intent="nlu_fallback", text="6222"), turn(intent="nlu_fallback", text="１２")],
         None),
        ([turn(text="再不处理我就打12378投诉")], "regulator_threat"),
        ([turn(text="I'll take this to the ombudsman")], "regulator_threat"),
        ([turn(text="我父亲去世了，想办他账户的手续")], "bereavement"),
        ([turn(text="my mother passed away last week")], "bereavement"),
        ([turn("happy", 0.99, "谢谢")], None),
        # Asking to complain opens the complaint form first, unless the anger is extreme;
        # venting (no request to complain), anxiety and the other reasons hand over as before.
        ([turn("angry", 0.97, "我要投诉，你们乱扣了我一笔手续费", "complaint")], None),
        ([turn("angry", 0.92, "I want to complain, you charged me a fee", "complaint")], None),
        ([turn("angry", 0.995, "我要投诉，气死我了！！！", "complaint")], "anger"),
        ([turn("angry", 0.97, "your staff were rude and I'm really angry", "complaint")],
         "anger"),
        ([turn("angry", 0.97, "投诉你们乱扣费", "unknown_charge")], "anger"),
        ([turn("anxious", 0.9, "我要投诉，钱突然没了", "complaint")], "anxiety"),
        ([turn(text="我要投诉，再不处理我就打12378", intent="complaint")], "regulator_threat"),
        ([], None),
    ],
)
def test_reasons(turns, reason) -> None:
    found = escalation(turns, T)
    assert (found.reason if found else None) == reason


def test_priorities_and_trends() -> None:
    assert escalation([turn(text="银保监会")], T).priority == "urgent"
    assert escalation([turn("angry", 0.9)], T).priority == "high"
    assert trend([turn("sad", 0.2), turn("sad", 0.4), turn("angry", 0.9)]) == "rising"
    assert trend([turn("angry", 0.9), turn("sad", 0.4), turn("neutral", 0.9)]) == "falling"
    assert trend([turn("angry", 0.9)]) == "steady"
    assert trajectory([turn("angry", 0.91234)]) == [{"emotion": "angry", "confidence": 0.912}]


def test_thresholds_come_from_the_config() -> None:
    assert Thresholds.from_config({"anger": 0.5, "priority": 7}).anger == 0.5
    assert escalation([turn("angry", 0.6)], Thresholds(anger=0.5)).reason == "anger"
    complaint = [turn("angry", 0.9, "I want to complain", "complaint")]
    assert escalation(complaint, Thresholds.from_config({"complaint_anger": 0.85})).reason \
        == "anger"
    # Never below the anger that hands over any other message.
    assert escalation(complaint, Thresholds(anger=0.95, complaint_anger=0.5)) is None


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_DIR))


@pytest.fixture
def policy(tmp_path: Path) -> EscalationPolicy:
    return EscalationPolicy.create(EscalationPolicy.get_default_config(),
                                   LocalModelStorage(tmp_path), Resource("escalation"),
                                   ExecutionContext(GraphSchema({}), "escalation"))


def said(text: str, emotion: str, confidence: float, intent: str = "complaint") -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.9},
                       parse_data={"intent": {"name": intent, "confidence": 0.9}, "text": text,
                                   "emotion": {"name": emotion, "confidence": confidence}})


def predicted(policy: EscalationPolicy, domain: Domain, *events) -> tuple:
    tracker = DialogueStateTracker.from_events("c-1", list(events), slots=domain.slots)
    prediction = policy.predict_action_probabilities(tracker, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    action = domain.action_names_or_texts[best] if prediction.probabilities[best] else None
    slots = {e.key: e.value for e in prediction.events if isinstance(e, SlotSet)}
    return action, slots


LISTEN = ActionExecuted("action_listen")


def test_an_angry_message_is_escalated_with_its_reason(policy, domain) -> None:
    action, slots = predicted(policy, domain, SessionStarted(), LISTEN,
                              said("你们到底管不管！！！", "angry", 0.97, "out_of_scope"))
    assert action == "action_escalate"
    assert slots == {"escalation_reason": "anger", "escalation_priority": "high",
                     "emotion_level": 0.97, "emotion_trend": "steady"}


def test_an_angry_complaint_is_left_to_the_complaint_form(policy, domain) -> None:
    action, slots = predicted(policy, domain, SessionStarted(), LISTEN,
                              said("我要投诉，你们乱扣了我一笔手续费", "angry", 0.97))
    assert action is None
    assert slots == {"emotion_level": 0.97, "emotion_trend": "steady"}
    action, _ = predicted(policy, domain, SessionStarted(), LISTEN,
                          said("我要投诉你们，气死我了！！！", "angry", 1.0))
    assert action == "action_escalate"


def test_a_calm_message_only_updates_the_trajectory(policy, domain) -> None:
    action, slots = predicted(policy, domain, LISTEN, said("查余额", "neutral", 0.9, "balance"))
    assert action is None and slots == {"emotion_level": 0.0, "emotion_trend": "steady"}


def test_not_inside_a_form_nor_twice_in_a_session(policy, domain) -> None:
    in_form = predicted(policy, domain, ActiveLoop("complaint_form"), LISTEN,
                        said("气死我了！！！", "angry", 0.99))
    assert in_form[0] is None
    again = predicted(policy, domain, SessionStarted(), LISTEN, said("气死了", "angry", 0.99),
                      ActionExecuted("action_escalate"), LISTEN, said("人呢？！", "angry", 0.99))
    assert again[0] is None


def test_listens_after_escalating(policy, domain) -> None:
    action, _ = predicted(policy, domain, LISTEN, said("气死了", "angry", 0.99),
                          ActionExecuted("action_escalate"))
    assert action == "action_listen"


def test_a_regulator_threat_is_handed_over_even_inside_a_form(policy, domain) -> None:
    action, slots = predicted(policy, domain, ActiveLoop("complaint_form"), LISTEN,
                              said("再不处理我就打12378", "angry", 0.5))
    assert action == "action_escalate" and slots["escalation_reason"] == "regulator_threat"


def test_after_an_agent_hands_back_a_new_escalation_is_possible(policy, domain) -> None:
    handed_back = UserUttered(None, intent={"name": "EXTERNAL_handoff_resolved",
                                            "confidence": 1.0})
    action, _ = predicted(policy, domain, LISTEN, said("气死了", "angry", 0.99),
                          ActionExecuted("action_escalate"), handed_back,
                          ActionExecuted("utter_handoff_resolved"), LISTEN,
                          said("还是没解决！！气死我了", "angry", 0.99))
    assert action == "action_escalate"
