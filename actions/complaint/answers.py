"""Reading the customer's answer to each complaint question: plain functions, zh and en.

The other forms read text with them too, and every yes-or-no question reads affirm and deny
through `yes_or_no` (the end of this module): a number is never a yes.

Each reader returns an Answer: a value to store, or the response that re-asks with the
reason (a negative amount, a date that does not exist, a full card number), or None
when the message does not answer the question at all (perhaps it asks something else).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from actions.complaint import fields
from actions.identity.profile import valid_email
from actions.interruptions import asks_for_something
from bot.nlu.entity_rules import (
    CURRENCY_CODES,
    find_amounts,
    find_card_last_four,
    find_dates,
    find_entities,
    find_landline_numbers,
    find_phone_numbers,
    impossible_dates,
)
from bot.pii import mask_account_numbers


@dataclass(frozen=True)
class Answer:
    value: Optional[str] = None
    problem: Optional[str] = None  # the response that explains what to fix
    extra: Optional[Dict[str, str]] = None  # slots filled alongside (the amount's currency)


_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z]{2,}")
MAX_DESCRIPTION = 2000
MAX_OUTCOME = 256
LARGEST_AMOUNT = 10**10

_NOT_GIVEN = re.compile(
    r"不知道|不清楚|不记得|记不清|忘了|没有|不涉及|无关|跳过|不方便|不想说|^\s*无\s*$"
    r"|don'?t know|do not know|not sure|no idea|can'?t remember|don'?t remember|forgot"
    r"|not applicable|n/?a\b|^\s*none\s*$|no amount|no card|skip|rather not",
    re.IGNORECASE,
)


def _keywords(table: Sequence[Tuple[str, str]], text: str) -> Optional[str]:
    for value, pattern in table:
        if re.search(pattern, text, re.IGNORECASE):
            return value
    return None


def label_match(slot: str, text: str) -> Optional[str]:
    """A button's payload is its label; match it exactly, in either language."""
    wanted = text.strip().casefold()
    for value, labels in fields.LABELS.get(slot, {}).items():
        if wanted in (labels["zh"].casefold(), labels["en"].casefold(), value):
            return value
    return None


def has_words(text: str) -> bool:
    """Some Chinese characters or Latin words, not only emoji, digits or punctuation."""
    return bool(_HAN.search(text) or _WORD.search(text))


def is_not_given(text: str) -> bool:
    return bool(_NOT_GIVEN.search(text))


# Checked in this order: the more specific topic wins ("信用卡年费" is about fees).
_CATEGORY_KEYWORDS: Sequence[Tuple[str, str]] = (
    ("fees", r"收费|扣费|扣钱|手续费|年费|管理费|乱扣|多扣|\bfees?\b|charg|deducted"),
    ("transfer", r"转账|汇款|到账|转错|转不|跨行|\btransfer|remit|wire|payment|\bpaid\b"),
    ("loan", r"贷款|房贷|车贷|借款|\bloan|mortgage"),
    ("card", r"银行卡|信用卡|借记卡|储蓄卡|卡片|吞卡|盗刷|刷卡|我的卡|卡被|\bcards?\b|\batm\b"),
    ("digital", r"app|手机银行|网银|网上银行|登录|登不上|闪退|online|mobile|log ?in|website"),
    ("service", r"态度|工作人员|柜员|员工|客户经理|大堂|排队|网点|服务|staff|rude|teller|queue"
                r"|waiting|branch|service|employee|manager"),
    ("other", r"其他|其它|别的|\bother\b|something else"),
)


def read_category(text: str) -> Answer | None:
    value = label_match(fields.CATEGORY, text) or _keywords(_CATEGORY_KEYWORDS, text)
    return Answer(value) if value else None


def read_description(text: str) -> Answer:
    stripped = text.strip()
    if len(_HAN.findall(stripped)) < 4 and len(_WORD.findall(stripped)) < 3:
        return Answer(problem="utter_complaint_description_unclear")
    return Answer(stored_description(stripped))


def stored_description(text: str) -> str:
    """What happened, as the ticket keeps it: a full card or ID number written in it is cut
    to its last four digits (a bank stores no full card number in free text)."""
    return mask_account_numbers(text.strip())[:MAX_DESCRIPTION]


_NEGATIVE = re.compile(
    r"(?:^|[^\w.])[-−–]\s*[¥￥$€£]?\s*\d|负\s*[\d一二两三四五六七八九十]|minus\s+\d", re.IGNORECASE
)
_BARE_NUMBER = re.compile(r"^\s*[¥￥$€£]?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?\s*$")


