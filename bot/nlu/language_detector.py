"""LanguageDetector: tags every message with a `language` entity (zh or en).

The `language` slot maps from this entity, so every user turn sets the slot
and the conditional response variations answer in the customer's language.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.language import detect_language

LANGUAGE_ENTITY = "language"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class LanguageDetector(GraphComponent, EntityExtractorMixin):
    """Adds a `language` entity spanning the whole message."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entity = language_entity(message.get(TEXT) or "")
            if entity is None:
                continue
            entities = message.get(ENTITIES, [])
            message.set(ENTITIES, entities + self.add_extractor_name([entity]), add_to_output=True)
        return messages


def language_entity(text: str) -> Optional[Dict[str, Any]]:
    """The entity dict for `text`, or None when the language cannot be told."""
    language = detect_language(text)
    if language is None:
        return None
    return {
        ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
        ENTITY_ATTRIBUTE_VALUE: language,
        ENTITY_ATTRIBUTE_START: 0,
        ENTITY_ATTRIBUTE_END: len(text),
        ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
    }
