"""Emotion: the GoEmotions mapping, the zh lexicon, and EmotionClassifier through Rasa's
model storage (train on small data -> process -> persist -> load -> the same output)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.emotion import (
    LABELS,
    LEXICON_FEATURES,
    goemotions_label,
    lexicon_features,
    load_examples,
)
from bot.nlu.emotion_classifier import EMOTION, EmotionClassifier

EXAMPLES = """
angry:
  - 等了半个小时了！！！
  - 你们到底管不管？？
  - 气死我了
  - this is the third time I'm asking!!
  - you people are useless
  - I'm furious with this bank
anxious:
  - 卡被盗刷了怎么办，好着急
  - 我很担心钱要不回来
  - 急死了，转错账了
  - I'm scared my money is gone
  - please hurry, I'm really worried
  - what do I do, someone took my money
happy:
  - 太好了，谢谢你们
  - 问题解决了，非常满意
  - 到账了，开心
  - thank you so much, that's great
  - brilliant, all sorted
  - really happy with the service
neutral:
  - 查一下余额
  - 网点几点开门
  - 怎么开通手机银行
  - what is my balance
  - when does the branch open
  - how do I reset my password
"""


def test_goemotions_labels_map_onto_ours_with_the_most_urgent_first() -> None:
    assert goemotions_label(["annoyance"]) == "angry"
    assert goemotions_label(["joy", "anger"]) == "angry"
    assert goemotions_label(["nervousness", "sadness"]) == "anxious"
    assert goemotions_label(["disappointment"]) == "sad"
    assert goemotions_label(["gratitude"]) == "happy"
    assert goemotions_label(["curiosity"]) == goemotions_label(["neutral"]) == "neutral"


def _cue(text: str, language: str = "zh") -> dict:
    return {name: value for name, value in zip(LEXICON_FEATURES,
                                               lexicon_features(text, language),
                                               strict=True) if value}


def test_the_zh_lexicon_sees_punctuation_sarcasm_negation_and_emoji() -> None:
    assert "exclamations" in _cue("等了半个小时了！！！")
    assert {"sarcasm", "repeat"} <= set(_cue("呵呵，又是这套"))
    assert "happiness" not in _cue("不满意") and "happiness" in _cue("很满意")
    assert "angry_emoji" in _cue("😡") and "regulator" in _cue("我要打12378")


@pytest.mark.parametrize("text", ["I'm not happy", "this isn't great", "I don't appreciate it",
                                  "I wasn’t happy with that", "never helpful"])
def test_the_en_lexicon_hears_negated_happiness_as_negation(text: str) -> None:
    cues = _cue(text, "en")
    assert "negation" in cues and "happiness" not in cues


def test_the_en_lexicon_hears_plain_happiness() -> None:
    assert set(_cue("thanks, that was helpful", "en")) == {"happiness"}


def test_the_en_lexicon_hears_a_bank_customers_anger_and_worry() -> None:
    assert {"anger", "exclamations"} <= set(_cue("where is my money?! you people are thieves!!",
                                                "en"))
    assert "anger" in _cue("I'm absolutely livid", "en")
    assert "anger" not in _cue("my card was stolen", "en")  # a report, not an accusation
    assert "anxiety" in _cue("I'm worried, what do I do", "en")
    assert "regulator" in _cue("I'll take this to the ombudsman", "en")
    assert "sarcasm" in _cue("thanks for nothing", "en")
    assert not _cue("你们就是骗子", "en")  # each language its own words


def test_examples_with_an_unknown_label_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("furious:\n  - grr\n")
    with pytest.raises(ValueError, match="furious"):
        load_examples(path)


@pytest.fixture
def component(tmp_path: Path):
    examples = tmp_path / "examples.yml"
    examples.write_text(EXAMPLES)
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    corpus = tmp_path / "corpus.tsv"
    corpus.write_text("text\tlabel\nthis sucks so much\tangry\nlovely day\thappy\n"
                      "what time is it\tneutral\nI'm terrified\tanxious\n")
    config = {"examples": [str(examples)], "corpus": str(corpus),
              "neutral_intents": ["check_balance"], "cache_dir": str(tmp_path / "cache")}
    context = ExecutionContext(GraphSchema({}), node_name="emotion")
    classifier = EmotionClassifier.create(config, storage, Resource("emotion"), context)
    neutral = [Message.build(text, intent="check_balance") for text in ("余额多少", "my balance")]
    classifier.train(TrainingData(training_examples=neutral))
    return classifier, config, storage, context


def test_train_process_persist_load(component) -> None:
    classifier, config, storage, context = component
    texts = ["你们到底还管不管了！！！", "thank you, that's great", "我的余额是多少", "", "😡😡"]
    messages = [Message.build(text) for text in texts]
    classifier.process(messages)
    emotions = [m.get(EMOTION) for m in messages]
    assert emotions[0]["name"] == "angry" and emotions[1]["name"] == "happy"
    assert emotions[3] is None  # nothing to read in an empty message
    for emotion in (e for e in emotions if e):
        assert emotion["name"] in LABELS and 0.0 < emotion["confidence"] <= 1.0
        assert EMOTION in messages[0].as_dict_nlu()
    loaded = EmotionClassifier.load(config, storage, Resource("emotion"), context)
    again = [Message.build(text) for text in texts]
    loaded.process(again)
    assert [m.get(EMOTION) for m in again] == emotions


def test_a_model_trained_on_the_same_inputs_is_reused(component, tmp_path: Path) -> None:
    classifier, config, storage, context = component
    cached = sorted(path.name[:3] for path in (tmp_path / "cache").iterdir())
    assert cached == ["en-", "zh-"]
    again = EmotionClassifier.create(config, storage, Resource("emotion-2"), context)
    again.train(TrainingData(training_examples=[Message.build("帮我查一下余额",
                                                              intent="check_balance")]))
    assert len(list((tmp_path / "cache").iterdir())) == 3  # zh changed, en reused
    first, second = Message.build("you people are useless!!"), Message.build(
        "you people are useless!!")
    classifier.process([first])
    again.process([second])
    assert first.get(EMOTION) == second.get(EMOTION)


@pytest.mark.parametrize("language,texts", [
    ("en", ["this is useless!!", "thanks so much", "I'm so worried", "what is my balance",
            "useless bank", "great, thanks!", "worried about my card", "balance please"]),
    ("zh", ["太差劲了！！", "谢谢你们", "我好担心", "查余额", "差劲", "谢谢", "担心我的卡",
            "余额多少"]),
])
def test_one_text_is_scored_as_the_training_batch_scores_it(language: str, texts: list) -> None:
    """predict() (one row in numpy) gives the batch features' probabilities."""
    from bot.nlu.emotion_model import LanguageModel

    labels = ["angry", "happy", "anxious", "neutral"] * 2
    dense = np.random.default_rng(0).normal(size=(len(texts), 6))
    model = LanguageModel.fit(language, texts, labels, dense, c=1.0, dense_weight=0.5,
                              lexicon_weight=0.3)
    model.model.temperature = 1.0  # unsaturated: a difference in any feature shows
    for text, vector in zip([*texts, "完全无关 unrelated 😡"], [*dense, dense[0]], strict=True):
        batch = model.model.probabilities(model.features(language, [text], vector[None, :]))[0]
        label, confidence = model.predict(language, text, vector)
        assert (label, confidence) == (model.model.classes[int(np.argmax(batch))],
                                       pytest.approx(float(batch.max()), rel=1e-5))
