"""What makes training faster must not change what is trained: cheap fingerprints that
still tell contents apart, row stacking equal to scipy's, the encoder export cache."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import minilm_onnx
from bot.nlu.fingerprints import (
    ArrayFingerprintFeatures,
    FingerprintedToken,
    add_sentence_features,
    fingerprinted_tokens,
)
from bot.nlu.intent_classifier import _stack_rows


def test_token_keeps_rasas_fingerprint_until_its_data_change() -> None:
    plain = Token("card", 3, data={"pattern": 1})
    cached = FingerprintedToken.of(plain)
    assert cached.fingerprint() == plain.fingerprint()
    cached.set("pattern", 2)
    plain.set("pattern", 2)
    assert cached.fingerprint() == plain.fingerprint()
    assert fingerprinted_tokens([cached])[0] is cached


def test_feature_fingerprints_follow_contents() -> None:
    def fingerprint(matrix: np.ndarray | sp.spmatrix, origin: str = "f") -> str:
        return ArrayFingerprintFeatures(matrix, FEATURE_TYPE_SENTENCE, TEXT, origin).fingerprint()

    counts = sp.coo_matrix(np.array([[0, 2, 0, 1]], dtype=np.float32))
    assert fingerprint(counts) == fingerprint(counts.copy())
    assert fingerprint(counts) != fingerprint(counts * 2)
    assert fingerprint(counts) != fingerprint(counts, origin="g")
    assert fingerprint(counts) != fingerprint(sp.coo_matrix(np.array([[0, 2, 0, 1, 0]])))
    dense = np.array([[0.1, 0.2]], dtype=np.float32)
    assert fingerprint(dense) != fingerprint(dense + 1e-6)


def test_sentence_features_are_rasa_features() -> None:
    message = Message(data={TEXT: "lost card"})
    add_sentence_features(message, sp.coo_matrix(np.ones((1, 3))), TEXT, "counts")
    assert [(f.origin, f.type) for f in message.features] == [("counts", FEATURE_TYPE_SENTENCE)]
    _, sentence = message.get_sparse_features(TEXT)
    assert isinstance(sentence, Features) and sentence.features.sum() == 3


def test_stacked_rows_equal_scipys_vstack() -> None:
    rows = [sp.random(1, 50, density=0.2, format="coo", random_state=seed) if seed % 3 else None
            for seed in range(20)]
    expected = sp.vstack([row if row is not None else sp.coo_matrix((1, 50)) for row in rows])
    stacked = _stack_rows(rows, 50)
    assert stacked.shape == (20, 50)
    assert abs(stacked - expected.tocsr()).max() == 0
    assert _stack_rows([None, None], 50).shape == (2, 50)


def test_encoder_export_is_reused_from_the_cache(tmp_path, monkeypatch) -> None:
    calls = []

    def fake_export(model_dir, target, quantize):
        calls.append(quantize)
        target.write_bytes(b"onnx" + bytes([quantize]))
        return target

    monkeypatch.setattr(minilm_onnx, "export_minilm", fake_export)
    source = minilm_onnx.minilm_model_dir()
    cache = tmp_path / "cache"
    for name in ("a.onnx", "b.onnx"):
        minilm_onnx.export_minilm_cached(source, tmp_path / name, True, cache)
    minilm_onnx.export_minilm_cached(source, tmp_path / "c.onnx", False, cache)
    minilm_onnx.export_minilm_cached(source, tmp_path / "d.onnx", True, None)
    assert calls == [True, False, True]
    assert (tmp_path / "a.onnx").read_bytes() == (tmp_path / "b.onnx").read_bytes() == b"onnx\x01"
    assert len(list(cache.glob("*.onnx"))) == 2 and not list(cache.glob("*.partial"))
