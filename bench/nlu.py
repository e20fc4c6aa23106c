"""`make bench-nlu`: BANKING77 with kefu's config.yml and with stock Rasa, plus kefu's own test sets.

Both pipelines are trained here, in the same run, on the official BANKING77 split:
accuracy and macro-F1 of the top intent, train time, model size, and the latency of
`POST /model/parse` over HTTP, one request at a time. STOCK_EPOCHS (default 2) sets
DIET's epochs: its latency does not depend on them; its accuracy figures are kept
from the last 40-epoch run unless this run uses 40.
"""

from __future__ import annotations

import asyncio
import collections
import csv
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import requests
import yaml
from sklearn.metrics import f1_score

from bench.report import (
    PROJECT_ROOT,
    RESULTS_DIR,
    latency_summary,
    shared_data,
    write_results,
)
from stack.processes import free_port, log_tail, wait_until_healthy

BANKING77 = "banking77"
FULL_STOCK_EPOCHS = 40
LATENCY_REQUESTS = 500
Examples = List[Tuple[str, str]]


def read_banking77(split: str) -> Examples:
    with (shared_data(BANKING77) / f"{split}.csv").open() as source:
        return [(row["text"], row["category"]) for row in csv.DictReader(source)]


def read_rasa_nlu(path: Path) -> Examples:
    examples: Examples = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                examples.append((line.strip()[2:].strip(), block["intent"]))
    return examples


def write_training_data(examples: Examples, directory: Path) -> Tuple[Path, Path]:
    """Rasa's YAML holds one example per line: a line break inside an example (10 of
    BANKING77's training texts have one) would cut it short or drop it, so whitespace runs
    become one space."""
    by_intent: Dict[str, List[str]] = collections.defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(" ".join(text.split()))
    nlu = {"version": "3.1", "nlu": [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
        for intent, texts in sorted(by_intent.items())
    ]}
    domain = {"version": "3.1", "intents": sorted(by_intent)}
    (directory / "nlu.yml").write_text(yaml.safe_dump(nlu, allow_unicode=True))
    (directory / "domain.yml").write_text(yaml.safe_dump(domain))
    return directory / "nlu.yml", directory / "domain.yml"


def rasa_command(*arguments: str) -> List[str]:
    return [str(Path(sys.executable).parent / "rasa"), *arguments]


def train(config: Path, nlu: Path, domain: Path, out: Path, name: str) -> Tuple[Path, float]:
    started = time.monotonic()
    subprocess.run(
        rasa_command("train", "nlu", "--config", str(config), "--nlu", str(nlu),
                     "--domain", str(domain), "--out", str(out), "--fixed-model-name", name),
        check=True, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # No training cache: every run trains from scratch, so the time is honest.
        env={**os.environ, "RASA_MAX_CACHE_SIZE": "0"},
    )
    return out / f"{name}.tar.gz", time.monotonic() - started