def read_amount(text: str) -> Answer | None:
    if _NEGATIVE.search(text):
        return Answer(problem="utter_complaint_amount_not_positive")
    if re.search(r"\d{13,}", text.replace(" ", "")):
        return Answer(problem="utter_complaint_amount_unclear")  # a card or ID number
    spans = list(find_amounts(text))
    amounts = [span.value for span in spans if span.entity == "amount"]
    currencies = [span.value for span in spans if span.entity == "currency"]
    if not amounts:
        bare = _BARE_NUMBER.match(text)
        if not bare:
            return Answer(fields.NOT_GIVEN) if is_not_given(text) else None
        amounts = [bare.group(1).replace(",", "") + (bare.group(2) or "")]
    amount = float(amounts[0])
    if amount <= 0:
        return Answer(problem="utter_complaint_amount_not_positive")
    if amount >= LARGEST_AMOUNT:
        return Answer(problem="utter_complaint_amount_unclear")
    return Answer(amounts[0], extra={fields.CURRENCY: currencies[0] if currencies else "CNY"})


def read_date(text: str, today: dt.date) -> Answer | None:
    if any(True for _ in impossible_dates(text, today)):
        return Answer(problem="utter_complaint_date_impossible")
    dates = [span.value for span in find_dates(text, today)]
    if not dates:
        return Answer(fields.NOT_GIVEN) if is_not_given(text) else None
    if dt.date.fromisoformat(dates[0]) > today:
        return Answer(problem="utter_complaint_date_future")
    return Answer(dates[0])


_DIGIT_RUNS = re.compile(r"\d(?:[\d \-]*\d)?")


def read_card_last_four(text: str) -> Answer | None:
    runs = [re.sub(r"[ \-]", "", run) for run in _DIGIT_RUNS.findall(text)]
    if any(len(run) > 4 for run in runs):
        # Never keep a full card or ID number; ask for the last four digits only.
        return Answer(problem="utter_complaint_card_full_number")
    marked = [span.value for span in find_card_last_four(text)]
    if marked:
        return Answer(marked[0])
    four = [run for run in runs if len(run) == 4]
    if len(four) == 1:
        return Answer(four[0])
    if runs:
        return Answer(problem="utter_complaint_card_last_four_unclear")
    return Answer(fields.NOT_GIVEN) if is_not_given(text) else None


_OUTCOME_KEYWORDS: Sequence[Tuple[str, str]] = (
    ("refund", r"退款|退钱|退还|退回|赔偿|补偿|返还|refund|money back|compensat|reimburs"
               r"|pay (?:me )?back"),
    ("correction", r"更正|纠正|改正|修正|恢复|解决|处理好|\bfix|correct|put (?:it )?right|sort"),
    ("explanation", r"解释|说明|原因|说法|explain|explanation|\bwhy\b|reason"),
    ("apology", r"道歉|赔礼|致歉|apolog|say sorry"),
)


# Longer than this, an outcome is the customer's own words even when it names one of ours:
# "Return my card and refund the 200 yuan fee" is more than "a refund".
_CHOICE_HAN, _CHOICE_WORDS = 8, 5
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def named_outcome(text: str) -> Optional[str]:
    """One of the outcomes offered, said as a choice ("I want an apology", "退款"); None for
    words of the customer's own, which are kept as they are."""
    numbers = len(_NUMBER.findall(text))  # an amount makes it the customer's own request
    if len(_HAN.findall(text)) + numbers > _CHOICE_HAN \
            or len(_WORD.findall(text)) + numbers > _CHOICE_WORDS:
        return label_match(fields.OUTCOME, text)
    return label_match(fields.OUTCOME, text) or _keywords(_OUTCOME_KEYWORDS, text)


def read_outcome(text: str) -> Answer | None:
    value = named_outcome(text)
    if value:
        return Answer(value)
    if not has_words(text):
        return Answer(problem="utter_complaint_outcome_unclear")
    # Something else the customer wants, in their own words.
    return Answer(text.strip()[:MAX_OUTCOME])


_CONTACT_KEYWORDS: Sequence[Tuple[str, str]] = (
    ("sms", r"短信|\bsms\b|\btext\b"),
    ("email", r"邮件|邮箱|e-?mail|\bmail\b"),
    ("phone", r"电话|致电|打给我|来电|\bcall\b|phone|\bring\b"),
    ("this_channel", r"这里|在线|本渠道|微信|网页|聊天|\bhere\b|this chat|online|chat|wechat"),
)


