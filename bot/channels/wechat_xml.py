"""WeChat's XML, read safely: what a webhook body says, and the passive reply written back.

WeChat posts small flat documents (`<xml><ToUserName>…</ToUserName>…</xml>`). A document
with a DOCTYPE is refused before anything is parsed: no WeChat message has one, and it is
where entity tricks (billion laughs, external entities/XXE) live. xmltodict (under wechatpy)
already refuses entity declarations; the DOCTYPE check does not rely on that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional
from xml.parsers import expat

import xmltodict
from wechatpy.parser import parse_message

from bot.channels.rest import WebhookRequestError

MAX_BODY_BYTES = 64 * 1024
# WeChat's limit for a text message's content is 2048 bytes.
MAX_TEXT_BYTES = 2048


class _Forbidden(Exception):
    pass


def _forbid(*_: object) -> None:
    raise _Forbidden()


def decode_body(body: bytes) -> str:
    """The body as text; WebhookRequestError when it is too big, empty or not UTF-8."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRequestError(413, f"request body exceeds {MAX_BODY_BYTES} bytes")
    if not body.strip():
        raise WebhookRequestError(400, "request body is empty")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRequestError(400, "request body is not UTF-8") from None


def reject_unsafe_xml(text: str) -> None:
    """One pass of expat that stops at a DOCTYPE or an entity declaration, and at bad XML."""
    parser = expat.ParserCreate("utf-8")
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    try:
        parser.Parse(text.encode("utf-8"), True)
    except _Forbidden:
        raise WebhookRequestError(400, "XML with a DOCTYPE or entities is refused") from None
    except expat.ExpatError as error:
        raise WebhookRequestError(
            400, f"malformed XML ({expat.ErrorString(error.code)})") from None


def flat_fields(text: str) -> Dict[str, str]:
    """The children of <xml> as text; nested elements or attributes are not WeChat's."""
    try:
        root = xmltodict.parse(text, disable_entities=True).get("xml")
    except (expat.ExpatError, ValueError):
        raise WebhookRequestError(400, "malformed XML") from None
    if root is None:
        return {}
    if not isinstance(root, dict):
        raise WebhookRequestError(400, "the root element <xml> has no fields")
    fields: Dict[str, str] = {}
    for name, value in root.items():
        if value is None:
            value = ""
        if not isinstance(value, str) or name.startswith("@"):
            raise WebhookRequestError(400, f"field {name!r} is not a plain text element")
        fields[name] = value
    return fields


# --- what a message says ------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundWeChat:
    openid: str  # FromUserName: the follower, the conversation's sender id
    account: str  # ToUserName: the Official Account's original id (gh_…)
    msg_type: str  # text, voice, image, event…
    dedupe_key: str  # MsgId; for events FromUserName+CreateTime (WeChat's advice)+Event(Key)
    text: Optional[str] = None  # the text, or a voice message's Recognition
    event: Optional[str] = None  # subscribe, click…, lower case
    event_key: Optional[str] = None


def inbound_message(text: str) -> InboundWeChat:
    """The message of a (decrypted) webhook body; WebhookRequestError when it is unusable."""
    reject_unsafe_xml(text)
    fields = flat_fields(text)
    openid, account = fields.get("FromUserName", ""), fields.get("ToUserName", "")
    msg_type = fields.get("MsgType", "").strip().lower()
    if not openid or len(openid) > 64 or not openid.isprintable():
        raise WebhookRequestError(400, "'FromUserName' is required")
    if not msg_type:
        raise WebhookRequestError(400, "'MsgType' is required")
    message = parse_message(text)  # wechatpy's typing of messages and events
    msg_id = fields.get("MsgId", "").strip()
    if msg_id and not msg_id.isdigit():
        raise WebhookRequestError(400, "'MsgId' must be a number")
    dedupe_key = msg_id or ":".join(  # WeChat's advice for events, plus what tells clicks apart
        (openid, fields.get("CreateTime", ""), fields.get("Event", ""), fields.get("EventKey", "")))
    content: Optional[str] = None
    if msg_type == "text":
        content = fields.get("Content", "")
    elif msg_type == "voice":
        content = fields.get("Recognition", "")
    if content is not None and len(content.encode("utf-8")) > MAX_TEXT_BYTES:
        raise WebhookRequestError(413, f"the text exceeds {MAX_TEXT_BYTES} bytes")
    event = getattr(message, "event", None) if msg_type == "event" else None
    return InboundWeChat(openid=openid, account=account, msg_type=msg_type,
                         dedupe_key=dedupe_key, text=content,
                         event=str(event).lower() if event else None,
                         event_key=fields.get("EventKey") or None)


def encrypted_part(text: str) -> str:
    """The `Encrypt` field of a safe-mode envelope."""
    reject_unsafe_xml(text)
    encrypt = flat_fields(text).get("Encrypt", "")
    if not encrypt:
        raise WebhookRequestError(400, "'Encrypt' is required in safe mode")
    return encrypt


# --- the passive reply --------------------------------------------------------------------------


def cdata(value: str) -> str:
    # "]]>" inside a text would end the section: split it across two sections.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(inbound: InboundWeChat, content: str, now: int) -> str:
    """The passive text reply: from the account to the follower who wrote."""
    return ("<xml>"
            f"<ToUserName>{cdata(inbound.openid)}</ToUserName>"
            f"<FromUserName>{cdata(inbound.account)}</FromUserName>"
            f"<CreateTime>{now}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content>"
            "</xml>")
