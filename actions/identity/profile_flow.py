"""One turn of the profile form: verify by one-time code, choose a field, give it, confirm."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from actions.complaint import answers
from actions.identity.profile import EDITABLE_FIELDS, valid_email
from actions.interruptions import (
    NO_REQUEST_INTENTS,
    interrupts_free_text,
    leaves_structured_question,
)
from bot.nlu.entity_rules import find_phone_numbers

PHONE, CODE = "verify_phone", "verify_code"
FIELD, VALUE, CONFIRMED = "profile_field", "profile_value", "profile_confirmed"
CUSTOMER_ID, CUSTOMER_NAME, CUSTOMER_SEGMENT = "customer_id", "customer_name", "customer_segment"
VERIFY_FAILED = "verify_failed"
NO_CHANGE = "none"
CLEARED_AFTER_FORM = [PHONE, CODE, FIELD, VALUE, CONFIRMED, VERIFY_FAILED]

_SIX_DIGITS = re.compile(r"(?<!\d)(\d{6})(?!\d)")
_RESEND = re.compile(r"重新发送|重发|没收到|再发|resend|send (?:it )?again|didn'?t (?:get|receive)",
                     re.IGNORECASE)
# English words count as whole words ("done" is not in "abandoned", "phone" not in
# "headphones"); Chinese words anywhere.
_FIELD_WORDS = (
    ("email", "邮箱|邮件|" + answers.latin_words(r"e-?mails?")),
    ("address", "地址|住址|" + answers.latin_words(r"address(?:es)?")),
    ("phone", "手机|电话|号码|" + answers.latin_words(r"(?:tele)?phones?|mobiles?|numbers?")),
    ("preferred_language", "语言|中文|英文|" + answers.latin_words(r"languages?")),
    ("contact_preference", "联系方式|联系|" + answers.latin_words(r"contacts?")),
    ("marketing_consent", "营销|推广|广告|优惠信息|"
     + answers.latin_words(r"marketing|promotions?|offers?")),
    (NO_CHANGE, "不用改|不修改|不用了|只是看看|看看就好|没有|"
     + answers.latin_words(r"no change|just looking|nothing|done")),
)
# Marketing consent in the customer's own words (consent_in_words). English words are whole
# words: "let me look into it" and "I will book a visit" hold no "ok". A no is read before a
# yes, so that a yes-word said with a no is a no: "不可以", "不同意", "不太需要", "不是很愿意",
# "没兴趣", "not interested". A "not sure" or a "let me think" is neither: the question is
# asked again. Sayings with a no in them that mean yes ("没问题", "no problem", "why not")
# and doubts with a no in them ("不确定", "not sure") are taken out before the no is looked for.
_CONSENT_YES_SAYINGS = re.compile(
    "没问题|不介意|"
    + answers.latin_words(r"no problem|not a problem|why not|(?:don'?t|do not) mind"),
    re.IGNORECASE)
_CONSENT_DOUBTS = re.compile(
    r"不确定|不一定|说不好|说不准|不知道|不清楚|考虑|想想|想一想|再说|看情况|看看|"
    + answers.latin_words(r"not sure|unsure|(?:don'?t|do not) know|maybe|perhaps|later"
                          r"|(?:let me )?think(?: about it)?|it depends|depends"),
    re.IGNORECASE)
_CONSENT_NO = re.compile(
    # 不 / 没 / 别 / 无 before a yes-word: "不要", "不太需要", "没有兴趣", "别再发了", "无需",
    # "无法接受".
    r"(?:不|没|沒|别|別|无|無|未|甭|难以)(?:太|是很|是太|怎么|大|很|再|有|用再|法|能|可)?"
    r"(?:要|需|用|愿意|同意|可以|行|想|必|接收|接受|订阅|感兴趣|兴趣|发|推|打扰)"
    r"|不好(?!意思)|不了|拒绝|谢绝|退订|免打扰|勿扰|^\s*(?:不|否|别|没|没有)[\s。！!.,，~～]*$|"
    + answers.latin_words(r"no|nope|nah|not|never|don'?t|do not|doesn'?t|does not|won'?t"
                          r"|will not|wouldn'?t|can'?t|cannot|rather not|opt[- ]?out|unsubscribe"
                          r"|stop|refuse|decline"),
    re.IGNORECASE)
_CONSENT_YES = re.compile(
    r"愿意|需要|可以|同意|接受|接收|订阅|感兴趣|当然|好的|好啊|好呀|好吧|好滴|行的|行吧|要的|发吧|是的"
    r"|^\s*(?:要|好|行|是|嗯|恩|对)[\s。！!.,，~～]*$|"
    + answers.latin_words(r"yes|yeah|yep|yup|yea|sure|ok|okay|fine|alright|all right|agreed?"
                          r"|accept|of course|absolutely|definitely|certainly|please do|go ahead"
                          r"|opt[- ]?in|subscribe|sign me up|interested|sounds good"),
    re.IGNORECASE)
_LANGUAGE_WORDS = (("zh", r"中文|汉语|chinese|mandarin"), ("en", r"英文|英语|english"))
# Values typed in the customer's own words; any other value has a shape the form checks.
FREE_TEXT_FIELDS = frozenset({"address"})
# A profile request inside this form is about this form, not a reason to leave it.
ANSWERED_HERE = frozenset({"profile_update"})


def required_slots(slots: Mapping[str, Any]) -> List[str]:
    verify = [] if slots.get(CUSTOMER_ID) else [PHONE, CODE]
    chosen = slots.get(FIELD)
    change = [] if chosen == NO_CHANGE else [VALUE, CONFIRMED]
    return [*verify, FIELD, *change]


def next_slot(slots: Mapping[str, Any]) -> Optional[str]:
    if slots.get(VERIFY_FAILED):
        return None
    return next((s for s in required_slots(slots) if slots.get(s) is None), None)


@dataclass
class ProfileStep:
    updates: Dict[str, Any] = field(default_factory=dict)
    problem: Optional[str] = None
    digression: bool = False
    # Side effects the action carries out: send a code to this phone, check this code.
    send_code_to: Optional[str] = None
    check_code: Optional[str] = None


def read_phone(text: str) -> Optional[str]:
    return next((span.value for span in find_phone_numbers(text)), None)


# Named in the first message, these are clear enough to skip the menu; "contact details" is not.
OPENING_FIELDS = ("email", "address", "phone", "preferred_language")


def read_field(text: str, choice: Optional[str]) -> Optional[str]:
    if choice in (*EDITABLE_FIELDS, NO_CHANGE):
        return choice
    return next((name for name, pattern in _FIELD_WORDS
                 if re.search(pattern, text, re.IGNORECASE)), None)


def read_value(profile_field: str, text: str, choice: Optional[str],
               intent: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(value, None) or (None, the response that re-asks)."""
    if text.startswith("/") and profile_field in ("address", "phone", "email"):
        return None, f"utter_profile_{profile_field}_unclear"  # a button, not the value
    if profile_field == "address":
        ok = answers.has_words(text) and len(text.strip()) >= 5
        return (text.strip()[:512], None) if ok else (None, "utter_profile_address_unclear")
    if profile_field == "phone":
        phone = read_phone(text)
        return (phone, None) if phone else (None, "utter_profile_phone_unclear")
    if profile_field == "email":
        email = valid_email(text)
        return (email, None) if email else (None, "utter_profile_email_unclear")
    if profile_field == "preferred_language":
        language = choice if choice in ("zh", "en") else next(
            (code for code, pattern in _LANGUAGE_WORDS if re.search(pattern, text, re.I)), None)
        return (language, None) if language else (None, "utter_profile_choice_unclear")
    if profile_field == "contact_preference":
        contact = answers.read_contact(text)
        value = choice if choice in ("this_channel", "phone", "sms", "email") else \
            (contact.value if contact else None)
        return (value, None) if value else (None, "utter_profile_choice_unclear")
    if profile_field == "marketing_consent":
        if choice in ("true", "false"):
            return choice, None
        consent = consent_in_words(text)
        if consent is None and not _CONSENT_DOUBTS.search(text):
            # No consent word: the NLU's affirm or deny, never for a number.
            consent = {"yes": "true", "no": "false"}.get(answers.yes_or_no(text, intent) or "")
        return (consent, None) if consent else (None, "utter_profile_choice_unclear")
    raise ValueError(profile_field)


