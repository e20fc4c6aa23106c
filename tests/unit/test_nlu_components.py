"""SentenceEmbeddingFeaturizer and KefuIntentClassifier through Rasa's model storage:
train -> process -> persist -> load -> the same output."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import KefuIntentClassifier, held_to
from bot.nlu.sentence_embedding_featurizer import SentenceEmbeddingFeaturizer

EXAMPLES = {
    "card_lost": ["I lost my card", "my card is missing", "can't find my debit card",
                  "lost card what now", "misplaced my bank card"],
    "check_balance": ["what is my balance", "how much money do I have", "show my balance",
                      "account balance please", "check balance"],
    "greet": ["hello", "hi there", "good morning", "hey", "hello bank"],
}


@pytest.fixture
def storage(tmp_path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _context(name: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=name)


def _training_data() -> TrainingData:
    return TrainingData(
        [Message(data={TEXT: text, "intent": intent}) for intent, texts in EXAMPLES.items()
         for text in texts]
    )


def _featurize(messages, storage, training: bool, featurizers=None):
    """Tokenizer, count vectors and sentence embeddings, as in config.yml."""
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tok"), _context("tok")
    )
    if featurizers is None:
        counts = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), storage, Resource("cvf"), _context("cvf")
        )
        embed = SentenceEmbeddingFeaturizer.create(
            SentenceEmbeddingFeaturizer.get_default_config(), storage, Resource("emb"),
            _context("emb"),
        )
        featurizers = (counts, embed)
    counts, embed = featurizers
    if training:
        data = TrainingData(messages)
        tokenizer.process_training_data(data)
        counts.train(data)
        counts.process_training_data(data)
        embed.train(data)
        embed.process_training_data(data)
    else:
        tokenizer.process(messages)
        counts.process(messages)
        embed.process(messages)
    return featurizers


def test_featurizer_adds_the_sentence_embedding_and_the_layer_features(storage) -> None:
    data = _training_data()
    _featurize(data.training_examples, storage, training=True)
    widths = {f.origin: f.features.shape for f in data.training_examples[0].features
              if not f.is_sparse() and f.type == "sentence"}
    assert widths == {"emb": (1, 384), "emb.layers": (1, 768)}


def test_featurizer_survives_persist_and_load(storage) -> None:
    data = _training_data()
    _, embed = _featurize(data.training_examples, storage, training=True)
    loaded = SentenceEmbeddingFeaturizer.load(
        SentenceEmbeddingFeaturizer.get_default_config(), storage, Resource("emb"),
        _context("emb"),
    )
    first, second = Message(data={TEXT: "I lost my card"}), Message(data={TEXT: "I lost my card"})
    embed.process([first])
    loaded.process([second])
    np.testing.assert_allclose(
        first.get_dense_features(TEXT)[1].features, second.get_dense_features(TEXT)[1].features
    )


def test_classifier_trains_predicts_persists_and_loads(storage) -> None:
    data = _training_data()
    featurizers = _featurize(data.training_examples, storage, training=True)
    classifier = KefuIntentClassifier.create(
        KefuIntentClassifier.get_default_config(), storage, Resource("clf"), _context("clf")
    )
    classifier.train(data)
    unseen = [Message(data={TEXT: "I have lost my card somewhere"}),
              Message(data={TEXT: "how much is in my account"})]
    _featurize(unseen, storage, training=False, featurizers=featurizers)
    classifier.process(unseen)
    assert [m.get("intent")["name"] for m in unseen] == ["card_lost", "check_balance"]
    ranking = unseen[0].get("intent_ranking")
    assert ranking[0]["confidence"] == pytest.approx(unseen[0].get("intent")["confidence"])
    assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0)

    loaded = KefuIntentClassifier.load(
        KefuIntentClassifier.get_default_config(), storage, Resource("clf"), _context("clf")
    )
    again = [Message(data={TEXT: "I have lost my card somewhere"})]
    _featurize(again, storage, training=False, featurizers=featurizers)
    loaded.process(again)
    assert again[0].get("intent") == unseen[0].get("intent")


def test_numbers_alone_are_held_under_the_fallback_but_a_trained_one_is_not(storage) -> None:
    data = TrainingData([*_training_data().training_examples,
                         Message(data={TEXT: "88", "intent": "greet"})])
    featurizers = _featurize(data.training_examples, storage, training=True)
    config = KefuIntentClassifier.get_default_config()
    KefuIntentClassifier.create(config, storage, Resource("clf"), _context("clf")).train(data)
    # Loaded from the model storage: the trained numbers travel with the model.
    loaded = KefuIntentClassifier.load(config, storage, Resource("clf"), _context("clf"))
    messages = [Message(data={TEXT: text}) for text in ("88", "８８", "6222", "hello 6222")]
    _featurize(messages, storage, training=False, featurizers=featurizers)
    loaded.process(messages)
    confidences = [m.get("intent")["confidence"] for m in messages]
    assert [m.get("intent")["name"] for m in messages[:2]] == ["greet", "greet"]
    assert min(confidences[:2]) > config["numbers_only_confidence"]
    # Three intents: no ranking can be flatter than a third each.
    assert confidences[2] == pytest.approx(max(config["numbers_only_confidence"], 1 / 3))
    assert messages[3].get("intent")["name"] == "greet"
    assert confidences[3] > config["numbers_only_confidence"]


def test_held_to_keeps_the_order_and_the_sum() -> None:
    held = held_to(np.array([0.7, 0.2, 0.1]), 0.4)
    assert held.max() == pytest.approx(0.4)
    assert list(np.argsort(held)) == [2, 1, 0]
    assert held.sum() == pytest.approx(1.0)
    unchanged = np.array([0.3, 0.3, 0.4])
    assert held_to(unchanged, 0.5) is unchanged


def test_classifier_with_one_intent_predicts_nothing(storage) -> None:
    data = TrainingData([Message(data={TEXT: "hi", "intent": "greet"})])
    classifier = KefuIntentClassifier.create({}, storage, Resource("one"), _context("one"))
    classifier.train(data)
    loaded = KefuIntentClassifier.load({}, storage, Resource("one"), _context("one"))
    message = Message(data={TEXT: "hi"})
    loaded.process([message])
    assert message.get("intent") is None


def test_dense_features_weigh_less_in_chinese_messages() -> None:
    import scipy.sparse as sp

    from bot.nlu.linear_model import SparseBlockWeights, combine_blocks

    counts = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    dense = np.ones((2, 3))
    weights = [SparseBlockWeights.fit(counts)]
    combined = combine_blocks([counts], [dense], weights, np.array([2.0, 1.0])).toarray()
    assert combined[0, 2:].tolist() == [2.0, 2.0, 2.0]  # an English message
    assert combined[1, 2:].tolist() == [1.0, 1.0, 1.0]  # a Chinese one
    classifier = KefuIntentClassifier.get_default_config()
    assert classifier["han_dense_weight"] < classifier["dense_weight"]


def test_nearest_examples_vote_for_the_closest_intents() -> None:
    from bot.nlu.linear_model import NearestExamples

    embeddings = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]], dtype=np.float32)
    neighbours = NearestExamples.of(embeddings, [0, 0, 1])
    votes = neighbours.votes(np.array([1.0, 0.05]), classes=2, k=2, temperature=0.05)
    assert votes.argmax() == 0 and votes.sum() == pytest.approx(1.0)
    restored = NearestExamples.from_arrays(neighbours.as_arrays())
    assert restored is not None and restored.embeddings.dtype == np.float32
    assert NearestExamples.from_arrays({}) is None


@pytest.mark.parametrize("classes", [2, 3])
def test_the_dense_network_learns_persists_and_restores(classes: int) -> None:
    from bot.nlu.dense_network import DenseNetwork

    rng = np.random.default_rng(0)
    centres = np.eye(4)[:classes]
    labels = np.repeat(np.arange(classes), 20)
    inputs = centres[labels] + rng.normal(0, 0.1, (len(labels), 4))
    network = DenseNetwork.fit(inputs, labels, hidden=16, updates=200, max_epochs=200,
                               input_scale=3.0)
    probabilities = network.probabilities(centres)
    assert probabilities.shape == (classes, classes)
    assert probabilities.argmax(axis=1).tolist() == list(range(classes))
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(classes))
    restored = DenseNetwork.from_arrays(network.as_arrays())
    assert restored is not None
    assert np.allclose(restored.probabilities(centres), probabilities)
    assert DenseNetwork.from_arrays({}) is None


def test_network_and_neighbours_speak_for_english_text_only(storage) -> None:
    """The layer features reach the network alone; Chinese text gets the SVM's confidences."""
    data = _training_data()
    featurizers = _featurize(data.training_examples, storage, training=True)
    classifier = KefuIntentClassifier.create({}, storage, Resource("blend"), _context("blend"))
    classifier.train(data)
    svm_only = KefuIntentClassifier.load({"network_weight": 0.0, "knn_weight": 0.0}, storage,
                                         Resource("blend"), _context("blend"))
    blended = KefuIntentClassifier.load({}, storage, Resource("blend"), _context("blend"))
    confidences = {}
    for name, model in (("svm", svm_only), ("blend", blended)):
        messages = [Message(data={TEXT: "I have lost my card somewhere"}),
                    Message(data={TEXT: "我的卡丢了"})]
        _featurize(messages, storage, training=False, featurizers=featurizers)
        model.process(messages)
        confidences[name] = [{r["name"]: r["confidence"] for r in m.get("intent_ranking")}
                             for m in messages]
    assert confidences["svm"][0] != pytest.approx(confidences["blend"][0], rel=1e-3)
    assert confidences["svm"][1] == pytest.approx(confidences["blend"][1], rel=1e-9)
    with storage.read_from(Resource("blend")) as directory:
        stored = np.load(directory / "model.npz")
        layout = json.loads((directory / "layout.json").read_text())
        assert stored["net_hidden_w"].shape[0] == 384 + 768
        assert stored["coef"].shape[1] == sum(width for _, width in layout["sparse"]) + 384


