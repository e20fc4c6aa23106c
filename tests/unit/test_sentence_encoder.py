"""The ONNX MiniLM encoder against sentence-transformers' own output (recorded once)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.nlu.minilm_onnx import export_minilm, minilm_model_dir
from bot.nlu.sentence_encoder import SentenceEncoder

REFERENCE_FILE = Path(__file__).parents[1] / "fixtures" / "minilm_reference.json"
REFERENCE = json.loads(REFERENCE_FILE.read_text())


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    directory = tmp_path_factory.mktemp("encoder")
    return {
        quantize: export_minilm(minilm_model_dir(), directory / f"q{quantize}.onnx", quantize)
        for quantize in (False, True)
    }


def _encoder(path: Path) -> SentenceEncoder:
    return SentenceEncoder(path, minilm_model_dir() / "tokenizer.json")


def test_float_graph_reproduces_sentence_transformers(exported) -> None:
    embeddings = _encoder(exported[False]).encode(REFERENCE["sentences"])
    np.testing.assert_allclose(embeddings, np.array(REFERENCE["embeddings"]), atol=1e-5)


def test_int8_graph_stays_close_to_the_float_model(exported) -> None:
    embeddings = _encoder(exported[True]).encode(REFERENCE["sentences"])
    cosine = (embeddings * np.array(REFERENCE["embeddings"])).sum(axis=1)
    assert cosine.min() > 0.97, cosine
    assert exported[True].stat().st_size < exported[False].stat().st_size / 3


def test_bulk_and_single_encoding_agree_exactly_and_repeat_from_cache(exported) -> None:
    encoder = _encoder(exported[True])
    batched = encoder.encode_all(REFERENCE["sentences"])
    for text, expected in zip(REFERENCE["sentences"], batched, strict=True):
        np.testing.assert_array_equal(encoder.encode_one(text).sentence, expected.sentence)
        np.testing.assert_array_equal(encoder.encode_one(text).layers, expected.layers)
    assert encoder.encode_one(REFERENCE["sentences"][0]) is encoder.encode_one(
        REFERENCE["sentences"][0]
    )


def test_layer_features_pool_only_present_tokens(exported) -> None:
    """The graph's layer outputs, for a padded batch, equal each text's own."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(exported[False]),
                                           providers=["CPUExecutionProvider"])
    encoder = _encoder(exported[False])
    short, long = "lost card", "my card was stolen from my bag at the station yesterday"
    ids = [encoder._tokenizer.encode(text).ids for text in (short, long)]
    width = max(len(row) for row in ids)
    padded = np.array([row + [0] * (width - len(row)) for row in ids])
    mask = np.array([[1] * len(row) + [0] * (width - len(row)) for row in ids])
    _, middle, last = session.run(None, {"input_ids": padded, "attention_mask": mask})
    for row, text in enumerate((short, long)):
        alone = encoder.encode_one(text).layers
        assert alone.shape == (768,)
        np.testing.assert_allclose(alone[:384], middle[row] / np.linalg.norm(middle[row]),
                                   atol=1e-5)
        np.testing.assert_allclose(alone[384:], last[row] / np.linalg.norm(last[row]), atol=1e-5)
    assert not np.allclose(middle[0], middle[1])


def test_related_sentences_are_closer_than_unrelated_ones(exported) -> None:
    lost, stolen, weather = _encoder(exported[True]).encode(
        ["I lost my bank card", "someone stole my card", "is it going to rain tomorrow"]
    )
    assert lost @ stolen > lost @ weather + 0.2