def read_contact(text: str) -> Answer | None:
    value = label_match(fields.CONTACT, text) or _keywords(_CONTACT_KEYWORDS, text)
    return Answer(value) if value else None


def named_contacts(text: str) -> List[str]:
    """Every way of contacting the words name ("别打电话了，在这里回复我" names two)."""
    labelled = label_match(fields.CONTACT, text)
    named = [value for value, pattern in _CONTACT_KEYWORDS
             if re.search(pattern, text, re.IGNORECASE)]
    return [labelled, *named] if labelled else named


# A mainland mobile: "13800138001", "+86 138 0013 8001", "138-0013-8001"; for a call (not a
# text) also a landline with its area code: "021-62345678", "（0755）8765 4321转123".
def read_contact_phone(text: str, landline_ok: bool = False) -> Answer | None:
    phones = [span.value for span in find_phone_numbers(text)]
    if phones:
        return Answer(phones[0])
    landlines = [span.value for span in find_landline_numbers(text)]
    if landlines:
        return Answer(landlines[0]) if landline_ok \
            else Answer(problem="utter_complaint_contact_landline_no_sms")
    if _DIGIT.search(text):
        return Answer(problem="utter_complaint_contact_phone_unclear")  # a number, not a mobile
    return None


_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?![A-Za-z0-9.-])")
_EMAIL_ATTEMPT = re.compile(r"@|＠|\.(?:com|cn|net|org)\b", re.IGNORECASE)


def read_contact_email(text: str) -> Answer | None:
    found = _EMAIL_IN_TEXT.search(text)
    email = valid_email(found.group(0).rstrip(".")) if found else None
    if email:
        return Answer(email)
    if _EMAIL_ATTEMPT.search(text):
        return Answer(problem="utter_complaint_contact_email_unclear")  # "name@", "name@qq"
    return None


_FIELD_KEYWORDS: Sequence[Tuple[str, str]] = (
    (fields.CARD_LAST_FOUR, r"卡号|尾号|后四位|\bcard\b"),
    (fields.AMOUNT, r"金额|钱数|多少钱|\bamount|\bsum\b|how much"),
    (fields.DATE, r"日期|时间|哪天|哪一天|\bdate\b|\bday\b|\bwhen\b"),
    (fields.CATEGORY, r"类别|类型|分类|\bcategory|\btype\b|\btopic"),
    (fields.OUTCOME, r"处理结果|诉求|期望|结果|要求|outcome|resolution|\bwant"),
    # Before the way of contacting: "联系电话不对" is about the number.
    (fields.CONTACT_PHONE, r"联系电话|电话号码?|手机号?|号码|phone number|mobile|\bnumber\b"),
    (fields.CONTACT_EMAIL, r"邮箱|邮件地址|e-?mail address|\bemail\b"),
    (fields.CONTACT, r"联系|回复方式|通知方式|contact|reach me|\bcall\b"),
    (fields.DESCRIPTION, r"经过|描述|情况|内容|description|what happened|details|story|wording"),
)


def read_field_name(text: str, present: Iterable[str]) -> Optional[str]:
    """Which of the present fields the customer wants to change."""
    candidates: List[str] = list(present)
    wanted = text.strip().casefold()
    for slot in candidates:
        names = fields.FIELD_NAMES.get(slot, {})
        if wanted in (names.get("zh", "").casefold(), names.get("en", "").casefold()):
            return slot
    # The first field named that is on the read-back: "联系电话" is the way of contacting
    # when no number was asked.
    return next((slot for slot, pattern in _FIELD_KEYWORDS
                 if slot in candidates and re.search(pattern, text, re.IGNORECASE)), None)


def latin_words(pattern: str) -> str:
    """`pattern` as whole Latin words, in a regular expression: "ok" but not the "ok" in "look"
    or "book", and "ok的" too (`\\b` sees no word boundary before a Chinese character)."""
    return rf"(?<![A-Za-z])(?:{pattern})(?![A-Za-z])"


_CONFIRM_WORDS = re.compile(r"^\s*(确认|提交|确认提交|没问题|对的?|是的?|好的?|可以|ok|okay|yes|yep"
                            r"|confirm|submit|correct|that'?s right|looks good)[\s。！!.]*$",
                            re.IGNORECASE)
