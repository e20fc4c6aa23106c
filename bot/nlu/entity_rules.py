"""Entities that follow fixed patterns, found and normalised by plain functions.

Amounts (with their currency), dates, card last four digits, mainland mobile
numbers and kefu ticket numbers, in Chinese and English. Each finder returns
spans with a canonical value: amounts as decimal strings, currencies as ISO
4217 codes, dates as ISO dates, phone numbers as 11 digits, ticket numbers in
upper case. Free of Rasa so that it can be tested on its own.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Dict, Iterator, List, Optional, Sequence


@dataclass(frozen=True)
class Span:
    entity: str
    start: int
    end: int
    value: str


# --- ticket numbers, phone numbers, card last four --------------------------------------------

_TICKET = re.compile(r"(?<![A-Za-z0-9])KF-\d{8}-\d{5}(?![0-9])", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\d+])(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?!\d)")
# A mainland landline: area code (010 and 02x have three digits, the others four), a local
# number of 7-8 digits, an optional extension. "021-62345678", "（0755）8765 4321转123".
LANDLINE_PATTERN = (r"(?<![\d+])[(（]?(0(?:10|2\d)|0[3-9]\d{2})[)）]?[-\s]?"
                    r"([2-9]\d{2,3}[-\s]?\d{4})(?:\s*(?:转|分机|ext\.?|x)\s*(\d{1,6}))?(?!\d)")
_LANDLINE = re.compile(LANDLINE_PATTERN, re.IGNORECASE)
_CARD_LAST_FOUR = re.compile(
    r"(?:尾号|卡号?后四位|后四位|末四位|后4位|末4位|ending\s+(?:in|with)|ends?\s+(?:in|with)"
    r"|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of\s+\w+))?|\*{2,}\s?)"
    r"\s*(?:是|为|:|：)?\s*(\d{4})(?!\d)",
    re.IGNORECASE,
)


def find_ticket_numbers(text: str) -> Iterator[Span]:
    for match in _TICKET.finditer(text):
        yield Span("ticket_number", match.start(), match.end(), match.group(0).upper())


def find_phone_numbers(text: str) -> Iterator[Span]:
    for match in _PHONE.finditer(text):
        yield Span("phone", match.start(), match.end(), "".join(match.groups()))


def find_landline_numbers(text: str) -> Iterator[Span]:
    """Landlines, as "021-12345678" (with "-123" for an extension): a number to call, which
    cannot take a text message or a one-time code, so not an NLU entity."""
    for match in _LANDLINE.finditer(text):
        area, local, extension = match.groups()
        number = area + "-" + re.sub(r"[-\s]", "", local)
        yield Span("landline", match.start(), match.end(),
                   f"{number}-{extension}" if extension else number)


def find_card_last_four(text: str) -> Iterator[Span]:
    for match in _CARD_LAST_FOUR.finditer(text):
        yield Span("card_last_four", match.start(1), match.end(1), match.group(1))


# --- amounts and currencies -------------------------------------------------------------------

# Every way a customer names a currency, to its ISO 4217 code.
CURRENCY_CODES: Dict[str, str] = {
    "元": "CNY", "块": "CNY", "块钱": "CNY", "人民币": "CNY", "rmb": "CNY", "cny": "CNY",
    "yuan": "CNY", "¥": "CNY", "￥": "CNY",
    "美元": "USD", "美金": "USD", "usd": "USD", "$": "USD", "us$": "USD", "dollar": "USD",
    "dollars": "USD", "bucks": "USD",
    "欧元": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "€": "EUR",
    "港币": "HKD", "港元": "HKD", "hkd": "HKD", "hk$": "HKD",
    "日元": "JPY", "jpy": "JPY", "yen": "JPY",
    "英镑": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "£": "GBP",
    "澳元": "AUD", "aud": "AUD", "加元": "CAD", "cad": "CAD", "韩元": "KRW", "krw": "KRW",
    "泰铢": "THB", "thb": "THB", "新加坡元": "SGD", "sgd": "SGD",
}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_ZH_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
_MULTIPLIERS = {"万": 10_000, "千": 1000, "百": 100, "k": 1000, "亿": 100_000_000}

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_HANZI_NUMBER = r"[零〇一二两三四五六七八九十百千万亿]+"
_NUMBER = (rf"(?P<number>{_ARABIC})\s*(?P<multiplier>万|千|百|亿|k(?![a-z]))?"
           rf"|(?P<hanzi>{_HANZI_NUMBER})")


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SYMBOLS = [w for w in CURRENCY_CODES if not w.isalpha()] + ["rmb", "cny", "usd", "eur", "hkd",
                                                            "jpy", "gbp"]
_AMOUNT_CURRENCY_FIRST = re.compile(
    rf"(?P<currency>{_alternation(_SYMBOLS)})\s*(?:{_NUMBER})(?![\d.])", re.IGNORECASE)
_AMOUNT_CURRENCY_AFTER = re.compile(
    rf"(?<![\d.A-Za-z])(?:{_NUMBER})\s*(?P<currency>{_alternation(list(CURRENCY_CODES))})"
    r"(?![A-Za-z])", re.IGNORECASE)
# Without a currency only a Chinese large unit makes a number an amount: 转了两万, 2万.
_AMOUNT_ZH_UNIT = re.compile(
    rf"(?<![\d.])(?:(?P<number>{_ARABIC})(?P<multiplier>万|千)|(?P<hanzi>{_HANZI_NUMBER}[万千]))")
# ... or a label that says it is one: 金额12000.00, 转账金额为500, "amount 12000.00", "the
# amount is 80". Arabic digits only ("金额一致" is no amount), and not the start of a date,
# a time or a percentage ("金额2024年", "amount 10%").
_AMOUNT_LABELLED = re.compile(
    rf"(?:金额|数额|(?<![A-Za-z])amount)\s*(?:是|为|:|：|=|\s(?:is|was|of)\s)?\s*"
    rf"(?P<number>{_ARABIC})\s*(?P<multiplier>万|千|百|亿|k(?![a-z]))?"
    r"(?![-/:.,]?\d|\s*(?:年|月|日|号|%|％))", re.IGNORECASE)


def hanzi_to_int(text: str) -> Optional[int]:
    """一千二百 -> 1200, 两万 -> 20000, 十五 -> 15, 一千二 -> 1200 (the spoken short form)."""
    total = section = number = 0
    last_unit = 0
    zero_seen = False
    for char in text:
        if char in _ZH_DIGITS:
            number = _ZH_DIGITS[char]
            zero_seen = zero_seen or number == 0
        elif char in _ZH_SMALL_UNITS:
            unit = _ZH_SMALL_UNITS[char]
            section += (number or 1) * unit
            number, last_unit, zero_seen = 0, unit, False
        elif char in _ZH_LARGE_UNITS:
            unit = _ZH_LARGE_UNITS[char]
            total += (section + number) * unit
            section = number = 0
            last_unit, zero_seen = unit, False
        else:
            return None
    if number and last_unit >= 100 and not zero_seen:
        number *= last_unit // 10  # 一千二 means 1200, 三万五 35000
    result = total + section + number
    return result or None


def _decimal(match: re.Match[str]) -> Optional[Decimal]:
    try:
        if match.groupdict().get("hanzi"):
            value = hanzi_to_int(match.group("hanzi"))
            return Decimal(value) if value else None
        amount = Decimal(match.group("number").replace(",", ""))
    except InvalidOperation:
        return None
    multiplier = match.group("multiplier")
    return amount * _MULTIPLIERS[multiplier.lower()] if multiplier else amount


def _format(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def find_amounts(text: str) -> Iterator[Span]:
    """Amounts with a currency ("500元", "$1,200.50", "RMB 2000"), a Chinese unit ("两万") or a
    label ("金额12000.00", "amount 12000.00")."""
    taken: List[range] = []
    for pattern in (_AMOUNT_CURRENCY_FIRST, _AMOUNT_CURRENCY_AFTER, _AMOUNT_LABELLED,
                    _AMOUNT_ZH_UNIT):
        for match in pattern.finditer(text):
            if any(match.start() in r or match.end() - 1 in r for r in taken):
                continue
            amount = _decimal(match)
            if amount is None or amount <= 0:
                continue
            taken.append(range(match.start(), match.end()))
            number_group = "hanzi" if match.groupdict().get("hanzi") else "number"
            number_end = match.end("multiplier") if match.groupdict().get("multiplier") \
                else match.end(number_group)
            yield Span("amount", match.start(number_group), number_end, _format(amount))
            currency = match.groupdict().get("currency")
            if currency:
                yield Span("currency", match.start("currency"), match.end("currency"),
                           CURRENCY_CODES[currency.lower()])


# --- dates ------------------------------------------------------------------------------------

_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_WEEKDAYS = {name: i for i, name in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_EN_MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
_EN_MONTHS.update({name[:3]: number for name, number in list(_EN_MONTHS.items())})
_EN_MONTHS["sept"] = 9
_RELATIVE_DAYS = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0,
                  "明天": 1, "后天": 2, "the day before yesterday": -2, "yesterday": -1,
                  "today": 0, "tomorrow": 1}

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?!\d)")
# Days and months in Chinese numerals too: 十五号, 三月十五日, 十二月一号.
_ZH_NUMERALS = "一二三四五六七八九"
_ZH_NUMERAL_DAY = rf"三十一?|二十[{_ZH_NUMERALS}]?|十[{_ZH_NUMERALS}]?|[{_ZH_NUMERALS}]"
_ZH_NUMERAL_MONTH = rf"十[一二]?|[{_ZH_NUMERALS}]"
_NOT_AFTER_A_NUMBER = rf"(?<![\d{_ZH_NUMERALS}十百千万零两])"
_ZH_MONTH_DAY = re.compile(
    rf"{_NOT_AFTER_A_NUMBER}(\d{{1,2}}|{_ZH_NUMERAL_MONTH})月(\d{{1,2}}|{_ZH_NUMERAL_DAY})[日号]"
    rf"(?![\d{_ZH_NUMERALS}十])")
_ZH_WEEKDAY = re.compile(r"(上上|上|这|本|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])")
_EN_WEEKDAY = re.compile(rf"\b(last|this|next|on)\s+({_alternation(list(_EN_WEEKDAYS))})\b",
                         re.IGNORECASE)
_EN_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_alternation(list(_EN_MONTHS))})\.?"
    r"(?:,?\s+(\d{4}))?\b", re.IGNORECASE)
_EN_MONTH_DAY = re.compile(
    rf"\b({_alternation(list(_EN_MONTHS))})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b",
    re.IGNORECASE)
_RELATIVE = re.compile(_alternation(list(_RELATIVE_DAYS)), re.IGNORECASE)
# A day of the month without its month: "15号", "15日", "本月15号", "上个月的15日", "the 15th",
# "the 15th of last month", "last month on the 1st". Not a number that is something else: "15元",
# "15日元", "第15号", "尾号1515", "15号窗口", "2号线", "the 15th time", "15th floor", "32号".
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9])"
_MONTH_OFFSETS = {"上上": -2, "上": -1, "本": 0, "这": 0, "下": 1, "this": 0, "last": -1,
                  "previous": -1, "the previous": -1}
# "卡号15号": a number after 号 belongs to it, as after 尾 or 第.
_ZH_DAY_OF_MONTH = re.compile(
    r"(?:(?P<month>上上|上|本|这|下)个?月的?|(?<![\d.,\-/:：第尾月号#＃A-Za-z])(?<!月的)"
    + _NOT_AFTER_A_NUMBER + r")" + rf"(?P<day>[12]\d|3[01]|0?[1-9]|{_ZH_NUMERAL_DAY})"
    + r"(?:日(?!元)|号(?![窗柜线楼门机台房室位码卡桌车床院球字店厅口站栋座]))(?!\d)")
_EN_DAY_OF_MONTH = re.compile(
    r"(?:\b(?P<before>this|last|previous)\s+month,?\s+on\s+)?(?:\bthe\s+)?(?<![\w.,/-])" + _DAY
    + r"(?:st|nd|rd|th)\b(?:\s+(?:of\s+)?(?P<after>this|last|(?:the\s+)?previous)\s+month)?"
    # Only before what may follow a date: "the 15th time" and "the 15th floor" are no dates.
    r"(?=\s*$|\s*[,.;:!?)]|\s+(?:and|or|at|in|around|about|when|i|we|my|me|it|there|someone"
    r"|somebody|they|he|she|you|was|were|is|but|so|then|morning|afternoon|evening|night)\b)",
    re.IGNORECASE)
_MONTH_BEFORE = re.compile(rf"\b(?:{_alternation(list(_EN_MONTHS))})\.?\s*$", re.IGNORECASE)


def _number(text: str) -> int:
    """"15" or 十五: a day or month number (the patterns allow no other text)."""
    return int(text) if text.isdigit() else int(hanzi_to_int(text) or 0)


def _safe_date(year: int, month: int, day: int) -> Optional[dt.date]:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _most_recent(month: int, day: int, today: dt.date) -> Optional[dt.date]:
    """A date named without a year is the latest one not after today: customers report the past."""
    date = _safe_date(today.year, month, day)
    if date is not None and date > today:
        date = _safe_date(today.year - 1, month, day)
    return date


def _in_month(offset: int, day: int, today: dt.date) -> Optional[dt.date]:
    """The day in the month `offset` months from today's (-1 for last month); None if that
    month has no such day."""
    months = today.year * 12 + today.month - 1 + offset
    return _safe_date(months // 12, months % 12 + 1, day)


def _most_recent_day(day: int, today: dt.date) -> dt.date:
    """A day of the month said alone ("31号", "the 31st") is the most recent such day not after
    today; a month without it is skipped (on 5 December "31号" is 31 October), since no month
    was named. With a month named ("本月31号" in November) it is an impossible date instead."""
    offset = 0
    while True:
        date = _in_month(offset, day, today)
        if date is not None and date <= today:
            return date
        offset -= 1


def _days_of_month(text: str) -> Iterator[tuple[re.Match[str], Optional[int], int]]:
    """Each day of the month named without its month: the match, its month's offset from this
    month (None when no month is said) and the day."""
    for match in _ZH_DAY_OF_MONTH.finditer(text):
        month = match.group("month")
        yield match, _MONTH_OFFSETS[month] if month else None, _number(match.group("day"))
    for match in _EN_DAY_OF_MONTH.finditer(text):
        if _MONTH_BEFORE.search(text, 0, match.start()):
            continue  # "October the 15th" is no day of an unnamed month
        month = match.group("before") or match.group("after")
        offset = _MONTH_OFFSETS[re.sub(r"\s+", " ", month.lower())] if month else None
        yield match, offset, int(match.group("day"))


def _weekday(offset_word: str, weekday: int, today: dt.date) -> dt.date:
    if offset_word.lower() == "last":
        # "last Monday" said on a Saturday is the Monday five days before, as date parsers and
        # most speakers read it; 上周一 is the Monday of the week before (12 days).
        return today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    monday = today - dt.timedelta(days=today.weekday())
    weeks = {"上上": -2, "上": -1, "下": 1, "next": 1}.get(offset_word.lower(), 0)
    date = monday + dt.timedelta(weeks=weeks, days=weekday)
    if offset_word.lower() in ("", "on") and date > today:
        date -= dt.timedelta(weeks=1)  # a bare 周五 / "on Friday" is the last one
    return date


def find_dates(text: str, today: dt.date) -> Iterator[Span]:
    """Dates in the past or present named in zh or en, as ISO dates; a month and day without a
    year is the most recent one."""
    def dated(match: re.Match[str], date: Optional[dt.date]) -> Iterator[Span]:
        if date is not None:
            yield Span("date", match.start(), match.end(), date.isoformat())

    for match in _ISO_DATE.finditer(text):
        yield from dated(match, _safe_date(*(int(g) for g in match.groups())))
    for match in _ZH_MONTH_DAY.finditer(text):
        yield from dated(match, _most_recent(_number(match.group(1)), _number(match.group(2)),
                                             today))
    for match in _ZH_WEEKDAY.finditer(text):
        yield from dated(match, _weekday(match.group(1) or "", _ZH_WEEKDAYS[match.group(2)],
                                         today))
    for match in _EN_WEEKDAY.finditer(text):
        yield from dated(match, _weekday(match.group(1), _EN_WEEKDAYS[match.group(2).lower()],
                                         today))
    for match in _EN_DAY_MONTH.finditer(text):
        month, day = _EN_MONTHS[match.group(2).lower()], int(match.group(1))
        year = match.group(3)
        yield from dated(match, _safe_date(int(year), month, day) if year
                         else _most_recent(month, day, today))
    for match in _EN_MONTH_DAY.finditer(text):
        month, day = _EN_MONTHS[match.group(1).lower()], int(match.group(2))
        year = match.group(3)
        yield from dated(match, _safe_date(int(year), month, day) if year
                         else _most_recent(month, day, today))
    for match in _RELATIVE.finditer(text):
        yield from dated(match, today + dt.timedelta(days=_RELATIVE_DAYS[match.group(0).lower()]))
    for match, offset, day in _days_of_month(text):
        yield from dated(match, _most_recent_day(day, today) if offset is None
                         else _in_month(offset, day, today))


def impossible_dates(text: str, today: Optional[dt.date] = None) -> Iterator[str]:
    """Date-shaped text that names no day of any year: "2月31日", "31 February", "2026-13-01";
    with today, also a day its month lacks: "本月31号", "the 31st of last month"."""
    leap_year = 2000  # a month and day without a year are possible if they exist in a leap year
    for match in _ISO_DATE.finditer(text):
        if _safe_date(*(int(g) for g in match.groups())) is None:
            yield match.group(0)
    for match in _ZH_MONTH_DAY.finditer(text):
        if _safe_date(leap_year, _number(match.group(1)), _number(match.group(2))) is None:
            yield match.group(0)
    for match in _EN_DAY_MONTH.finditer(text):
        month, day = _EN_MONTHS[match.group(2).lower()], int(match.group(1))
        if _safe_date(int(match.group(3) or leap_year), month, day) is None:
            yield match.group(0)
    for match in _EN_MONTH_DAY.finditer(text):
        month, day = _EN_MONTHS[match.group(1).lower()], int(match.group(2))
        if _safe_date(int(match.group(3) or leap_year), month, day) is None:
            yield match.group(0)
    if today is not None:
        for match, offset, day in _days_of_month(text):
            if offset is not None and _in_month(offset, day, today) is None:
                yield match.group(0)


# --- all together -----------------------------------------------------------------------------

# Earlier finders win where spans overlap: a ticket number's digits are not a date.
FINDERS: Sequence[Callable[[str], Iterator[Span]]] = (
    find_ticket_numbers, find_phone_numbers, find_card_last_four, find_amounts,
)


def find_entities(text: str, today: dt.date) -> List[Span]:
    """Non-overlapping spans in text order."""
    found: List[Span] = []
    candidates: List[Span] = []
    for finder in FINDERS:
        candidates.extend(finder(text))
    candidates.extend(find_dates(text, today))
    for span in candidates:
        if all(span.end <= kept.start or span.start >= kept.end for kept in found):
            found.append(span)
    return sorted(found, key=lambda span: span.start)
