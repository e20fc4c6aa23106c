"""KefuEntityExtractor: rule-based entities in Chinese and English.

Patterns (bot/nlu/entity_rules.py) give amounts, currencies, dates, card last
four digits, phone numbers and ticket numbers with canonical values. Lookup
tables in the training data (card_type, account_type) give their surface text,
which Rasa's EntitySynonymMapper, placed after this component, maps to one
canonical value per concept (信用卡 and "credit card" both become credit_card).
The lexicon is taken from the training data and persisted as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

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
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import contains_han
from bot.nlu.entity_rules import Span, find_entities

LEXICON_FILE = "lexicon.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KefuEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Relative dates ("昨天", "last Friday") are resolved in the bank's time zone.
        return {"timezone": "Asia/Shanghai"}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Optional[Dict[str, List[str]]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._timezone = ZoneInfo(self._config["timezone"])
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = lexicon or {}
        self._lexicon_pattern = _lexicon_pattern(self._lexicon)

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KefuEntityExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        lexicon: Dict[str, List[str]] = {}
        for table in training_data.lookup_tables:
            elements = table.get("elements")
            if isinstance(elements, list):
                lexicon.setdefault(table["name"], []).extend(str(e) for e in elements)
        self._lexicon = {name: sorted(set(words)) for name, words in lexicon.items()}
        self._lexicon_pattern = _lexicon_pattern(self._lexicon)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / LEXICON_FILE).write_text(json.dumps(self._lexicon, ensure_ascii=False))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KefuEntityExtractor:
        try:
            with model_storage.read_from(resource) as directory:
                lexicon = json.loads((directory / LEXICON_FILE).read_text())
        except (ValueError, FileNotFoundError):
            lexicon = {}
        return cls(config, model_storage, resource, lexicon)

    def process(self, messages: List[Message]) -> List[Message]:
        today = dt.datetime.now(self._timezone).date()
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            spans = self.spans(text, today)
            if not spans:
                continue
            entities = self.add_extractor_name([_as_entity(span) for span in spans])
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    def spans(self, text: str, today: dt.date) -> List[Span]:
        spans = find_entities(text, today)
        if self._lexicon_pattern is None:
            return spans
        for match in self._lexicon_pattern.finditer(text):
            if all(match.end() <= s.start or match.start() >= s.end for s in spans):
                name = match.lastgroup or ""
                spans.append(Span(_entity_of_group(name), match.start(), match.end(),
                                  match.group(0)))
        return sorted(spans, key=lambda span: span.start)


def _as_entity(span: Span) -> Dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: span.entity,
        ENTITY_ATTRIBUTE_START: span.start,
        ENTITY_ATTRIBUTE_END: span.end,
        ENTITY_ATTRIBUTE_VALUE: span.value,
        ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
    }


def _entity_of_group(group: str) -> str:
    return group.rsplit("__", 1)[0]


def _lexicon_pattern(lexicon: Dict[str, List[str]]) -> Optional[re.Pattern[str]]:
    """One alternation, longest words first; English words must stand alone, Chinese need not."""
    words = [(word, entity) for entity, elements in lexicon.items() for word in elements if word]
    if not words:
        return None
    words.sort(key=lambda pair: len(pair[0]), reverse=True)
    alternatives = []
    for index, (word, entity) in enumerate(words):
        body = re.escape(word).replace(r"\ ", r"\s+")
        if not contains_han(word):
            body = rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])"
        alternatives.append(f"(?P<{entity}__{index}>{body})")
    return re.compile("|".join(alternatives), re.IGNORECASE)
