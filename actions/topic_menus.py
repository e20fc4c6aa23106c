"""A topic without a request ("我的卡有问题", "my transfer", "帮帮我"): the requests of that
topic as buttons, so the customer picks one instead of being answered about the wrong one.

The NLU reads such a message as `vague_request`; before it had one, "我的卡有问题" was
ticket_status (0.86) and "钱" an ATM problem (0.97). The topic is read from the words here,
the first topic whose words the message holds, most specific first ("信用卡" is a credit
card, not any card). Designers add a topic with its words, its requests (titled in
actions/intent_choices.py) and a `utter_topic_<name>` response in bot/domain/topics.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from actions.intent_choices import INTENT_TITLES
from bot.policies.escalation import FALLBACK_INTENTS, NEITHER_CHOICE, VAGUE_INTENT


@dataclass(frozen=True)
class Topic:
    name: str
    words: re.Pattern[str]
    requests: Tuple[str, ...]  # offered in this order; each titled in INTENT_TITLES


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


TOPICS: Tuple[Topic, ...] = (
    Topic("credit_card", _words(r"信用卡|信用咔|credit\s*cards?|\bcc\b"),
          ("credit_card_bill", "credit_card_repayment", "credit_card_installment", "card_limit",
           "card_apply")),
    Topic("repayment", _words(r"还款|还钱|还贷|\brepay(?:ment)?s?\b|\bpay\s+back\b"),
          ("credit_card_repayment", "loan_repayment", "credit_card_installment")),
    Topic("card", _words(r"[卡咔]|\b(?:debit\s*)?cards?\b"),
          ("card_lost", "card_frozen", "card_activate", "card_declined", "card_replace",
           "card_delivery", "card_swallowed")),
    Topic("transfer", _words(r"转账|转帐|汇款|转钱|打款|\btransfers?\b|\bwire\b|\bremittance\b"),
          ("transfer_failed", "transfer_not_received", "transfer_limit", "transfer_howto",
           "transfer_international")),
    Topic("loan", _words(r"贷款|房贷|车贷|借款|\bloans?\b|\bmortgages?\b"),
          ("loan_personal", "loan_mortgage", "loan_repayment")),
    Topic("account", _words(r"账户|帐户|账号|帐号|\baccounts?\b"),
          ("check_balance", "account_statement", "card_frozen", "profile_update",
           "account_open", "account_close")),
    Topic("money",
          _words(r"钱|余额|扣款|扣费|\bmoney\b|\bcash\b|\bbalance\b|\bcharges?\b|\bfunds\b"),
          ("check_balance", "unknown_charge", "transfer_not_received", "atm_cash_issue",
           "fraud_report")),
)
# No topic named ("帮帮我", "I have a question"): what customers ask most.
GENERAL = Topic("general", _words(r"(?!)"),
                ("card_lost", "check_balance", "transfer_not_received", "unknown_charge",
                 "complaint", "human_handoff"))
SOMETHING_ELSE_TITLE: Dict[str, str] = {"zh": "其他问题", "en": "Something else"}


def topic_of(text: str) -> Topic:
    """The first topic whose words `text` holds; the general one when none."""
    return next((topic for topic in TOPICS if topic.words.search(text)), GENERAL)


def leans_vague(ranking: Sequence[Mapping[str, Any]]) -> bool:
    """Below the fallback threshold, the NLU's best guess is still "a topic without a request"
    ("我的钱不见了": vague 0.53, card_lost 0.32): the topic's menu helps more than "rephrase"."""
    guesses = [r.get("name") for r in ranking if r.get("name") not in FALLBACK_INTENTS]
    return bool(guesses) and guesses[0] == VAGUE_INTENT


def response_of(topic: Topic) -> str:
    return f"utter_topic_{topic.name}"


def menu_buttons(topic: Topic, language: str) -> List[Dict[str, str]]:
    """One button per request of the topic, titled in `language`; a topic's menu ends with
    "something else", which asks the customer to describe it (the general one invites that
    in its own words)."""
    buttons = [{"title": INTENT_TITLES[name][language], "payload": f"/{name}"}
               for name in topic.requests]
    if topic is not GENERAL:
        buttons.append({"title": SOMETHING_ELSE_TITLE[language], "payload": NEITHER_CHOICE})
    return buttons


def every_topic() -> Sequence[Topic]:
    return (*TOPICS, GENERAL)
