"""SentenceCountsFeaturizer: word or character n-gram counts of the whole message.

Only sentence-level features, vectorised for all training examples at once:
Rasa's CountVectorsFeaturizer also builds per-token sequence features, which
kefu's classifier does not use and which cost it 40 s on BANKING77. The
vocabulary is persisted as JSON; digit runs are counted as their shape words
(bot/nlu/digit_shapes.py); features are cheap to fingerprint (bot/nlu/fingerprints.py).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import CountVectorizer

from bot.language import contains_han
from bot.nlu.digit_shapes import shaped
from bot.nlu.fingerprints import add_sentence_features

VOCABULARY_FILE = "vocabulary.json"
ANALYZERS = ("word", "char_wb", "char")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SentenceCountsFeaturizer(SparseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **SparseFeaturizer.get_default_config(),
            "analyzer": "word",
            "min_ngram": 1,
            "max_ngram": 1,
            "min_df": 1,
            # Count only messages with Chinese characters (an English one gets no features).
            "han_only": False,
        }

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if config["analyzer"] not in ANALYZERS:
            raise ValueError(f"analyzer must be one of {ANALYZERS}")
        if not 1 <= int(config["min_ngram"]) <= int(config["max_ngram"]):
            raise ValueError("need 1 <= min_ngram <= max_ngram")

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: Optional[Dict[str, int]] = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._vectorizer = self._make_vectorizer(vocabulary) if vocabulary else None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceCountsFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def _make_vectorizer(self, vocabulary: Optional[Dict[str, int]] = None) -> CountVectorizer:
        return CountVectorizer(
            analyzer=self._config["analyzer"],
            ngram_range=(int(self._config["min_ngram"]), int(self._config["max_ngram"])),
            min_df=1 if vocabulary else int(self._config["min_df"]),
            lowercase=True,
            # The tokenizer has already split the text into words.
            token_pattern=r"\S+" if self._config["analyzer"] == "word" else None,
            vocabulary=vocabulary,
            dtype="float32",
        )

    def train(self, training_data: TrainingData) -> Resource:
        documents = [self._document(m) for m in training_data.training_examples if m.get(TEXT)]
        vectorizer = self._make_vectorizer()
        try:
            vectorizer.fit(documents)
            vocabulary = {term: int(index) for term, index in vectorizer.vocabulary_.items()}
        except ValueError:  # nothing to count, e.g. han_only on English data
            vocabulary = {}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(vocabulary, ensure_ascii=False))
        self._vectorizer = self._make_vectorizer(vocabulary) if vocabulary else None
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceCountsFeaturizer:
        with model_storage.read_from(resource) as directory:
            vocabulary = json.loads((directory / VOCABULARY_FILE).read_text())
        return cls(config, model_storage, resource, execution_context, vocabulary)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize([m for m in messages if m.get(TEXT)])
        return messages

    def _featurize(self, messages: List[Message]) -> None:
        if self._vectorizer is None or not messages:
            return
        counts = sp.csr_matrix(self._vectorizer.transform([self._document(m) for m in messages]))
        for row, message in enumerate(messages):
            add_sentence_features(message, counts[row].tocoo(), TEXT, self._identifier)

    def _document(self, message: Message) -> str:
        # "char" n-grams cross word boundaries: Chinese character pairs that jieba split.
        text = message.get(TEXT)
        if self._config["han_only"] and not contains_han(text):
            return ""
        if self._config["analyzer"] == "char":
            return " ".join(shaped(text).split())
        return _tokens_joined(message)


def _tokens_joined(message: Message) -> str:
    """The message's tokens joined by spaces, so n-grams respect jieba's word boundaries."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    return " ".join(token.text for token in tokens) if tokens else shaped(message.get(TEXT))
