"""KefuIntentClassifier: a linear SVM over every sentence feature, with calibrated confidences,
blended for English text with a small network and a nearest-neighbour vote over MiniLM.

Each sparse featurizer's counts become sublinear TF-IDF, L2-normalised per
featurizer; the sentence embedding (MiniLM) is appended with a weight, a lower
one for Chinese text, which the English-only MiniLM embeds poorly. SVM scores
become probabilities by a softmax whose temperature is fitted on
cross-validated scores, so confidences mean what they say to the
FallbackClassifier behind it. For English text, a one-hidden-layer network over the
embedding and MiniLM's layer features, and the intents of the nearest training
examples, are blended in. Persisted as plain arrays (no pickle).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language import contains_han
from bot.nlu.dense_network import DenseNetwork
from bot.nlu.digit_shapes import number_key, numbers_only
from bot.nlu.linear_model import (
    LinearIntentModel,
    NearestExamples,
    SparseBlockWeights,
    combine_blocks,
)
from bot.nlu.sentence_embedding_featurizer import LAYERS_ORIGIN_SUFFIX

logger = logging.getLogger(__name__)

MODEL_FILE = "model.npz"
LAYOUT_FILE = "layout.json"
NUMBER_WORDS_FILE = "number_words.json"
# MiniLM's features have unit length; the network learns faster from a larger scale.
NETWORK_INPUT_SCALE = 3.0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class KefuIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "C": 0.5,
            "dense_weight": 2.0,
            # Chosen by cross-validation on kefu's zh data: +1.1 points at 1.0 over 2.0.
            "han_dense_weight": 1.0,
            "calibration_folds": 2,
            "ranking_length": 10,
            # English text only (MiniLM does not read Chinese), two more opinions blended in;
            # the SVM keeps the rest. Chosen by 5-fold cross-validation on BANKING77's train
            # split (test untouched): SVM alone 92.89%; + neighbours 0.3: 93.25%; + a network
            # over the sentence embedding: 93.32%; over it and the layer features, 0.28 of the
            # blend: 93.49% (0.2 to 0.35 and 10 to 20 epochs all within 0.1 of it). On kefu's
            # own en data (5-fold): 82.32% without the network, 82.68% with it.
            "network_weight": 0.28,
            "network_hidden": 512,
            "network_updates": 1250,
            "network_max_epochs": 20,
            # The intents of the nearest training examples by sentence embedding.
            "knn_weight": 0.3,
            "knn_k": 10,
            "knn_temperature": 0.02,
            # Tried and left out (2026-11-27): pairwise re-ranking of the top two and more
            # MiniLM layers among the SVM's features (at most +0.15 in cross-validation);
            # stacking, dropping doubtful training examples (worse). (2026-11-28) Two networks
            # of different seeds averaged, or 625 / 900 updates: within 0.1 of these settings,
            # and which is ahead changes with the folds' draw.
            # A message of digits alone ("6222", "83") carries no request: its top confidence
            # is held to this, under the FallbackClassifier's threshold, unless the training
            # data has it as a word ("88" is goodbye). Read as "6222" -> balance before.
            "numbers_only_confidence": 0.2,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LinearIntentModel] = None,
        layout: Optional[Dict[str, Any]] = None,
        weights: Optional[List[SparseBlockWeights]] = None,
        neighbours: Optional[NearestExamples] = None,
        network: Optional[DenseNetwork] = None,
        number_words: Optional[List[str]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._layout = layout or {"sparse": [], "dense": [], "layers": []}
        self._weights = weights or []
        self._neighbours = neighbours
        self._network = network
        # Numbers-only texts the training data gives an intent ("88"): these keep it.
        self._number_words = frozenset(number_words or ())

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KefuIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        # In one order whatever the files' order: moving examples between files, or a file's
        # blocks around, trains the same model (the SVM, its folds and the network see order).
        examples = sorted((m for m in training_data.intent_examples if m.get(TEXT)),
                          key=lambda m: (m.get(INTENT), m.get(TEXT)))
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("classifier.not_able_to_train reason=fewer_than_two_intents")
            return self._resource
        self._layout = _layout_of(examples)
        self._number_words = frozenset(
            number_key(m.get(TEXT)) for m in examples if numbers_only(m.get(TEXT)))
        sparse, dense, layers = _blocks(examples, self._layout)
        self._weights = [SparseBlockWeights.fit(block) for block in sparse]
        features = combine_blocks(sparse, dense, self._weights, self._dense_weights(examples))
        self._model = LinearIntentModel.fit(
            features,
            [m.get(INTENT) for m in examples],
            c=float(self._config["C"]),
            folds=int(self._config["calibration_folds"]),
        )
        label_ids = np.array([self._model.classes.index(m.get(INTENT)) for m in examples])
        if dense and float(self._config["knn_weight"]) > 0:
            self._neighbours = NearestExamples.of(dense[0], label_ids)
        if dense and float(self._config["network_weight"]) > 0:
            self._network = DenseNetwork.fit(
                _network_inputs(dense, layers), label_ids, int(self._config["network_hidden"]),
                int(self._config["network_updates"]), int(self._config["network_max_epochs"]),
                NETWORK_INPUT_SCALE)
        logger.info(
            "classifier.trained intents=%s examples=%s features=%s temperature=%.3f",
            len(self._model.classes), len(examples), features.shape[1], self._model.temperature,
        )
        self._persist()
        return self._resource

    def _persist(self) -> None:
        assert self._model is not None
        with self._model_storage.write_to(self._resource) as directory:
            arrays = self._model.as_arrays()
            arrays.update({f"idf_{i}": w.idf for i, w in enumerate(self._weights)})
            if self._neighbours is not None:
                arrays.update(self._neighbours.as_arrays())
            if self._network is not None:
                arrays.update(self._network.as_arrays())
            np.savez(directory / MODEL_FILE, **arrays)
            (directory / LAYOUT_FILE).write_text(json.dumps(self._layout))
            (directory / NUMBER_WORDS_FILE).write_text(json.dumps(sorted(self._number_words)))

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KefuIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                layout = json.loads((directory / LAYOUT_FILE).read_text())
                number_words_path = directory / NUMBER_WORDS_FILE
                number_words = json.loads(number_words_path.read_text()) \
                    if number_words_path.exists() else []
                with np.load(directory / MODEL_FILE, allow_pickle=False) as stored:
                    arrays = {name: stored[name] for name in stored.files}
        except ValueError:
            # Trained on fewer than two intents: nothing was persisted, nothing to predict.
            logger.warning("classifier.no_trained_model resource=%s", resource.name)
            return cls(config, model_storage, resource)
        weights = [SparseBlockWeights(arrays[f"idf_{i}"]) for i in range(len(layout["sparse"]))]
        return cls(config, model_storage, resource, LinearIntentModel.from_arrays(arrays),
                   layout, weights, NearestExamples.from_arrays(arrays),
                   DenseNetwork.from_arrays(arrays), number_words)

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        for message in messages:
            features = _sentence_features(message)
            columns, values = self._feature_row(features, self._dense_weights([message])[0])
            probabilities = self._model.row_probabilities(columns, values)
            dense, layers = ([_dense_row(features, origin, width)
                              for origin, width in self._layout.get(kind, [])]
                             for kind in ("dense", "layers"))
            text = message.get(TEXT) or ""
            if dense and not contains_han(text):
                probabilities = self._blend(probabilities, dense, layers)
            if numbers_only(text) and number_key(text) not in self._number_words:
                probabilities = held_to(probabilities,
                                        float(self._config["numbers_only_confidence"]))
            self._add_prediction(message, probabilities)
        return messages

    def _feature_row(self, features: Dict[str, Any],
                     dense_weight: float) -> Tuple[np.ndarray, np.ndarray]:
        """One message's row of `combine_blocks`, as its nonzero columns and their values."""
        columns: List[np.ndarray] = []
        values: List[np.ndarray] = []
        offset = 0
        for (origin, width), weights in zip(self._layout["sparse"], self._weights, strict=True):
            block = features.get(origin)
            if block is not None and block.nnz:
                coo = block if isinstance(block, sp.coo_matrix) else sp.coo_matrix(block)
                columns.append(offset + coo.col)
                values.append(weights.transform_row(coo.col, coo.data))
            offset += width
        for origin, width in self._layout["dense"]:
            columns.append(offset + np.arange(width))
            values.append(_dense_row(features, origin, width)[0] * dense_weight)
            offset += width
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)

    def _blend(self, svm: np.ndarray, dense: List[np.ndarray],
               layers: List[np.ndarray]) -> np.ndarray:
        """The SVM's probabilities with the network's and the neighbours' vote, weighted as
        configured; the SVM keeps what the others leave."""
        assert self._model is not None
        opinions: List[Tuple[float, np.ndarray]] = []
        if self._network is not None:
            opinions.append((float(self._config["network_weight"]),
                             self._network.probabilities(_network_inputs(dense, layers))[0]))
        if self._neighbours is not None:
            opinions.append((float(self._config["knn_weight"]), self._neighbours.votes(
                dense[0][0], len(self._model.classes), int(self._config["knn_k"]),
                float(self._config["knn_temperature"]))))
        blended = (1.0 - sum(weight for weight, _ in opinions)) * svm
        for weight, opinion in opinions:
            blended = blended + weight * opinion
        return blended

    def _dense_weights(self, messages: List[Message]) -> np.ndarray:
        return np.array([
            self._config["han_dense_weight"] if contains_han(m.get(TEXT) or "")
            else self._config["dense_weight"]
            for m in messages
        ])

    def _add_prediction(self, message: Message, probabilities: np.ndarray) -> None:
        assert self._model is not None
        order = np.argsort(probabilities)[::-1]
        ranking = [
            {INTENT_NAME_KEY: self._model.classes[i],
             PREDICTED_CONFIDENCE_KEY: float(probabilities[i])}
            for i in order[: int(self._config["ranking_length"])]
        ]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def held_to(probabilities: np.ndarray, ceiling: float) -> np.ndarray:
    """`probabilities` mixed with the uniform distribution just enough that the top one is
    at most `ceiling`: the ranking keeps its order, the sum stays 1."""
    top, uniform = float(probabilities.max()), 1.0 / len(probabilities)
    if top <= ceiling or top <= uniform:
        return probabilities
    share = (top - max(ceiling, uniform)) / (top - uniform)
    return (1.0 - share) * probabilities + share * uniform


