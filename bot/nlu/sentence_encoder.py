"""SentenceEncoder: all-MiniLM-L6-v2 sentence embeddings through ONNX Runtime.

A message is encoded on one thread, with an LRU cache since greetings and
button payloads repeat; training data is encoded the same way on every core.
Besides the sentence embedding, the same pass gives layer features (a middle layer's
mean and the last layer's maximum) for the intent classifier's network.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, NamedTuple, Sequence

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

EMBEDDING_SIZE = 384
LAYER_FEATURES_SIZE = 2 * EMBEDDING_SIZE


class Encoding(NamedTuple):
    sentence: np.ndarray  # (384,) the sentence embedding, L2-normalised
    layers: np.ndarray  # (768,) layer 4's mean and the last layer's maximum, each L2-normalised


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class SentenceEncoder:
    def __init__(
        self,
        onnx_path: Path,
        tokenizer_path: Path,
        *,
        max_tokens: int = 128,
        threads: int = 1,
        cache_size: int = 4096,
    ) -> None:
        options = onnxruntime.SessionOptions()
        # One thread per call: fastest for one short message, and calls from
        # several threads then use the cores in parallel.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            onnx_path.read_bytes(), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_tokens)
        # The shipped tokenizer.json pads every text to 128 tokens: 15x the work for a short one.
        self._tokenizer.no_padding()
        self._cache: OrderedDict[str, Encoding] = OrderedDict()
        self._cache_size = cache_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, shape (len(texts), 384), L2-normalised.

        Each text is encoded alone, exactly as at inference: int8 dynamic
        quantisation scales activations per call, so a batched embedding would
        depend on its batch-mates. Threads share the work instead (measured: no
        slower than padded batches on 2 cores).
        """
        if not texts:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        return np.stack([encoding.sentence for encoding in self.encode_all(texts)])

    def encode_all(self, texts: Sequence[str]) -> List[Encoding]:
        """`encode`, with the layer features too."""
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            return list(pool.map(self._encode_uncached, texts))

    def encode_one(self, text: str) -> Encoding:
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        embedding = self._encode_uncached(text)
        self._cache[text] = embedding
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return embedding

    def _encode_uncached(self, text: str) -> Encoding:
        encoding = self._tokenizer.encode(text)
        inputs = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
        }
        sentence, *layers = (np.asarray(output[0], dtype=np.float32)
                             for output in self._session.run(None, inputs))
        return Encoding(sentence, np.concatenate([_unit(layer) for layer in layers]))
