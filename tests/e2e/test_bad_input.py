"""Bad input gets a clear 4xx and changes nothing; unknown message types get 200 and no action."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest

from bot.crypto import WeComCrypto
from bot.sandbox.driver import app_xml
from storage.models import InboundCallback, OutboxMessage, Ticket
from tests.conftest import rows

REPORT = {"msgid": "bad-1", "aibotid": "aib", "chatid": "wr_sh_xuhui", "chattype": "group",
          "from": {"userid": "storesh"}, "msgtype": "text", "text": {"content": "@小鲸 上海徐汇店空调不制冷了"}}


def bot_crypto(cfg) -> WeComCrypto:
    return WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "")


def app_crypto(cfg) -> WeComCrypto:
    return WeComCrypto(cfg.wecom.app.token, cfg.wecom.app.encoding_aes_key, cfg.wecom.corp_id)


async def post(desk, path, *, params, data, content_type="application/json"):
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + path, params=params, data=data,
                             headers={"Content-Type": content_type}) as resp:
            return resp.status, await resp.text()


def signed_bot(cfg, plaintext: str, **over):
    sealed = bot_crypto(cfg).seal(plaintext, timestamp=over.pop("timestamp", None))
    params = {"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]}
    params.update(over.pop("params", {}))
    return params, json.dumps({"encrypt": over.pop("encrypt", sealed["encrypt"])})


async def assert_nothing_stored(desk):
    assert await rows(desk.cfg, Ticket) == []
    assert await rows(desk.cfg, OutboxMessage) == []
    assert await rows(desk.cfg, InboundCallback) == []


async def test_wrong_signature_is_403(desk):
    params, body = signed_bot(desk.cfg, json.dumps(REPORT), params={"msg_signature": "0" * 40})
    status, text = await post(desk, "/wecom/bot", params=params, data=body)
    assert status == 403 and "signature" in text
    await assert_nothing_stored(desk)


async def test_missing_signature_is_403(desk):
    params, body = signed_bot(desk.cfg, json.dumps(REPORT))
    del params["msg_signature"]
    assert (await post(desk, "/wecom/bot", params=params, data=body))[0] == 403
    await assert_nothing_stored(desk)


async def test_stale_timestamp_is_refused(desk):
    params, body = signed_bot(desk.cfg, json.dumps(REPORT), timestamp=str(int(time.time()) - 3600))
    status, text = await post(desk, "/wecom/bot", params=params, data=body)
    assert status == 403 and "timestamp" in text
    await assert_nothing_stored(desk)


async def test_signed_garbage_ciphertext_is_400(desk):
    from bot.crypto import signature

    cfg = desk.cfg
    for encrypt in ("@@not-base64@@", "QUJD", "QUJDREVGR0hJSktMTU5PUA=="):
        ts, nonce = str(int(time.time())), "n"
        params = {"msg_signature": signature(cfg.wecom.bot.token, ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}
        status, text = await post(desk, "/wecom/bot", params=params, data=json.dumps({"encrypt": encrypt}))
        assert status == 400, (encrypt, status, text)
    await assert_nothing_stored(desk)


async def test_wrong_receive_id_is_400(desk):
    cfg = desk.cfg
    # Encrypted for a corp (app mode) but posted to the AI bot endpoint, whose ReceiveId is "".
    foreign = WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "ww_other")
    sealed = foreign.seal(json.dumps(REPORT))
    params = {"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]}
    status, text = await post(desk, "/wecom/bot", params=params, data=json.dumps({"encrypt": sealed["encrypt"]}))
    assert status == 400 and "ReceiveId" in text
    await assert_nothing_stored(desk)


@pytest.mark.parametrize("plaintext", ["{not json", "[1, 2]", json.dumps({"msgtype": "text"}),
                                       json.dumps({**REPORT, "msgid": None})])
async def test_malformed_decrypted_json_is_400(desk, plaintext):
    params, body = signed_bot(desk.cfg, plaintext)
    assert (await post(desk, "/wecom/bot", params=params, data=body))[0] == 400
    await assert_nothing_stored(desk)


@pytest.mark.parametrize("body", ["not json", "[]", json.dumps({"encrypt": ""}), json.dumps({"other": 1})])
async def test_malformed_outer_json_is_400(desk, body):
    params, _ = signed_bot(desk.cfg, json.dumps(REPORT))
    assert (await post(desk, "/wecom/bot", params=params, data=body))[0] == 400
    await assert_nothing_stored(desk)


async def test_body_over_64_kib_is_413(desk):
    params, _ = signed_bot(desk.cfg, json.dumps(REPORT))
    status, _ = await post(desk, "/wecom/bot", params=params, data=json.dumps({"encrypt": "A" * 70000}))
    assert status == 413
    await assert_nothing_stored(desk)


BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        '<xml><ToUserName>x</ToUserName><Encrypt>&lol2;</Encrypt></xml>')
INNER_BOMB = ('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><FromUserName>u</FromUserName>'
              '<MsgType>text</MsgType><Content>&e;</Content><MsgId>1</MsgId></xml>')


async def test_xml_with_doctype_is_400_outer_and_inner(desk):
    cfg = desk.cfg
    params = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n"}
    assert (await post(desk, "/wecom/app", params=params, data=BOMB, content_type="text/xml"))[0] == 400
    sealed = app_crypto(cfg).seal(INNER_BOMB)
    params = {"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]}
    outer = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt></xml>"
    status, text = await post(desk, "/wecom/app", params=params, data=outer, content_type="text/xml")
    assert status == 400 and "XML" in text
    await assert_nothing_stored(desk)


async def test_malformed_app_xml_is_400(desk):
    params = {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "n"}
    assert (await post(desk, "/wecom/app", params=params, data="<xml><Encrypt>", content_type="text/xml"))[0] == 400
    await assert_nothing_stored(desk)


async def test_unhandled_message_type_is_200_and_no_action(desk):
    cfg = desk.cfg
    image = {**REPORT, "msgid": "img-1", "msgtype": "image", "image": {"url": "https://example.invalid/x.png"}}
    params, body = signed_bot(cfg, json.dumps(image))
    status, _ = await post(desk, "/wecom/bot", params=params, data=body)
    assert status == 200
    xml = app_xml({"ToUserName": cfg.wecom.corp_id, "FromUserName": "zhangwei", "CreateTime": int(time.time()),
                   "MsgType": "event", "Event": "location", "Latitude": "31.2"})
    sealed = app_crypto(cfg).seal(xml)
    params = {"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"], "nonce": sealed["nonce"]}
    status, _ = await post(desk, "/wecom/app", params=params,
                           data=f"<xml><Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt></xml>", content_type="text/xml")
    assert status == 200
    assert await rows(desk.cfg, Ticket) == []
    assert await rows(desk.cfg, OutboxMessage) == []


async def test_url_verification_answers_plaintext_and_refuses_forgeries(desk):
    cfg = desk.cfg
    for path, crypto in (("/wecom/bot", bot_crypto(cfg)), ("/wecom/app", app_crypto(cfg))):
        sealed = crypto.seal("1616140317555161061")
        params = {"msg_signature": sealed["msgsignature"], "timestamp": sealed["timestamp"],
                  "nonce": sealed["nonce"], "echostr": sealed["encrypt"]}
        async with aiohttp.ClientSession() as http:
            async with http.get(desk.url + path, params=params) as resp:
                assert resp.status == 200
                assert await resp.read() == b"1616140317555161061"
            async with http.get(desk.url + path, params={**params, "msg_signature": "f" * 40}) as resp:
                assert resp.status == 403
            async with http.get(desk.url + path, params={k: v for k, v in params.items() if k != "echostr"}) as resp:
                assert resp.status == 400