_CHANGE_WORDS = re.compile(r"修改|更改|改一下|改成|不对|有误|错了|change|edit|correction"
                           r"|wrong|not right|mistake", re.IGNORECASE)


def is_confirmation(text: str, intent: Optional[str]) -> bool:
    return yes_or_no(text, intent) == "yes" or bool(_CONFIRM_WORDS.match(text))


_REFUSAL_ALONE = re.compile(r"^\s*(不|不行|没有|否|no|nope|not really|not at all|none)"
                            r"[\s。！!.,，]*$", re.IGNORECASE)
# An acceptance word said with a no is a refusal: "不满意", "不太满意", "不是很满意", "无法接受",
# "没法接受", "难以接受", "不能接受", "dissatisfied", "I can't accept this", "not really happy".
# "不得不接受" (I have to accept) is two noes that make an acceptance.
_REFUSAL = re.compile(
    r"(?<!不得)(?:不|没|沒|无|無|未|难以)(?:太|是很|是太|怎么|大|很|能|可|可以|法|够)?(?:接受|满意|同意)|"
    + latin_words(r"unacceptable|dissatisfied|unsatisf(?:ied|actory)|not acceptable"
                  r"|(?:not|never|cannot|can'?t|don'?t|won'?t|isn'?t)(?:\s+[A-Za-z]+)?"
                  r"\s+(?:accept(?:s|ed|able)?|agree(?:d)?|satisf(?:ied|actory)|happy|fine|ok|okay)"),
    re.IGNORECASE)
# Whole English words: "fine" is not in "fined", "accept" not in "unacceptable".
_ACCEPTANCE = re.compile(
    r"接受|满意|同意|可以接受|" + latin_words(r"accept(?:s|ed|able)?|satisf(?:ied|actory)"
                                       r"|happy with|fine|that works"),
    re.IGNORECASE)


def is_refusal(text: str) -> bool:
    """A no ("不", "no"), or a refusal anywhere in the message ("我还是不满意", "无法接受")."""
    return bool(_REFUSAL_ALONE.search(text) or _REFUSAL.search(text))


def is_only_a_refusal(text: str) -> bool:
    """The whole message is a no or a refusal ("不", "不满意", "not acceptable"): nothing else
    is said."""
    stripped = text.strip(" \t\n。！!.,，~～")
    return bool(_REFUSAL_ALONE.search(text) or _REFUSAL.fullmatch(stripped))


def is_acceptance(text: str) -> bool:
    """Acceptance words, unless they are said with a no (read `is_refusal` first)."""
    return bool(_ACCEPTANCE.search(text)) and not is_refusal(text)


def is_change_request(text: str, intent: Optional[str]) -> bool:
    return yes_or_no(text, intent) == "no" or bool(_CHANGE_WORDS.search(text))


