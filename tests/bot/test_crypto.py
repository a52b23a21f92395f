"""Interoperability with WeCom's own crypto vectors (WECOM.md A and C) and the AI-bot mode."""

import base64
import json

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from bot.crypto import CryptoError, ReceiveIdError, SignatureError, WeComCrypto
from bot.inbound import parse_app_message

A = dict(token="hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", key="6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
         corp="ww1436e0e65a779aee")
A_GET = ("012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683",
         "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==")
A_POST = ("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914",
          "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+")
C = dict(token="QDG6eK", key="jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", corp="wx5823bf96d3bd56c7")
C_GET = ("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780",
         "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==")
C_POST = ("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149",
          "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==")


def crypto(v: dict) -> WeComCrypto:
    return WeComCrypto(v["token"], v["key"], v["corp"])


@pytest.mark.parametrize("vector,get,expected", [(A, A_GET, "1288432023552776189"), (C, C_GET, "1616140317555161061")])
def test_url_verification_vectors(vector, get, expected):
    assert crypto(vector).open(*get) == expected


@pytest.mark.parametrize("vector,post,user,content,msgid,agent", [
    (A, A_POST, "ChenJiaShun", "你好", "1456453720", "1000002"),
    (C, C_POST, "mycreate", "hello", "4561255354251345929", "218"),
])
def test_message_vectors(vector, post, user, content, msgid, agent):
    inbound = parse_app_message(crypto(vector).open(*post))
    assert (inbound.userid, inbound.text, inbound.msgid, inbound.raw["AgentID"]) == (user, content, msgid, agent)
    assert inbound.dedup_key == f"app:{msgid}"


def test_wrong_signature_is_refused():
    sig, ts, nonce, enc = A_POST
    with pytest.raises(SignatureError):
        crypto(A).open("0" * 40, ts, nonce, enc)
    with pytest.raises(SignatureError):
        crypto(A).open(None, ts, nonce, enc)
    with pytest.raises(SignatureError):  # the timestamp is part of what is signed
        crypto(A).open(sig, str(int(ts) + 1), nonce, enc)


def test_wrong_receive_id_is_refused():
    other = WeComCrypto(A["token"], A["key"], "ww_some_other_corp")
    with pytest.raises(ReceiveIdError):
        other.open(*A_POST)


def test_ai_bot_mode_round_trip_with_empty_receive_id():
    key = base64.b64encode(bytes(range(32))).decode().rstrip("=")
    bot = WeComCrypto("botToken", key, "")
    body = json.dumps({"msgid": "m1", "from": {"userid": "u"}, "msgtype": "text", "text": {"content": "@小鲸 你好"}},
                      ensure_ascii=False)
    sealed = bot.seal(body, nonce="n1", timestamp="1700000000")
    assert bot.open(sealed["msgsignature"], "1700000000", "n1", sealed["encrypt"]) == body
    # The same ciphertext addressed to a corp (app mode) is not accepted as the bot's, nor vice versa.
    with pytest.raises(ReceiveIdError):
        WeComCrypto("botToken", key, "wwcorp").decrypt(sealed["encrypt"])
    app_sealed = WeComCrypto("botToken", key, "wwcorp").seal(body)
    with pytest.raises(ReceiveIdError):
        bot.decrypt(app_sealed["encrypt"])


def test_interoperates_with_wechatpy_in_both_directions():
    ours = crypto(C)
    theirs = WeChatCrypto(C["token"], C["key"], C["corp"])
    xml = "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>"
    reply = theirs.encrypt_message(xml, "nonce1", "1409659813")
    enc = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    sig = reply.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert ours.open(sig, "1409659813", "nonce1", enc) == xml
    sealed = ours.seal(xml, nonce="n2", timestamp="1409659900")
    assert theirs.decrypt_message({"Encrypt": sealed["encrypt"]}, sealed["msgsignature"], "1409659900", "n2") == xml


@pytest.mark.parametrize("bad", ["not base64!!", "", base64.b64encode(b"x" * 15).decode(),
                                 base64.b64encode(b"x" * 32).decode()])
def test_garbage_ciphertext_is_a_crypto_error(bad):
    with pytest.raises(CryptoError):
        crypto(C).decrypt(bad)


def test_padding_is_checked_strictly():
    # Flip the last byte of the last block's IV-chained input so the padding bytes disagree.
    raw = bytearray(base64.b64decode(C_POST[3]))
    raw[-17] ^= 0x01
    with pytest.raises(CryptoError):
        crypto(C).decrypt(base64.b64encode(bytes(raw)).decode())
