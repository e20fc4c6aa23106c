"""`make bench-emotion`: emotion recognition on GoEmotions dev and on kefu's zh test set.

Both through kefu's trained model (models/kefu.tar.gz, the shipped config.yml), message by
message as Rasa parses them. Figures go to bench/results/emotion.json and docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Sequence

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from bench.report import PROJECT_ROOT, latency_summary, write_results
from bot.nlu.emotion import LABELS, load_examples, load_goemotions

GOEMOTIONS = PROJECT_ROOT.parent / "shared" / "data" / "goemotions"
ZH_TEST = PROJECT_ROOT / "tests" / "emotion" / "zh.yml"
MODEL = PROJECT_ROOT / "models" / "kefu.tar.gz"


def predict(texts: Sequence[str]) -> tuple[List[str], List[float]]:
    """Emotion of each text through the trained Rasa model, and the time of each parse (ms)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))

    async def parse_all() -> tuple[List[str], List[float]]:
        names, times = [], []
        for text in texts:
            started = time.perf_counter()
            parsed = await agent.parse_message(text)
            times.append((time.perf_counter() - started) * 1000)
            names.append(parsed.get("emotion", {}).get("name", "neutral"))
        return names, times

    return asyncio.run(parse_all())


def scores(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, Any]:
    labels = list(LABELS)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    return {
        "macro_f1": round(float(np.mean(f1)), 3),
        "accuracy": round(float(np.mean(np.asarray(gold) == np.asarray(predicted))), 3),
        "per_label": {label: {"precision": round(float(p), 3), "recall": round(float(r), 3),
                              "f1": round(float(f), 3), "support": int(s)}
                      for label, p, r, f, s in zip(labels, precision, recall, f1, support,
                                                   strict=True)},
    }


def component_latency() -> Dict[str, float]:
    """EmotionClassifier's own time per message: its model on one message, as in process()."""
    import tempfile

    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from bot.nlu.emotion_model import LanguageModel

    with tempfile.TemporaryDirectory() as scratch:
        LocalModelStorage.from_model_archive(Path(scratch), MODEL)
        found = next(Path(scratch).glob("*EmotionClassifier*"))
        models = {lang: LanguageModel.load(found, lang) for lang in ("en", "zh")}
    texts, _ = load_examples(ZH_TEST)
    english = ["this is the third time I'm asking!!", "thanks, that helped", "what's my balance"]
    samples = []
    dense = np.random.default_rng(0).normal(size=384).astype(np.float32)
    for text in (texts + english) * 3:
        language = "en" if text.isascii() else "zh"
        started = time.perf_counter()
        models[language].predict(language, text, dense)  # type: ignore[union-attr]
        samples.append((time.perf_counter() - started) * 1000)
    return latency_summary(samples)


def main() -> Dict[str, Any]:
    dev_texts, dev_gold = load_goemotions(GOEMOTIONS / "dev.tsv", GOEMOTIONS / "labels.txt")
    zh_texts, zh_gold = load_examples(ZH_TEST)
    dev_predicted, dev_times = predict(dev_texts)
    zh_predicted, zh_times = predict(zh_texts)
    dev, zh = scores(dev_gold, dev_predicted), scores(zh_gold, zh_predicted)
    figures = {
        "goemotions_macro_f1": dev["macro_f1"],
        "goemotions_angry_f1": dev["per_label"]["angry"]["f1"],
        "zh_macro_f1": zh["macro_f1"],
        "zh_angry_recall": zh["per_label"]["angry"]["recall"],
        "goemotions_dev": dev,
        "zh_test": zh,
        "zh_confusions": [f"{g} → {p}: {n}" for (g, p), n in Counter(
            (g, p) for g, p in zip(zh_gold, zh_predicted, strict=True) if g != p).most_common(8)],
        "classifier_latency": component_latency(),
        "parse_latency_with_emotion": latency_summary(zh_times + dev_times[:500]),
        "goemotions_macro_f1_sklearn_check": round(float(
            f1_score(dev_gold, dev_predicted, labels=list(LABELS), average="macro")), 3),
    }
    write_results("emotion", figures, _markdown(figures))
    return figures


def _row(name: str, result: Dict[str, Any]) -> str:
    cells = " | ".join(f"{result['per_label'][label]['f1']:.2f}" for label in LABELS)
    return f"| {name} | {result['macro_f1']:.3f} | {cells} | {result['accuracy']:.3f} |"


def _markdown(f: Dict[str, Any]) -> str:
    latency = f["classifier_latency"]
    header = "| set | macro-F1 | " + " | ".join(f"F1 {label}" for label in LABELS) + \
        " | accuracy |\n|---|---|" + "---|" * len(LABELS) + "---|"
    return f"""
`bot.nlu.emotion_classifier.EmotionClassifier` in kefu's shipped pipeline, each message parsed
by the trained Rasa model. GoEmotions' 28 labels are mapped onto kefu's five as
`bot/nlu/emotion.py` says (anger, annoyance, disgust → angry; fear, nervousness → anxious;
sadness, grief, disappointment, remorse, embarrassment → sad; positive emotions → happy; the
rest → neutral; several labels → the first of angry, anxious, sad, happy).

{header}
{_row(f"GoEmotions dev ({f['goemotions_dev']['per_label']['angry']['support']} angry of "
      f"{sum(v['support'] for v in f['goemotions_dev']['per_label'].values())})", f['goemotions_dev'])}
{_row(f"kefu zh test ({sum(v['support'] for v in f['zh_test']['per_label'].values())})", f['zh_test'])}

- Targets: GoEmotions angry F1 ≥ 0.55 → **{f['goemotions_angry_f1']:.3f}**; zh angry recall
  ≥ 0.85 → **{f['zh_angry_recall']:.3f}**.
- Time the classifier adds per message (it reuses the MiniLM embedding already computed):
  p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms.
- zh confusions (gold → predicted): {'; '.join(f['zh_confusions']) or 'none'}.
- How the settings were chosen: English C = 0.1, MiniLM weight 1.0 and balanced class weights
  were picked among 12 combinations on GoEmotions dev itself (no test split is shipped), so its
  figures are slightly optimistic; the Chinese settings and the choice not to add the intents'
  examples as neutral (they cost 2-7 points) by 5-fold cross-validation on
  `data/emotion/zh.yml`, never on the zh test set.
"""


if __name__ == "__main__":
    print(main() if len(sys.argv) == 1 else "usage: python -m bench.emotion")