_QUESTION = re.compile(
    r"[?？]\s*$|(吗|呢|么)[\s。！!~]*$|怎么|如何|几点|哪里|哪儿|什么时候|能不能|可不可以|是否"
    r"|^\s*(what|how|when|where|why|can|could|do|does|is|are|will|which|who|should)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


# --- yes or no ------------------------------------------------------------------------------
# The NLU reads some messages that are only a number as a yes or a no: with models/kefu.tar.gz
# "￥300" is affirm (0.70) and "1" affirm (0.68). A bank never takes a number as consent, so
# every yes-or-no question (the complaint's read-back, the ticket's outcome, the profile's
# confirmation and marketing consent, the CSAT's "no thanks") reads affirm and deny through
# `yes_or_no`, and asks again when the message `is_just_a_number`.

# Words that say yes or no. With a number, the intent counts only next to one of them
# ("是的，300元没错", "不对，是500", "yes, 300"): a word missing here costs a re-ask, never a
# consent. 是, 对, 好 and 行 only on their own: "金额是300", "转给对方300元", "银行".
_ALONE = r"(?=$|[\s,，.。!！~])"
_AFTER_START = r"(?:^|(?<=[\s,，.。!！~]))"
_YES_NO_WORDS = re.compile(
    r"是的|是啊|是呀|是滴|是这|就是这|没错|没问题|不错|可以|确认|确定|提交|同意|接受|满意|正确|嗯|恩"
    rf"|{_AFTER_START}(?:是|对|好|行){_ALONE}|对的|对啊|对呀|好的|好啊|好吧|行的|行吧"
    r"|不|没有|没了|否|别|错|有误|修改|更改|改成|改为|算了"
    # Whole Latin words, so that "ok的" and "yes啊" count.
    "|" + latin_words(
        r"yes|yeah|yep|yup|ya|y|sure|ok|okay|correct|right|exactly|confirm(?:ed)?"
        r"|submit|agreed?|accept(?:ed|able)?|fine|absolutely|affirmative|of course|go ahead"
        r"|sounds good|looks good|that'?s it|uh[- ]?huh|no(?!\.\s*\d)|nope|nah|n|not|never|neither"
        r"|don'?t|isn'?t|wrong|incorrect|change"),
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")  # any script's digits: "３００" too
_PUNCTUATION = re.compile(r"[\s\W_]+")  # with currency symbols, dashes, slashes, "#", "*"
_HANZI_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿点]+")
# What may stand around a number that is all the message says: a label ("金额", "尾号",
# "amount", "card ending in") or a filler ("一共", "左右", "about").
_NUMBER_LABELS = re.compile(
    r"(?:转账|汇款|付款|支付|扣款|扣费|消费|交易|退款|被扣)?(?:金额|数额|钱数)|卡号|尾号|后四位|末四位"
    r"|日期|时间|手机号码?|电话号码?|号码|工单号?|单号|编号|一共|总共|共计|合计|共|大概|大约|约|左右"
    r"|差不多|整|多|元|块|号|日|月|年|分|星|为|是|的|了|吧|啊"
    r"|\b(?:the|a|an|it|it'?s|its|is|was|of|about|around|approx(?:imately)?|roughly|only|just"
    r"|amount|sum|total|card|ending|ends?|in|with|last|four|digits?|date|on|phone|number|ticket"
    r"|points?|stars?|my)\b|\bno\.",  # "card no. 6222"
    re.IGNORECASE,
)
_CURRENCY_WORDS = re.compile(
    "|".join(re.escape(w) for w in sorted(CURRENCY_CODES, key=len, reverse=True) if w.isalpha()),
    re.IGNORECASE,
)
_ANY_DAY = dt.date(2000, 1, 1)  # only whether a date is named matters here, not which


def has_yes_no_word(text: str) -> bool:
    return bool(_YES_NO_WORDS.search(text))


def carries_number(text: str) -> bool:
    """Digits, or an amount, date, phone, card or ticket number written in words ("两万",
    "上周五", "yesterday"), or a number in Chinese characters on its own ("三百")."""
    if _DIGIT.search(text) or find_entities(text, _ANY_DAY):
        return True
    return bool(_HANZI_NUMBER.fullmatch(_PUNCTUATION.sub("", text)))


def yes_or_no(text: str, intent: Optional[str]) -> Optional[str]:
    """"yes" for affirm, "no" for deny, None for any other intent, and None for a message that
    carries a number and no yes or no word ("￥300", "12,000.50", "2024-05-01", "6222"),
    whatever the NLU made of it."""
    answer = {"affirm": "yes", "deny": "no"}.get(intent or "")
    if answer and carries_number(text) and not has_yes_no_word(text):
        return None
    return answer


def is_just_a_number(text: str) -> bool:
    """An amount, a date, card, phone or ticket digits, at most with a label ("转账金额12000.00元",
    "尾号1234", "amount 12000.00"), and no yes or no word. At a yes-or-no question it is no
    answer and no request either (whatever intent the NLU gave it): the question is asked again.
    """
    if not carries_number(text) or has_yes_no_word(text) or is_question(text) \
            or asks_for_something(text):
        return False
    rest = text
    for span in sorted(find_entities(text, _ANY_DAY), key=lambda s: s.start, reverse=True):
        rest = rest[:span.start] + " " + rest[span.end:]
    rest = _DIGIT.sub(" ", rest)
    rest = _CURRENCY_WORDS.sub(" ", rest)
    rest = _NUMBER_LABELS.sub(" ", rest)
    rest = _HANZI_NUMBER.sub(" ", rest)
    return not _PUNCTUATION.sub("", rest)


def intent_at_a_question(text: str, intent: Optional[str]) -> Optional[str]:
    """The intent a form's question acts on: the NLU's, or None for a message that is just a
    number. A number is the answer to the question, or asked again: never goodbye ("83" is
    goodbye 0.93 for the NLU, learnt from "88"), a balance enquiry ("12000", "48291" are
    check_balance 0.69), a ticket enquiry ("KF-20261123-00042") or any other request."""
    return None if is_just_a_number(text) else intent
