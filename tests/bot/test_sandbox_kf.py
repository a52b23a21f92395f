"""The sandbox's 微信客服 (kf) alone: sync_msg's paging and horizon, send_msg's 48 h / 5-message window,
caller msgids, the welcome code, accounts, faults, and the kf_msg_or_event callback as the desk receives
it. The sandbox is mounted by itself on a loopback port; a tiny server plays the desk's /wecom/kf and
keeps what arrives."""

from __future__ import annotations

import re
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.crypto import WeComCrypto
from bot.sandbox import create_sandbox, kf
from bot.sandbox.client import SandboxClient
from tests.conftest import make_config

KFID = kf.DEFAULT_OPEN_KFID            # config.yaml's account
ALICE, BOB = "wmAliceSandbox0001", "wmBobSandbox0002"
HOUR = 3600.0


class KfApi:
    """The kf calls the desk makes, made by hand against the sandbox's /cgi-bin."""

    def __init__(self, base: str, cfg: Any, http: aiohttp.ClientSession) -> None:
        self.base, self.cfg, self.http, self.token = base + "/sandbox/cgi-bin", cfg, http, ""

    async def _post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if not self.token:
            async with self.http.get(self.base + "/gettoken", params={
                    "corpid": self.cfg.wecom.corp_id, "corpsecret": self.cfg.wecom.app.secret}) as resp:
                self.token = (await resp.json())["access_token"]
        async with self.http.post(self.base + path, params={"access_token": self.token}, json=body) as resp:
            try:
                return resp.status, await resp.json(content_type=None)
            except ValueError:
                return resp.status, await resp.text()

    async def sync(self, **body: Any) -> dict[str, Any]:
        return (await self._post("/kf/sync_msg", body))[1]

    async def send(self, touser: str, text: str = "hi", open_kfid: str = KFID, **body: Any) -> dict[str, Any]:
        return (await self._post("/kf/send_msg", {"touser": touser, "open_kfid": open_kfid, "msgtype": "text",
                                                  "text": {"content": text}, **body}))[1]

    async def welcome(self, code: str, text: str = "欢迎", **body: Any) -> dict[str, Any]:
        return (await self._post("/kf/send_msg_on_event", {"code": code, "msgtype": "text",
                                                           "text": {"content": text}, **body}))[1]


class Env:
    def __init__(self, cfg: Any, url: str, api: KfApi, sandbox: SandboxClient, got: list[dict[str, Any]],
                 desk: dict[str, Any]) -> None:
        self.cfg, self.url, self.api, self.sandbox, self.got, self.desk = cfg, url, api, sandbox, got, desk


@pytest.fixture
async def env(tmp_path, aiohttp_server):
    cfg = make_config(tmp_path)
    got: list[dict[str, Any]] = []
    desk: dict[str, Any] = {"status": 200}

    async def wecom_kf(request: web.Request) -> web.Response:   # the desk's /wecom/kf, as a recorder
        got.append({"query": dict(request.query), "body": await request.text(),
                    "content_type": request.content_type})
        return web.Response(status=desk["status"], text="")

    desk_app = web.Application()
    desk_app.router.add_post("/wecom/kf", wecom_kf)
    desk_server = await aiohttp_server(desk_app, host="127.0.0.1")
    app = web.Application()
    app.add_subapp("/sandbox", create_sandbox(cfg, desk_url=str(desk_server.make_url("")), standalone=True))
    server = await aiohttp_server(app, host="127.0.0.1")
    url = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http, SandboxClient(url) as sb:
        yield Env(cfg, url, KfApi(url, cfg, http), sb, got, desk)


def items(page: dict[str, Any]) -> list[str]:
    return [m["text"]["content"] if m["msgtype"] == "text" else m["event"]["event_type"] for m in page["msg_list"]]