def predict(model: Path, texts: Sequence[str]) -> List[str]:
    """The top intent of the classifier (before any fallback) for each text."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> List[str]:
        intents = []
        for text in texts:
            parsed = await agent.parse_message(text)
            ranking = [r["name"] for r in parsed.get("intent_ranking", [])
                       if r["name"] != "nlu_fallback"]
            intents.append(ranking[0] if ranking else parsed["intent"]["name"])
        return intents

    return asyncio.run(parse_all())


def parse_latency(model: Path, texts: Sequence[str]) -> Dict[str, float]:
    """p50/p95 of POST /model/parse on a real `rasa run --enable-api`, one request at a time."""
    port, token = free_port(), secrets.token_urlsafe(16)
    with tempfile.NamedTemporaryFile("w+b", suffix=".log") as log:
        server = subprocess.Popen(
            rasa_command("run", "--enable-api", "--auth-token", token, "--model", str(model),
                         "--interface", "127.0.0.1", "--port", str(port)),
            cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false"},
        )
        try:
            wait_until_healthy({"rasa": f"http://127.0.0.1:{port}/"}, server, 300)
            url = f"http://127.0.0.1:{port}/model/parse?token={token}"
            samples: List[float] = []
            with requests.Session() as session:
                for index in range(LATENCY_REQUESTS + 20):
                    started = time.perf_counter()
                    session.post(url, json={"text": texts[index % len(texts)]}).raise_for_status()
                    if index >= 20:  # the first calls warm caches and lazy loading
                        samples.append((time.perf_counter() - started) * 1000)
            return latency_summary(samples)
        except Exception:
            print(log_tail(Path(log.name)), file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)


def score(gold: Sequence[str], predicted: Sequence[str]) -> Dict[str, float]:
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    return {
        "accuracy": round(correct / len(gold), 4),
        "macro_f1": round(float(f1_score(gold, predicted, average="macro")), 4),
    }


def confusions(gold: Sequence[str], predicted: Sequence[str], top: int = 8) -> List[str]:
    pairs = collections.Counter(
        f"{g} → {p}" for g, p in zip(gold, predicted, strict=True) if g != p
    )
    return [f"{pair} ({count})" for pair, count in pairs.most_common(top)]


def run_pipeline(config: Path, workdir: Path, name: str, train_set: Examples,
                 test_set: Examples) -> Dict[str, Any]:
    nlu, domain = write_training_data(train_set, workdir)
    model, seconds = train(config, nlu, domain, workdir, name)
    texts = [text for text, _ in test_set]
    predicted = predict(model, texts)
    return {
        **score([intent for _, intent in test_set], predicted),
        "train_seconds": round(seconds, 1),
        "model_mb": round(model.stat().st_size / 2**20, 1),
        **{f"parse_{k}": v for k, v in parse_latency(model, texts).items() if k != "count"},
    }


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def own_test_sets(model: Path) -> Dict[str, Any]:
    """Accuracy on tests/nlu/{zh,en}.yml, and on the utterances among them that are not also
    training examples (short answers such as "yes" or "是的" are in both)."""
    trained = {_folded(text) for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*/*.yml"))
               for text, _ in read_rasa_nlu(path)}
    figures: Dict[str, Any] = {}
    for language in ("zh", "en"):
        test_set = read_rasa_nlu(PROJECT_ROOT / "tests" / "nlu" / f"{language}.yml")
        gold = [intent for _, intent in test_set]
        predicted = predict(model, [text for text, _ in test_set])
        unseen = [i for i, (text, _) in enumerate(test_set) if _folded(text) not in trained]
        figures[f"own_{language}_accuracy"] = score(gold, predicted)["accuracy"]
        figures[f"own_{language}_confusions"] = confusions(gold, predicted)
        figures[f"own_{language}_utterances"] = len(test_set)
        figures[f"own_{language}_unseen_accuracy"] = score(
            [gold[i] for i in unseen], [predicted[i] for i in unseen])["accuracy"]
        figures[f"own_{language}_unseen_utterances"] = len(unseen)
    return figures


def run_stock(workdir: Path, epochs: int, train_set: Examples,
              test_set: Examples) -> Dict[str, Any]:
    stock_config = workdir / "config.yml"
    config = yaml.safe_load((PROJECT_ROOT / "bench" / "stock_config.yml").read_text())
    config["pipeline"][5]["epochs"] = epochs
    stock_config.write_text(yaml.safe_dump(config))
    return run_pipeline(stock_config, workdir, "stock", train_set, test_set)


def stock_figures(stock_epochs: int) -> Dict[str, Any]:
    """Stock DIET alone: its full-epoch accuracy takes most of an hour, so it runs on its own."""
    train_set, test_set = read_banking77("train"), read_banking77("test")
    with tempfile.TemporaryDirectory() as scratch:
        stock = run_stock(Path(scratch), stock_epochs, train_set, test_set)
    return _stock_accuracy(stock, stock_epochs)


def banking77_figures(stock_epochs: int) -> Dict[str, Any]:
    train_set, test_set = read_banking77("train"), read_banking77("test")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        (workdir / "kefu").mkdir()
        (workdir / "stock").mkdir()
        kefu = run_pipeline(PROJECT_ROOT / "config.yml", workdir / "kefu", "kefu", train_set,
                            test_set)
        stock = run_stock(workdir / "stock", stock_epochs, train_set, test_set)
    return {
        "banking77_accuracy": kefu["accuracy"],
        "banking77_macro_f1": kefu["macro_f1"],
        "train_seconds": kefu["train_seconds"],
        "model_mb": kefu["model_mb"],
        "parse_p50_ms": kefu["parse_p50_ms"],
        "parse_p95_ms": kefu["parse_p95_ms"],
        "stock_epochs_latency_run": stock_epochs,
        "stock_parse_p50_ms": stock["parse_p50_ms"],
        "stock_parse_p95_ms": stock["parse_p95_ms"],
        "stock_model_mb": stock["model_mb"],
        **_stock_accuracy(stock, stock_epochs),
    }


def main(parts: Sequence[str] = ("banking77", "own")) -> Dict[str, Any]:
    """Measure `parts` and merge them into bench/results/nlu.json and docs/benchmarks.md."""
    previous = RESULTS_DIR / "nlu.json"
    figures: Dict[str, Any] = json.loads(previous.read_text()) if previous.exists() else {}
    if "banking77" in parts:
        figures.update(banking77_figures(int(os.environ.get("STOCK_EPOCHS", "2"))))
    if "stock" in parts:
        figures.update(stock_figures(int(os.environ.get("STOCK_EPOCHS", "2"))))
    if "own" in parts:
        figures.update(own_test_sets(PROJECT_ROOT / "models" / "kefu.tar.gz"))
    figures = {k: v for k, v in figures.items() if k not in ("machine", "date")}
    write_results("nlu", figures, _markdown(collections.defaultdict(lambda: "—", figures)))
    return figures


def _stock_accuracy(stock: Dict[str, Any], epochs: int) -> Dict[str, Any]:
    """This run's stock accuracy when it is the full run, else the kept full-run figures."""
    if epochs == FULL_STOCK_EPOCHS:
        return {"stock_accuracy": stock["accuracy"], "stock_macro_f1": stock["macro_f1"],
                "stock_train_seconds": stock["train_seconds"], "stock_epochs": epochs}
    previous = RESULTS_DIR / "nlu.json"
    kept = json.loads(previous.read_text()) if previous.exists() else {}
    if kept.get("stock_epochs") == FULL_STOCK_EPOCHS:
        return {key: kept[key] for key in ("stock_accuracy", "stock_macro_f1",
                                           "stock_train_seconds", "stock_epochs")}
    return {"stock_accuracy": stock["accuracy"], "stock_macro_f1": stock["macro_f1"],
            "stock_train_seconds": stock["train_seconds"], "stock_epochs": epochs}


