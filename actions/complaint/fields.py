"""The complaint form's fields and choices, with the labels customers see in zh and en."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

CATEGORY = "complaint_category"
DESCRIPTION = "complaint_description"
AMOUNT = "complaint_amount"
CURRENCY = "complaint_currency"
DATE = "complaint_date"
CARD_LAST_FOUR = "complaint_card_last_four"
OUTCOME = "complaint_outcome"
CONTACT = "complaint_contact"
# The number or address to reach the customer, when the chosen contact needs one.
CONTACT_PHONE = "complaint_contact_phone"
CONTACT_EMAIL = "complaint_contact_email"
CONFIRMED = "complaint_confirmed"
EDITING = "complaint_editing"

# Filled when the customer does not know or does not want to say.
NOT_GIVEN = "not_given"

# Every slot the form fills, in the order it asks; CURRENCY rides along with AMOUNT.
ALL_SLOTS = [CATEGORY, DESCRIPTION, AMOUNT, DATE, CARD_LAST_FOUR, OUTCOME, CONTACT,
             CONTACT_PHONE, CONTACT_EMAIL, CONFIRMED]
CLEARED_AFTER_FORM = [*ALL_SLOTS, CURRENCY, EDITING]

# Amount, date and card last four are asked only where they help to investigate.
DETAILS_BY_CATEGORY: Dict[str, List[str]] = {
    "card": [AMOUNT, DATE, CARD_LAST_FOUR],
    "transfer": [AMOUNT, DATE],
    "fees": [AMOUNT, DATE],
    "digital": [DATE],
    "service": [DATE],
    "loan": [AMOUNT],
    "other": [],
}

# The detail each way of contacting needs: a call or a text needs a phone number.
CONTACT_DETAIL: Dict[str, str] = {"phone": CONTACT_PHONE, "sms": CONTACT_PHONE,
                                  "email": CONTACT_EMAIL}

LABELS: Dict[str, Dict[str, Dict[str, str]]] = {
    CATEGORY: {
        "card": {"zh": "银行卡", "en": "Cards"},
        "transfer": {"zh": "转账汇款", "en": "Transfers and payments"},
        "fees": {"zh": "收费扣费", "en": "Fees and charges"},
        "digital": {"zh": "手机银行/网银", "en": "Mobile and online banking"},
        "service": {"zh": "服务态度", "en": "Staff and service"},
        "loan": {"zh": "贷款", "en": "Loans"},
        "other": {"zh": "其他", "en": "Something else"},
    },
    OUTCOME: {
        "refund": {"zh": "退款或赔偿", "en": "A refund or compensation"},
        "correction": {"zh": "更正错误", "en": "Put the mistake right"},
        "explanation": {"zh": "给出解释", "en": "An explanation"},
        "apology": {"zh": "道歉", "en": "An apology"},
    },
    CONTACT: {
        "this_channel": {"zh": "在这里回复我", "en": "Reply to me here"},
        "phone": {"zh": "电话联系我", "en": "Call me"},
        "sms": {"zh": "短信通知我", "en": "Text me"},
        "email": {"zh": "发邮件给我", "en": "Email me"},
    },
}

FIELD_NAMES: Dict[str, Dict[str, str]] = {
    CATEGORY: {"zh": "问题类别", "en": "Category"},
    DESCRIPTION: {"zh": "问题经过", "en": "What happened"},
    AMOUNT: {"zh": "涉及金额", "en": "Amount"},
    DATE: {"zh": "发生日期", "en": "Date"},
    CARD_LAST_FOUR: {"zh": "卡号后四位", "en": "Card ending"},
    OUTCOME: {"zh": "期望的处理结果", "en": "Outcome you would like"},
    CONTACT: {"zh": "联系方式", "en": "How we contact you"},
    CONTACT_PHONE: {"zh": "联系电话", "en": "Phone number"},
    CONTACT_EMAIL: {"zh": "电子邮箱", "en": "Email address"},
}

NOT_GIVEN_LABEL = {"zh": "未提供", "en": "not given"}


def required_slots(category: Optional[str], contact: Optional[str] = None) -> List[str]:
    """The slots to fill for a complaint of this category and way of contacting (a text
    needs a phone number), the confirmation last."""
    details = DETAILS_BY_CATEGORY.get(category or "", [])
    reach = [CONTACT_DETAIL[contact]] if contact in CONTACT_DETAIL else []
    return [CATEGORY, DESCRIPTION, *details, OUTCOME, CONTACT, *reach, CONFIRMED]


def slots_to_fill(slots: Mapping[str, Any]) -> List[str]:
    """`required_slots` for the answers given so far."""
    return required_slots(slots.get(CATEGORY), slots.get(CONTACT))


def label(slot: str, value: str, language: str) -> str:
    """What the customer sees for a stored value: a choice's label, or the value itself."""
    if value == NOT_GIVEN:
        return NOT_GIVEN_LABEL[language]
    return LABELS.get(slot, {}).get(value, {}).get(language, value)