# -- the callback ----------------------------------------------------------------------------------------
async def test_the_callback_decrypts_with_the_apps_keys_to_exactly_the_documented_xml(env):
    before = int(time.time())
    said = await env.sandbox.kf_say(ALICE, "空调不制冷")
    assert said["status"] == 200 and said["msgid"] and said["token"]
    [call] = env.got
    assert call["content_type"] == "text/xml"
    q = call["query"]
    assert set(q) == {"msg_signature", "timestamp", "nonce"}
    envelope = re.fullmatch(r"<xml><ToUserName><!\[CDATA\[(.*)\]\]></ToUserName><Encrypt><!\[CDATA\[(.*)\]\]>"
                            r"</Encrypt><AgentID><!\[CDATA\[\]\]></AgentID></xml>", call["body"])
    assert envelope is not None, call["body"]
    assert envelope[1] == env.cfg.wecom.corp_id
    a = env.cfg.wecom.app
    plain = WeComCrypto(a.token, a.encoding_aes_key, env.cfg.wecom.corp_id).open(
        q["msg_signature"], q["timestamp"], q["nonce"], envelope[2])
    created = int(re.search(r"<CreateTime>(\d+)</CreateTime>", plain)[1])
    assert before <= created <= time.time()
    assert plain == (f"<xml><ToUserName><![CDATA[{env.cfg.wecom.corp_id}]]></ToUserName>"
                     f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
                     f"<Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[{said['token']}]]></Token>"
                     f"<OpenKfId><![CDATA[{KFID}]]></OpenKfId></xml>")
    # The callback carries no content: the message is pulled with sync_msg, with the Token or without.
    page = await env.api.sync(token=said["token"], open_kfid=KFID)
    [item] = page["msg_list"]
    assert item == {"msgid": said["msgid"], "open_kfid": KFID, "external_userid": ALICE,
                    "send_time": item["send_time"], "origin": 3, "msgtype": "text", "text": {"content": "空调不制冷"}}
    assert (await env.api.sync())["msg_list"] == [item]


async def test_the_desks_answer_comes_back_and_a_redelivery_adds_nothing(env):
    env.desk["status"] = 503
    said = await env.sandbox.kf_say(ALICE, "hello")
    assert said["status"] == 503
    env.desk["status"] = 200
    again = await env.sandbox.kf_callback()
    assert again["status"] == 200 and again["token"] != said["token"] and "msgid" not in again
    assert len(env.got) == 2
    assert items(await env.api.sync(token=again["token"], open_kfid=KFID)) == ["hello"]


async def test_an_unreachable_desk_is_status_0_and_the_message_waits(tmp_path, aiohttp_server):
    cfg = make_config(tmp_path)
    app = web.Application()
    app.add_subapp("/sandbox", create_sandbox(cfg, desk_url="http://127.0.0.1:9", standalone=True))
    server = await aiohttp_server(app, host="127.0.0.1")
    url = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as http, SandboxClient(url) as sb:
        said = await sb.kf_say(ALICE, "anyone?")
        assert said["status"] == 0 and said["error"]
        assert items(await KfApi(url, cfg, http).sync(open_kfid=KFID)) == ["anyone?"]


# -- sync_msg --------------------------------------------------------------------------------------------
async def test_sync_pages_by_limit_with_has_more_and_next_cursor(env):
    for i in range(5):
        await env.sandbox.kf_say(ALICE if i % 2 else BOB, f"m{i}")
    seen, cursor, pages = [], "", []
    while True:
        page = await env.api.sync(cursor=cursor, limit=2, open_kfid=KFID)
        assert page["errcode"] == 0 and page["errmsg"] == "ok"
        pages.append((len(page["msg_list"]), page["has_more"]))
        seen += items(page)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == [(2, 1), (2, 1), (1, 0)] and seen == [f"m{i}" for i in range(5)]
    # The last cursor stays where it was: nothing new, then only what is new.
    assert (await env.api.sync(cursor=cursor, open_kfid=KFID))["msg_list"] == []
    await env.sandbox.kf_say(ALICE, "m5")
    page = await env.api.sync(cursor=cursor, open_kfid=KFID)
    assert items(page) == ["m5"] and page["has_more"] == 0
    calls = await env.sandbox.calls("kf/sync_msg")
    assert [(c["cursor"] == "", c["count"], c["has_more"]) for c in calls[:3]] == [(True, 2, 1), (False, 2, 1),
                                                                                  (False, 1, 0)]
    assert calls[1]["cursor"] == calls[0]["next_cursor"]
    # limit left out or 0 is 1000 (the default and the maximum)
    assert calls[-1]["limit"] == kf.SYNC_LIMIT


