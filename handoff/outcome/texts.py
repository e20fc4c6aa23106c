"""What a customer is sent about their complaint's outcome, in Chinese or English: a text
message with a short summary that asks whether they accept it (a plain answer is their
verdict: bot/outcome_question.py), or an e-mail with the whole resolution. Card and ID numbers
keep only their last four digits: SMS and e-mail are read on lock screens and in inboxes."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Callable, Dict, List, Optional

from bot.channels.sms_segments import clusters, encoding_of, split_sms
from bot.pii import mask_account_numbers

SMS_TEXT: Dict[str, str] = {
    "zh": "【银行客服】您的投诉（工单号{number}）已处理完毕。\n处理结果：{summary}\n"
          "请问您是否接受该处理结果？请直接回复“接受”或“不接受”；"
          "如有疑问，请回复本短信并注明工单号。",
    "en": "Bank customer service: your complaint {number} has been resolved.\n"
          "Outcome: {summary}\n"
          "Do you accept this outcome? Please reply YES or NO. "
          "If you have any questions, reply to this text quoting the case number.",
}
# At most this many messages by encoding: about 200 Chinese characters or 300 Latin letters.
MAX_SMS_PARTS = {"UCS-2": 3, "GSM-7": 2}
_SENTENCE_END = {"zh": "。", "en": "."}
_ENDED = "。！？.!?"
_CUT = {"zh": "……", "en": "..."}
_BREAKS = {"zh": "。！？；，、", "en": " "}
_TRAILING = "。，,；;、.:：- "
# Typographic punctuation in English would make the whole text UCS-2 (70, not 160, a part).
_PLAIN_PUNCTUATION = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-",
                                    "—": "-", "…": "...", "\u00a0": " "})

EMAIL_SUBJECT: Dict[str, str] = {
    "zh": "您的投诉（工单号{number}）已处理完毕",
    "en": "Your complaint {number} has been resolved",
}
EMAIL_GREETING: Dict[str, str] = {"zh": "尊敬的{name}：", "en": "Dear {name},"}
EMAIL_ANONYMOUS: Dict[str, str] = {"zh": "客户", "en": "customer"}
EMAIL_BODY: Dict[str, str] = {
    "zh": "{greeting}\n\n"
          "您好！您的投诉（工单号：{number}）已处理完毕，处理结果如下：\n\n"
          "{resolution}\n\n"
          "如您对处理结果有任何疑问，或不接受该处理结果，请通过在线客服、短信或微信公众号"
          "联系我们，并提供上述工单号，我们将继续为您跟进。\n\n"
          "感谢您的理解与支持。\n\n"
          "银行客服中心\n"
          "（本邮件由系统自动发送，请勿直接回复。）\n",
    "en": "{greeting}\n\n"
          "Your complaint (case {number}) has been resolved. The outcome:\n\n"
          "{resolution}\n\n"
          "If you have any questions, or if the outcome is not acceptable to you, please "
          "contact us through our online chat, by text message or on WeChat, quoting the case "
          "number, and we will follow it up with you.\n\n"
          "Thank you for your patience.\n\n"
          "Customer Service\n"
          "(This e-mail was sent automatically; please do not reply to it.)\n",
}


def _language(language: str) -> str:
    return language if language in SMS_TEXT else "zh"


def _fits(text: str) -> bool:
    return len(split_sms(text)) <= MAX_SMS_PARTS[encoding_of(text).name]


def outcome_sms(number: str, resolution: str, language: str) -> str:
    """The text message: the ticket number, the resolution (shortened to fit), how to ask."""
    language = _language(language)
    summary = " ".join(mask_account_numbers(resolution).split())
    if language == "en":
        summary = summary.translate(_PLAIN_PUNCTUATION)
    summary = summary.rstrip("，,；;、:：- ")

    def text(shown: str) -> str:
        return SMS_TEXT[language].format(number=number, summary=shown)

    whole = summary if summary[-1:] and summary[-1] in _ENDED \
        else summary + _SENTENCE_END[language]
    if _fits(text(whole)):
        return text(whole)
    pieces = _longest_fitting(clusters(summary), lambda kept: text(_cut(kept, language)))
    return text(_cut(pieces, language))


def _longest_fitting(pieces: List[str], render: Callable[[List[str]], str]) -> List[str]:
    """The longest start of `pieces` whose rendering fits (the fit only worsens with length)."""
    fitting, over = 0, len(pieces)
    while over - fitting > 1:
        middle = (fitting + over) // 2
        if _fits(render(pieces[:middle])):
            fitting = middle
        else:
            over = middle
    return pieces[:fitting]


def _cut(pieces: List[str], language: str) -> str:
    """The start kept, ended after a clause (zh) or a word (en) in its second half."""
    kept = "".join(pieces).rstrip()
    breaks = [at for at, char in enumerate(kept) if char in _BREAKS[language]]
    if breaks and breaks[-1] >= len(kept) // 2:
        kept = kept[:breaks[-1]]
    return kept.rstrip(_TRAILING) + _CUT[language]


def outcome_email(*, number: str, resolution: str, language: str, sender: str, to: str,
                  customer_name: Optional[str] = None) -> EmailMessage:
    """The e-mail: UTF-8 plain text with the whole resolution."""
    language = _language(language)
    greeting = EMAIL_GREETING[language].format(name=customer_name or EMAIL_ANONYMOUS[language])
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = EMAIL_SUBJECT[language].format(number=number)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    # RFC 3834: no out-of-office replies to an automatic message.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(EMAIL_BODY[language].format(
        greeting=greeting, number=number, resolution=mask_account_numbers(resolution).strip()))
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = "zh-CN" if language == "zh" else "en"
    return message
