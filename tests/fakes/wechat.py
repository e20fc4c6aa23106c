"""A fake WeChat on loopback, both ways, in WeChat's wire formats.

Outbound: the token API (`GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`)
and the customer-service message API (`POST /cgi-bin/message/custom/send?access_token=…`),
with WeChat's errcodes (40001 invalid token, 42001 expired, 40013 bad AppID, 40125 bad secret,
44002 empty body, 47001 bad JSON); every accepted message is recorded. Inbound: a follower's
message posted to a webhook as WeChat posts it, XML signed with `signature` (sha1 of the sorted
token, timestamp and nonce) and, in safe mode, AES-256-CBC encrypted with `msg_signature`.
Signatures and encryption follow WeChat's documented algorithm here (hashlib and
cryptography), not wechatpy, which kefu checks them with. Runs its own event loop in a thread.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from xml.etree import ElementTree

import requests
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.loopback import LoopbackServer


@dataclass(frozen=True)
class CustomMessage:
    touser: str
    content: str
    raw: bytes  # the body as sent, to check its encoding


@dataclass
class WebhookReply:
    status: int
    body: str
    content: Optional[str] = None  # the passive reply's text, when there is one
    fields: Dict[str, str] = field(default_factory=dict)


def wechat_signature(*parts: str) -> str:
    """WeChat's signature: sha1 of the parts sorted and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _pkcs7(data: bytes, block: int = 32) -> bytes:
    pad = block - len(data) % block
    return data + bytes([pad]) * pad


