"""rasa-sdk's action-server contract on our own aiohttp app: POST /rasa/webhook, GET /rasa/actions.

Same JSON and status codes as rasa-sdk's Sanic endpoint (400 bad body or rejection, 404 unknown
action, 449 missing domain), except that a failing handler never becomes a 500: the desk answers
with its apology. Protected by `server.api_token` (Rasa's endpoints.yml `token:` sends it as
`?token=`; a bearer header works too), because an action can act as any sender.
"""

from __future__ import annotations

import json
import logging

from aiohttp import web
from rasa_sdk import utils as rasa_utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

from bot.auth import require_api_token
from bot.callbacks import CONFIG, DESK
from handlers.links import same_secret

log = logging.getLogger("wecom_desk.rasa")
EXECUTOR = web.AppKey("rasa_executor", ActionExecutor)


def _authorise(request: web.Request) -> None:
    token = request.app[CONFIG].server.api_token
    given = request.query.get("token")
    if token and given is not None:
        if same_secret(given, token):
            return
        raise web.HTTPForbidden(text='{"error": "invalid token"}', content_type="application/json")
    require_api_token(request, token)


def _executor(request: web.Request) -> ActionExecutor:
    if EXECUTOR not in request.app:
        from bot.rasa_actions import make_executor

        request.app[EXECUTOR] = make_executor(request.app[DESK].run_intent)
    return request.app[EXECUTOR]


async def webhook(request: web.Request) -> web.Response:
    _authorise(request)
    try:
        raw = await request.read()  # aiohttp has already inflated a `Content-Encoding: deflate` body
        action_call = json.loads(raw) if raw else None
    except (web.HTTPException, ValueError):
        action_call = None
    if not isinstance(action_call, dict) or not isinstance(action_call.get("tracker", {}), dict):
        return web.json_response({"error": "Invalid body request"}, status=400)
    rasa_utils.check_version_compatibility(action_call.get("version"))
    try:
        result = await _executor(request).run(action_call)
    except ActionExecutionRejection as e:
        return web.json_response({"error": e.message, "action_name": e.action_name}, status=400)
    except ActionNotFoundException as e:
        return web.json_response({"error": e.message, "action_name": e.action_name}, status=404)
    except ActionMissingDomainException as e:
        return web.json_response({"error": e.message, "action_name": e.action_name}, status=449)
    except (KeyError, TypeError, ValueError) as e:  # a tracker that does not parse is the caller's error
        return web.json_response({"error": f"invalid action call: {type(e).__name__}: {e}"}, status=400)
    return web.json_response(result.model_dump() if result else None)


async def actions(request: web.Request) -> web.Response:
    _authorise(request)
    return web.json_response([a.model_dump() for a in _executor(request).list_actions()])


def routes() -> list[web.RouteDef]:
    return [web.post("/rasa/webhook", webhook), web.get("/rasa/actions", actions)]
