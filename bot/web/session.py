"""Who is looking at the desk's pages: sign-in through WeCom, the session cookie, CSRF and roles.

Sign-in is WeCom's, never a password of ours:
- inside WeCom's own browser (its User-Agent says `wxwork`), web authorisation:
  `{oauth_base}/connect/oauth2/authorize?appid=CORPID&redirect_uri=…&response_type=code
  &scope=snsapi_base&agentid=AGENTID&state=…#wechat_redirect`;
- in any other browser, WeCom's web login (a QR code to scan with WeCom):
  `{login_base}/wwlogin/sso/login?login_type=CorpApp&appid=CORPID&agentid=AGENTID&redirect_uri=…&state=…`.
Both come back to `/auth/wecom?code=…&state=…`, and `{api_base}/cgi-bin/auth/getuserinfo` turns
the code into a userid. The sandbox serves all three (bot/sandbox/login.py), so sign-in there is
this same code path.

The session is a signed, expiring cookie (itsdangerous) holding the userid and a CSRF token;
roles and regions are read from the people config on every request, so taking a manager out of
config.yaml takes their pages away at the next click, not when the cookie expires."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer
from yarl import URL

from bot.callbacks import CONFIG
from bot.wecom_api import TransientError, WeComClient, WeComError
from handlers.config import Config
from handlers.links import same_secret
from handlers.messages import t

log = logging.getLogger("wecom_desk.web")

COOKIE = "wd_session"
LOGIN_COOKIE = "wd_login"       # the sign-in's state and where to go after it, for 10 minutes
LOGIN_TTL_S = 600
CALLBACK = "/auth/wecom"
DESK_ROLES = frozenset({"manager", "admin"})
CLIENT = web.AppKey("web_wecom_client", WeComClient)


@dataclass(frozen=True)
class Viewer:
    """A signed-in person as the pages need them."""
    userid: str
    name: str
    roles: frozenset[str]
    regions: tuple[str, ...] | None    # None: every region (an admin)
    lang: str
    timezone: str
    csrf: str

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def sees(self, region: str | None) -> bool:
        return self.regions is None or region in self.regions


def session_key(cfg: Config) -> bytes:
    """The key that signs sessions: derived from the app secret (which comes from the
    environment), so there is no second secret to lose, and a new app secret signs everyone out."""
    return hmac.new(cfg.wecom.app.secret.encode(), b"wecom-desk web session v1", hashlib.sha256).digest()


def _serializer(cfg: Config, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_key(cfg), salt=salt)


def _secure(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"


def viewer_of(cfg: Config, userid: str, csrf: str) -> Viewer | None:
    person = cfg.person(userid)
    if person is None:
        return None
    roles = frozenset(person.roles)
    regions = None if "admin" in roles else tuple(person.regions)
    lang = person.languages[0] if person.languages else "zh"
    return Viewer(userid, person.name, roles, regions, lang, cfg.timezone_of(userid), csrf)


def current(request: web.Request) -> Viewer | None:
    """The signed-in viewer, or None (no cookie, a forged or expired one, or someone no longer in
    the people config)."""
    cfg = request.app[CONFIG]
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(cfg, "session").loads(raw, max_age=cfg.web.session_ttl_s)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("c"), str):
        return None
    return viewer_of(cfg, data["u"], data["c"])


def lang_of(request: web.Request) -> str:
    """For a page shown before anyone is known: the browser's first language we have."""
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("zh", "en", "fr", "th"):
            return code
    return "zh"


def refused_html(lang: str, key: str) -> str:
    from bot.web.render import render

    return render("web/refused.html", lang=lang, viewer=None, message=t(lang, key))


def refusal(lang: str, key: str, status: int = 403) -> web.Response:
    return web.Response(text=refused_html(lang, key), content_type="text/html", status=status)


def require(request: web.Request, roles: Iterable[str] = DESK_ROLES) -> Viewer:
    """The viewer of a desk page: not signed in → through WeCom's sign-in and back here (a GET) or
    401 (anything else); signed in without one of `roles` → 403 in their language."""
    viewer = current(request)
    if viewer is None:
        if request.method in ("GET", "HEAD"):
            raise web.HTTPFound(sign_in_url(request, request.path_qs))
        raise web.HTTPUnauthorized(text=t(lang_of(request), "desk.signin_needed"))
    if not set(roles) & viewer.roles:
        raise web.HTTPForbidden(text=refused_html(viewer.lang, "desk.refused"), content_type="text/html")
    return viewer


async def check_csrf(request: web.Request, viewer: Viewer) -> dict[str, Any]:
    """A form's fields, once its CSRF token matches the session's (a header for fetch() calls).
    SameSite=Lax already stops most cross-site posts; the token stops the rest."""
    form = dict(await request.post())
    given = str(form.get("csrf") or request.headers.get("X-CSRF-Token", ""))
    if not given or not same_secret(given, viewer.csrf):
        raise web.HTTPForbidden(text=t(viewer.lang, "desk.csrf"))
    return form