def consent_in_words(text: str) -> Optional[str]:
    """"true" or "false" for a yes or a no to marketing messages in words, zh or en; None
    when the words say neither or are unsure ("我再想想", "not sure")."""
    saying = _CONSENT_YES_SAYINGS.search(text)
    rest = _CONSENT_DOUBTS.sub(" ", _CONSENT_YES_SAYINGS.sub(" ", text))
    if _CONSENT_NO.search(rest):
        return "false"
    if _CONSENT_DOUBTS.search(text):
        return None
    return "true" if saying or _CONSENT_YES.search(rest) else None


def _answers_consent(requested: str, slots: Mapping[str, Any], text: str) -> bool:
    """A yes or no in words at the marketing question: the answer, whatever the intent
    ("opt out" and "unsubscribe" are cancel for the NLU, "同意" too)."""
    return requested == VALUE and slots.get(FIELD) == "marketing_consent" \
        and consent_in_words(text) is not None


def _leaves(requested: str, slots: Mapping[str, Any], text: str, intent: Optional[str],
            confidence: float, choice: Optional[str]) -> bool:
    if choice is not None:
        return False  # a button is an answer
    if requested == VALUE and slots.get(FIELD) in FREE_TEXT_FIELDS:
        return interrupts_free_text(text, intent, confidence, ANSWERED_HERE)
    return leaves_structured_question(intent, confidence, ANSWERED_HERE)


