"""EmotionModel: one linear model per language over word/character n-grams, the MiniLM
sentence embedding and (for Chinese) the lexicon; confidences calibrated like intents'."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from bot.nlu.emotion import lexicon_features
from bot.nlu.linear_model import LinearIntentModel, SparseBlockWeights

# Character n-grams keep punctuation and emoji ("！！！", "😡"); words carry English meaning.
VECTORIZERS: Dict[str, Dict[str, Dict[str, object]]] = {
    "en": {
        "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "lowercase": True,
                 "token_pattern": r"(?u)\b\w+\b|[!?]+"},
        "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "lowercase": False},
    },
    "zh": {
        "char": {"analyzer": "char", "ngram_range": (1, 3), "min_df": 1, "lowercase": True},
    },
}


@dataclass
class LanguageModel:
    vocabularies: Dict[str, Dict[str, int]]
    weights: Dict[str, SparseBlockWeights]
    model: LinearIntentModel
    dense_weight: float
    lexicon_weight: float

    def _vectorizer(self, language: str, name: str) -> CountVectorizer:
        # Built once: checking a 100,000-term vocabulary costs more than a whole prediction.
        cache: Dict[str, CountVectorizer] = self.__dict__.setdefault("_vectorizers", {})
        if name not in cache:
            params = dict(VECTORIZERS[language][name])
            params.pop("min_df")
            vectorizer = CountVectorizer(vocabulary=self.vocabularies[name], **params)
            vectorizer.transform(["warm up"])  # validates the vocabulary now, not per message
            cache[name] = vectorizer
        return cache[name]

    def features(self, language: str, texts: Sequence[str], dense: np.ndarray) -> sp.csr_matrix:
        blocks = [self.weights[name].transform(
            self._vectorizer(language, name).transform(texts).tocsr())
            for name in VECTORIZERS[language]]
        blocks.append(sp.csr_matrix(dense * self.dense_weight))
        if self.lexicon_weight:
            lexicon = np.stack([lexicon_features(text, language) for text in texts])
            blocks.append(sp.csr_matrix(lexicon * self.lexicon_weight))
        return sp.hstack(blocks).tocsr()

    @classmethod
    def fit(cls, language: str, texts: Sequence[str], labels: Sequence[str], dense: np.ndarray,
            *, c: float, dense_weight: float, lexicon_weight: float) -> LanguageModel:
        vocabularies, weights = {}, {}
        for name, params in VECTORIZERS[language].items():
            counts = CountVectorizer(**params).fit(texts)
            vocabularies[name] = {term: int(i) for term, i in counts.vocabulary_.items()}
            weights[name] = SparseBlockWeights.fit(counts.transform(texts).tocsr())
        partial = cls(vocabularies, weights, None, dense_weight, lexicon_weight)  # type: ignore[arg-type]
        features = partial.features(language, texts, dense)
        partial.model = LinearIntentModel.fit(features, labels, c=c, folds=2,
                                              class_weight="balanced")
        return partial

    def feature_row(self, language: str, text: str,
                    dense: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """`features` of one text as its nonzero columns and values, in plain numpy: sparse
        matrices cost about 1 ms of every message."""
        columns, values, offset = [], [], 0
        for name in VECTORIZERS[language]:
            counts = self._vectorizer(language, name).transform([text])
            columns.append(offset + counts.indices)
            values.append(self.weights[name].transform_row(counts.indices, counts.data))
            offset += len(self.weights[name].idf)
        extra = [np.ravel(dense) * self.dense_weight]
        if self.lexicon_weight:
            extra.append(lexicon_features(text, language) * self.lexicon_weight)
        for block in extra:
            columns.append(offset + np.arange(len(block)))
            values.append(block)
            offset += len(block)
        return np.concatenate(columns), np.concatenate(values)

    def predict(self, language: str, text: str, dense: np.ndarray) -> Tuple[str, float]:
        probabilities = self.model.row_probabilities(*self.feature_row(language, text, dense))
        best = int(np.argmax(probabilities))
        return self.model.classes[best], float(probabilities[best])

    def save(self, directory: Path, language: str) -> None:
        arrays = self.model.as_arrays()
        arrays.update({f"idf_{name}": w.idf for name, w in self.weights.items()})
        np.savez(directory / f"{language}.npz", **arrays)
        (directory / f"{language}.json").write_text(json.dumps({
            "vocabularies": self.vocabularies, "dense_weight": self.dense_weight,
            "lexicon_weight": self.lexicon_weight}, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path, language: str) -> Optional[LanguageModel]:
        if not (directory / f"{language}.npz").exists():
            return None
        meta = json.loads((directory / f"{language}.json").read_text())
        with np.load(directory / f"{language}.npz", allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in stored.files}
        weights = {name: SparseBlockWeights(arrays[f"idf_{name}"])
                   for name in meta["vocabularies"]}
        return cls(meta["vocabularies"], weights, LinearIntentModel.from_arrays(arrays),
                   float(meta["dense_weight"]), float(meta["lexicon_weight"]))

