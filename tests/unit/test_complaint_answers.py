"""Reading answers to the complaint form's questions, including the bad ones."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.complaint import answers, fields

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("银行卡", "card"),
        ("Cards", "card"),
        ("ATM吞了我的卡", "card"),
        ("信用卡年费乱扣", "fees"),
        ("转账一直没到账", "transfer"),
        ("the app keeps crashing when I log in", "digital"),
        ("柜员态度很差", "service"),
        ("my mortgage application", "loan"),
        ("房贷利率", "loan"),
        ("Something else", "other"),
    ],
)
def test_categories_from_buttons_and_words(text: str, category: str) -> None:
    assert answers.read_category(text) == answers.Answer(category)


def test_no_category_in_an_unrelated_message() -> None:
    assert answers.read_category("嗯嗯") is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [("500元", "500", "CNY"), ("$1,200.50", "1200.5", "USD"), ("两万块", "20000", "CNY"),
     ("800", "800", "CNY"), ("about 300 euros", "300", "EUR"), ("金额12000.00", "12000", "CNY"),
     ("转账金额12000.00元", "12000", "CNY"), ("amount 12000.00", "12000", "CNY"),
     ("￥300", "300", "CNY"), ("1.2万", "12000", "CNY")],
)
def test_amounts(text: str, amount: str, currency: str) -> None:
    assert answers.read_amount(text) == answers.Answer(amount, extra={fields.CURRENCY: currency})


@pytest.mark.parametrize("text", ["-500", "负500元", "-¥300", "minus 20 dollars", "0"])
def test_negative_or_zero_amounts_are_re_asked(text: str) -> None:
    answer = answers.read_amount(text)
    assert answer is not None and answer.problem == "utter_complaint_amount_not_positive"


def test_a_card_number_is_not_an_amount() -> None:
    answer = answers.read_amount("6222021234567890123")
    assert answer is not None and answer.problem == "utter_complaint_amount_unclear"


@pytest.mark.parametrize("text", ["不清楚", "I don't know", "skip"])
def test_amount_not_given(text: str) -> None:
    assert answers.read_amount(text) == answers.Answer(fields.NOT_GIVEN)


def test_an_amount_beats_a_not_in_the_sentence() -> None:
    assert answers.read_amount("钱没有到账，5000元") == answers.Answer(
        "5000", extra={fields.CURRENCY: "CNY"}
    )


@pytest.mark.parametrize(
    ("text", "date"),
    [("11月3日", "2026-11-03"), ("上周五", "2026-11-20"), ("yesterday", "2026-11-26"),
     ("2026-10-01", "2026-10-01"), ("3 November", "2026-11-03")],
)
def test_dates(text: str, date: str) -> None:
    assert answers.read_date(text, TODAY) == answers.Answer(date)


# A day of the month alone is the most recent such day not after today; "本月"/"this month",
# "上个月"/"last month" name the month.
@pytest.mark.parametrize(
    ("text", "today", "date"),
    [("15号", TODAY, "2026-11-15"), ("15日", TODAY, "2026-11-15"),
     ("15号那天", TODAY, "2026-11-15"),
     ("本月15号", TODAY, "2026-11-15"), ("这个月15日", TODAY, "2026-11-15"),
     ("上个月15号", TODAY, "2026-10-15"), ("上月的15号", TODAY, "2026-10-15"),
     ("是15号转的账", TODAY, "2026-11-15"), ("the 15th", TODAY, "2026-11-15"),
     ("on the 15th", TODAY, "2026-11-15"), ("It was on the 15th, I think", TODAY, "2026-11-15"),
     ("15th", TODAY, "2026-11-15"), ("the 15th of this month", TODAY, "2026-11-15"),
     ("the 15th of last month", TODAY, "2026-10-15"),
     ("last month on the 1st", TODAY, "2026-10-01"),
     ("27号", TODAY, "2026-11-27"), ("the 27th", TODAY, "2026-11-27"),
     # After today: last month's.
     ("28号", TODAY, "2026-10-28"), ("the 30th", TODAY, "2026-10-30"),
     ("15号", dt.date(2026, 11, 10), "2026-10-15"),
     ("the 15th", dt.date(2026, 11, 10), "2026-10-15"),
     ("15号", dt.date(2026, 1, 5), "2025-12-15"), ("上个月15号", dt.date(2026, 1, 5), "2025-12-15"),
     # A day this month lacks: the most recent month that has it.
     ("31号", dt.date(2026, 12, 5), "2026-10-31"), ("the 31st", dt.date(2026, 3, 10), "2026-01-31"),
     ("29号", dt.date(2026, 3, 10), "2026-01-29")],
)
def test_a_day_of_the_month_is_a_date(text: str, today: dt.date, date: str) -> None:
    assert answers.read_date(text, today) == answers.Answer(date)


@pytest.mark.parametrize("text", ["本月31号", "这个月31日", "the 31st of this month"])
def test_a_day_the_named_month_lacks_does_not_exist(text: str) -> None:
    answer = answers.read_date(text, TODAY)  # November has 30 days
    assert answer is not None and answer.problem == "utter_complaint_date_impossible"
    answer = answers.read_date(text.replace("本月", "上个月").replace("这个月", "上个月")
                               .replace("this", "last"), dt.date(2026, 12, 5))
    assert answer is not None and answer.problem == "utter_complaint_date_impossible"


@pytest.mark.parametrize("text", ["本月28号", "the 28th of this month"])
def test_a_later_day_this_month_is_in_the_future(text: str) -> None:
    answer = answers.read_date(text, TODAY)
    assert answer is not None and answer.problem == "utter_complaint_date_future"


@pytest.mark.parametrize(
    "text", ["15", "15元", "15块", "15日元", "第15个", "第15号", "尾号1515", "卡号后四位1515",
             "15号窗口", "3号柜台", "2号线", "32号", "0号", "15 dollars", "$15", "15th floor",
             "the 15th time", "the 15th transaction", "15 of them", "1515"])
def test_numbers_that_are_no_day_of_the_month(text: str) -> None:
    assert answers.read_date(text, TODAY) is None


@pytest.mark.parametrize("text", ["2月31日", "31 February", "February 30th", "2026-13-01"])
def test_dates_that_do_not_exist_are_re_asked(text: str) -> None:
    answer = answers.read_date(text, TODAY)
    assert answer is not None and answer.problem == "utter_complaint_date_impossible"


def test_future_dates_are_re_asked() -> None:
    answer = answers.read_date("2027-01-05", TODAY)
    assert answer is not None and answer.problem == "utter_complaint_date_future"


def test_no_date_in_text() -> None:
    assert answers.read_date("就是那天", TODAY) is None


@pytest.mark.parametrize(("text", "digits"), [("1234", "1234"), ("尾号5678", "5678"),
                                              ("it ends in 4321", "4321")])
def test_card_last_four(text: str, digits: str) -> None:
    assert answers.read_card_last_four(text) == answers.Answer(digits)


@pytest.mark.parametrize(
    "text", ["6222 0212 3456 7890", "622202123456789012", "11010519491231002X", "12345"]
)
def test_longer_numbers_where_a_card_is_asked_are_refused(text: str) -> None:
    answer = answers.read_card_last_four(text)
    assert answer is not None and answer.problem == "utter_complaint_card_full_number"


def test_three_digits_are_not_a_card() -> None:
    answer = answers.read_card_last_four("123")
    assert answer is not None and answer.problem == "utter_complaint_card_last_four_unclear"


@pytest.mark.parametrize("text", ["😡😡😡", "👍", "!!!", "  "])
def test_emoji_only_descriptions_are_re_asked(text: str) -> None:
    assert answers.read_description(text).problem == "utter_complaint_description_unclear"


def test_a_real_description_is_kept() -> None:
    text = "上周在中山路网点取款，ATM吞了卡"
    assert answers.read_description(text) == answers.Answer(text)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [("退款或赔偿", "refund"), ("I want my money back", "refund"), ("给个说法", "explanation"),
     ("An apology", "apology"), ("扣款更正过来", "correction"), ("我要退款", "refund")],
)
def test_outcomes(text: str, outcome: str) -> None:
    assert answers.read_outcome(text) == answers.Answer(outcome)


@pytest.mark.parametrize("text", [
    "希望以后提前通知",
    # They name a refund or a correction, and say more than the choice: the agent needs it all.
    "Return my card and refund the 200 yuan fee",
    "把卡还给我，并退还200元手续费",
    "把错误的扣款更正过来",
    "退回那50元，再赔我100元",
])
def test_an_outcome_in_the_customers_words_is_kept_as_written(text: str) -> None:
    assert answers.read_outcome(text) == answers.Answer(text)


def test_emoji_only_outcome_is_re_asked() -> None:
    answer = answers.read_outcome("🙏")
    assert answer is not None and answer.problem == "utter_complaint_outcome_unclear"


@pytest.mark.parametrize(
    ("text", "contact"),
    [("短信通知我", "sms"), ("Call me", "phone"), ("email please", "email"),
     ("就在这里回复", "this_channel"), ("Reply to me here", "this_channel")],
)
def test_contact_preferences(text: str, contact: str) -> None:
    assert answers.read_contact(text) == answers.Answer(contact)


def test_field_names_from_buttons_and_words() -> None:
    present = [fields.CATEGORY, fields.DESCRIPTION, fields.AMOUNT, fields.OUTCOME]
    assert answers.read_field_name("涉及金额", present) == fields.AMOUNT
    assert answers.read_field_name("the amount is wrong", present) == fields.AMOUNT
    assert answers.read_field_name("What happened", present) == fields.DESCRIPTION
    # A field the form did not ask for cannot be changed.
    assert answers.read_field_name("日期", present) is None


@pytest.mark.parametrize("text", ["为什么扣我钱？", "你们几点开门", "how do I reset my password",
                                  "营业时间是几点呢"])
def test_questions(text: str) -> None:
    assert answers.is_question(text)


@pytest.mark.parametrize("text", ["上周在网点排队两个小时", "the teller was rude to me"])
def test_statements(text: str) -> None:
    assert not answers.is_question(text)


def test_confirm_and_change_words() -> None:
    assert answers.is_confirmation("/affirm", "affirm")
    assert answers.is_confirmation("确认提交", None)
    assert answers.is_change_request("金额不对", None)
    assert answers.is_change_request("/deny", "deny")
    assert not answers.is_change_request("that's correct", None)


@pytest.mark.parametrize(("text", "kept"), [
    ("我的卡6222021234567890123在ATM被吞了", "我的卡***************0123在ATM被吞了"),
    ("card 6222 0212 3456 7890 was charged twice, call me on 13800138001",
     "card ************7890 was charged twice, call me on 13800138001"),
])
def test_a_description_keeps_a_card_number_s_last_four_only(text: str, kept: str) -> None:
    assert answers.read_description(text).value == kept