class FakeWeChat(LoopbackServer):
    thread_name = "fake-wechat"

    def __init__(self, token: str = "wechat-test-token", app_id: str = "wx0123456789abcdef",
                 app_secret: str = "test-app-secret",
                 aes_key: Optional[str] = None, account: str = "gh_0123456789ab") -> None:
        self.token, self.app_id, self.app_secret, self.account = token, app_id, app_secret, account
        self.aes_key = aes_key or base64.b64encode(os.urandom(32)).decode().rstrip("=")
        super().__init__()
        self.messages: List[CustomMessage] = []
        self.token_requests = 0
        self.access_tokens: List[str] = []  # issued, newest last; only the newest is valid
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._msg_ids = iter(range(int(time.time()) * 1000, 10**19))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> Dict[str, str]:
        return {"KEFU_WECHAT_API_BASE": self.base_url, "KEFU_WECHAT_TOKEN": self.token,
                "KEFU_WECHAT_APP_ID": self.app_id, "KEFU_WECHAT_APP_SECRET": self.app_secret,
                "KEFU_WECHAT_AES_KEY": self.aes_key}

    # --- outbound: what kefu sent --------------------------------------------------------------

    def sent_to(self, openid: str) -> List[str]:
        with self._lock:
            return [m.content for m in self.messages if m.touser == openid]

    def wait_for(self, openid: str, count: int, timeout: float = 30.0) -> List[str]:
        """The texts sent to `openid` once there are at least `count` (or TimeoutError)."""
        with self._arrived:
            if not self._arrived.wait_for(
                    lambda: len([m for m in self.messages if m.touser == openid]) >= count,
                    timeout):
                raise TimeoutError(f"{count} messages to {openid}: {self.sent_to_unlocked(openid)}")
            return self.sent_to_unlocked(openid)

    def sent_to_unlocked(self, openid: str) -> List[str]:
        return [m.content for m in self.messages if m.touser == openid]

    def expire_tokens(self) -> None:
        """Every issued access token expires now (WeChat's 42001 on next use)."""
        with self._lock:
            self.access_tokens.append("expired-marker")

    # --- inbound: WeChat calling the webhook ---------------------------------------------------

    def next_msg_id(self) -> str:
        return str(next(self._msg_ids))

    def text_xml(self, openid: str, content: str, msg_id: Optional[str] = None) -> str:
        return self.message_xml(openid, "text", Content=content,
                                MsgId=msg_id or self.next_msg_id())

    def message_xml(self, openid: str, msg_type: str, **fields: str) -> str:
        """A message or event as WeChat posts it (text in CDATA, numbers bare)."""
        parts = [f"<ToUserName><![CDATA[{self.account}]]></ToUserName>",
                 f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
                 f"<CreateTime>{fields.pop('CreateTime', str(int(time.time())))}</CreateTime>",
                 f"<MsgType><![CDATA[{msg_type}]]></MsgType>"]
        for name, value in fields.items():
            bare = name in ("MsgId",) and value.isdigit()
            parts.append(f"<{name}>{value if bare else f'<![CDATA[{value}]]>'}</{name}>")
        return "<xml>" + "".join(parts) + "</xml>"

    def query(self, body: str = "", *, aes: bool = False,
              timestamp: Optional[str] = None) -> Dict[str, str]:
        timestamp = timestamp or str(int(time.time()))
        nonce = str(secrets.randbelow(10**10))
        params = {"signature": wechat_signature(self.token, timestamp, nonce),
                  "timestamp": timestamp, "nonce": nonce, "openid": "-"}
        if aes:
            params.update({"encrypt_type": "aes",
                           "msg_signature": wechat_signature(self.token, timestamp, nonce, body)})
        return params

    def encrypt(self, xml: str) -> str:
        """WeChat's safe mode: AES-256-CBC (IV = first 16 key bytes) over random(16) +
        big-endian length + message + AppID, PKCS#7 to 32 bytes, base64."""
        key = base64.b64decode(self.aes_key + "=")
        message = xml.encode("utf-8")
        plain = _pkcs7(os.urandom(16) + struct.pack(">I", len(message)) + message
                       + self.app_id.encode())
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        key = base64.b64decode(self.aes_key + "=")
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        plain = plain[:-plain[-1]]
        (length,) = struct.unpack(">I", plain[16:20])
        assert plain[20 + length:].decode() == self.app_id
        return plain[20:20 + length].decode("utf-8")

    def post(self, url: str, xml: str, *, aes: bool = False,
             params: Optional[Dict[str, str]] = None, raw: Optional[bytes] = None,
             timeout: float = 30.0) -> WebhookReply:
        """POST the message to the webhook as WeChat does; the reply read as WeChat reads it."""
        if aes:
            encrypted = self.encrypt(xml)
            body = ("<xml><ToUserName><![CDATA[" + self.account + "]]></ToUserName>"
                    f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
            query = params or self.query(encrypted, aes=True)
        else:
            body, query = xml, params or self.query()
        reply = requests.post(url, params=query, data=raw if raw is not None else body.encode(),
                              headers={"Content-Type": "text/xml", "User-Agent": "Mozilla/4.0"},
                              timeout=timeout)
        return self.read_reply(reply, query, aes)

    def read_reply(self, reply: requests.Response, query: Dict[str, str],
                   aes: bool) -> WebhookReply:
        text = reply.content.decode("utf-8")
        result = WebhookReply(reply.status_code, text)
        if reply.status_code != 200 or text in ("", "success"):
            return result
        fields = {child.tag: child.text or "" for child in ElementTree.fromstring(text)}
        if aes:
            expected = wechat_signature(self.token, fields["TimeStamp"], fields["Nonce"],
                                        fields["Encrypt"])
            assert fields["MsgSignature"] == expected, "the reply's MsgSignature is wrong"
            fields = {child.tag: child.text or ""
                      for child in ElementTree.fromstring(self.decrypt(fields["Encrypt"]))}
        result.fields, result.content = fields, fields.get("Content")
        return result

    # --- the API -------------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("grant_type") != "client_credential":
            return web.json_response({"errcode": 40002, "errmsg": "invalid grant_type"})
        if query.get("appid") != self.app_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != self.app_secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = secrets.token_urlsafe(48)
        with self._lock:
            self.token_requests += 1
            self.access_tokens.append(token)
        return web.json_response({"access_token": token, "expires_in": 7200})

    async def _custom_send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        with self._lock:
            newest = self.access_tokens[-1] if self.access_tokens else None
            known = token in self.access_tokens
        if token != newest:
            # WeChat: 42001 for a token that has expired, 40001 for one it never issued.
            code, message = (42001, "access_token expired") if known else (
                40001, "invalid credential, access_token is invalid or not latest")
            return web.json_response({"errcode": code, "errmsg": message})
        raw = await request.read()
        if not raw:
            return web.json_response({"errcode": 44002, "errmsg": "empty post data"})
        try:
            payload = json.loads(raw.decode("utf-8"))
            touser, content = payload["touser"], payload["text"]["content"]
            assert payload["msgtype"] == "text"
        except (ValueError, KeyError, TypeError, AssertionError):
            return web.json_response({"errcode": 47001, "errmsg": "data format error"})
        with self._arrived:
            self.messages.append(CustomMessage(touser, content, raw))
            self._arrived.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        return app

    def __enter__(self) -> FakeWeChat:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
