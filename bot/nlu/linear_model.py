"""The maths of KefuIntentClassifier, free of Rasa: feature blocks, a linear SVM,
and temperature-scaled softmax confidences fitted on cross-validated scores."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC


@dataclass
class SparseBlockWeights:
    """Sublinear TF-IDF with L2 normalisation for one sparse featurizer's counts."""

    idf: np.ndarray

    @classmethod
    def fit(cls, counts: sp.csr_matrix) -> SparseBlockWeights:
        documents = counts.shape[0]
        document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
        return cls(idf=np.log((1 + documents) / (1 + document_frequency)) + 1.0)

    def transform(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        weighted = counts.astype(np.float64).tocsr(copy=True)
        weighted.data = np.log1p(weighted.data)  # 1 + log(tf) up to the constant shift
        weighted = weighted.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1))).ravel()
        norms[norms == 0] = 1.0
        return sp.csr_matrix(weighted.multiply(1.0 / norms[:, None]))

    def transform_row(self, columns: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """`transform` of one message's nonzero counts (distinct `columns`), in plain numpy:
        building sparse matrices cost about 1 ms of every parse."""
        weighted = np.log1p(counts.astype(np.float64)) * self.idf[columns]
        norm = float(np.sqrt(weighted @ weighted))
        return weighted / norm if norm else weighted


def combine_blocks(
    sparse_blocks: Sequence[sp.csr_matrix],
    dense_blocks: Sequence[np.ndarray],
    weights: Sequence[SparseBlockWeights],
    dense_weight: float | np.ndarray,
) -> sp.csr_matrix:
    """`dense_weight`: one weight for all rows, or one per row (shape (rows,))."""
    row_weights = np.reshape(np.asarray(dense_weight, dtype=np.float64), (-1, 1))
    parts = [w.transform(block) for w, block in zip(weights, sparse_blocks, strict=True)]
    parts += [sp.csr_matrix(block * row_weights) for block in dense_blocks]
    return sp.hstack(parts).tocsr()


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exponentials = np.exp(scaled)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def fit_temperature(scores: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of held-out scores."""

    def negative_log_likelihood(log_temperature: float) -> float:
        probabilities = softmax(scores, float(np.exp(log_temperature)))
        return float(-np.mean(np.log(probabilities[np.arange(len(labels)), labels] + 1e-12)))

    result = minimize_scalar(negative_log_likelihood, bounds=(-6.0, 3.0), method="bounded")
    return float(np.exp(result.x))


def _svm(c: float, class_weight: Optional[str]) -> LinearSVC:
    # liblinear shuffles with a seed: fixed, so that the same data trains the same model.
    return LinearSVC(C=c, class_weight=class_weight, random_state=0)


def _held_out_scores(features: sp.csr_matrix, labels: np.ndarray, train: np.ndarray,
                     test: np.ndarray, c: float, class_weight: Optional[str]) -> np.ndarray:
    """Decision scores on `test` of an SVM fitted on `train`, one column per class."""
    svm = _svm(c, class_weight).fit(features[train], labels[train])
    scores = np.full((len(test), int(labels.max()) + 1), -1e3)
    scores[:, svm.classes_] = svm.decision_function(features[test])
    return scores


@dataclass
class LinearIntentModel:
    classes: List[str]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)
    temperature: float

    @classmethod
    def fit(cls, features: sp.csr_matrix, labels: Sequence[str], c: float, folds: int,
            class_weight: Optional[str] = None) -> LinearIntentModel:
        """`class_weight="balanced"` when rare classes matter as much as common ones."""
        classes, label_ids = np.unique(np.asarray(labels), return_inverse=True)
        smallest_class = int(np.bincount(label_ids).min())
        calibrate = len(classes) > 2 and smallest_class >= 2
        splits = list(StratifiedKFold(n_splits=min(folds, smallest_class), shuffle=True,
                                      random_state=0).split(features, label_ids)) \
            if calibrate else []
        # liblinear releases the GIL: the final model and the calibration folds train at once.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            final = pool.submit(_svm(c, class_weight).fit, features, label_ids)
            folds_scored = [pool.submit(_held_out_scores, features, label_ids, train, test, c,
                                        class_weight)
                            for train, test in splits]
            svm = final.result()
            temperature = 1.0
            if calibrate:
                held_out = np.zeros((len(label_ids), len(classes)))
                for (_, test), scored in zip(splits, folds_scored, strict=True):
                    held_out[test] = scored.result()
                temperature = fit_temperature(held_out, label_ids)
        coef, intercept = svm.coef_, svm.intercept_
        if len(classes) == 2:  # a binary SVM has one row: score of class 1 against class 0
            coef, intercept = np.vstack([-coef, coef]) / 2, np.array([-1, 1]) * intercept / 2
        return cls([str(name) for name in classes], coef.astype(np.float32),
                   intercept.astype(np.float32), temperature)

    def __post_init__(self) -> None:
        # (features, classes), contiguous and float32 like the features multiplied with it:
        # `coef.T`, or a float64 operand, makes scipy copy all the weights on every call.
        self._weights_by_feature = np.ascontiguousarray(self.coef.T, dtype=np.float32)

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        scores = np.asarray(features.astype(np.float32) @ self._weights_by_feature)
        scores = scores + self.intercept
        return softmax(scores, self.temperature)

    def row_probabilities(self, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
        """`probabilities` of one message given as its nonzero feature columns and values."""
        scores = values.astype(np.float32) @ self._weights_by_feature[columns] + self.intercept
        return softmax(scores, self.temperature)

    def as_arrays(self) -> Dict[str, np.ndarray]:
        return {
            "classes": np.asarray(self.classes),
            "coef": self.coef,
            "intercept": self.intercept,
            "temperature": np.asarray(self.temperature),
        }

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> LinearIntentModel:
        return cls(
            [str(name) for name in arrays["classes"]],
            arrays["coef"],
            arrays["intercept"],
            float(arrays["temperature"]),
        )


@dataclass
class NearestExamples:
    """Training examples' sentence embeddings and intents, for a nearest-neighbour vote."""

    embeddings: np.ndarray  # (examples, dimensions), L2-normalised float32
    labels: np.ndarray  # (examples,) class indices

    @classmethod
    def of(cls, embeddings: np.ndarray, labels: Sequence[int]) -> NearestExamples:
        norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return cls((embeddings / norms).astype(np.float32), np.asarray(labels, dtype=np.int32))

    def votes(self, embedding: np.ndarray, classes: int, k: int, temperature: float) -> np.ndarray:
        """A distribution over classes from the k most similar examples, closer ones weighing
        more (softmax of cosine similarity at `temperature`)."""
        norm = float(np.linalg.norm(embedding)) or 1.0
        similarities = self.embeddings @ (embedding / norm).astype(np.float32)
        k = min(k, len(similarities))
        nearest = np.argpartition(-similarities, k - 1)[:k]
        weights = np.exp((similarities[nearest] - similarities[nearest].max()) / temperature)
        votes = np.bincount(self.labels[nearest], weights=weights, minlength=classes)
        return votes / votes.sum()

    def as_arrays(self) -> Dict[str, np.ndarray]:
        return {"knn_embeddings": self.embeddings, "knn_labels": self.labels}

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> Optional[NearestExamples]:
        if "knn_embeddings" not in arrays:
            return None
        return cls(arrays["knn_embeddings"], arrays["knn_labels"])
