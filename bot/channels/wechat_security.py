"""WeChat's webhook signatures and its AES "safe mode", through wechatpy's crypto.

Every request carries `signature` = sha1 of the sorted token, timestamp and nonce. In safe
mode (`encrypt_type=aes`) the body is an envelope whose `Encrypt` is AES-256-CBC of the
message, and `msg_signature` = sha1 of the sorted token, timestamp, nonce and `Encrypt`.
The plaintext signature does not cover the body, so timestamps are also held to a window.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import struct
import time
from dataclasses import dataclass
from typing import Optional

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.utils import WeChatSigner

from bot.channels.rest import WebhookRequestError

# How far a request's timestamp may be from our clock (WeChat retries within 15 s).
MAX_CLOCK_SKEW_SECONDS = 300


def signature_of(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def check_signature(token: str, signature: Optional[str], timestamp: Optional[str],
                    nonce: Optional[str], now: Optional[float] = None,
                    max_skew: float = MAX_CLOCK_SKEW_SECONDS) -> None:
    """WebhookRequestError(403) unless the query's signature is WeChat's for this token."""
    if not signature or not timestamp or not nonce:
        raise WebhookRequestError(403, "signature, timestamp and nonce are required")
    if not hmac.compare_digest(signature.encode(), signature_of(token, timestamp, nonce).encode()):
        raise WebhookRequestError(403, "signature does not match")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > max_skew:
        raise WebhookRequestError(403, "timestamp is outside the accepted window")


def valid_aes_key(encoding_aes_key: str) -> bool:
    """WeChat's EncodingAESKey: 43 characters of base64 for a 32-byte key."""
    try:
        return len(encoding_aes_key) == 43 and len(base64.b64decode(encoding_aes_key + "=")) == 32
    except (binascii.Error, ValueError):
        return False


@dataclass(frozen=True)
class SafeMode:
    token: str
    encoding_aes_key: str
    app_id: str

    def decrypt(self, encrypt: str, msg_signature: Optional[str], timestamp: str,
                nonce: str) -> str:
        """The message inside `Encrypt`, once `msg_signature` has been checked."""
        expected = signature_of(self.token, timestamp, nonce, encrypt)
        if not msg_signature or not hmac.compare_digest(msg_signature.encode(),
                                                        expected.encode()):
            raise WebhookRequestError(403, "msg_signature does not match")
        key = base64.b64decode(self.encoding_aes_key + "=")
        try:
            return str(PrpCrypto(key).decrypt(encrypt, self.app_id))
        except InvalidAppIdException:
            raise WebhookRequestError(403, "the message is for another AppID") from None
        except (ValueError, TypeError, IndexError, struct.error, binascii.Error,
                UnicodeDecodeError):
            raise WebhookRequestError(400, "'Encrypt' does not decrypt") from None

    def encrypt(self, reply_xml: str, nonce: str, timestamp: Optional[str] = None) -> str:
        """The reply in WeChat's envelope (Encrypt, MsgSignature, TimeStamp, Nonce)."""
        crypto = WeChatCrypto(self.token, self.encoding_aes_key, self.app_id)
        return str(crypto.encrypt_message(reply_xml, nonce, timestamp))
