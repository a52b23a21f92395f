"""The translation providers through deep-translator's real classes and requests, over real HTTP
to the sandbox's stand-ins (mounted alone on a loopback port): each provider's codes, keys and URL,
what is refused before any call, what never shows a key, and that no call waits forever."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from deep_translator.exceptions import TranslationNotFound

from bot import translators
from bot.sandbox import create_sandbox
from bot.sandbox.wecom import STATE, SandboxState
from bot.translators import LANGUAGE_CODES, MissingSecret, ProviderError, Unsupported, missing_secret, translate_sync
from handlers.config import TranslationConfig
from tests.conftest import free_port, make_config

TEXT_ZH = "空调不制冷"
TEXT_TH = "แอร์เสีย ไม่เย็นเลย"
KEY = "s3cret-Key/42:fx"   # ":" and "/" change when URL-encoded: both forms must stay hidden
ENV_NAMES = {"baidu": "BAIDU_APPKEY_TEST", "deepl": "DEEPL_KEY_TEST", "libre": "LIBRE_KEY_TEST",
             "microsoft": "MS_TRANSLATOR_KEY_TEST"}
KEYED = ("baidu", "deepl", "microsoft")


@dataclass
class Stand:
    url: str                 # http://127.0.0.1:PORT
    state: SandboxState

    def base_url(self, provider: str) -> str:
        return f"{self.url}/sandbox/translate/{'m' if provider == 'google' else provider}"

    def calls(self, api: str = "translate") -> list[dict[str, Any]]:
        return [c for c in self.state.calls if c["api"] == api]


@pytest.fixture
async def stand(tmp_path, aiohttp_server):
    sandbox = create_sandbox(make_config(tmp_path), standalone=True)
    app = web.Application()
    app.add_subapp("/sandbox", sandbox)
    server = await aiohttp_server(app, host="127.0.0.1", port=free_port())
    translators._microsoft_languages.clear()   # a port may come round again: every test fetches afresh
    yield Stand(str(server.make_url("")).rstrip("/"), sandbox[STATE])
    translators._microsoft_languages.clear()


def tcfg(provider: str, **over: Any) -> TranslationConfig:
    fields: dict[str, Any] = {"provider": provider, "timeout_s": 5.0}
    if provider in ENV_NAMES:
        fields["key_env"] = ENV_NAMES[provider]
    if provider == "baidu":
        fields["appid"] = "20250101000000001"
    return TranslationConfig(**{**fields, **over})


def env_for(provider: str, key: str = KEY) -> dict[str, str]:
    return {ENV_NAMES[provider]: key} if provider in ENV_NAMES else {}


async def translate(cfg: TranslationConfig, base_url: str, text: str, source: str, target: str,
                    env: dict[str, str] | None = None) -> str:
    # wait_for as bot/translate.py does: a StopIteration from the thread would leave the future
    # pending for ever (asyncio futures refuse it), and the test would hang rather than fail.
    return await asyncio.wait_for(asyncio.to_thread(translate_sync, cfg, base_url, text, source, target,
                                                    env if env is not None else env_for(cfg.provider)), 10.0)


# -- each provider, its codes and its wire format -----------------------------------------------------
PAIRS = [("google", "zh", "fr", TEXT_ZH), ("google", "th", "zh", TEXT_TH),
         ("baidu", "zh", "fr", TEXT_ZH), ("baidu", "th", "zh", TEXT_TH),
         ("deepl", "zh", "fr", TEXT_ZH),
         ("libre", "zh", "fr", TEXT_ZH),
         ("microsoft", "zh", "fr", TEXT_ZH), ("microsoft", "th", "zh", TEXT_TH),
         ("mymemory", "zh", "fr", TEXT_ZH), ("mymemory", "th", "zh", TEXT_TH)]


@pytest.mark.parametrize("provider,source,target,text", PAIRS, ids=[f"{p}-{s}-{t}" for p, s, t, _ in PAIRS])
async def test_each_provider_translates_with_its_own_codes(stand, provider, source, target, text):
    codes = LANGUAGE_CODES[provider]
    if provider == "deepl":   # DeepL's documented form of its codes: upper case ("EN", "FR")
        codes = {k: v.upper() for k, v in codes.items()}
    got = await translate(tcfg(provider), stand.base_url(provider), text, source, target)
    assert got == f"[{codes[target]}] {text}"
    [call] = stand.calls()
    assert (call["provider"], call["source"], call["target"], call["text"]) == \
        (provider, codes[source], codes[target], text)


def test_the_codes_are_the_ones_deep_translator_sends():
    # What the marks above show, spelled out: a wrong table entry fails here by name.
    assert LANGUAGE_CODES["google"]["zh"] == "zh-CN" and LANGUAGE_CODES["google"]["zh-Hant"] == "zh-TW"
    assert LANGUAGE_CODES["baidu"]["fr"] == "fra" and LANGUAGE_CODES["baidu"]["zh-Hant"] == "cht"
    assert LANGUAGE_CODES["microsoft"]["zh"] == "zh-hans"
    assert LANGUAGE_CODES["mymemory"]["th"] == "th-TH"
    assert "th" not in LANGUAGE_CODES["deepl"] and "zh-Hant" not in LANGUAGE_CODES["libre"]


async def test_baidu_keeps_lines_apart(stand):
    got = await translate(tcfg("baidu"), stand.base_url("baidu"), "第一行\n第二行", "zh", "en")
    assert got == "[en] 第一行\n[en] 第二行"


async def test_the_stand_ins_answer_errors_as_the_providers_do(stand):
    # deep-translator never sends these (it refuses an empty appid or key itself), so by hand.
    base = stand.url + "/sandbox/translate"
    async with aiohttp.ClientSession() as http:
        async def call(method: str, path: str, **kw: Any) -> tuple[int, Any]:
            async with http.request(method, base + path, **kw) as resp:
                return resp.status, await resp.json(content_type=None)

        full = {"appid": "1", "q": "x", "from": "zh", "to": "en", "salt": "1", "sign": "0" * 32}
        assert await call("POST", "/baidu", params={**full, "appid": ""}) == \
            (200, {"error_code": "52003", "error_msg": "UNAUTHORIZED USER"})
        for sign in ("", "abc", "g" * 32):
            assert await call("POST", "/baidu", params={**full, "sign": sign}) == \
                (200, {"error_code": "54001", "error_msg": "Invalid Sign"})
        # DeepL refuses what deep-translator 1.11 sends (GET, the key in auth_key) since January 2026,
        # and a POST without its Authorization header.
        assert (await call("GET", "/deepl/translate", params={"text": "x", "target_lang": "en", "auth_key": "k"}))[0] == 403
        assert (await call("POST", "/deepl/translate", params={"auth_key": "k"},
                           json={"text": ["x"], "target_lang": "EN"}))[0] == 403
        assert (await call("POST", "/deepl/translate", json={"text": ["x"], "target_lang": "EN"}))[0] == 403
        status, body = await call("POST", "/libre/translate", params={"source": "zh", "target": "en"})
        assert status == 400 and "q" in body["error"]
        status, body = await call("POST", "/microsoft/translate", params={"api-version": "3.0", "to": "en"},
                                  json=[{"text": "x"}])
        assert status == 401 and body["error"]["code"] == 401000
        status, body = await call("GET", "/microsoft/languages", params={"api-version": "3.0", "scope": "translation"})
        assert status == 200 and body["translation"]["zh-Hans"]["name"] == "Chinese Simplified"
    assert stand.calls() == []


async def test_deepl_base_url_gets_one_slash_before_translate(stand):
    for base in (stand.base_url("deepl"), stand.base_url("deepl") + "/", stand.base_url("deepl") + "//"):
        assert await translate(tcfg("deepl"), base, TEXT_ZH, "zh", "en") == f"[EN] {TEXT_ZH}"
    assert len(stand.calls()) == 3


def test_deepl_picks_its_free_or_pro_endpoint_by_the_key():
    # No HTTP here: building DeeplTranslator makes no call. Free keys end in ":fx".
    assert translators._deepl(tcfg("deepl"), "", "abc:fx", "zh", "en")._base_url == "https://api-free.deepl.com/v2/"
    assert translators._deepl(tcfg("deepl"), "", "abc", "zh", "en")._base_url == "https://api.deepl.com/v2/"


async def test_libre_sends_a_key_only_when_one_is_configured(stand):
    await translate(tcfg("libre"), stand.base_url("libre"), TEXT_ZH, "zh", "en", env={})
    await translate(tcfg("libre"), stand.base_url("libre") + "/", TEXT_ZH, "zh", "fr", env=env_for("libre"))
    assert [c["keyed"] for c in stand.calls()] == [False, True]


async def test_microsoft_fetches_its_language_list_once(stand):
    cfg, base = tcfg("microsoft", region="westeurope"), stand.base_url("microsoft")
    assert await translate(cfg, base, TEXT_ZH, "zh", "en") == f"[en] {TEXT_ZH}"
    assert await translate(cfg, base, TEXT_TH, "th", "zh-Hant") == f"[zh-hant] {TEXT_TH}"
    assert len(stand.calls()) == 2
    [listed] = stand.calls("translate/languages")
    assert listed["scope"] == "translation"


# -- refused before any call ---------------------------------------------------------------------
@pytest.mark.parametrize("provider,source,target", [("deepl", "th", "zh"), ("deepl", "zh", "th"),
                                                    ("deepl", "zh", "zh-Hant"), ("libre", "th", "zh"),
                                                    ("libre", "en", "th")])
async def test_an_unsupported_pair_is_refused_before_any_call(stand, provider, source, target):
    with pytest.raises(Unsupported):
        await translate(tcfg(provider), stand.base_url(provider), TEXT_TH, source, target)
    assert stand.state.calls == []


@pytest.mark.parametrize("provider", KEYED)
async def test_a_missing_key_is_refused_before_any_call(stand, provider):
    with pytest.raises(MissingSecret, match=ENV_NAMES[provider]):
        await translate(tcfg(provider), stand.base_url(provider), TEXT_ZH, "zh", "en", env={})
    assert stand.state.calls == []


# -- keys --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("provider", KEYED)
def test_missing_secret_names_the_variable_never_a_value(provider):
    name = ENV_NAMES[provider]
    for env in ({}, {name: ""}, {name: "  "}, {"SOME_OTHER_NAME": KEY}):
        message = missing_secret(tcfg(provider), env)
        assert message is not None and name in message and provider in message, env
        assert KEY not in message and "\n" not in message
    assert missing_secret(tcfg(provider), {name: KEY}) is None


@pytest.mark.parametrize("provider", ["google", "libre", "mymemory", "off"])
def test_missing_secret_is_none_where_no_key_is_needed(provider):
    assert missing_secret(tcfg(provider), {}) is None


@pytest.mark.parametrize("provider", ["deepl", "libre"])
async def test_a_failed_call_never_shows_the_key(provider):
    # Libre sends the key in the URL, which requests quotes in a connection error; DeepL sends it
    # in a header, which requests' errors carry with the request.
    dead = f"http://127.0.0.1:{free_port()}/v2"
    with pytest.raises(ProviderError) as raised:
        await translate(tcfg(provider), dead, TEXT_ZH, "zh", "en")
    shown = str(raised.value) + repr(raised.value)
    assert "ConnectionError" in shown and ("***" in shown or provider == "deepl")
    assert KEY not in shown and "s3cret" not in shown
    assert raised.value.__cause__ is None and raised.value.__context__ is None


# -- answers deep-translator mishandles, and calls that never end ------------------------------------
@pytest.fixture
async def odd(aiohttp_server):
    """A provider that answers with nothing in it, with the text as it was, or never at all."""
    release = asyncio.Event()

    async def empty(request: web.Request) -> web.Response:
        return web.json_response({"responseData": {"translatedText": ""}, "responseStatus": 200, "matches": []})

    async def hang(request: web.Request) -> web.Response:
        with contextlib.suppress(TimeoutError):   # late, not never: without a timeout the test fails, not hangs
            await asyncio.wait_for(release.wait(), 4.0)
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/empty", empty)
    async def echo(request: web.Request) -> web.Response:   # Google's page, the text as it came
        return web.Response(text=f'<div class="result-container">{request.query["q"]}</div>', content_type="text/html")

    app.router.add_get("/echo", echo)
    app.router.add_get("/hang", hang)
    app.router.add_get("/languages", hang)
    server = await aiohttp_server(app, host="127.0.0.1")
    yield str(server.make_url("")).rstrip("/")
    release.set()


async def test_no_translation_is_an_exception_not_an_empty_string(odd):
    # deep-translator's MyMemoryTranslator ends in next() on no matches: StopIteration, which an
    # asyncio future cannot carry (the caller would only ever see its own timeout).
    with pytest.raises(TranslationNotFound):
        await translate(tcfg("mymemory"), odd + "/empty", TEXT_ZH, "zh", "en")


async def test_google_answering_none_is_an_exception(odd):
    # GoogleTranslator returns None when the page gives back text with no letters or digits as it was.
    with pytest.raises(TranslationNotFound):
        await translate(tcfg("google"), odd + "/echo", "?!", "zh", "en")


@pytest.mark.parametrize("provider,path", [("google", "/hang"), ("mymemory", "/hang"), ("microsoft", "")])
async def test_a_provider_that_never_answers_lets_the_thread_go(odd, provider, path):
    # Without a timeout on the request itself the pool thread would wait for ever; asyncio.wait_for
    # in the caller only stops the caller's wait. (Microsoft: its language list never comes.)
    started = time.monotonic()
    with pytest.raises(Exception) as raised:
        await translate(tcfg(provider, timeout_s=0.5), odd + path, TEXT_ZH, "zh", "en")
    assert time.monotonic() - started < 3.0
    assert "timed out" in str(raised.value).lower() or "Timeout" in type(raised.value).__name__, raised.value


async def test_off_is_no_provider(stand):
    with pytest.raises(ValueError):
        await translate(TranslationConfig(provider="off"), "", TEXT_ZH, "zh", "en")