def test_the_order_of_the_training_examples_does_not_change_the_model(storage) -> None:
    """A designer moving examples between files trains the same model."""
    data = _training_data()
    featurizers = _featurize(data.training_examples, storage, training=True)
    rankings = []
    for name, examples in (("files", data.training_examples),
                           ("reversed", data.training_examples[::-1])):
        classifier = KefuIntentClassifier.create({}, storage, Resource(name), _context(name))
        classifier.train(TrainingData(examples))
        messages = [Message(data={TEXT: "I think I lost my card"}),
                    Message(data={TEXT: "balance hello"})]
        _featurize(messages, storage, training=False, featurizers=featurizers)
        classifier.process(messages)
        rankings.append([[(r["name"], r["confidence"]) for r in m.get("intent_ranking")]
                         for m in messages])
    assert rankings[0] == rankings[1]


def test_one_message_is_scored_as_the_training_batch_scores_it() -> None:
    """The parse-time path (numpy, one row) gives the batch path's probabilities."""
    import scipy.sparse as sp

    from bot.nlu.linear_model import LinearIntentModel, SparseBlockWeights, combine_blocks

    rng = np.random.default_rng(0)
    words = sp.random(60, 40, density=0.1, random_state=1, format="csr")
    words.data = np.ceil(words.data * 3)  # counts 1 to 3
    chars = sp.random(60, 25, density=0.3, random_state=2, format="lil")
    chars[5, :] = 0  # a message with no counts in one block
    chars = chars.tocsr()
    chars.data = np.ceil(chars.data * 2)
    dense = rng.normal(size=(60, 8))
    labels = [f"intent_{i % 4}" for i in range(60)]
    weights = [SparseBlockWeights.fit(words), SparseBlockWeights.fit(chars)]
    features = combine_blocks([words, chars], [dense], weights, 2.0)
    model = LinearIntentModel.fit(features, labels, c=0.5, folds=2)
    batch = model.probabilities(features)
    for row in (0, 5, 17):
        columns, values = [], []
        for offset, block, weight in ((0, words, weights[0]), (40, chars, weights[1])):
            coo = block[row].tocoo()
            columns.append(offset + coo.col)
            values.append(weight.transform_row(coo.col, coo.data))
        columns.append(65 + np.arange(8))
        values.append(dense[row] * 2.0)
        single = model.row_probabilities(np.concatenate(columns), np.concatenate(values))
        np.testing.assert_allclose(single, batch[row], rtol=1e-5, atol=1e-7)


