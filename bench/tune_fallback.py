"""`make tune-fallback`: choose the FallbackClassifier threshold on held-out data.

Trains config.yml's pipeline on a stratified 80 % of data/nlu (both languages),
predicts the other 20 %, and picks the threshold with the best utility: +1 for a
confident right answer, 0 for "please rephrase", -1 for a confident wrong one
(out_of_scope counts as right when predicted, or when the bot falls back). Utilities within
1 % of the held-out utterances of the best are noise; among them the highest threshold wins,
a bank preferring "please rephrase" to a confident wrong answer. The threshold is written
into config.yml (comments kept) and bench/results/fallback.json.

Below the threshold the bot may offer the two requests it hesitates between
(actions/intent_choices.py) when together they hold enough confidence: +1 when the right one
is offered, -1 when it is not (the customer answers "neither"), 0 for "please rephrase". That
share is chosen the same way and written as `offer_together`; actions/intent_choices.py's
OFFER_TOGETHER must equal it (a unit test checks).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
from ruamel.yaml import YAML
from sklearn.model_selection import train_test_split

from actions.intent_choices import offered_intents
from bench.nlu import Examples, read_rasa_nlu, train, write_training_data
from bench.report import PROJECT_ROOT, write_results
from bot.nlu.digit_shapes import numbers_only

OUT_OF_SCOPE = "out_of_scope"
CANDIDATES = np.round(np.arange(0.05, 0.96, 0.05), 2)
OFFER_CANDIDATES = np.round(np.arange(0.3, 1.001, 0.05), 2)
Ranking = List[Dict[str, Any]]


def training_examples() -> Examples:
    return [
        example
        for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*/*.yml"))
        for example in read_rasa_nlu(path)
    ]


def rankings(model: Path, texts: Sequence[str]) -> List[Ranking]:
    """The classifier's intent ranking for each text, before the fallback."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> List[Ranking]:
        return [[r for r in (await agent.parse_message(text))["intent_ranking"]
                 if r["name"] != "nlu_fallback"] for text in texts]

    return asyncio.run(parse_all())


def top_intents(ranked: Sequence[Ranking]) -> List[Tuple[str, float]]:
    """(top intent, its confidence) of each ranking."""
    return [(ranking[0]["name"], float(ranking[0]["confidence"])) for ranking in ranked]


def utility(gold: Sequence[str], predicted: Sequence[Tuple[str, float]], threshold: float) -> int:
    total = 0
    for expected, (intent, confidence) in zip(gold, predicted, strict=True):
        if confidence < threshold:
            total += 1 if expected == OUT_OF_SCOPE else 0
        else:
            total += 1 if intent == expected else -1
    return total


def offer_utility(gold: Sequence[str], texts: Sequence[str], ranked: Sequence[Ranking],
                  threshold: float, together: float) -> Tuple[int, int]:
    """(utility, offers) of offering two requests below `threshold`: +1 right one offered,
    -1 offered without it, 0 "please rephrase" (a number alone is never offered)."""
    total = offers = 0
    for expected, text, ranking in zip(gold, texts, ranked, strict=True):
        if not ranking or float(ranking[0]["confidence"]) >= threshold or numbers_only(text):
            continue
        offered = offered_intents(ranking, together)
        if offered:
            offers += 1
            total += 1 if expected in offered else -1
    return total, offers


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
        ranked = rankings(model, [text for text, _ in held_out])
    gold = [intent for _, intent in held_out]
    texts = [text for text, _ in held_out]
    predicted = top_intents(ranked)
    scores = {float(t): utility(gold, predicted, float(t)) for t in CANDIDATES}
    best = chosen_threshold(scores, len(held_out))
    write_threshold(best)
    offers = {float(t): offer_utility(gold, texts, ranked, best, float(t))
              for t in OFFER_CANDIDATES}
    offer_together = chosen_threshold({t: u for t, (u, _) in offers.items()}, len(held_out))
    fell_back = sum(1 for _, confidence in predicted if confidence < best)
    figures = {"fallback_threshold": best, "held_out_utterances": len(held_out),
               "utility_by_threshold": scores, "offer_together": offer_together,
               "fallbacks": fell_back,
               "offer_utility_by_together": {t: u for t, (u, _) in offers.items()},
               "offers_by_together": {t: n for t, (_, n) in offers.items()}}
    rows = "\n".join(f"| {t:.2f} | {u} |" for t, u in scores.items())
    offer_rows = "\n".join(f"| {t:.2f} | {n} | {u} |" for t, (u, n) in offers.items())
    write_results("fallback", figures, f"""
FallbackClassifier threshold chosen on a stratified 20 % of data/nlu ({len(held_out)}
utterances, zh and en) held out from training: utility +1 confident right answer, 0 fallback,
-1 confident wrong answer. Chosen: **{best:.2f}**, the highest threshold within 1 % of the
utterances of the best utility (written into config.yml).

| threshold | utility |
|---|---|
{rows}

Of the {fell_back} held-out utterances below it, the bot offers the two requests it hesitates
between when together they hold at least **{offer_together:.2f}** of the confidence (+1 the
right one offered, -1 not, 0 "please rephrase"; chosen the same way; actions/intent_choices.py):

| together at least | offers | utility |
|---|---|---|
{offer_rows}
""")
    return figures


if __name__ == "__main__":
    print(main())
