"""The floor: the least any correct AI-bot callback server must do — verify the signature,
decrypt, parse, and answer with an encrypted reply. No storage, no routing, no dedup."""

from __future__ import annotations

import json
import sys

from aiohttp import web

from handlers.config import load_config
from bot.crypto import WeComCrypto


def create_floor_app(crypto: WeComCrypto) -> web.Application:
    async def post(request: web.Request) -> web.Response:
        q = request.query
        body = json.loads(await request.read())
        plain = json.loads(crypto.open(q.get("msg_signature"), q["timestamp"], q["nonce"], body["encrypt"]))
        reply = {"msgtype": "stream", "stream": {"id": plain["msgid"], "finish": True, "content": "ok"}}
        return web.json_response(crypto.seal(json.dumps(reply), nonce=q["nonce"]))

    app = web.Application()
    app.router.add_post("/wecom/bot", post)
    return app


if __name__ == "__main__":
    cfg = load_config(sys.argv[1])
    web.run_app(create_floor_app(WeComCrypto(cfg.wecom.bot.token, cfg.wecom.bot.encoding_aes_key, "")),
                host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