async def test_sync_reads_only_the_last_three_days(env):
    await env.sandbox.kf_say(ALICE, "too old", age_s=3 * 24 * HOUR + 60)
    await env.sandbox.kf_say(ALICE, "two days ago", age_s=2 * 24 * HOUR)
    await env.sandbox.kf_say(ALICE, "now")
    page = await env.api.sync(open_kfid=KFID)
    assert items(page) == ["two days ago", "now"]
    assert page["msg_list"][0]["send_time"] <= time.time() - 2 * 24 * HOUR + 1


async def test_a_garbled_or_stale_cursor_and_a_bad_token_are_refused(env):
    await env.sandbox.kf_say(ALICE, "x")
    page = await env.api.sync(open_kfid=KFID)
    for cursor in ("garbage!", "Zm9vLjE", page["next_cursor"] + "x", "A" * 65):
        answer = await env.api.sync(cursor=cursor, open_kfid=KFID)
        assert answer["errcode"] == kf.ERR_INVALID_CURSOR == 50100 and "invalid cursor" in answer["errmsg"], cursor
    # A cursor is for the account it was read for (or for all accounts when none was named).
    assert (await env.api.sync(cursor=page["next_cursor"]))["errcode"] == 50100
    assert (await env.api.sync(token="ENCnot-a-token", open_kfid=KFID))["errcode"] == kf.ERR_MSGTOKEN == 95007
    assert (await env.api.sync(limit="ten", open_kfid=KFID))["errcode"] == 40058
    await env.sandbox.reset()   # a reset sandbox forgets its cursors (and its access tokens)
    env.api.token = ""
    assert (await env.api.sync(cursor=page["next_cursor"], open_kfid=KFID))["errcode"] == 50100


async def test_the_callback_token_lasts_ten_minutes(env, monkeypatch):
    said = await env.sandbox.kf_say(ALICE, "x")
    real = time.time
    monkeypatch.setattr(kf, "now", lambda: real() + kf.TOKEN_TTL_S - 5)
    assert (await env.api.sync(token=said["token"], open_kfid=KFID))["errcode"] == 0
    monkeypatch.setattr(kf, "now", lambda: real() + kf.TOKEN_TTL_S + 5)
    assert (await env.api.sync(token=said["token"], open_kfid=KFID))["errcode"] == 95007
    assert (await env.api.sync(open_kfid=KFID))["errcode"] == 0   # without a token: allowed


async def test_enter_session_is_an_event_item_with_scene_and_welcome_code(env):
    entered = await env.sandbox.kf_enter(ALICE, scene_param="xuhui")
    assert entered["status"] == 200 and entered["welcome_code"]
    [item] = (await env.api.sync(open_kfid=KFID))["msg_list"]
    assert item == {"msgid": entered["msgid"], "send_time": item["send_time"], "origin": 4, "msgtype": "event",
                    "event": {"event_type": "enter_session", "open_kfid": KFID, "external_userid": ALICE,
                              "scene": kf.DEFAULT_SCENE, "scene_param": "xuhui",
                              "welcome_code": entered["welcome_code"]}}


