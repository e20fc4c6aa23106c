"""EmotionClassifier: adds `emotion: {name, confidence}` to every parse result.

Labels: neutral, angry, anxious, sad, happy (bot/nlu/emotion.py). English and Chinese
each have their own linear model (bot/nlu/emotion_model.py); a message goes to the
Chinese one when it contains Han characters. At inference the MiniLM embedding already on
the message is reused, so the emotion costs about a millisecond. At training the GoEmotions
comments are embedded once and the English model trained once, both cached by content under
`.rasa/cache/kefu-emotion` (the English model does not depend on the intents).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import contains_han
from bot.nlu.emotion import load_examples
from bot.nlu.emotion_model import LanguageModel
from bot.nlu.minilm_onnx import export_minilm, minilm_model_dir
from bot.nlu.sentence_encoder import EMBEDDING_SIZE, SentenceEncoder

logger = logging.getLogger(__name__)

EMOTION = "emotion"
# Bump when the features or the model change, so that cached models are not reused.
MODEL_VERSION = "emotion-3"
LANGUAGES = ("en", "zh")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class EmotionClassifier(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # kefu's own examples, YAML: label -> messages.
            "examples": ["data/emotion/en.yml", "data/emotion/zh.yml"],
            # Extra English examples, TSV: text<TAB>label (GoEmotions mapped onto our labels).
            "corpus": "data/emotion/goemotions_train.tsv",
            "corpus_limit": None,
            # NLU examples of these intents are added as Chinese neutral examples. Empty: in
            # cross-validation on data/emotion/zh.yml they cost 2-7 points of macro-F1.
            "neutral_intents": [],
            "cache_dir": ".rasa/cache/kefu-emotion",
            # Chosen on GoEmotions train/dev (docs/benchmarks.md, "emotion").
            "C": {"en": 0.1, "zh": 0.5},
            "dense_weight": {"en": 1.0, "zh": 0.5},
            # English cue words too (2026-11-28, 5-fold CV over data/emotion/en.yml with
            # GoEmotions always in training: 56.6% -> 60.5%, angry recall 13 -> 15 of 40;
            # GoEmotions dev macro-F1 0.658 either way).
            "lexicon_weight": {"en": 1.0, "zh": 1.0},
        }

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 models: Optional[Dict[str, LanguageModel]] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._models = models or {}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> EmotionClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        own_texts, own_labels = self._training_examples()
        neutral = set(self._config["neutral_intents"])
        for message in training_data.intent_examples:
            if message.get(INTENT) in neutral and contains_han(message.get(TEXT) or ""):
                own_texts.append(message.get(TEXT))
                own_labels.append("neutral")
        corpus_texts, corpus_labels = self._corpus()
        by_language: Dict[str, tuple[List[str], List[str]]] = {"en": ([], []), "zh": ([], [])}
        for text, label in zip(own_texts + corpus_texts, own_labels + corpus_labels,
                               strict=True):
            texts, labels = by_language["zh" if contains_han(text) else "en"]
            texts.append(text)
            labels.append(label)
        with self._model_storage.write_to(self._resource) as directory:
            for language in LANGUAGES:
                texts, labels = by_language[language]
                if len(set(labels)) < 2:
                    continue
                model = self._fit_or_reuse(language, texts, labels)
                model.save(Path(directory), language)
                self._models[language] = model
                logger.info("emotion.trained language=%s examples=%s temperature=%.3f",
                            language, len(texts), model.model.temperature)
        return self._resource

    def _fit_or_reuse(self, language: str, texts: List[str], labels: List[str]) -> LanguageModel:
        """The English model depends on nothing but its own data and settings (not on the
        intents), so a model trained on the same inputs before is reused from the cache."""
        settings = {name: self._config[name][language]
                    for name in ("C", "dense_weight", "lexicon_weight")}
        key = _content_key(texts, labels, settings)
        cached = Path(self._config["cache_dir"]) / f"{language}-{key}"
        if (cached / f"{language}.npz").exists():
            reused = LanguageModel.load(cached, language)
            if reused is not None:
                return reused
        dense = _embed(texts, Path(self._config["cache_dir"]) if len(texts) > 5000 else None)
        model = LanguageModel.fit(language, texts, labels, dense,
                                  c=float(settings["C"]),
                                  dense_weight=float(settings["dense_weight"]),
                                  lexicon_weight=float(settings["lexicon_weight"]))
        cached.mkdir(parents=True, exist_ok=True)
        model.save(cached, language)
        return model

    def _training_examples(self) -> tuple[List[str], List[str]]:
        texts: List[str] = []
        labels: List[str] = []
        for path in self._config["examples"]:
            more_texts, more_labels = load_examples(Path(path))
            texts += more_texts
            labels += more_labels
        return texts, labels

    def _corpus(self) -> tuple[List[str], List[str]]:
        texts: List[str] = []
        labels: List[str] = []
        if self._config["corpus"]:
            lines = Path(self._config["corpus"]).read_text(encoding="utf-8").splitlines()[1:]
            limit = self._config["corpus_limit"]
            for line in lines[: int(limit) if limit else None]:
                text, label = line.rsplit("\t", 1)
                texts.append(text)
                labels.append(label)
        return texts, labels

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> EmotionClassifier:
        with model_storage.read_from(resource) as directory:
            models = {language: model for language in LANGUAGES
                      if (model := LanguageModel.load(Path(directory), language)) is not None}
        return cls(config, model_storage, resource, models)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = "zh" if contains_han(text) else "en"
            model = self._models.get(language)
            if model is None or not text.strip():
                continue
            name, confidence = model.predict(language, text, _dense_feature(message))
            message.set(EMOTION, {"name": name, "confidence": round(confidence, 4)},
                        add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _dense_feature(message: Message) -> np.ndarray:
    """The MiniLM sentence embedding the SentenceEmbeddingFeaturizer put on the message."""
    for feature in message.features:
        if feature.type == FEATURE_TYPE_SENTENCE and feature.attribute == TEXT \
                and not feature.is_sparse() and feature.features.shape[-1] == EMBEDDING_SIZE:
            return np.asarray(feature.features, dtype=np.float32).reshape(-1)
    return np.zeros(EMBEDDING_SIZE, dtype=np.float32)


def _content_key(texts: Sequence[str], labels: Sequence[str], settings: Dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps([MODEL_VERSION, settings, list(texts), list(labels)],
                                       ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


def _embed(texts: Sequence[str], cache_dir: Optional[Path]) -> np.ndarray:
    """MiniLM embeddings of `texts`, exactly as the featurizer computes them; cached by
    content in `cache_dir` when given."""
    if not texts:
        return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
    source = minilm_model_dir()
    cached: Optional[Path] = None
    if cache_dir is not None:
        key = hashlib.sha256()
        key.update((source / "model.safetensors").read_bytes()
                   if (source / "model.safetensors").exists() else str(source).encode())
        key.update("\n".join(texts).encode())
        cached = cache_dir / f"{key.hexdigest()[:32]}.npy"
        if cached.exists():
            return np.load(cached)
    with tempfile.TemporaryDirectory() as scratch:
        onnx_path = export_minilm(source, Path(scratch) / "encoder.onnx", quantize=True)
        embeddings = SentenceEncoder(onnx_path, source / "tokenizer.json").encode(list(texts))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, embeddings)
    return embeddings
