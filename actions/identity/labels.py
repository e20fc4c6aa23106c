"""How profile fields and values read to the customer, in zh and en (values masked)."""

from __future__ import annotations

from typing import Dict

from actions.complaint import fields as complaint_fields
from actions.identity.profile import masked
from actions.identity.records import CustomerView

FIELD_LABELS: Dict[str, Dict[str, str]] = {
    "address": {"zh": "地址", "en": "Address"},
    "phone": {"zh": "手机号码", "en": "Mobile number"},
    "email": {"zh": "电子邮箱", "en": "Email"},
    "preferred_language": {"zh": "服务语言", "en": "Language"},
    "contact_preference": {"zh": "联系方式", "en": "Contact preference"},
    "marketing_consent": {"zh": "接收营销信息", "en": "Marketing messages"},
    "none": {"zh": "不修改", "en": "No change"},
}
LANGUAGE_LABELS = {"zh": {"zh": "中文", "en": "Chinese"}, "en": {"zh": "英文", "en": "English"}}
CONSENT_LABELS = {"true": {"zh": "同意接收", "en": "Yes"}, "false": {"zh": "不接收", "en": "No"}}


def value_label(field: str, value: object, language: str) -> str:
    if field == "preferred_language":
        return LANGUAGE_LABELS.get(str(value), {}).get(language, str(value))
    if field == "contact_preference":
        return complaint_fields.label(complaint_fields.CONTACT, str(value), language)
    if field == "marketing_consent":
        return CONSENT_LABELS[str(value).lower()][language]
    return masked(field, value)


def profile_summary(customer: CustomerView, language: str) -> str:
    separator = "：" if language == "zh" else ": "
    lines = []
    for field in ("phone", "email", "address", "preferred_language", "contact_preference",
                  "marketing_consent"):
        value = getattr(customer, field)
        shown = value_label(field, value, language) if value is not None else "—"
        lines.append(f"{FIELD_LABELS[field][language]}{separator}{shown}")
    return "\n".join(lines)