# -- send_msg's window -----------------------------------------------------------------------------------
async def test_five_sends_per_customer_message_then_95001_and_a_new_message_resets(env):
    await env.sandbox.kf_say(ALICE, "help")
    answers = [await env.api.send(ALICE, f"r{i}") for i in range(6)]
    assert [a["errcode"] for a in answers] == [0] * 5 + [kf.ERR_SEND_COUNT] and kf.ERR_SEND_COUNT == 95001
    assert all(a["msgid"] for a in answers[:5])
    assert (await env.api.send(BOB, "bob never wrote"))["errcode"] == 95031   # per customer
    await env.sandbox.kf_say(ALICE, "still there?")
    assert [(await env.api.send(ALICE, f"s{i}"))["errcode"] for i in range(6)] == [0] * 5 + [95001]
    assert await env.sandbox.kf_texts(ALICE) == [f"r{i}" for i in range(5)] + [f"s{i}" for i in range(5)]
    refused = await env.sandbox.calls("kf/send_msg:refused")
    assert [(c["touser"], c["errcode"]) for c in refused] == [(ALICE, 95001), (BOB, 95031), (ALICE, 95001)]
    [first, *_] = await env.sandbox.calls("kf/send_msg")
    assert (first["touser"], first["open_kfid"], first["msgtype"], first["body"]["text"]) == (
        ALICE, KFID, "text", {"content": "r0"})


async def test_48_hours_after_the_customers_last_message_is_95002(env):
    await env.sandbox.kf_say(ALICE, "old", age_s=48 * HOUR + 60)
    assert (await env.api.send(ALICE))["errcode"] == kf.ERR_SEND_TIME == 95002
    await env.sandbox.kf_say(BOB, "a while ago", age_s=47 * HOUR)
    assert (await env.api.send(BOB))["errcode"] == 0


async def test_no_customer_message_ever_is_95031_even_after_entering(env):
    assert (await env.api.send(ALICE))["errcode"] == kf.ERR_NO_CONSULT == 95031
    await env.sandbox.kf_enter(ALICE)
    assert (await env.api.send(ALICE))["errcode"] == 95031
    assert await env.sandbox.kf_inbox(ALICE) == []


async def test_a_caller_msgid_is_good_once_per_account(env):
    await env.sandbox.kf_say(ALICE, "hi")
    await env.sandbox.kf_say(BOB, "hi")
    ok = await env.api.send(ALICE, "first", msgid="ob_42")
    assert ok == {"errcode": 0, "errmsg": "ok", "msgid": "ob_42"}
    dup = await env.api.send(BOB, "again", msgid="ob_42")
    assert dup["errcode"] == kf.ERR_DUPLICATE_MSGID == 40058 and "already used" in dup["errmsg"]
    assert (await env.api.send(ALICE, "bad id", msgid="no spaces"))["errcode"] == 40058
    assert (await env.api.send(ALICE, "too long", msgid="x" * 33))["errcode"] == 40058
    generated = await env.api.send(ALICE, "no id given")
    assert generated["errcode"] == 0 and generated["msgid"] and generated["msgid"] != "ob_42"
    assert await env.sandbox.kf_texts(BOB) == []
    # The msgids of welcome messages are the account's too.
    code = (await env.sandbox.kf_enter("wmCarolSandbox0003"))["welcome_code"]
    assert (await env.api.welcome(code, msgid="ob_42"))["errcode"] == 40058
    assert (await env.api.welcome(code, msgid="ob_43"))["errcode"] == 0
    assert (await env.api.send(ALICE, "x", msgid="ob_43"))["errcode"] == 40058


async def test_an_unknown_open_kfid_is_refused(env):
    await env.sandbox.kf_say(ALICE, "hi")
    assert (await env.api.send(ALICE, open_kfid="wk_not_ours"))["errcode"] == kf.ERR_INVALID_OPEN_KFID == 95000
    assert (await env.api.send(ALICE, open_kfid=""))["errcode"] == 95000
    assert (await env.api.sync(open_kfid="wk_not_ours"))["errcode"] == 95000
    with pytest.raises(aiohttp.ClientResponseError) as e:
        await env.sandbox.kf_say(ALICE, "hi", open_kfid="wk_not_ours")
    assert e.value.status == 400 and "unknown open_kfid" in e.value.message


