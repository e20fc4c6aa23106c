"""Tokens and features whose fingerprints are cheap, for Rasa's training graph.

After every component, Rasa's TrainingHook fingerprints the whole training data, even
with its cache off: every message, every token and every feature matrix again. With
Rasa's own Token (never cached) and Features (sparse matrices formatted as text) that
took about 9 s of a BANKING77 training. These subclasses keep Rasa's interface and
give a stable, content-based fingerprint: tokens remember theirs, features hash their
raw arrays.
"""

from __future__ import annotations

import hashlib
from typing import Any, List, Optional, Union

import numpy as np
import scipy.sparse as sp
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message


class FingerprintedToken(Token):
    """A Token that computes Rasa's fingerprint once, until its data change."""

    _fingerprint: Optional[str] = None

    @classmethod
    def of(cls, token: Token) -> FingerprintedToken:
        return cls(token.text, token.start, token.end, token.data, token.lemma)

    def set(self, prop: str, info: Any) -> None:
        super().set(prop, info)
        self._fingerprint = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = super().fingerprint()
        return self._fingerprint


def fingerprinted_tokens(tokens: List[Token]) -> List[Token]:
    return [t if isinstance(t, FingerprintedToken) else FingerprintedToken.of(t) for t in tokens]


class ArrayFingerprintFeatures(Features):
    """Features fingerprinted from their raw arrays (Rasa formats every sparse entry)."""

    def fingerprint(self) -> str:
        if self._cached_fingerprint is None:
            digest = hashlib.md5(usedforsecurity=False)
            digest.update(repr((self.type, self.origin, self.attribute,
                                self.features.shape, str(self.features.dtype))).encode())
            if isinstance(self.features, sp.spmatrix):
                matrix = self.features.tocoo()
                arrays = [matrix.row, matrix.col, matrix.data]
            else:
                arrays = [self.features]
            for array in arrays:
                digest.update(np.ascontiguousarray(array).tobytes())
            self._cached_fingerprint = digest.hexdigest()
        return self._cached_fingerprint


def add_sentence_features(message: Message, features: Union[np.ndarray, sp.spmatrix],
                          attribute: str, origin: str) -> None:
    """What `Featurizer.add_features_to_message` does for a sentence feature alone."""
    message.add_features(
        ArrayFingerprintFeatures(features, FEATURE_TYPE_SENTENCE, attribute, origin))
