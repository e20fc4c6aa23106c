"""KefuTokenizer and SentenceCountsFeaturizer with Rasa's real model storage."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_counts_featurizer import SentenceCountsFeaturizer
from bot.nlu.tokenizer import KefuTokenizer


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


@pytest.fixture
def tokenizer(tmp_path) -> KefuTokenizer:
    storage = LocalModelStorage(tmp_path)
    return KefuTokenizer.create(
        {**KefuTokenizer.get_default_config(), "token_pattern": r"(?u)\b\w+\b"},
        storage, Resource("tok"), _context("tok"),
    )


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("I lost my card!", ["I", "lost", "my", "card"]),
        ("我的银行卡丢了", ["我", "的", "银行卡", "丢", "了"]),
        ("我的card丢了", ["我", "的", "card", "丢", "了"]),
    ],
)
def test_tokenizes_english_by_regex_and_chinese_by_jieba(tokenizer, text, tokens) -> None:
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    assert [token.text for token in message.get("text_tokens")] == tokens


def test_counts_survive_persist_and_load(tmp_path, tokenizer) -> None:
    (tmp_path / "store").mkdir()
    storage = LocalModelStorage(tmp_path / "store")
    config = {**SentenceCountsFeaturizer.get_default_config(), "analyzer": "char_wb",
              "max_ngram": 3}
    featurizer = SentenceCountsFeaturizer.create(config, storage, Resource("c"), _context("c"))
    data = TrainingData([Message(data={TEXT: t}) for t in ["lost card", "卡丢了", "hello"]])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    _, trained = data.training_examples[0].get_sparse_features(TEXT)
    assert trained is not None and trained.features.sum() > 0

    loaded = SentenceCountsFeaturizer.load(config, storage, Resource("c"), _context("c"))
    message = Message(data={TEXT: "lost card"})
    tokenizer.process([message])
    loaded.process([message])
    _, again = message.get_sparse_features(TEXT)
    assert (again.features != trained.features).nnz == 0


def test_rejects_unknown_analyzers(tmp_path) -> None:
    with pytest.raises(ValueError, match="analyzer"):
        SentenceCountsFeaturizer.create(
            {**SentenceCountsFeaturizer.get_default_config(), "analyzer": "bytes"},
            LocalModelStorage(tmp_path), Resource("x"), _context("x"),
        )


def _trained(tmp_path, tokenizer, config, texts):
    storage = LocalModelStorage(tmp_path)
    featurizer = SentenceCountsFeaturizer.create(
        {**SentenceCountsFeaturizer.get_default_config(), **config}, storage, Resource("c"),
        _context("c"))
    data = TrainingData([Message(data={TEXT: t}) for t in texts])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    return featurizer, storage


def _counted_terms(featurizer, tokenizer, text):
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    featurizer.process([message])
    _, sentence = message.get_sparse_features(TEXT)
    return sentence.features.sum() if sentence is not None else 0


def test_char_ngrams_cross_jieba_word_boundaries(tmp_path, tokenizer) -> None:
    featurizer, _ = _trained(tmp_path, tokenizer,
                             {"analyzer": "char", "min_ngram": 2, "max_ngram": 2},
                             ["首付比例多少"])
    vocabulary = featurizer._vectorizer.vocabulary
    # jieba splits 首付 | 比例: the pair 付比 spans the boundary.
    assert "付比" in vocabulary


def test_han_only_counts_nothing_for_english(tmp_path, tokenizer) -> None:
    featurizer, _ = _trained(tmp_path, tokenizer,
                                   {"analyzer": "char", "max_ngram": 2, "han_only": True},
                                   ["卡丢了", "lost card"])
    assert _counted_terms(featurizer, tokenizer, "lost card") == 0
    assert _counted_terms(featurizer, tokenizer, "我的卡丢了") > 0


def test_han_only_on_english_data_trains_and_loads_empty(tmp_path, tokenizer) -> None:
    config = {"analyzer": "char", "han_only": True}
    featurizer, storage = _trained(tmp_path, tokenizer, config, ["lost card", "hello"])
    loaded = SentenceCountsFeaturizer.load(
        {**SentenceCountsFeaturizer.get_default_config(), **config}, storage, Resource("c"),
        _context("c"))
    assert _counted_terms(featurizer, tokenizer, "卡丢了") == 0
    assert _counted_terms(loaded, tokenizer, "卡丢了") == 0