def _layout_of(messages: List[Message]) -> Dict[str, Any]:
    """Which featurizers give sentence features, and their widths, in a stable order:
    sparse, dense (the SVM's), and layers (dense, for the network only)."""
    blocks: Dict[str, Dict[str, int]] = {"sparse": {}, "dense": {}, "layers": {}}
    for message in messages:
        for feature in message.features:
            if feature.type == FEATURE_TYPE_SENTENCE and feature.attribute == TEXT:
                kind = "sparse" if feature.is_sparse() \
                    else "layers" if feature.origin.endswith(LAYERS_ORIGIN_SUFFIX) else "dense"
                blocks[kind][feature.origin] = feature.features.shape[-1]
    return {kind: sorted(widths.items()) for kind, widths in blocks.items()}


def _network_inputs(dense: List[np.ndarray], layers: List[np.ndarray]) -> np.ndarray:
    """The sentence embedding and the layer features, side by side (rows = messages)."""
    return np.hstack([dense[0], *layers])


def _sentence_features(message: Message) -> Dict[str, Any]:
    """The message's sentence features of its text, by featurizer (origin)."""
    return {f.origin: f.features for f in message.features
            if f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT}


def _dense_row(features: Dict[str, Any], origin: str, width: int) -> np.ndarray:
    """One featurizer's dense sentence vector as a (1, width) row; zeros where missing."""
    vector = features.get(origin)
    return np.zeros((1, width)) if vector is None else np.asarray(vector).reshape(1, -1)


