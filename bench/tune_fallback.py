"""`make tune-fallback`: choose the FallbackClassifier threshold on held-out data.

Trains config.yml's pipeline on a stratified 80 % of data/nlu (both languages),
predicts the other 20 %, and picks the threshold with the best utility: +1 for a
confident right answer, 0 for "please rephrase", -1 for a confident wrong one
(out_of_scope counts as right when predicted, or when the bot falls back). Utilities within
1 % of the held-out utterances of the best are noise; among them the highest threshold wins,
a bank preferring "please rephrase" to a confident wrong answer. The threshold is written
into config.yml (comments kept) and bench/results/fallback.json.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from ruamel.yaml import YAML
from sklearn.model_selection import train_test_split

from bench.nlu import Examples, read_rasa_nlu, train, write_training_data
from bench.report import PROJECT_ROOT, write_results

OUT_OF_SCOPE = "out_of_scope"
CANDIDATES = np.round(np.arange(0.05, 0.96, 0.05), 2)


def training_examples() -> Examples:
    return [
        example
        for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*/*.yml"))
        for example in read_rasa_nlu(path)
    ]


def predictions(model: Path, texts: Sequence[str]) -> List[Tuple[str, float]]:
    """(top intent, its confidence) from the classifier, before the fallback."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> List[Tuple[str, float]]:
        results = []
        for text in texts:
            ranking = [r for r in (await agent.parse_message(text))["intent_ranking"]
                       if r["name"] != "nlu_fallback"]
            results.append((ranking[0]["name"], float(ranking[0]["confidence"])))
        return results

    return asyncio.run(parse_all())


def utility(gold: Sequence[str], predicted: Sequence[Tuple[str, float]], threshold: float) -> int:
    total = 0
    for expected, (intent, confidence) in zip(gold, predicted, strict=True):
        if confidence < threshold:
            total += 1 if expected == OUT_OF_SCOPE else 0
        else:
            total += 1 if intent == expected else -1
    return total


def write_threshold(threshold: float) -> None:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # config.yml's own layout
    path = PROJECT_ROOT / "config.yml"
    config = yaml.load(path.read_text())
    for component in config["pipeline"]:
        if component["name"] == "FallbackClassifier":
            component["threshold"] = float(threshold)
    with path.open("w") as target:
        yaml.dump(config, target)


def chosen_threshold(scores: Dict[float, int], held_out: int) -> float:
    """The highest threshold whose utility is within 1 % of `held_out` of the best."""
    tolerance = held_out // 100
    return max(t for t, u in scores.items() if u >= max(scores.values()) - tolerance)


def main() -> Dict[str, Any]:
    examples = training_examples()
    labels = [intent for _, intent in examples]
    train_set, held_out = train_test_split(examples, test_size=0.2, random_state=0,
                                           stratify=labels)
    with tempfile.TemporaryDirectory() as scratch:
        nlu, domain = write_training_data(train_set, Path(scratch))
        model, _ = train(PROJECT_ROOT / "config.yml", nlu, domain, Path(scratch), "tune")
        predicted = predictions(model, [text for text, _ in held_out])
    gold = [intent for _, intent in held_out]
    scores = {float(t): utility(gold, predicted, float(t)) for t in CANDIDATES}
    best = chosen_threshold(scores, len(held_out))
    write_threshold(best)
    figures = {"fallback_threshold": best, "held_out_utterances": len(held_out),
               "utility_by_threshold": scores}
    rows = "\n".join(f"| {t:.2f} | {u} |" for t, u in scores.items())
    write_results("fallback", figures, f"""
FallbackClassifier threshold chosen on a stratified 20 % of data/nlu ({len(held_out)}
utterances, zh and en) held out from training: utility +1 confident right answer, 0 fallback,
-1 confident wrong answer. Chosen: **{best:.2f}**, the highest threshold within 1 % of the
utterances of the best utility (written into config.yml).

| threshold | utility |
|---|---|
{rows}
""")
    return figures


if __name__ == "__main__":
    print(main())
