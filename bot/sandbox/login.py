"""WeCom's sign-in, played by the sandbox: the desk's pages sign people in here exactly as they
would at WeCom (bot/web/session.py), so the sandbox tests the real code path.

- `GET /connect/oauth2/authorize` (web authorisation inside WeCom's browser) and
  `GET /wwlogin/sso/login` (web login by QR code elsewhere): WeCom knows who the browser is, the
  sandbox asks — a page listing the configured people; choosing one sends the browser to
  `redirect_uri?code=CODE&state=STATE`, as WeCom does.
- `GET /cgi-bin/auth/getuserinfo?access_token=…&code=…`: the code's member (`userid`); a code
  works once and for 5 minutes (WeCom's rule), then errcode 40029.
"""

from __future__ import annotations

import html
import secrets
import time
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.sandbox.wecom import STATE, SandboxState, _check_token, _err

CODE_TTL_S = 300


def _check_request(state: SandboxState, request: web.Request, *, oauth: bool) -> str | None:
    """What WeCom would refuse, in its own words where we know them."""
    q = request.query
    if q.get("appid") != state.cfg.wecom.corp_id:
        return "appid 错误 (invalid appid)"
    redirect = q.get("redirect_uri", "")
    if urlsplit(redirect).scheme not in ("http", "https"):
        return "redirect_uri 参数错误"
    if oauth and (q.get("response_type") != "code" or q.get("scope") not in ("snsapi_base", "snsapi_privateinfo")):
        return "response_type / scope 参数错误"
    if not oauth and q.get("login_type") != "CorpApp":
        return "login_type 参数错误"
    return None


async def choose(request: web.Request) -> web.Response:
    state = request.app[STATE]
    oauth = request.path.endswith("/authorize")
    problem = _check_request(state, request, oauth=oauth)
    if problem is not None:
        return web.Response(status=400, text=problem)
    q = request.query
    rows = []
    for p in state.cfg.people:
        href = "choose?" + urlencode({"userid": p.userid, "redirect_uri": q["redirect_uri"], "state": q.get("state", "")})
        rows.append(f'<li><a href="{html.escape(href)}" data-userid="{html.escape(p.userid)}">'
                    f'<b>{html.escape(p.name)}</b> <small>{html.escape(" / ".join(p.roles))}</small></a></li>')
    title = "企业微信授权登录" if oauth else "企业微信扫码登录"
    page = f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{title} · sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f7}}
main{{max-width:420px;margin:0 auto;padding:24px 16px}}h1{{font-size:18px}}p{{color:#666;font-size:14px}}
ul{{list-style:none;padding:0}}li a{{display:block;background:#fff;border:1px solid #e2e4e8;border-radius:8px;
padding:12px 14px;margin:8px 0;color:#222;text-decoration:none}}li a:hover{{border-color:#1e6fff}}
small{{color:#888;margin-left:6px}}</style></head><body><main><h1>{title}</h1>
<p>沙箱：在真实的企业微信里，这一步由企业微信确认身份。请选择以谁的身份登录。<br>
Sandbox: WeCom knows who you are; here, choose who to sign in as.</p><ul>{''.join(rows)}</ul></main></body></html>"""
    return web.Response(text=page, content_type="text/html")


async def chosen(request: web.Request) -> web.Response:
    state = request.app[STATE]
    q = request.query
    userid, redirect = q.get("userid", ""), q.get("redirect_uri", "")
    if state.cfg.person(userid) is None or urlsplit(redirect).scheme not in ("http", "https"):
        return web.Response(status=400, text="unknown userid or bad redirect_uri")
    code = secrets.token_urlsafe(32)
    state.login_codes[code] = (userid, time.time() + CODE_TTL_S)
    state.record("auth/authorize", userid=userid)
    sep = "&" if urlsplit(redirect).query else "?"
    raise web.HTTPFound(f"{redirect}{sep}{urlencode({'code': code, 'state': q.get('state', '')})}")


async def getuserinfo(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if (bad := _check_token(state, request)) is not None:
        return bad
    entry = state.login_codes.pop(request.query.get("code", ""), None)   # once only
    if entry is None or entry[1] < time.time():
        return _err(40029, "invalid code")
    state.record("auth/getuserinfo", userid=entry[0])
    return web.json_response({"errcode": 0, "errmsg": "ok", "userid": entry[0],
                              "user_ticket": secrets.token_urlsafe(24), "expires_in": 1800})


def routes() -> list[web.RouteDef]:
    return [web.get("/connect/oauth2/authorize", choose), web.get("/wwlogin/sso/login", choose),
            web.get("/connect/oauth2/choose", chosen), web.get("/wwlogin/sso/choose", chosen),
            web.get("/cgi-bin/auth/getuserinfo", getuserinfo)]
