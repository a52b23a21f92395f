"""The one line a page shows after its own POST (post/redirect/get): the answer travels in a
signed cookie that lives 60 s on that page's path, so a reload does not show it again and nobody
can put words of their own on the page."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.web import session

MAX_AGE_S = 60


class Flash:
    def __init__(self, cookie: str, salt: str) -> None:
        self.cookie, self.salt = cookie, salt

    def _serializer(self, cfg: Any) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(session.session_key(cfg), salt=self.salt)

    def read(self, request: web.Request, cfg: Any) -> str | None:
        if self.cookie not in request.cookies:
            return None
        try:
            return self._serializer(cfg).loads(request.cookies[self.cookie], max_age=MAX_AGE_S)
        except BadSignature:   # expired ones too (SignatureExpired is a BadSignature)
            return None

    def set(self, response: web.StreamResponse, cfg: Any, text: str, path: str) -> None:
        response.set_cookie(self.cookie, self._serializer(cfg).dumps(text), max_age=MAX_AGE_S, httponly=True,
                            samesite="Lax", path=path)

    def shown(self, response: web.StreamResponse, path: str) -> None:
        response.del_cookie(self.cookie, path=path)
