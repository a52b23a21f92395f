"""A local stand-in for an OpenAI-compatible chat-completions server (tests and bench/nlu_llm.py).

It speaks the real wire format: ``POST /v1/chat/completions`` with a bearer key, answering a
``chat.completion`` object whose ``choices[0].message.content`` is a JSON string. What it answers
is set per test:

    standin = LlmStandin(api_key="k")
    url = await standin.start()            # "http://127.0.0.1:<port>/v1"
    standin.answer("接单 1024", "claim_job", 0.93, ticket=1024)
    standin.delay_s = 3                    # a slow model
    standin.status = 500                   # a broken one
    standin.malformed = True               # content that is not JSON
    standin.calls, standin.last_body       # what it received
    await standin.close()

Run it by hand: ``.venv/bin/python tests/nlu/llm_standin.py --port 8000 --delay 0.2``.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from aiohttp import web

_ENTITY_KEYS = ("skill", "ticket", "urgency", "rating")


def content(intent: str, confidence: float = 0.9, **entities: Any) -> dict[str, Any]:
    """An answer in the LLM backend's schema (every entity key present, null when absent)."""
    return {"intent": intent, "confidence": confidence,
            "entities": {k: entities.get(k) for k in _ENTITY_KEYS}}


class LlmStandin:
    def __init__(self, api_key: str | None = "test-key", default: dict[str, Any] | None = None) -> None:
        self.api_key = api_key           # None: accept requests without a key
        self.answers: dict[str, Any] = {}  # user message text -> content (dict, or a raw string)
        self.default: Any = default if default is not None else content("unknown", 0.5)
        self.delay_s = 0.0
        self.status: int | None = None   # answer this HTTP status instead (e.g. 500)
        self.malformed = False           # content is not JSON
        self.calls = 0                   # every POST received, answered or not
        self.last_body: dict[str, Any] | None = None
        self.last_auth: str | None = None  # the Authorization header of the last request (None: absent)
        self.bodies: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self.url = ""

    def answer(self, text: str, intent: str, confidence: float = 0.9, **entities: Any) -> None:
        self.answers[text] = content(intent, confidence, **entities)

    # -- server ----------------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._closing = asyncio.Event()
        self._runner = web.AppRunner(self.app(), handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sock_host, sock_port = self._runner.addresses[0][:2]
        self.url = f"http://{sock_host}:{sock_port}/v1"
        return self.url

    async def close(self) -> None:
        self._closing.set()  # wake handlers still "thinking"
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "LlmStandin":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @staticmethod
    def _error(status: int, message: str, type_: str, code: str | None = None) -> web.Response:
        return web.json_response({"error": {"message": message, "type": type_, "param": None, "code": code}},
                                 status=status)

    async def _chat(self, request: web.Request) -> web.Response:
        self.calls += 1
        self.last_auth = request.headers.get("Authorization")
        if self.api_key is not None and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        try:
            body = await request.json()
        except ValueError:
            return self._error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
        self.last_body = body
        self.bodies.append(body)
        if not isinstance(body, dict) or not body.get("model") or not isinstance(body.get("messages"), list):
            return self._error(400, "model and messages are required.", "invalid_request_error")
        if self.delay_s:
            try:
                await asyncio.wait_for(self._closing.wait(), self.delay_s)
            except asyncio.TimeoutError:
                pass
        if self.status is not None:
            return self._error(self.status, "The server had an error while processing your request.", "server_error")
        user = next((m.get("content") for m in reversed(body["messages"]) if m.get("role") == "user"), "")
        answer = self.answers.get(user, self.default)
        if self.malformed:
            text = '{"intent": "claim_job", "confidence": 0.9, "entities": {'  # cut off mid-object
        else:
            text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
        return web.json_response({
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": sum(len(str(m.get("content", ""))) for m in body["messages"]) // 2,
                      "completion_tokens": len(text) // 2, "total_tokens": 0},
        })


async def _serve(port: int, delay: float, key: str | None) -> None:
    standin = LlmStandin(api_key=key)
    standin.delay_s = delay
    print("LLM stand-in at", await standin.start(port=port), "(Ctrl-C to stop)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await standin.close()


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="OpenAI-compatible chat-completions stand-in")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    ap.add_argument("--key", default=None, help="bearer key to require (default: none)")
    ns = ap.parse_args()
    try:
        asyncio.run(_serve(ns.port, ns.delay, ns.key))
    except KeyboardInterrupt:
        pass