# -- sign-in -------------------------------------------------------------------------------------

def _safe_next(target: str | None) -> str:
    """Only a path on this site: a sign-in never sends anyone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _callback_url(request: web.Request) -> str:
    # server.public_url when set: behind a proxy the Host WeCom must send people back to is ours.
    cfg = request.app[CONFIG]
    return (cfg.server.public_url.rstrip("/") or f"{request.scheme}://{request.host}") + CALLBACK


def sign_in_url(request: web.Request, next_path: str) -> str:
    """Our own start of the sign-in: /auth/start picks WeCom's page and sets the state cookie."""
    return "/auth/start?" + urlencode({"next": _safe_next(next_path)})


def wecom_sign_in_url(cfg: Config, *, redirect_uri: str, state: str, in_wecom: bool) -> str:
    if in_wecom:
        query = urlencode({"appid": cfg.wecom.corp_id, "redirect_uri": redirect_uri, "response_type": "code",
                           "scope": "snsapi_base", "agentid": cfg.wecom.app.agent_id, "state": state})
        return f"{cfg.oauth_base}/connect/oauth2/authorize?{query}#wechat_redirect"
    query = urlencode({"login_type": "CorpApp", "appid": cfg.wecom.corp_id, "agentid": cfg.wecom.app.agent_id,
                       "redirect_uri": redirect_uri, "state": state})
    return f"{cfg.login_base}/wwlogin/sso/login?{query}"


async def start(request: web.Request) -> web.Response:
    cfg = request.app[CONFIG]
    state = secrets.token_urlsafe(18)   # a-zA-Z0-9-_ within WeCom's 128 bytes
    target = wecom_sign_in_url(cfg, redirect_uri=_callback_url(request), state=state,
                               in_wecom="wxwork" in request.headers.get("User-Agent", "").lower())
    # encoded=True: WeCom wants redirect_uri url-encoded, and yarl would otherwise decode it again.
    response = web.HTTPFound(URL(target, encoded=True))
    value = _serializer(cfg, "login").dumps({"s": state, "n": _safe_next(request.query.get("next"))})
    response.set_cookie(LOGIN_COOKIE, value, max_age=LOGIN_TTL_S, httponly=True, samesite="Lax",
                        secure=_secure(request), path=CALLBACK)
    raise response


async def finish(request: web.Request) -> web.Response:
    """`/auth/wecom?code=…&state=…`: WeCom sends the browser back here."""
    cfg = request.app[CONFIG]
    lang = lang_of(request)
    try:
        login = _serializer(cfg, "login").loads(request.cookies.get(LOGIN_COOKIE, ""), max_age=LOGIN_TTL_S)
    except BadSignature:
        login = None
    state, code = request.query.get("state", ""), request.query.get("code", "")
    if not isinstance(login, dict) or not same_secret(state, str(login.get("s", ""))):
        # Not the sign-in this browser started (an old tab, a forwarded link, a forged request).
        return refusal(lang, "desk.signin_stale", status=400)
    if not code:
        return refusal(lang, "desk.signin_declined", status=400)   # the person said no in WeCom
    try:
        userid = await request.app[CLIENT].user_of_code(code)
    except WeComError as e:
        log.info("sign-in: WeCom refused the code (errcode %s)", e.errcode)
        return refusal(lang, "desk.signin_stale", status=400)
    except TransientError as e:
        log.warning("sign-in: WeCom could not be reached (%s)", e)
        return refusal(lang, "desk.signin_unavailable", status=503)
    viewer = viewer_of(cfg, userid, "") if userid else None
    if viewer is None:
        log.info("sign-in: %s is not in the people config", userid or "a non-member")
        return refusal(lang, "desk.unknown_person")
    response = web.HTTPFound(_safe_next(login.get("n")))
    cookie = _serializer(cfg, "session").dumps({"u": userid, "c": secrets.token_urlsafe(24)})
    response.set_cookie(COOKIE, cookie, max_age=cfg.web.session_ttl_s, httponly=True, samesite="Lax",
                        secure=_secure(request), path="/")
    response.del_cookie(LOGIN_COOKIE, path=CALLBACK)
    log.info("sign-in: %s", userid)
    raise response


async def sign_out(request: web.Request) -> web.Response:
    viewer = current(request)
    if viewer is not None:
        await check_csrf(request, viewer)
    response = web.HTTPSeeOther("/")
    response.del_cookie(COOKIE, path="/")
    raise response


def routes() -> list[web.RouteDef]:
    return [web.get("/auth/start", start), web.get(CALLBACK, finish), web.post("/auth/signout", sign_out)]
