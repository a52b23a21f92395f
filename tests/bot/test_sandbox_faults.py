"""The sandbox alone: what each fault does to a call as the caller sees it, over real HTTP to the
WeCom stand-in mounted in a test desk (its worker off, so that only these calls reach it), WeCom's
per-member drop, the fault API's answers, and `python -m bot.sandbox` serving it by itself."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any

import aiohttp
import pytest

from bot.sandbox.wecom import MEMBER_PER_HOUR, MEMBER_PER_MINUTE, WEBHOOK_PER_MINUTE, SandboxState
from tests.conftest import ROOT, free_port, make_config
from tests.e2e.helpers import write_config

KEY, CHAT = "sandbox-key-sh-xuhui", "wr_sh_xuhui"           # one group robot, from config.yaml
OTHER_KEY, OTHER_CHAT = "sandbox-key-hz-xihu", "wr_hz_xihu"


class WeCom:
    """The calls the desk makes, made by hand: what comes back, or the connection error."""

    def __init__(self, desk: Any, http: aiohttp.ClientSession) -> None:
        self.cfg, self.http = desk.cfg, http
        self.base = desk.url + "/sandbox/cgi-bin"
        self.token = ""

    async def _call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        """(HTTP status, JSON or text); (0, exception) when the connection broke with no answer."""
        try:
            async with self.http.request(method, self.base + path, **kw) as resp:
                body = await resp.text()
                try:
                    return resp.status, await resp.json(content_type=None)
                except ValueError:
                    return resp.status, body
        except aiohttp.ClientConnectionError as e:
            return 0, e

    async def gettoken(self) -> tuple[int, Any]:
        status, data = await self._call("GET", "/gettoken", params={
            "corpid": self.cfg.wecom.corp_id, "corpsecret": self.cfg.wecom.app.secret})
        if status == 200 and data.get("errcode") == 0:
            self.token = data["access_token"]
        return status, data

    async def send(self, touser: str, text: str) -> tuple[int, Any]:
        if not self.token:
            await self.gettoken()
        return await self._call("POST", "/message/send", params={"access_token": self.token}, json={
            "touser": touser, "agentid": self.cfg.wecom.app.agent_id, "msgtype": "text", "text": {"content": text}})

    async def update_card(self, userid: str) -> tuple[int, Any]:
        if not self.token:
            await self.gettoken()
        return await self._call("POST", "/message/update_template_card", params={"access_token": self.token},
                                json={"userids": [userid], "agentid": self.cfg.wecom.app.agent_id,
                                      "response_code": "rc_unknown", "button": {"replace_name": "ok"}})

    async def push(self, key: str, text: str) -> tuple[int, Any]:
        return await self._call("POST", "/webhook/send", params={"key": key},
                                json={"msgtype": "markdown", "markdown": {"content": text}})


@pytest.fixture
async def wecom(start):
    desk = await start(worker={"in_process": False})   # nothing but the test calls the stand-in
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        yield desk, WeCom(desk, http)


def ok(answer: tuple[int, Any]) -> bool:
    status, data = answer
    return status == 200 and isinstance(data, dict) and data.get("errcode") == 0


# -- each kind ---------------------------------------------------------------------------------------
async def test_http500_answers_500_and_delivers_nothing_then_the_next_call_works(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("http500", api="message/send")
    assert (await api.send("zhangwei", "first"))[0] == 500
    assert ok(await api.send("zhangwei", "second"))
    assert [c["body"]["text"]["content"] for c in await desk.sandbox.deliveries("message/send")] == ["second"]
    [fault] = [c for c in await desk.sandbox.calls("message/send") if c.get("fault")]
    assert fault["fault"] == "http500" and fault["to"] == ["zhangwei"]


async def test_hang_waits_then_answers_system_busy(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("hang", api="message/send", seconds=0.4)
    started = time.monotonic()
    status, data = await api.send("zhangwei", "slow")
    assert time.monotonic() - started >= 0.4
    assert status == 200 and data == {"errcode": -1, "errmsg": "system busy"}
    assert await desk.sandbox.deliveries("message/send") == []


async def test_reset_closes_the_connection_without_an_answer_and_delivers_nothing(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("reset", api="message/send")
    status, error = await api.send("zhangwei", "cut")
    assert status == 0 and isinstance(error, (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError)), error
    assert await desk.sandbox.deliveries("message/send") == []
    assert ok(await api.send("zhangwei", "again"))   # the next connection is fine
    assert len(await desk.sandbox.deliveries("message/send")) == 1


@pytest.mark.parametrize("errcode,errmsg", [
    (45009, "api freq out of limit"), (42001, "access_token expired"), (40014, "invalid access_token"),
    # 130101 is not in WeCom's global error codes (doc 90313): the sandbox passes it on with neutral text.
    (130101, "sandbox fault errcode 130101")])
async def test_errcode_answers_the_code_with_wecoms_text(wecom, errcode, errmsg):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("errcode", api="message/send", errcode=errcode)
    assert await api.send("zhangwei", "x") == (200, {"errcode": errcode, "errmsg": errmsg})
    [fault] = await desk.sandbox.calls("message/send")
    assert (fault["fault"], fault["errcode"]) == ("errcode", errcode)


async def test_token_errcodes_hit_only_calls_that_carry_a_token(wecom):
    desk, api = wecom
    await desk.sandbox.fault("errcode", errcode=42001)            # api "*"
    assert ok(await api.gettoken())
    assert ok(await api.push(KEY, "a group robot has no token"))
    assert (await api.send("zhangwei", "x"))[1]["errcode"] == 42001


@pytest.mark.parametrize("reply", ["502", "reset"])
async def test_lost_reply_delivers_the_message_but_the_caller_never_learns_it(wecom, reply):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("lost_reply", api="message/send", reply=reply)
    status, answer = await api.send("zhangwei", "did it arrive?")
    assert status == (502 if reply == "502" else 0), answer
    [delivered] = await desk.sandbox.deliveries("message/send")
    assert delivered["touser"] == ["zhangwei"] and delivered["body"]["text"]["content"] == "did it arrive?"
    assert [c["fault"] for c in await desk.sandbox.calls("message/send") if c.get("fault")] == ["lost_reply"]
    assert [m["body"]["text"]["content"] for m in await desk.sandbox.inbox(userid="zhangwei")] == ["did it arrive?"]


async def test_the_old_fault_names_and_the_old_positional_call_still_work(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("errcode45009", 2)
    timeout = await desk.sandbox.fault("timeout", count=1, seconds=0.1)
    assert timeout["mode"] == "hang" and timeout["name"] == "timeout"
    answers = [await api.send("zhangwei", f"m{i}") for i in range(4)]
    assert [a[1]["errcode"] for a in answers] == [45009, 45009, -1, 0]
    assert [c["fault"] for c in await desk.sandbox.calls("message/send") if c.get("fault")] == [
        "errcode45009", "errcode45009", "timeout"]


# -- aimed at one destination ------------------------------------------------------------------------
async def test_a_fault_for_one_member_leaves_the_others_alone(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("http500", api="message/send", dest="liqiang", count=2)
    assert ok(await api.send("zhangwei", "to zhangwei"))
    assert (await api.send("liqiang", "to liqiang"))[0] == 500
    assert (await api.send("zhangwei|liqiang", "to both"))[0] == 500   # liqiang is among the receivers
    assert ok(await api.send("liqiang", "to liqiang, later"))
    assert [m["body"]["text"]["content"] for m in await desk.sandbox.inbox(userid="zhangwei")] == ["to zhangwei"]
    [spent] = await desk.sandbox.faults()
    assert spent["fired"] == 2 and spent["active"] is False


@pytest.mark.parametrize("dest", [KEY, CHAT])
async def test_a_webhook_fault_is_aimed_by_key_or_by_chatid(wecom, dest):
    desk, api = wecom
    await desk.sandbox.fault("errcode", api="webhook/send", dest=dest, errcode=45009)
    assert ok(await api.push(OTHER_KEY, "other group"))
    assert (await api.push(KEY, "this group"))[1]["errcode"] == 45009
    assert ok(await api.push(KEY, "this group, again"))
    assert [c["chatid"] for c in await desk.sandbox.deliveries("webhook/send")] == [OTHER_CHAT, CHAT]


async def test_a_card_update_fault_is_aimed_by_userid(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("http500", api="message/update_template_card", dest="zhangwei")
    assert (await api.update_card("liqiang"))[1]["errcode"] == 60140   # not aimed at: processed (unknown code)
    assert (await api.update_card("zhangwei"))[0] == 500


# -- by chance ---------------------------------------------------------------------------------------
async def pattern(desk, api, seed: int, n: int = 24) -> str:
    await desk.sandbox.reset()
    await api.gettoken()
    await desk.sandbox.fault("http500", api="message/send", probability=0.5, seed=seed)
    return "".join(["x" if (await api.send("zhangwei", f"m{i}"))[0] == 500 else "." for i in range(n)])


async def test_a_seeded_probability_gives_the_same_pattern_every_run(wecom):
    desk, api = wecom
    first = await pattern(desk, api, seed=7)
    assert "x" in first and "." in first, first
    [fault] = await desk.sandbox.faults()
    assert fault["count"] is None and fault["active"] is True       # no count: it keeps going
    assert (fault["fired"], fault["considered"]) == (first.count("x"), len(first))
    assert await pattern(desk, api, seed=7) == first
    assert await pattern(desk, api, seed=8) != first


async def test_count_caps_a_probability(wecom):
    desk, api = wecom
    await api.gettoken()
    await desk.sandbox.fault("http500", api="message/send", probability=1.0, count=2)
    answers = [(await api.send("zhangwei", f"m{i}"))[0] for i in range(4)]
    assert answers == [500, 500, 200, 200]


# -- WeCom's own limits ------------------------------------------------------------------------------
async def test_the_31st_message_to_a_member_in_a_minute_is_dropped_without_a_word(wecom):
    desk, api = wecom
    await api.gettoken()
    for i in range(MEMBER_PER_MINUTE + 1):
        assert ok(await api.send("zhangwei", f"m{i}"))    # WeCom says ok every time
    assert ok(await api.send("zhangwei|liqiang", "both"))
    got = [m["body"]["text"]["content"] for m in await desk.sandbox.inbox(userid="zhangwei")]
    assert got == [f"m{i}" for i in range(MEMBER_PER_MINUTE)]
    assert [m["body"]["text"]["content"] for m in await desk.sandbox.inbox(userid="liqiang")] == ["both"]
    dropped = await desk.sandbox.calls("message/send:dropped")
    assert [(d["touser"], d["body"]["text"]["content"], d["limit"]) for d in dropped] == [
        (["zhangwei"], f"m{MEMBER_PER_MINUTE}", ["30/minute"]), (["zhangwei"], "both", ["30/minute"])]
    assert len(await desk.sandbox.deliveries("message/send")) == MEMBER_PER_MINUTE + 1


def test_the_hourly_limit_drops_the_1001st_and_frees_up_as_the_hour_moves(config):
    state = SandboxState(config)
    spacing = 3.5   # 17 a minute: under the minute limit, 1000 within the hour
    assert all(state.admit_member("zhangwei", i * spacing) is None for i in range(MEMBER_PER_HOUR))
    last = (MEMBER_PER_HOUR - 1) * spacing
    assert state.admit_member("zhangwei", last + 1) == "1000/hour"
    assert state.admit_member("liqiang", last + 1) is None
    assert state.admit_member("zhangwei", 3600.1) is None          # the first one left the hour


async def test_the_group_robot_limit_is_still_20_a_minute_with_45009(wecom):
    desk, api = wecom
    answers = [await api.push(KEY, f"p{i}") for i in range(WEBHOOK_PER_MINUTE + 1)]
    assert all(ok(a) for a in answers[:-1]) and answers[-1][1]["errcode"] == 45009


# -- the fault API -----------------------------------------------------------------------------------
@pytest.mark.parametrize("spec,reason", [
    ({"mode": "boom"}, "mode must be one of"),
    ({"mode": "errcode"}, "needs a non-zero errcode"),
    ({"mode": "errcode", "errcode": "45009"}, "errcode must be an integer"),
    ({"mode": "errcode", "errcode": 42001, "api": "webhook/send"}, "only message/send"),
    ({"mode": "errcode45009", "errcode": 42001}, "is errcode 45009"),
    ({"mode": "http500", "errcode": 45009}, "only to mode errcode"),
    ({"mode": "http500", "api": "message/sendx"}, "api must be"),
    ({"mode": "http500", "api": "gettoken", "dest": "zhangwei"}, "dest does not apply to gettoken"),
    ({"mode": "http500", "dest": ""}, "dest must be"),
    ({"mode": "http500", "count": 0}, "count must be at least 1"),
    ({"mode": "http500", "probability": 1.5}, "probability must be between 0 and 1"),
    ({"mode": "hang", "seconds": -1}, "seconds must be between"),
    ({"mode": "http500", "reply": "reset"}, "reply applies only"),
    ({"mode": "lost_reply", "reply": "504"}, "reply must be one of"),
    ({"mode": "http500", "colour": "red"}, "unknown field(s) colour"),
])
async def test_a_bad_fault_is_answered_400_with_the_reason(wecom, spec, reason):
    desk, _ = wecom
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + "/sandbox/api/faults", json=spec) as resp:
            assert resp.status == 400 and reason in await resp.text(), await resp.text()
    assert await desk.sandbox.faults() == []


async def test_faults_are_listed_with_what_they_did_and_cleared(wecom):
    desk, api = wecom
    await api.gettoken()
    a = await desk.sandbox.fault("http500", api="message/send", count=1)
    b = await desk.sandbox.fault("errcode", api="webhook/send", errcode=45009, count=3)
    assert a["id"] != b["id"]
    await api.send("zhangwei", "x")
    listed = {f["id"]: f for f in await desk.sandbox.faults()}
    assert (listed[a["id"]]["fired"], listed[a["id"]]["active"]) == (1, False)
    assert (listed[b["id"]]["fired"], listed[b["id"]]["remaining"]) == (0, 3)
    await desk.sandbox.clear_faults()
    assert await desk.sandbox.faults() == []
    assert ok(await api.push(KEY, "no fault left"))


async def test_the_cache_switch_wants_a_boolean(wecom):
    desk, _ = wecom
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + "/sandbox/api/cache", json={"away": "yes"}) as resp:
            assert resp.status == 400 and "true or false" in await resp.text()
    assert (await desk.sandbox.cache_away(False))["away"] is False


# -- the sandbox as its own process --------------------------------------------------------------------
async def run_sandbox(*args: str, timeout: float = 20) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.sandbox", *args, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
    return proc.returncode or 0, err.decode()


async def test_the_standalone_sandbox_refuses_any_host_but_loopback(tmp_path):
    code, err = await run_sandbox("--config", str(write_config(make_config(tmp_path))), "--port",
                                  str(free_port()), "--host", "0.0.0.0")
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines() == [err.strip()] and "refusing --host 0.0.0.0" in err


async def test_a_bad_config_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("server: {port: nope}\n", encoding="utf-8")
    code, err = await run_sandbox("--config", str(bad), "--port", str(free_port()))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "config error" in err, err


async def test_the_standalone_sandbox_serves_wecom_and_takes_faults(tmp_path):
    from bot.sandbox.client import SandboxClient

    cfg = make_config(tmp_path)
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.sandbox", "--config", str(write_config(cfg)), "--port", str(port), cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http, SandboxClient(base) as sb:
            await sb.wait_up()
            await sb.fault("errcode", api="gettoken", errcode=45009)
            params = {"corpid": cfg.wecom.corp_id, "corpsecret": cfg.wecom.app.secret}
            async with http.get(base + "/sandbox/cgi-bin/gettoken", params=params) as resp:
                assert (await resp.json())["errcode"] == 45009
            async with http.get(base + "/sandbox/cgi-bin/gettoken", params=params) as resp:
                assert (await resp.json())["errcode"] == 0
            # No desk lives in this process: its clock and its cache are out of reach.
            for path, body in (("/sandbox/api/clock", {"advance_s": 60}), ("/sandbox/api/cache", {"away": True})):
                async with http.post(base + path, json=body) as resp:
                    assert resp.status == 409, path
    finally:
        proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), timeout=10)
    started = [line for line in err.decode().splitlines() if "sandbox alone on" in line]
    assert len(started) == 1 and f"http://127.0.0.1:{port}/sandbox" in started[0]
