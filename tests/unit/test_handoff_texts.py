"""Every notice the handoff service sends customers exists in Chinese and in English."""

from __future__ import annotations

import re

import pytest

from handoff.texts import NOTICES, notice

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("kind", sorted(NOTICES))
def test_each_notice_is_written_in_both_languages(kind: str) -> None:
    values = {"position": 2, "minutes": 5, "name": "王晓"}
    chinese, english = notice(kind, "zh", **values), notice(kind, "en", **values)
    assert HAN.search(chinese) and chinese.endswith(("。", "？"))
    assert not HAN.search(english.replace("王晓", "")) and english.endswith((".", "?"))


def test_a_customer_moved_to_a_colleague_is_told_why() -> None:
    assert "另一位专员" in notice("reassigned", "zh")
    assert "colleague" in notice("reassigned", "en")
