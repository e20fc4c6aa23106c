"""What a customer is sent about their complaint's outcome: the text message and the e-mail,
in Chinese and English, card numbers masked, and what the records show (destinations masked)."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser

import pytest

from actions.tickets.contact import as_e164
from bot.channels.sms_segments import GSM7, UCS2, encoding_of, split_sms
from handoff.outcome.notice import CALL_CUSTOMER, FAILED, SENT, OutcomeNotice, masked
from handoff.outcome.texts import outcome_email, outcome_sms

NUMBER = "KF-20261128-00042"
CARD = "6222021234567890123"


def test_a_chinese_text_names_the_ticket_the_outcome_and_asks_for_the_verdict() -> None:
    text = outcome_sms(NUMBER, "已退回500元", "zh")
    assert text == ("【银行客服】您的投诉（工单号KF-20261128-00042）已处理完毕。\n"
                    "处理结果：已退回500元。\n"
                    "请问您是否接受该处理结果？请直接回复“接受”或“不接受”；"
                    "如有疑问，请回复本短信并注明工单号。")
    assert len(split_sms(text)) == 2


def test_an_english_text_names_the_case_the_outcome_and_asks_for_the_verdict() -> None:
    text = outcome_sms(NUMBER, "We have refunded the annual fee of 200 yuan.", "en")
    assert text == ("Bank customer service: your complaint KF-20261128-00042 has been resolved.\n"
                    "Outcome: We have refunded the annual fee of 200 yuan.\n"
                    "Do you accept this outcome? Please reply YES or NO. "
                    "If you have any questions, reply to this text quoting the case number.")
    assert encoding_of(text) is GSM7 and len(split_sms(text)) == 2


def test_typographic_punctuation_does_not_turn_an_english_text_into_ucs2() -> None:
    text = outcome_sms(NUMBER, "We’ve refunded the fee – “in full”…", "en")
    assert "We've refunded the fee - \"in full\"..." in text
    assert encoding_of(text) is GSM7


@pytest.mark.parametrize(("language", "resolution", "encoding", "parts", "label", "cut"), [
    ("zh", "经核实，ATM故障导致吞卡，2500元已退回您的账户，请注意查收。" * 6, UCS2, 3,
     "处理结果：", "……"),
    ("en", "We have spoken to the branch, reviewed the camera footage and refunded the fee. "
           * 6, GSM7, 2, "Outcome: ", "..."),
])
def test_a_long_outcome_is_shortened_to_fit_a_few_messages(language, resolution, encoding,
                                                          parts, label, cut) -> None:
    text = outcome_sms(NUMBER, resolution, language)
    assert encoding_of(text) is encoding
    assert len(split_sms(text)) <= parts
    summary = text.split("\n")[1]
    assert text.startswith(outcome_sms(NUMBER, "x", language).split("\n")[0])
    assert summary.startswith(label) and summary.endswith(cut)
    shown = summary[len(label):-len(cut)]
    # The start of the outcome, cut after a clause or a word, never inside one.
    assert len(shown) > 40 and resolution.startswith(shown)
    assert resolution[len(shown)] in "，。 ,."


def test_card_and_id_numbers_keep_their_last_four_digits_in_texts_and_e_mails() -> None:
    resolution = f"已退回卡号{CARD}的年费；身份证11010519491231002X已核实，请致电13812345678"
    text = outcome_sms(NUMBER, resolution, "zh")
    assert CARD not in text and "***************0123" in text
    assert "11010519491231002X" not in text and "002X" in text
    assert "13812345678" in text  # a number to call is for the customer to use
    body = outcome_email(number=NUMBER, resolution=resolution, language="zh",
                         sender="kefu@bank.example", to="wang@example.com").get_content()
    assert CARD not in body and "***************0123" in body


def _sent(message) -> object:
    """The e-mail as a relay receives it, parsed again."""
    return BytesParser(policy=policy.default).parsebytes(message.as_bytes(policy=policy.SMTP))


def test_a_chinese_e_mail_has_a_utf8_subject_and_the_whole_resolution() -> None:
    resolution = "经核实，ATM故障导致吞卡。\n2500元已于今日退回您的账户。"
    message = outcome_email(number=NUMBER, resolution=resolution, language="zh",
                            sender="银行客服 <kefu@bank.example>", to="wang@example.com",
                            customer_name="王女士")
    raw = message.as_bytes(policy=policy.SMTP)
    assert b"=?utf-8?" in raw  # the subject and the sender's name, encoded for 7-bit headers
    received = _sent(message)
    assert received["Subject"] == f"您的投诉（工单号{NUMBER}）已处理完毕"
    assert received["From"].addresses[0].display_name == "银行客服"
    assert (received["To"], received["Auto-Submitted"]) == ("wang@example.com", "auto-generated")
    assert received["Content-Language"] == "zh-CN" and received["Message-ID"].endswith(
        "@bank.example>")
    assert received.get_content_type() == "text/plain"
    assert received.get_content_charset() == "utf-8"
    body = received.get_content()
    assert body.startswith(f"尊敬的王女士：\n\n您好！您的投诉（工单号：{NUMBER}）已处理完毕")
    assert resolution in body and "请通过在线客服、短信或微信公众号联系我们" in body


def test_an_english_e_mail_greets_an_unnamed_customer_politely() -> None:
    message = outcome_email(number=NUMBER, resolution="The branch manager apologises.",
                            language="en", sender="kefu@bank.example", to="d.chen@example.com")
    received = _sent(message)
    assert received["Subject"] == f"Your complaint {NUMBER} has been resolved"
    assert received["Content-Language"] == "en"
    body = received.get_content().replace("\r\n", "\n")  # quoted-printable keeps CRLF
    assert body.startswith(f"Dear customer,\n\nYour complaint (case {NUMBER}) has been resolved.")
    assert "The branch manager apologises." in body and "quoting the case number" in body


@pytest.mark.parametrize(("phone", "e164"), [
    ("13800138001", "+8613800138001"), ("+8613800138001", "+8613800138001"),
    ("+447911123456", "+447911123456"), ("0213800138", None), (None, None), ("", None)])
def test_numbers_are_texted_in_e164(phone, e164) -> None:
    assert as_e164(phone) == e164


def test_records_show_the_destination_masked() -> None:
    at = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.timezone.utc)
    sms = OutcomeNotice("sms", SENT, masked("+8613800138001")).noted_at(at)
    assert sms.note() == "outcome sent by sms to +86138****8001"
    assert sms.as_json() == {"channel": "sms", "status": "sent", "to": "+86138****8001",
                             "reason": None, "at": "2026-11-28T08:00:00+00:00"}
    email = OutcomeNotice("email", FAILED, masked("david.chen@example.com"), "relay answered 550")
    assert email.note() == "outcome not sent by email to d***@example.com: relay answered 550"
    call = OutcomeNotice("phone", CALL_CUSTOMER, masked("+8613800138001"))
    assert call.note() == "outcome to be given by phone: call +86138****8001"
