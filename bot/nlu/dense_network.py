"""DenseNetwork: a one-hidden-layer network over MiniLM's features, for the intent classifier.

It reads what a linear model over words misses in the embedding; trained by
scikit-learn's MLPClassifier for a fixed number of updates, kept and run as plain arrays.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from bot.nlu.linear_model import softmax

BATCH = 128


@dataclass
class DenseNetwork:
    hidden_weights: np.ndarray  # (inputs, hidden)
    hidden_bias: np.ndarray  # (hidden,)
    output_weights: np.ndarray  # (hidden, classes); one column when there are two classes
    output_bias: np.ndarray
    input_scale: float

    @classmethod
    def fit(cls, inputs: np.ndarray, label_ids: np.ndarray, hidden: int, updates: int,
            max_epochs: int, input_scale: float) -> DenseNetwork:
        """About `updates` gradient steps of 128 examples, in at most `max_epochs` passes."""
        batch = min(BATCH, len(label_ids))
        epochs = min(max_epochs, max(1, math.ceil(updates / math.ceil(len(label_ids) / batch))))
        network = MLPClassifier((hidden,), alpha=1e-3, batch_size=batch,
                                learning_rate_init=2e-3, max_iter=epochs, random_state=0)
        with warnings.catch_warnings():
            # A fixed budget of updates, chosen by cross-validation, is the point: not convergence.
            warnings.simplefilter("ignore", ConvergenceWarning)
            network.fit(inputs * input_scale, label_ids)
        (hidden_weights, output_weights), (hidden_bias, output_bias) = \
            network.coefs_, network.intercepts_
        return cls(hidden_weights.astype(np.float32), hidden_bias.astype(np.float32),
                   output_weights.astype(np.float32), output_bias.astype(np.float32),
                   input_scale)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        scaled = np.asarray(inputs, dtype=np.float32) * self.input_scale
        hidden = np.maximum(scaled @ self.hidden_weights + self.hidden_bias, 0.0)
        scores = hidden @ self.output_weights + self.output_bias
        if scores.shape[-1] == 1:  # two classes: one logistic output for the second
            second = 1.0 / (1.0 + np.exp(-scores))
            return np.concatenate([1.0 - second, second], axis=-1)
        return softmax(scores, 1.0)

    def as_arrays(self) -> Dict[str, np.ndarray]:
        return {"net_hidden_w": self.hidden_weights, "net_hidden_b": self.hidden_bias,
                "net_output_w": self.output_weights, "net_output_b": self.output_bias,
                "net_input_scale": np.asarray(self.input_scale)}

    @classmethod
    def from_arrays(cls, arrays: Dict[str, np.ndarray]) -> Optional[DenseNetwork]:
        if "net_hidden_w" not in arrays:
            return None
        return cls(arrays["net_hidden_w"], arrays["net_hidden_b"], arrays["net_output_w"],
                   arrays["net_output_b"], float(arrays["net_input_scale"]))
