"""The AI bot's encrypted media and the parsing of image, file and mixed messages.

The vector is made here with the `cryptography` package directly, following WeCom's description
(AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 to 32),
not with the code under test."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.crypto import CryptoError
from bot.inbound import BadPayload, parse_app_fields, parse_bot_message
from bot.media import decrypt_media
from bot.sandbox.wecom import encrypt_bot_file
from handlers.event import Media
from storage.attachments import IMAGES, IMAGES_AND_PDF, Upload, sniff

# WeCom's sample EncodingAESKey from its crypto docs (43 characters).
EAK = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
KEY = base64.b64decode(EAK + "=")


def encrypt_reference(data: bytes) -> bytes:
    pad = 32 - len(data) % 32
    enc = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return enc.update(data + bytes([pad]) * pad) + enc.finalize()


def test_the_key_is_32_bytes_and_the_iv_its_first_16():
    assert len(KEY) == 32


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 1000, 4096])
def test_decrypt_matches_an_independent_encryption(size):
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    assert decrypt_media(encrypt_reference(data), EAK) == data


def test_a_fixed_vector():
    # Computed once with the reference above: "wecom-desk" padded with 22 bytes of 0x16.
    cipher = encrypt_reference(b"wecom-desk")
    assert len(cipher) == 32
    assert decrypt_media(cipher, EAK) == b"wecom-desk"
    plain = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).decryptor()
    raw = plain.update(cipher) + plain.finalize()
    assert raw == b"wecom-desk" + bytes([22]) * 22


def test_the_sandbox_encrypts_as_wecom_does():
    data = b"\xff\xd8\xff" + bytes(1234)
    assert encrypt_bot_file(data, EAK) == encrypt_reference(data)


@pytest.mark.parametrize("bad", [b"", b"x" * 15, b"x" * 33])
def test_a_length_that_is_no_whole_block_is_refused(bad):
    with pytest.raises(CryptoError):
        decrypt_media(bad, EAK)


def test_bad_padding_is_refused_not_read_as_garbage():
    enc = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    cipher = enc.update(b"a" * 31 + b"\x00") + enc.finalize()   # pad byte 0
    with pytest.raises(CryptoError):
        decrypt_media(cipher, EAK)
    enc = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    cipher = enc.update(b"a" * 30 + b"\x01\x02") + enc.finalize()   # pad 2 but bytes differ
    with pytest.raises(CryptoError):
        decrypt_media(cipher, EAK)


def test_sniff_takes_pdf_but_an_image_upload_does_not():
    pdf = b"%PDF-1.4\n..."
    assert sniff(pdf) == ("pdf", "application/pdf")
    assert Upload.of(pdf) is None and Upload.of(pdf, IMAGES) is None
    upload = Upload.of(pdf, IMAGES_AND_PDF)
    assert upload is not None and upload.key.endswith(".pdf") and not upload.is_image


def _bot(body: dict) -> str:
    return json.dumps({"msgid": "m1", "aibotid": "a", "chattype": "group", "chatid": "c", "from": {"userid": "u"},
                       **body})


def test_parse_an_image_a_file_and_a_mixed_message():
    image = parse_bot_message(_bot({"msgtype": "image", "image": {"url": "https://x/y"}}))
    assert image.kind == "text" and image.media == (Media("image", "https://x/y"),) and image.text == ""
    file = parse_bot_message(_bot({"msgtype": "file", "file": {"url": "https://x/f"}}))
    assert file.media == (Media("file", "https://x/f"),)
    mixed = parse_bot_message(_bot({"msgtype": "mixed", "mixed": {"msg_item": [
        {"msgtype": "text", "text": {"content": "@bot #12 完工"}},
        {"msgtype": "image", "image": {"url": "https://x/1"}},
        {"msgtype": "image", "image": {"url": "https://x/2"}}]},
        "quote": {"msgtype": "text", "text": {"content": "#12 空调"}}}))
    assert mixed.text == "@bot #12 完工" and [m.ref for m in mixed.media] == ["https://x/1", "https://x/2"]
    assert mixed.quote == "#12 空调" and mixed.dedup_key == "bot:m1"


@pytest.mark.parametrize("body", [
    {"msgtype": "image", "image": {}},
    {"msgtype": "image", "image": {"url": 5}},
    {"msgtype": "image", "image": {"url": "file:///etc/passwd"}},
    {"msgtype": "file", "file": "x"},
    {"msgtype": "mixed", "mixed": {"msg_item": []}},
    {"msgtype": "mixed", "mixed": {"msg_item": [{"msgtype": "image", "image": {"url": "https://x"}}] * 21}},
])
def test_malformed_media_messages_are_refused(body):
    with pytest.raises(BadPayload):
        parse_bot_message(_bot(body))


def test_parse_an_app_image():
    inbound = parse_app_fields({"FromUserName": "zhangwei", "MsgType": "image", "MsgId": "99", "MediaId": "MID",
                                "PicUrl": "https://p", "CreateTime": "1"})
    assert inbound.dedup_key == "app:99" and inbound.media == (Media("image", "MID"),) and inbound.kind == "text"
    with pytest.raises(BadPayload):
        parse_app_fields({"FromUserName": "zhangwei", "MsgType": "image", "MsgId": "99"})
