"""A minimal chat page: play customer, engineer or manager against the sandbox in a browser,
and a WeChat customer (微信客服) in its own pane.

The page's own reads (the driver API has the rest):
- `GET /sandbox/api/kf/scenes`: the kf accounts, the store QR codes (`wecom.kf.scenes`, with the
  store's name) and the customers the sandbox has seen.
- `GET /sandbox/api/kf/chat?external_userid=…`: one customer's conversation as WeChat shows it to
  them: what they sent (texts, menu taps, entering by a store's code) and what they got
  (`bot.sandbox.kf.inbox_of`), in time order.
- `GET /sandbox/api/app/chat?userid=…`: one person's 1:1 chat with the self-built app: what they
  wrote to it (`"api": "app/sent"`) and what it sent them (`bot.sandbox.driver.inbox_of`: messages
  and the updates of its cards, which the page applies to the card in place), in time order.

The page itself (templates/sandbox.html) is one file, no CDN: it draws what WeCom would show
(its markdown subset, template cards, cards updated in place) in the reader's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox import kf
from bot.sandbox.driver import inbox_of
from bot.sandbox.wecom import STATE, SandboxState

PAGE = Path(__file__).resolve().parents[2] / "templates" / "sandbox.html"


async def index(request: web.Request) -> web.Response:
    return web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")


def scenes_of(state: SandboxState) -> list[dict[str, Any]]:
    """Each store QR code: its scene_param, the group it leads to and the store's name."""
    cfg = state.cfg
    groups = {g.chatid: g for g in cfg.groups}
    scenes = getattr(getattr(cfg.wecom, "kf", None), "scenes", None) or {}
    out = []
    for scene_param, chatid in scenes.items():
        group = groups.get(chatid)
        store = (group.store or group.name) if group is not None else chatid
        out.append({"scene_param": scene_param, "chatid": chatid, "store": store,
                    "group": group.name if group is not None else chatid})
    return out


async def kf_scenes(request: web.Request) -> web.Response:
    state = request.app[STATE]
    kf_cfg = getattr(state.cfg.wecom, "kf", None)
    accounts = [{"open_kfid": str(a.open_kfid), "name": str(getattr(a, "name", "") or a.open_kfid)}
                for a in (getattr(kf_cfg, "accounts", None) or [])]
    if not accounts:
        accounts = [{"open_kfid": kf.DEFAULT_OPEN_KFID, "name": kf.DEFAULT_OPEN_KFID}]
    customers = list(dict.fromkeys(e["external_userid"] for e in state.kf_items))
    return web.json_response({"accounts": accounts, "scenes": scenes_of(state), "customers": customers})


def _sent(entry: dict[str, Any], stores: dict[str, str]) -> dict[str, Any] | None:
    """A kf item of the customer's (origin 3 message, origin 4 enter_session) as the chat shows it."""
    item = entry["item"]
    out: dict[str, Any] = {"at": entry["at"], "open_kfid": entry["open_kfid"], "msgid": item.get("msgid")}
    if entry["origin"] == 3:
        msgtype = item.get("msgtype")
        out.update({"from": "customer", "msgtype": msgtype})
        if msgtype == "text":
            out["text"] = item["text"]["content"]
            if item["text"].get("menu_id") is not None:
                out["menu_id"] = item["text"]["menu_id"]
        return out
    event = item.get("event") or {}
    if event.get("event_type") != "enter_session":
        return None
    scene_param = event.get("scene_param") or ""
    out.update({"from": "event", "msgtype": "enter_session", "scene_param": scene_param,
                "store": stores.get(scene_param, scene_param)})
    return out


def conversation(state: SandboxState, external_userid: str) -> list[dict[str, Any]]:
    stores = {s["scene_param"]: s["store"] for s in scenes_of(state)}
    sent = [m for e in state.kf_items if e["external_userid"] == external_userid
            if (m := _sent(e, stores)) is not None]
    got = [{**m, "from": "service"} for m in kf.inbox_of(state, external_userid)]
    return sorted(sent + got, key=lambda m: m["at"])   # stable: at equal times, what was sent comes first


async def kf_chat(request: web.Request) -> web.Response:
    external_userid = request.query.get("external_userid")
    if not external_userid:
        raise web.HTTPBadRequest(text="external_userid required")
    return web.json_response({"messages": conversation(request.app[STATE], external_userid)})


def app_chat_of(state: SandboxState, userid: str) -> list[dict[str, Any]]:
    sent = [{"api": "app/sent", **m} for m in state.transcript
            if m.get("channel") == "app" and m.get("from") == userid]
    return sorted(sent + inbox_of(state, userid=userid), key=lambda m: m["at"])


async def app_chat(request: web.Request) -> web.Response:
    userid = request.query.get("userid")
    if not userid:
        raise web.HTTPBadRequest(text="userid required")
    return web.json_response({"messages": app_chat_of(request.app[STATE], userid)})


def routes() -> list[web.RouteDef]:
    return [web.get("", index), web.get("/", index),
            web.get("/api/kf/scenes", kf_scenes), web.get("/api/kf/chat", kf_chat),
            web.get("/api/app/chat", app_chat)]