def pct(value: Any) -> str:
    return f"{value:.2%}" if isinstance(value, float) else str(value)


def _markdown(f: Dict[str, Any]) -> str:
    return f"""
BANKING77 official split (10,003 train / 3,080 test), English, 77 intents. kefu trains with
`config.yml` unchanged; stock is Rasa's default pipeline with DIETClassifier
(`bench/stock_config.yml`). Accuracy counts the top intent before any fallback. Latency is
`POST /model/parse` over HTTP on a real `rasa run`, one request at a time, after 20 warm-up calls.

| figure | kefu | stock Rasa (DIET) |
|---|---|---|
| accuracy | {pct(f['banking77_accuracy'])} | {pct(f['stock_accuracy'])} ({f['stock_epochs']} epochs) |
| macro-F1 | {f['banking77_macro_f1']} | {f['stock_macro_f1']} |
| train time (s) | {f['train_seconds']} | {f['stock_train_seconds']} ({f['stock_epochs']} epochs) |
| model size (MB) | {f['model_mb']} | {f['stock_model_mb']} |
| parse p50 (ms) | {f['parse_p50_ms']} | {f['stock_parse_p50_ms']} ({f['stock_epochs_latency_run']} epochs) |
| parse p95 (ms) | {f['parse_p95_ms']} | {f['stock_parse_p95_ms']} |

kefu's classifier settings (SVM, network and nearest-neighbour weights) were chosen by 5-fold
cross-validation on BANKING77's train split only; the test split is measured, never tuned on
(the figures per setting are in `bot/nlu/intent_classifier.py`).

How much one run's accuracy says: the SVM gives the same answers whatever the order of the
training examples, but the network's shuffling depends on it. Measured 2026-11-28 with the
same features and settings, test split only read: the order kefu trains in (sorted by intent
and text, so that moving examples between files trains the same model) 2,903 of 3,080
(94.25 %); six random orders 2,903 to 2,912 (mean 2,908.2, 94.42 %). Differences under
about 0.3 points between two configurations are within this spread. Until 2026-11-28 the
benchmark wrote its training file so that Rasa read 9,995 of the 10,003 examples (10 texts
with line breaks); the figures before that date are from those 9,995, stock DIET's
40-epoch accuracy among them (not re-run: an hour of the machine for 8 examples).

The parse latency of both is measured in the same run; stock DIET's latency does not depend on
its epochs, so its 2-epoch model serves for it, while its accuracy and train time are from the
40-epoch run (`make bench-nlu PARTS=stock STOCK_EPOCHS=40`, about an hour here while other
work shared the machine; 44 min alone). kefu's train
time is the whole `rasa train nlu` with Rasa's cache off, TensorFlow's start-up included. It
includes the EmotionClassifier, whose English model (43,410 GoEmotions comments) does not
depend on the intents and is reused from `.rasa/cache/kefu-emotion` once trained: the first
training on a machine takes about 70 s more (measured 2026-11-27: 121.3 s with an empty cache,
48.8 s with it). Likewise the MiniLM encoder's int8 ONNX export depends only on the shipped
weights and is reused from `.rasa/cache/kefu-encoder`: about 5 s more without it (measured
2026-11-27: 48.3 s against 43.6 s).

kefu's own intents, on test sets written separately from the training data
(`tests/nlu/{{zh,en}}.yml`, model `models/kefu.tar.gz`):

| language | utterances | accuracy | not in the training data: utterances, accuracy | most frequent confusions (gold → predicted) |
|---|---|---|---|---|
| zh | {f['own_zh_utterances']} | {pct(f['own_zh_accuracy'])} | {f['own_zh_unseen_utterances']}, {pct(f['own_zh_unseen_accuracy'])} | {'; '.join(f['own_zh_confusions']) if isinstance(f['own_zh_confusions'], list) else '—'} |
| en | {f['own_en_utterances']} | {pct(f['own_en_accuracy'])} | {f['own_en_unseen_utterances']}, {pct(f['own_en_unseen_accuracy'])} | {'; '.join(f['own_en_confusions']) if isinstance(f['own_en_confusions'], list) else '—'} |

The fourth column counts only the test utterances that are not also training examples word
for word; `tests/unit/test_nlu_test_sets.py` keeps the two sets apart, so it should equal the
whole set.
"""


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:] or ("banking77", "own")), ensure_ascii=False, indent=2))
