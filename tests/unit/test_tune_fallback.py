"""How `make tune-fallback` picks the FallbackClassifier threshold from held-out utilities."""

from __future__ import annotations

from bench.tune_fallback import chosen_threshold


def test_noise_level_differences_go_to_the_more_cautious_threshold() -> None:
    # 2026-11-28: 266 at 0.35 and 265 at 0.50 over 448 utterances; 1 utterance is noise.
    scores = {0.3: 258, 0.35: 266, 0.4: 264, 0.45: 265, 0.5: 265, 0.55: 260, 0.6: 256}
    assert chosen_threshold(scores, 448) == 0.5


def test_a_clear_best_wins() -> None:
    scores = {0.3: 250, 0.35: 270, 0.5: 255}
    assert chosen_threshold(scores, 448) == 0.35
