"""Fuzzed callbacks over real HTTP: whatever WeCom or an attacker sends — random bytes, truncated or
wrongly padded ciphertext, JSON nested 10,000 deep, fields of the wrong type or length, correctly
signed — the answer is a 200 or a 4xx, never a 500, and a refused body stores nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import string

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.crypto import WeComCrypto, signature
from bot.sandbox.driver import app_xml
from storage.db import Database
from storage.models import InboundCallback, OutboxMessage, Ticket

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# JSON values of every shape, for any field of a decrypted payload.
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=300),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
FIELDS = ["msgid", "aibotid", "chatid", "chattype", "from", "msgtype", "text", "event", "stream", "quote",
          "response_url"]
GOOD = {"msgid": "m", "aibotid": "aib", "chatid": "wr_sh_xuhui", "chattype": "group", "from": {"userid": "storesh"},
        "msgtype": "text", "text": {"content": "@小鲸 上海徐汇店空调不制冷了"}}


def bot_crypto(cfg) -> WeComCrypto:
    return WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "")


def app_crypto(cfg) -> WeComCrypto:
    return WeComCrypto(cfg.wecom.app.token, cfg.wecom.app.encoding_aes_key, cfg.wecom.corp_id)


async def run(test, *args) -> None:
    """Hypothesis drives synchronous functions: run one in a thread while this loop serves the
    desk, each request posted back onto the loop."""
    loop = asyncio.get_running_loop()

    def call(coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=60)
    await asyncio.to_thread(test, call, *args)


class Probe:
    """Posts to the running desk and counts what each answer left in the database."""

    def __init__(self, desk) -> None:
        self.desk, self.statuses = desk, {}
        self.db = Database(desk.cfg.database.url)

    async def stored(self) -> tuple[int, int, int]:
        async with self.db.sessions() as s:
            return tuple([(await s.execute(select(func.count()).select_from(m))).scalar_one()  # type: ignore[return-value]
                          for m in (InboundCallback, Ticket, OutboxMessage)])

    async def post(self, path: str, params: dict[str, str], data: bytes | str, content_type: str) -> int:
        before = await self.stored()
        async with aiohttp.ClientSession() as http:
            async with http.post(self.desk.url + path, params=params, data=data,
                                 headers={"Content-Type": content_type}) as resp:
                status = resp.status
                await resp.read()
        self.statuses[status] = self.statuses.get(status, 0) + 1
        assert status < 500, f"{path} answered {status} to {data!r:.300}"
        if status >= 400:
            assert await self.stored() == before, f"a refused body ({status}) stored something: {data!r:.300}"
        return status

    def signed(self, crypto: WeComCrypto, encrypt: str) -> dict[str, str]:
        ts, nonce = str(int(__import__("time").time())), "fuzz"
        return {"msg_signature": signature(crypto.token, ts, nonce, encrypt), "timestamp": ts, "nonce": nonce}

    async def bot(self, plaintext: str) -> int:
        crypto = bot_crypto(self.desk.cfg)
        enc = crypto.encrypt(plaintext)
        return await self.post("/wecom/bot", self.signed(crypto, enc), json.dumps({"encrypt": enc}), "application/json")

    async def close(self) -> None:
        await self.db.close()


async def test_unsigned_noise_truncation_and_bad_padding_get_4xx(desk):
    probe = Probe(desk)
    crypto = bot_crypto(desk.cfg)
    sealed = crypto.seal(json.dumps(GOOD))

    @SETTINGS
    @given(body=st.binary(max_size=2000) | st.text(max_size=500).map(str.encode))
    def noise(call, body):
        call(probe.post("/wecom/bot", {"msg_signature": "x" * 40, "timestamp": "1", "nonce": "n"}, body,
                        "application/json"))
        call(probe.post("/wecom/app", {"msg_signature": "x" * 40, "timestamp": "1", "nonce": "n"}, body, "text/xml"))

    @SETTINGS
    @given(cut=st.integers(min_value=0, max_value=len(sealed["encrypt"]) - 1))
    def truncated(call, cut):
        enc = sealed["encrypt"][:cut]
        assert 400 <= call(probe.post("/wecom/bot", probe.signed(crypto, enc), json.dumps({"encrypt": enc}),
                                      "application/json")) < 500

    @SETTINGS
    @given(blocks=st.integers(min_value=1, max_value=16), seed=st.binary(min_size=16, max_size=16))
    def garbage_ciphertext(call, blocks, seed):
        # Correctly signed, whole AES blocks, random plaintext: padding, length field or ReceiveId fails.
        raw = (seed * blocks)[: 16 * blocks]
        enc = base64.b64encode(bytes(b ^ (i % 251) for i, b in enumerate(raw))).decode()
        assert 400 <= call(probe.post("/wecom/bot", probe.signed(crypto, enc), json.dumps({"encrypt": enc}),
                                      "application/json")) < 500

    try:
        await run(noise)
        await run(truncated)
        await run(garbage_ciphertext)
    finally:
        await probe.close()
    assert set(probe.statuses) <= {400, 403, 413}, probe.statuses


async def test_signed_payloads_of_every_shape_never_500(desk):
    probe = Probe(desk)

    @SETTINGS
    @given(over=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6), keep_good=st.booleans())
    def shapes(call, over, keep_good):
        body = {**GOOD, "msgid": os.urandom(6).hex(), **over} if keep_good else over
        call(probe.bot(json.dumps(body)))

    @SETTINGS
    @given(field=st.sampled_from(["chatid", "msgid", "chattype", "response_url"]),
           value=st.text(alphabet=string.ascii_letters, min_size=1100, max_size=3000))
    def too_long(call, field, value):
        assert call(probe.bot(json.dumps({**GOOD, "msgid": os.urandom(6).hex(), field: value}))) == 400

    @SETTINGS
    @given(value=st.text(alphabet=string.ascii_letters, min_size=65, max_size=400))
    def long_user(call, value):
        assert call(probe.bot(json.dumps({**GOOD, "msgid": os.urandom(6).hex(), "from": {"userid": value}}))) == 400

    try:
        await run(shapes)
        await run(too_long)
        await run(long_user)
        # Nesting that blows Python's recursion limit, signed and unsigned.
        deep = "[" * 10000 + "]" * 10000
        assert await probe.bot(deep) == 400
        assert await probe.post("/wecom/bot", {"msg_signature": "x", "timestamp": "1", "nonce": "n"},
                                json.dumps({"encrypt": "x"})[:-1] + "," + deep + "}", "application/json") < 500
        assert await probe.post("/wecom/bot", {"msg_signature": "x", "timestamp": "1", "nonce": "n"}, deep,
                                "application/json") == 400
    finally:
        await probe.close()
    assert 500 not in probe.statuses


async def test_signed_app_messages_with_oversized_fields_are_refused(desk):
    probe = Probe(desk)
    crypto = app_crypto(desk.cfg)

    @SETTINGS
    # The fields each kind of message reads (a click has no MsgId, a text no EventKey).
    @given(which=st.sampled_from([(False, f) for f in ("FromUserName", "MsgId", "MsgType")]
                                 + [(True, f) for f in ("FromUserName", "EventKey", "TaskId", "ResponseCode", "MsgType")]),
           value=st.text(alphabet=string.ascii_letters, min_size=600, max_size=2000))
    def oversized(call, which, value):
        click, field = which
        fields = {"ToUserName": desk.cfg.wecom.corp_id, "FromUserName": "zhangwei", "CreateTime": "1700000000",
                  "AgentID": str(desk.cfg.wecom.app.agent_id)}
        fields.update({"MsgType": "event", "Event": "template_card_event", "EventKey": "claim:1", "TaskId": "t"}
                      if click else {"MsgType": "text", "Content": "接单 1", "MsgId": os.urandom(6).hex()})
        fields[field] = value
        enc = crypto.encrypt(app_xml(fields))
        body = f"<xml><ToUserName><![CDATA[{crypto.receive_id}]]></ToUserName><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
        assert call(probe.post("/wecom/app", probe.signed(crypto, enc), body, "text/xml")) == 400

    try:
        await run(oversized)
    finally:
        await probe.close()
