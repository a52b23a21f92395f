"""RasaParser against a real local aiohttp server speaking Rasa's /model/parse JSON."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from nlu.rasa_backend import RasaParser


def rasa_app(handler) -> web.Application:
    app = web.Application()
    app.router.add_post("/model/parse", handler)
    return app


async def test_success_maps_rasa_json(aiohttp_server, parser):
    seen = {}

    async def handle(request: web.Request) -> web.Response:
        seen["body"] = await request.json()
        text = seen["body"]["text"]
        return web.json_response({
            "text": text,
            "intent": {"name": "claim_job", "confidence": 0.91},
            "entities": [
                {"entity": "ticket", "value": "1024", "start": 3, "end": 7, "extractor": "DIETClassifier"},
                {"entity": "ticket", "value": "9", "start": 9, "end": 10, "extractor": "DIETClassifier"},
            ],
            "intent_ranking": [{"name": "claim_job", "confidence": 0.91}, {"name": "greet", "confidence": 0.05}],
        })

    server = await aiohttp_server(rasa_app(handle))
    async with RasaParser(str(server.make_url("/")), fallback=parser, timeout_ms=2000) as rp:
        p = await rp.parse("接单 1024")
    assert seen["body"] == {"text": "接单 1024"}
    assert p.intent == "claim_job" and p.confidence == pytest.approx(0.91)
    assert p.entities == {"ticket": 1024}
    assert p.intent_ranking == [("claim_job", 0.91)]  # unknown Rasa intents are dropped
    assert p.to_rasa()["entities"][0]["start"] == 3


async def test_unknown_intent_becomes_unknown_and_urgency_filled(aiohttp_server, parser):
    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        if "greet" in body["text"]:
            return web.json_response({"intent": {"name": "greet", "confidence": 0.99}, "entities": []})
        return web.json_response({"intent": {"name": "create_ticket", "confidence": 0.8},
                                  "entities": [{"entity": "skill", "value": "hvac"}]})

    server = await aiohttp_server(rasa_app(handle))
    async with RasaParser(str(server.make_url("")), fallback=parser) as rp:
        assert (await rp.parse("greet me")).intent == "unknown"
        p = await rp.parse("空调漏水")
    assert p.entities == {"skill": "hvac", "urgency": "urgent"}


async def test_error_status_falls_back(aiohttp_server, parser, caplog):
    async def handle(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    server = await aiohttp_server(rasa_app(handle))
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_backend"):
        async with RasaParser(str(server.make_url("/")), fallback=parser) as rp:
            p = await rp.parse("接单 1024")
    assert p.intent == "claim_job" and p.entities["ticket"] == 1024
    assert any("rasa" in r.message.lower() for r in caplog.records)


async def test_timeout_falls_back(aiohttp_server, parser, caplog):
    async def handle(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"intent": {"name": "help", "confidence": 1.0}, "entities": []})

    server = await aiohttp_server(rasa_app(handle))
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_backend"):
        async with RasaParser(str(server.make_url("/")), fallback=parser, timeout_s=0.1) as rp:
            p = await rp.parse("5星")
    assert p.intent == "rate_service" and p.entities == {"rating": 5}
    assert caplog.records


async def test_bad_json_and_refused_connection_fall_back(aiohttp_server, parser, unused_tcp_port):
    async def handle(request: web.Request) -> web.Response:
        return web.Response(text="<html>not json</html>", content_type="text/html")

    server = await aiohttp_server(rasa_app(handle))
    async with RasaParser(str(server.make_url("/")), fallback=parser) as rp:
        assert (await rp.parse("取消工单12")).intent == "cancel_ticket"
    async with RasaParser(f"http://127.0.0.1:{unused_tcp_port}", fallback=parser, timeout_ms=500) as rp:
        assert (await rp.parse("取消工单12")).entities == {"ticket": 12}