def test_the_classifier_scores_a_parsed_message_as_its_training_batch(storage) -> None:
    """process() (one row in numpy) and the batch features give the SVM the same row."""
    from bot.nlu import intent_classifier as module
    from bot.nlu.linear_model import combine_blocks

    data = _training_data()
    featurizers = _featurize(data.training_examples, storage, training=True)
    KefuIntentClassifier.create({}, storage, Resource("svm"), _context("svm")).train(data)
    svm_only = KefuIntentClassifier.load({"network_weight": 0.0, "knn_weight": 0.0}, storage,
                                         Resource("svm"), _context("svm"))
    # Fitted on 15 examples the confidences are all but 0 or 1: unscaled, any difference shows.
    svm_only._model.temperature = 1.0
    messages = [Message(data={TEXT: "I have lost my card somewhere"}), Message(data={TEXT: "余额"}),
                Message(data={TEXT: "zzzz"})]
    _featurize(messages, storage, training=False, featurizers=featurizers)
    svm_only.process(messages)
    sparse, dense, _ = module._blocks(messages, svm_only._layout)
    batch = svm_only._model.probabilities(combine_blocks(
        sparse, dense, svm_only._weights, svm_only._dense_weights(messages)))
    for message, expected in zip(messages, batch, strict=True):
        got = {r["name"]: r["confidence"] for r in message.get("intent_ranking")}
        for name, confidence in zip(svm_only._model.classes, expected, strict=True):
            assert got[name] == pytest.approx(confidence, rel=1e-5)
