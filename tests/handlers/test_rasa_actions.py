"""A Rasa assistant drives the same desk through rasa-sdk's action-server contract."""

from __future__ import annotations

import json
import zlib

import aiohttp

from storage.models import Ticket
from tests.conftest import rows

TOKEN = "rasa-test-token"


def action_call(action: str, sender: str, text: str, entities: list[dict], chatid: str | None = "wr_sh_xuhui") -> dict:
    return {
        "next_action": action, "sender_id": sender, "version": "3.21.0",
        "tracker": {"sender_id": sender, "slots": {"chatid": chatid}, "latest_message": {
            "text": text, "intent": {"name": action.removeprefix("action_"), "confidence": 0.98},
            "entities": entities, "metadata": {}},
            "events": [], "paused": False, "followup_action": None, "active_loop": {},
            "latest_action_name": "action_listen"},
        "domain": {"version": "3.1", "intents": [], "entities": [], "slots": {}, "responses": {}, "actions": []},
    }


async def post(desk, body, *, token=TOKEN, raw=None, headers=None):
    async with aiohttp.ClientSession() as http:
        async with http.post(desk.url + "/rasa/webhook", params={"token": token} if token else None,
                             data=raw if raw is not None else json.dumps(body, ensure_ascii=False),
                             headers=headers or {"Content-Type": "application/json"}) as resp:
            return resp.status, await resp.json()


async def test_create_ticket_action_opens_a_ticket_and_utters_the_card(start):
    desk = await start(server={"api_token": TOKEN})
    call = action_call("action_create_ticket", "storesh", "上海徐汇店空调不制冷了",
                       [{"entity": "skill", "value": "hvac", "start": 5, "end": 7},
                        {"entity": "city", "value": "上海", "start": 0, "end": 2}])
    status, body = await post(desk, call)
    assert status == 200, body
    [response] = body["responses"]
    assert "#1" in response["text"]
    assert "#1" in response["custom"]["template_card"]["main_title"]["title"]
    [ticket] = await rows(desk.cfg, Ticket)
    assert (ticket.skill, ticket.city, ticket.reporter, ticket.chatid) == ("hvac", "上海", "storesh", "wr_sh_xuhui")
    # The same desk offers the job: engineers get their cards through the outbox.
    assert await desk.sandbox.wait_for(lambda: desk.sandbox.job_cards("zhangwei"))


async def test_claim_action_uses_the_same_rules(start):
    desk = await start(server={"api_token": TOKEN})
    await desk.sandbox.say("storesh", "@小鲸 上海徐汇店空调不制冷了", chatid="wr_sh_xuhui")
    status, body = await post(desk, action_call("action_claim_job", "storesh", "接单 1",
                                                [{"entity": "ticket", "value": "1"}], chatid=None))
    assert status == 200 and "只有工程师" in body["responses"][0]["text"]
    status, body = await post(desk, action_call("action_claim_job", "zhangwei", "接单 1",
                                                [{"entity": "ticket", "value": "1"}], chatid=None))
    assert status == 200 and "#1" in body["responses"][0]["text"]
    assert {"event": "slot", "name": "ticket", "value": 1} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in body["events"]]
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.assignee == "zhangwei"


async def test_rasa_error_contract(start):
    desk = await start(server={"api_token": TOKEN})
    status, body = await post(desk, action_call("action_teleport", "storesh", "x", []))
    assert status == 404 and body["action_name"] == "action_teleport"
    status, body = await post(desk, None, raw="not json")
    assert status == 400 and body == {"error": "Invalid body request"}
    deflated = zlib.compress(json.dumps(action_call("action_query_status", "storesh", "进度", [])).encode())
    status, body = await post(desk, None, raw=deflated,
                              headers={"Content-Type": "application/json", "Content-Encoding": "deflate"})
    assert status == 200 and body["responses"]
    status, _ = await post(desk, action_call("action_query_status", "storesh", "进度", []), token=None)
    assert status == 401
    status, _ = await post(desk, action_call("action_query_status", "storesh", "进度", []), token="wrong")
    assert status == 403
    assert await rows(desk.cfg, Ticket) == []


async def test_actions_are_listed(start):
    desk = await start(server={"api_token": TOKEN})
    async with aiohttp.ClientSession() as http:
        async with http.get(desk.url + "/rasa/actions", headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
            assert resp.status == 200
            names = {a["name"] for a in await resp.json()}
    assert names == {"action_create_ticket", "action_query_status", "action_claim_job", "action_update_progress",
                     "action_complete_job", "action_cancel_ticket", "action_rate_service",
                     "action_settlement_summary"}


async def test_disabled_without_a_token(desk):
    status, body = await post(desk, action_call("action_query_status", "storesh", "进度", []), token=None)
    assert status == 403 and "disabled" in body["error"]