def test_accounts_come_from_the_config_else_any_wk_id(tmp_path):
    cfg = make_config(tmp_path)
    assert kf.configured_accounts(cfg) == [KFID] and kf.default_account(cfg) == KFID
    assert kf.known_account(cfg, KFID) and not kf.known_account(cfg, "wk_other")
    bare = make_config(tmp_path, wecom={"kf": {"accounts": [], "scenes": {}}})
    assert kf.default_account(bare) == kf.DEFAULT_OPEN_KFID
    assert kf.known_account(bare, "wk_other") and not kf.known_account(bare, "xx_other")


async def test_message_content_rules(env):
    await env.sandbox.kf_say(ALICE, "hi")
    send = env.api._post
    base = {"touser": ALICE, "open_kfid": KFID}
    assert (await send("/kf/send_msg", {**base, "msgtype": "image", "image": {}}))[1]["errcode"] == 40008
    assert (await send("/kf/send_msg", {**base, "msgtype": "text", "text": {"content": ""}}))[1]["errcode"] == 44004
    assert (await env.api.send(ALICE, "字" * 683))["errcode"] == 45002   # 2049 bytes
    menu = {"head_content": "满意吗?", "tail_content": "谢谢",
            "list": [{"type": "click", "click": {"id": "101", "content": "满意"}},
                     {"type": "view", "view": {"url": "https://example.com/t/1", "content": "查看工单"}}]}
    too_many = {**menu, "list": menu["list"] * 6}
    bad_type = {**menu, "list": [{"type": "button", "button": {"content": "?"}}]}
    assert (await send("/kf/send_msg", {**base, "msgtype": "msgmenu", "msgmenu": too_many}))[1]["errcode"] == 95008
    assert (await send("/kf/send_msg", {**base, "msgtype": "msgmenu", "msgmenu": bad_type}))[1]["errcode"] == 95009
    assert (await send("/kf/send_msg", {**base, "msgtype": "msgmenu", "msgmenu": menu}))[1]["errcode"] == 0
    [got] = await env.sandbox.kf_inbox(ALICE)
    assert got["api"] == "kf/send_msg" and got["msgtype"] == "msgmenu" and got["msgmenu"] == menu
    assert await env.sandbox.kf_texts(ALICE) == ["满意吗?\n满意\n查看工单"]
    # A tap on the click item comes back as the customer's text with its menu_id.
    await env.sandbox.kf_say(ALICE, "满意", menu_id="101")
    assert (await env.api.sync(open_kfid=KFID))["msg_list"][-1]["text"] == {"content": "满意", "menu_id": "101"}


# -- send_msg_on_event -----------------------------------------------------------------------------------
async def test_the_welcome_code_is_good_once(env):
    code = (await env.sandbox.kf_enter(ALICE, scene_param="xuhui"))["welcome_code"]
    ok = await env.api.welcome(code, "您好,请问有什么可以帮您?")
    assert ok["errcode"] == 0 and ok["msgid"]
    again = await env.api.welcome(code, "again")
    assert again["errcode"] == kf.ERR_EVENT_CODE == 95007 and "already used" in again["errmsg"]
    assert (await env.api.welcome("no-such-code"))["errcode"] == 95007
    assert await env.sandbox.kf_texts(ALICE) == ["您好,请问有什么可以帮您?"]
    [got] = await env.sandbox.kf_inbox(ALICE)
    assert got["api"] == "kf/send_msg_on_event" and got["open_kfid"] == KFID
    [call] = await env.sandbox.calls("kf/send_msg_on_event")
    assert call["external_userid"] == ALICE and call["body"]["text"]["content"] == "您好,请问有什么可以帮您?"
    # The welcome opens no send_msg window: the customer has still not written.
    assert (await env.api.send(ALICE))["errcode"] == 95031


