"""WeCom callback crypto (doc 90968): signature, AES-256-CBC with 32-byte PKCS#7, ReceiveId.

wechatpy does the AES and the message framing for encryption; we do the signature check
ourselves (wechatpy compares with `!=`, we compare in constant time) and decrypt strictly:
wechatpy's decrypt trusts the padding byte and the length field, so a forged or truncated
ciphertext could be read as garbage instead of being refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time
from dataclasses import dataclass

from wechatpy.crypto.base import BasePrpCrypto
from wechatpy.crypto.cryptography import WeChatCipher

BLOCK = 32  # WeCom pads to 32 bytes, not AES's 16


class CryptoError(Exception):
    """Ciphertext that is not a valid WeCom message (→ HTTP 400)."""


class SignatureError(Exception):
    """Missing or wrong msg_signature (→ HTTP 403)."""


class ReceiveIdError(CryptoError):
    """Decrypted fine, but for another corp / another bot (→ HTTP 400)."""


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


def aes_key(encoding_aes_key: str) -> bytes:
    return base64.b64decode(encoding_aes_key + "=")


class _Prp(BasePrpCrypto):
    def encrypt(self, text: str, receive_id: str) -> bytes:
        return self._encrypt(text, receive_id)


@dataclass(frozen=True)
class WeComCrypto:
    """One callback channel's crypto. receive_id is the CorpID (app) or "" (AI bot)."""

    token: str
    encoding_aes_key: str
    receive_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_key", aes_key(self.encoding_aes_key))

    # -- inbound --------------------------------------------------------------------------------
    def verify(self, msg_signature: str | None, timestamp: str, nonce: str, encrypt: str) -> None:
        if not msg_signature:
            raise SignatureError("missing msg_signature")
        expected = signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
            raise SignatureError("signature mismatch")

    def decrypt(self, encrypt: str) -> str:
        try:
            raw = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("encrypt is not base64") from None
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext length is not a multiple of the AES block")
        key: bytes = self._key  # type: ignore[attr-defined]
        plain = WeChatCipher(key).decrypt(raw)
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("message too short")
        (length,) = struct.unpack(">I", content[:4])
        if length > len(content) - 4:
            raise CryptoError("length field exceeds message")
        try:
            msg = content[4 : 4 + length].decode("utf-8")
            rid = content[4 + length :].decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("message is not UTF-8") from None
        if not hmac.compare_digest(rid.encode(), self.receive_id.encode()):
            raise ReceiveIdError("ReceiveId does not match")
        return msg

    def open(self, msg_signature: str | None, timestamp: str, nonce: str, encrypt: str) -> str:
        """Verify then decrypt: the only way callback bytes become plaintext."""
        self.verify(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)

    # -- outbound (passive replies; the sandbox uses it to play WeCom) ---------------------------
    def encrypt(self, plaintext: str) -> str:
        key: bytes = self._key  # type: ignore[attr-defined]
        return _Prp(key).encrypt(plaintext, self.receive_id).decode()

    def seal(self, plaintext: str, nonce: str | None = None, timestamp: str | None = None) -> dict[str, str]:
        """Encrypt and sign: the fields of a passive reply (and of a callback body)."""
        nonce = nonce or base64.b32encode(os.urandom(5)).decode().lower()
        timestamp = timestamp or str(int(time.time()))
        enc = self.encrypt(plaintext)
        return {"encrypt": enc, "msgsignature": signature(self.token, timestamp, nonce, enc),
                "timestamp": timestamp, "nonce": nonce}
