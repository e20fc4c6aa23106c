"""LanguageDetector (NLU) and LanguageSlotPolicy (dialogue) with Rasa's real classes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import LanguageDetector
from bot.policies.language_slot_policy import LanguageSlotPolicy

DOMAIN_DIR = Path(__file__).resolve().parents[2] / "bot" / "domain"


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def test_detector_adds_language_to_the_parse_output(storage, context) -> None:
    detector = LanguageDetector.create({}, storage, Resource("language"), context)
    zh, en, blank = Message.build("我要转人工"), Message.build("hello"), Message.build("👍")
    detector.process([zh, en, blank])
    assert zh.as_dict_nlu()["language"] == "zh"
    assert en.as_dict_nlu()["language"] == "en"
    assert "language" not in blank.as_dict_nlu()


def test_detector_ignores_button_payloads(storage, context) -> None:
    detector = LanguageDetector.create({}, storage, Resource("language"), context)
    affirm, choice = Message.build("/affirm"), Message.build('/inform{"choice": "card"}')
    detector.process([affirm, choice])
    assert "language" not in affirm.as_dict_nlu()
    assert "language" not in choice.as_dict_nlu()


def _policy(storage, context) -> LanguageSlotPolicy:
    config = {**LanguageSlotPolicy.get_default_config()}
    return LanguageSlotPolicy.create(config, storage, Resource("policy"), context)


def _tracker(domain: Domain, *events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("customer-1", list(events), slots=domain.slots)


def test_policy_sets_the_slot_when_the_language_changes(storage, context) -> None:
    domain = Domain.load(str(DOMAIN_DIR))
    tracker = _tracker(
        domain,
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet"}, parse_data={"language": "en"}),
    )
    prediction = _policy(storage, context).predict_action_probabilities(tracker, domain)
    assert prediction.events == [SlotSet("language", "en")]
    assert max(prediction.probabilities) == 0.0


def test_policy_stays_silent_when_the_slot_already_matches(storage, context) -> None:
    domain = Domain.load(str(DOMAIN_DIR))
    tracker = _tracker(
        domain,
        ActionExecuted("action_listen"),
        UserUttered("你好", {"name": "greet"}, parse_data={"language": "zh"}),
    )
    assert tracker.get_slot("language") == "zh"  # the slot's initial value
    prediction = _policy(storage, context).predict_action_probabilities(tracker, domain)
    assert prediction.events == []


def test_policy_survives_persist_and_load(storage, context) -> None:
    domain = Domain.load(str(DOMAIN_DIR))
    policy = _policy(storage, context)
    resource = policy.train([], domain)
    loaded = LanguageSlotPolicy.load(
        LanguageSlotPolicy.get_default_config(), storage, resource, context
    )
    tracker = _tracker(
        domain,
        UserUttered("hi", {"name": "greet"}, parse_data={"language": "en"}),
    )
    assert loaded.predict_action_probabilities(tracker, domain).events == [
        SlotSet("language", "en")
    ]