async def test_the_welcome_code_lasts_20_seconds(env, monkeypatch):
    late = (await env.sandbox.kf_enter(ALICE, age_s=21))["welcome_code"]
    answer = await env.api.welcome(late)
    assert answer["errcode"] == 95007 and "expired" in answer["errmsg"]
    code = (await env.sandbox.kf_enter(BOB))["welcome_code"]
    real = time.time
    monkeypatch.setattr(kf, "now", lambda: real() + 19)
    assert (await env.api.welcome(code))["errcode"] == 0
    code = (await env.sandbox.kf_enter("wmCarolSandbox0003"))["welcome_code"]
    monkeypatch.setattr(kf, "now", lambda: real() + 40)
    assert (await env.api.welcome(code))["errcode"] == 95007


async def test_no_welcome_code_after_the_customer_wrote_or_was_welcomed_within_48_hours(env):
    await env.sandbox.kf_say(ALICE, "hi")
    assert (await env.sandbox.kf_enter(ALICE))["welcome_code"] is None
    code = (await env.sandbox.kf_enter(BOB))["welcome_code"]
    assert (await env.api.welcome(code))["errcode"] == 0
    assert (await env.sandbox.kf_enter(BOB))["welcome_code"] is None
    [*_, event] = (await env.api.sync(open_kfid=KFID))["msg_list"]
    assert "welcome_code" not in event["event"]
    await env.sandbox.kf_say("wmDaveSandbox0004", "long ago", age_s=49 * HOUR)
    assert (await env.sandbox.kf_enter("wmDaveSandbox0004"))["welcome_code"]


# -- faults ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("api", ["kf/sync_msg", "kf/send_msg", "kf/send_msg_on_event"])
async def test_the_fault_api_takes_the_kf_names(env, api):
    fault = await env.sandbox.fault("errcode", api=api, errcode=42001)   # they carry an access_token
    assert fault["api"] == api
    code = (await env.sandbox.kf_enter(ALICE))["welcome_code"]
    await env.sandbox.kf_say(BOB, "hi")
    answer = {"kf/sync_msg": lambda: env.api.sync(open_kfid=KFID), "kf/send_msg": lambda: env.api.send(BOB),
              "kf/send_msg_on_event": lambda: env.api.welcome(code)}[api]
    assert await answer() == {"errcode": 42001, "errmsg": "access_token expired"}
    assert (await answer())["errcode"] == 0
    [hit] = [c for c in await env.sandbox.calls(api) if c.get("fault")]
    assert hit["errcode"] == 42001


async def test_a_kf_fault_aims_at_one_customer(env):
    await env.sandbox.fault("http500", api="kf/send_msg", dest=BOB)
    await env.sandbox.kf_say(ALICE, "hi")
    await env.sandbox.kf_say(BOB, "hi")
    assert (await env.api.send(ALICE))["errcode"] == 0
    status, _ = await env.api._post("/kf/send_msg", {"touser": BOB, "open_kfid": KFID, "msgtype": "text",
                                                     "text": {"content": "x"}})
    assert status == 500 and await env.sandbox.kf_texts(BOB) == []


async def test_lost_reply_on_send_msg_delivers_then_answers_502(env):
    await env.sandbox.kf_say(ALICE, "hi")
    await env.sandbox.fault("lost_reply", api="kf/send_msg")
    status, _ = await env.api._post("/kf/send_msg", {"touser": ALICE, "open_kfid": KFID, "msgid": "ob_7",
                                                     "msgtype": "text", "text": {"content": "did it arrive?"}})
    assert status == 502
    assert await env.sandbox.kf_texts(ALICE) == ["did it arrive?"]
    # The retry with the same msgid is refused: WeCom already has it.
    assert (await env.api.send(ALICE, "did it arrive?", msgid="ob_7"))["errcode"] == 40058
    assert await env.sandbox.kf_texts(ALICE) == ["did it arrive?"]
