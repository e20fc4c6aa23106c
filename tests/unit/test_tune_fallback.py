"""How `make tune-fallback` picks the FallbackClassifier threshold from held-out utilities."""

from __future__ import annotations

from pathlib import Path

from bench.nlu import write_training_data
from bench.tune_fallback import chosen_threshold, offer_utility


def test_noise_level_differences_go_to_the_more_cautious_threshold() -> None:
    # 2026-11-28: 266 at 0.35 and 265 at 0.50 over 448 utterances; 1 utterance is noise.
    scores = {0.3: 258, 0.35: 266, 0.4: 264, 0.45: 265, 0.5: 265, 0.55: 260, 0.6: 256}
    assert chosen_threshold(scores, 448) == 0.5


def test_a_clear_best_wins() -> None:
    scores = {0.3: 250, 0.35: 270, 0.5: 255}
    assert chosen_threshold(scores, 448) == 0.35


def test_offers_count_plus_one_when_the_right_request_is_among_the_two() -> None:
    def ranked(*pairs: tuple) -> list:
        return [{"name": name, "confidence": confidence} for name, confidence in pairs]

    gold = ["loan_repayment", "card_lost", "check_balance", "card_lost", "card_lost"]
    texts = ["还款晚了", "my card", "6222", "lost card", "blorp"]
    rankings = [
        ranked(("credit_card_repayment", 0.45), ("loan_repayment", 0.4)),  # right one offered
        ranked(("card_replace", 0.4), ("card_swallowed", 0.3)),  # offered, right one missing
        ranked(("check_balance", 0.45), ("card_lost", 0.4)),  # a number alone: never offered
        ranked(("card_lost", 0.9), ("card_stolen", 0.1)),  # above the threshold: answered
        ranked(("card_lost", 0.2), ("card_stolen", 0.1)),  # too little together: rephrase
    ]
    assert offer_utility(gold, texts, rankings, 0.5, 0.5) == (0, 2)
    assert offer_utility(gold, texts, rankings, 0.5, 0.8) == (1, 1)


def test_benchmark_training_files_keep_every_example_whole(tmp_path: Path) -> None:
    # BANKING77 has training texts with line breaks: written as they were, Rasa read 9,995 of
    # 10,003 examples and cut two short.
    from rasa.shared.nlu.training_data.loading import load_data

    examples = [("\nI can't seem to be able to use my card\n\n\n", "card_not_working"),
                ("I want to move money here.\n.", "transfer_into_account"),
                ("  Where can I\twithdraw money?", "atm_support"),
                ("card arrived", "card_arrival")]
    nlu, _ = write_training_data(examples, tmp_path)
    loaded = {(m.get("text"), m.get("intent")) for m in load_data(str(nlu)).intent_examples}
    assert loaded == {("I can't seem to be able to use my card", "card_not_working"),
                      ("I want to move money here. .", "transfer_into_account"),
                      ("Where can I withdraw money?", "atm_support"),
                      ("card arrived", "card_arrival")}
