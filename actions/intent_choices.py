"""When the NLU is unsure, the two requests it hesitates between, offered as buttons.

Rasa's FallbackClassifier sets `nlu_fallback` when the top intent's confidence is below its
threshold, but the ranking is still there: "还款晚了两天会怎样" is credit card or loan
repayment, and a customer answers "which one?" faster than "please rephrase". The two are
offered when together they hold at least `OFFER_TOGETHER` of the confidence (chosen on held-out
data by `make tune-fallback`: bench/results/fallback.json).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence

from bot.policies.escalation import NEITHER_CHOICE

# Chosen by `make tune-fallback` (bench/results/fallback.json, "offer_together").
OFFER_TOGETHER = 0.6
OFFERED = 2

# Requests a customer can pick from a button; dialogue intents (affirm, greet, …) are never offered.
INTENT_TITLES: Dict[str, Dict[str, str]] = {
    "card_lost": {"zh": "挂失银行卡", "en": "Report a lost card"},
    "card_stolen": {"zh": "银行卡被盗", "en": "My card was stolen"},
    "card_frozen": {"zh": "卡片或账户被冻结", "en": "Card or account frozen"},
    "card_activate": {"zh": "激活银行卡", "en": "Activate a card"},
    "card_limit": {"zh": "银行卡额度", "en": "Card limits"},
    "card_apply": {"zh": "申请银行卡", "en": "Apply for a card"},
    "card_swallowed": {"zh": "银行卡被ATM吞卡", "en": "An ATM kept my card"},
    "card_replace": {"zh": "补办或换卡", "en": "Replace a card"},
    "card_delivery": {"zh": "新卡未收到", "en": "My card hasn't arrived"},
    "card_declined": {"zh": "刷卡或取现被拒", "en": "Card payment declined"},
    "credit_card_bill": {"zh": "信用卡账单", "en": "Credit card bill"},
    "credit_card_repayment": {"zh": "信用卡还款", "en": "Credit card repayment"},
    "credit_card_installment": {"zh": "信用卡分期", "en": "Credit card instalments"},
    "transfer_howto": {"zh": "如何转账", "en": "How to make a transfer"},
    "transfer_failed": {"zh": "转账失败", "en": "A transfer failed"},
    "transfer_not_received": {"zh": "转账未到账", "en": "A transfer has not arrived"},
    "transfer_limit": {"zh": "转账限额", "en": "Transfer limits"},
    "transfer_international": {"zh": "境外汇款", "en": "Sending money abroad"},
    "check_balance": {"zh": "查询余额", "en": "Check my balance"},
    "account_statement": {"zh": "交易明细与流水", "en": "Statements and transactions"},
    "account_open": {"zh": "开立账户", "en": "Open an account"},
    "account_close": {"zh": "销户", "en": "Close an account"},
    "fee_inquiry": {"zh": "收费标准", "en": "Fees"},
    "unknown_charge": {"zh": "不明扣款", "en": "A charge I don't recognise"},
    "currency_exchange": {"zh": "外币兑换", "en": "Currency exchange"},
    "atm_cash_issue": {"zh": "ATM存取款问题", "en": "ATM cash problem"},
    "loan_mortgage": {"zh": "房贷", "en": "Mortgages"},
    "loan_personal": {"zh": "个人贷款", "en": "Personal loans"},
    "loan_repayment": {"zh": "贷款还款", "en": "Loan repayment"},
    "deposit_rates": {"zh": "存款利率", "en": "Deposit rates"},
    "deposit_fixed_term": {"zh": "定期存款", "en": "Fixed-term deposits"},
    "wealth_products": {"zh": "理财产品", "en": "Wealth products"},
    "branch_hours": {"zh": "网点营业时间", "en": "Branch opening hours"},
    "branch_location": {"zh": "网点地址", "en": "Find a branch"},
    "mobile_banking_login": {"zh": "手机银行登录", "en": "Mobile banking login"},
    "password_reset": {"zh": "重置密码", "en": "Reset a password"},
    "fraud_report": {"zh": "报告诈骗", "en": "Report a fraud"},
    "suspicious_message": {"zh": "可疑短信或电话", "en": "A suspicious message or call"},
    "security_tips": {"zh": "用卡安全提示", "en": "Security tips"},
    "complaint": {"zh": "我要投诉", "en": "Make a complaint"},
    "ticket_status": {"zh": "查询工单进度", "en": "Check a ticket"},
    "profile_update": {"zh": "修改个人信息", "en": "Update my details"},
    "request_relationship_manager": {"zh": "联系客户经理", "en": "My relationship manager"},
    "human_handoff": {"zh": "转人工客服", "en": "Talk to a person"},
}
NEITHER_TITLE = {"zh": "都不是", "en": "Neither"}
# The domain's other intents, never offered: answers inside a dialogue, chit-chat, Rasa's own,
# vague_request (it has its menus: actions/topic_menus.py) and queue_status (only asked while
# waiting for a person). A new intent goes in one or the other.
NEVER_OFFERED = frozenset({
    "affirm", "deny", "cancel", "inform", "greet", "goodbye", "thank", "bot_challenge",
    "out_of_scope", "vague_request", "queue_status", "nlu_fallback", "back", "restart",
    "session_start",
    "EXTERNAL_handoff_resolved", "EXTERNAL_ticket_resolved",
})


def offered_intents(ranking: Sequence[Mapping[str, Any]],
                    together: float = OFFER_TOGETHER) -> List[str]:
    """The top two requests of `ranking` (fallback and dialogue intents left out) when their
    confidences add up to at least `together`; else none."""
    requests = [r for r in ranking if r.get("name") in INTENT_TITLES][:OFFERED]
    if len(requests) < OFFERED:
        return []
    if sum(float(r.get("confidence") or 0.0) for r in requests) < together:
        return []
    return [str(r["name"]) for r in requests]


def choice_buttons(intents: Sequence[str], language: str) -> List[Dict[str, str]]:
    """One button per intent (its title in `language`) and a last one for neither."""
    return [{"title": INTENT_TITLES[name][language], "payload": f"/{name}"} for name in intents] \
        + [{"title": NEITHER_TITLE[language], "payload": NEITHER_CHOICE}]