def profile_step(requested: Optional[str], slots: Mapping[str, Any], text: str,
                 intent: Optional[str], confidence: float, choice: Optional[str]) -> ProfileStep:
    if requested is None:
        return ProfileStep()
    # A number answers the question or is asked again, whatever the NLU made of it ("48291" at
    # the code is check_balance 0.69, "83" goodbye 0.93).
    intent = answers.intent_at_a_question(text, intent)
    asks_else = (intent is not None and confidence >= 0.6
                 and intent not in NO_REQUEST_INTENTS | {"deny", "profile_update"})
    if intent == "cancel" and confidence >= 0.6 and not _answers_consent(requested, slots, text):
        return ProfileStep(digression=True)
    if _leaves(requested, slots, text, intent, confidence, choice):
        return ProfileStep(digression=True)  # a person, a stolen card, a complaint: the rules
    if requested == PHONE:
        phone = read_phone(text)
        if phone:
            return ProfileStep({PHONE: phone}, send_code_to=phone)
        if asks_else:
            return ProfileStep(digression=True)
        return ProfileStep({PHONE: None}, problem="utter_verify_phone_unclear")
    if requested == CODE:
        if _RESEND.search(text):
            return ProfileStep({PHONE: None, CODE: None})  # asks the phone again, then resends
        code = _SIX_DIGITS.search(text)
        if code:
            return ProfileStep(check_code=code.group(1))
        if asks_else:
            return ProfileStep(digression=True)
        return ProfileStep({CODE: None}, problem="utter_verify_code_unclear")
    if requested == FIELD:
        chosen = read_field(text, choice)
        if chosen:
            return ProfileStep({FIELD: chosen})
        if asks_else:
            return ProfileStep(digression=True)
        return ProfileStep({FIELD: None}, problem="utter_profile_field_unclear")
    if requested == VALUE:
        value, problem = read_value(slots[FIELD], text, choice, intent)
        if value is None and asks_else and answers.is_question(text):
            return ProfileStep(digression=True)
        return ProfileStep({VALUE: value}, problem=problem)
    if requested == CONFIRMED:
        if answers.is_confirmation(text, intent):
            return ProfileStep({CONFIRMED: "yes"})
        if answers.yes_or_no(text, intent) == "no" or answers.is_refusal(text):
            return ProfileStep({CONFIRMED: "no"})
        if asks_else:
            return ProfileStep(digression=True)
        return ProfileStep({CONFIRMED: None}, problem="utter_profile_confirm_unclear")
    raise ValueError(f"the profile form does not ask for {requested}")