def _blocks(
    messages: List[Message], layout: Dict[str, Any]
) -> Tuple[List[sp.csr_matrix], List[np.ndarray], List[np.ndarray]]:
    """Per-featurizer sentence feature matrices (rows = messages); zeros where missing:
    sparse, dense and layer blocks, in `layout`'s order."""
    by_origin = [_sentence_features(message) for message in messages]
    sparse = [_stack_rows([row.get(origin) for row in by_origin], width)
              for origin, width in layout["sparse"]]
    dense, layers = ([np.vstack([_dense_row(row, origin, width) for row in by_origin])
                      for origin, width in layout.get(kind, [])]
                     for kind in ("dense", "layers"))
    return sparse, dense, layers


def _stack_rows(rows: List[Optional[sp.spmatrix]], width: int) -> sp.csr_matrix:
    """One-row sparse matrices (None: all zeros) as one CSR matrix. Built from their
    arrays: `sp.vstack` of 10,000 rows took about 2 s of a BANKING77 training."""
    lengths = np.zeros(len(rows), dtype=np.int64)
    indices: List[np.ndarray] = []
    data: List[np.ndarray] = []
    for number, row in enumerate(rows):
        if row is not None:
            coo = row if isinstance(row, sp.coo_matrix) else sp.coo_matrix(row)
            indices.append(coo.col)
            data.append(coo.data)
            lengths[number] = coo.nnz
    if not data:
        return sp.csr_matrix((len(rows), width))
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr),
                         shape=(len(rows), width))
