"""Stand-ins for the machine-translation providers, each speaking the wire format deep-translator's
class for it uses (bot/translators.py), under /sandbox/translate/. The sandbox cannot translate: it
marks the text with the target language code as the provider received it, `[fr] text`, so that a
reader sees the text went through translation and into which language. Every translation is
recorded as a "translate" call naming the provider; Microsoft's language list as "translate/languages".

  google     GET  /translate/m                     the mobile page; the result in <div class="result-container">
  baidu      POST /translate/baidu                 appid, q, from, to, salt, sign in the query string
  deepl      POST /translate/deepl/translate       JSON {text: [..], source_lang, target_lang}; Authorization: DeepL-Auth-Key
  libre      POST /translate/libre/translate       q, source, target, format, api_key (query or form)
  microsoft  POST /translate/microsoft/translate   ?api-version=3.0&from=&to=, body [{"text": …}]
             GET  /translate/microsoft/languages   ?api-version=3.0&scope=translation
  mymemory   GET  /translate/mymemory              q, langpair "zh-CN|fr-FR"
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from aiohttp import web

from bot.sandbox.wecom import STATE

# What Microsoft's /languages answers for our languages (the real list has some 130).
MICROSOFT_LANGUAGES = {
    "zh-Hans": {"name": "Chinese Simplified", "nativeName": "中文 (简体)", "dir": "ltr"},
    "zh-Hant": {"name": "Chinese Traditional", "nativeName": "繁體中文 (繁體)", "dir": "ltr"},
    "en": {"name": "English", "nativeName": "English", "dir": "ltr"},
    "fr": {"name": "French", "nativeName": "Français", "dir": "ltr"},
    "th": {"name": "Thai", "nativeName": "ไทย", "dir": "ltr"},
}
HEX32 = re.compile(r"[0-9a-fA-F]{32}")


def _mark(target: str, text: str) -> str:
    return f"[{target}] {text}"


def _translated(request: web.Request, provider: str, source: str, target: str, text: str) -> str:
    """Record one translation and return the marked text."""
    request.app[STATE].record("translate", provider=provider, source=source, target=target, text=text)
    return _mark(target, text)


async def _params(request: web.Request) -> dict[str, str]:
    """The query string, with a form body (if any) over it: providers take either."""
    params = dict(request.query)
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                             "multipart/form-data"):
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
    return params


async def google(request: web.Request) -> web.Response:
    """Google Translate's mobile page (what deep-translator's GoogleTranslator reads): the result
    in <div class="result-container">."""
    q, sl, tl = request.query.get("q"), request.query.get("sl"), request.query.get("tl")
    if not q or not sl or not tl:
        return web.Response(status=400, text="q, sl and tl are required")
    marked = _translated(request, "google", sl, tl, q)
    return web.Response(text=f'<html><body><div class="result-container">{escape(marked)}</div></body></html>',
                        content_type="text/html")


async def baidu(request: web.Request) -> web.Response:
    """Baidu's general translation API: errors are HTTP 200 with error_code/error_msg. The sign is
    md5(appid + q + salt + appkey); the sandbox has no appkey, so any 32 hex digits pass."""
    p = await _params(request)
    if not p.get("appid"):
        return web.json_response({"error_code": "52003", "error_msg": "UNAUTHORIZED USER"})
    if not p.get("q") or not p.get("from") or not p.get("to") or not p.get("salt"):
        return web.json_response({"error_code": "54000", "error_msg": "PARAM_FROM_TO_OR_Q_EMPTY"})
    if not HEX32.fullmatch(p.get("sign", "")):
        return web.json_response({"error_code": "54001", "error_msg": "Invalid Sign"})
    lines = [{"src": line, "dst": _mark(p["to"], line)} for line in p["q"].split("\n")]
    _translated(request, "baidu", p["from"], p["to"], p["q"])
    return web.json_response({"from": p["from"], "to": p["to"], "trans_result": lines})


async def deepl(request: web.Request) -> web.Response:
    """DeepL's v2 /translate as DeepL takes it since January 2026: POST with a JSON body and the key
    in `Authorization: DeepL-Auth-Key …`. A GET, or a key in `auth_key`, is refused as DeepL does."""
    if request.method != "POST" or "auth_key" in request.query:
        return web.json_response({"message": "Legacy authentication method 'query parameter' is no longer "
                                             "supported. Please update to header-based authentication."}, status=403)
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("DeepL-Auth-Key ") or not auth.removeprefix("DeepL-Auth-Key ").strip():
        return web.json_response({"message": "Authorization failure, check the Authorization header"}, status=403)
    try:
        body = await request.json()
    except ValueError:
        body = None
    texts = body.get("text") if isinstance(body, dict) else None
    if not isinstance(texts, list) or not texts or not isinstance(texts[0], str) or not body.get("target_lang"):
        return web.json_response({"message": "Parameter 'text' or 'target_lang' not specified."}, status=400)
    p = {"source_lang": str(body.get("source_lang") or ""), "target_lang": str(body["target_lang"])}
    source = p["source_lang"]
    text = _translated(request, "deepl", source, p["target_lang"], texts[0])
    return web.json_response({"translations": [{"detected_source_language": (source or "en").upper(),
                                                "text": text}]})


async def libre(request: web.Request) -> web.Response:
    """LibreTranslate's /translate; errors as {"error": …}. Records whether a key came (`keyed`)."""
    try:
        p = await request.json() if request.content_type == "application/json" else await _params(request)
    except ValueError:
        p = None
    if not isinstance(p, dict):
        return web.json_response({"error": "Invalid JSON format"}, status=400)
    for name in ("q", "source", "target"):
        if not p.get(name):
            return web.json_response({"error": f"Invalid request: missing {name} parameter"}, status=400)
    request.app[STATE].record("translate", provider="libre", source=p["source"], target=p["target"],
                              text=p["q"], keyed=bool(p.get("api_key")))
    return web.json_response({"translatedText": _mark(p["target"], p["q"])})


def _microsoft_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def microsoft(request: web.Request) -> web.Response:
    """Microsoft Translator v3 /translate: the key in Ocp-Apim-Subscription-Key, the texts in a JSON array."""
    if not request.headers.get("Ocp-Apim-Subscription-Key"):
        return _microsoft_error(401, 401000, "The request is not authorized because credentials are missing "
                                             "or invalid.")
    if request.query.get("api-version") != "3.0":
        return _microsoft_error(400, 400021, "The API version parameter is missing or invalid.")
    to = request.query.get("to", "")
    if not to:
        return _microsoft_error(400, 400036, "The target language is not valid.")
    try:
        body = await request.json()
    except ValueError:
        body = None
    texts = [item.get("text", item.get("Text")) for item in body if isinstance(item, dict)] \
        if isinstance(body, list) else []
    if not texts or not all(isinstance(t, str) for t in texts):
        return _microsoft_error(400, 400074, "The body of the request is not valid JSON.")
    source = request.query.get("from", "")
    return web.json_response([{"translations": [{"text": _translated(request, "microsoft", source, to, t), "to": to}]}
                              for t in texts])


async def microsoft_languages(request: web.Request) -> web.Response:
    """Microsoft Translator v3 /languages (no key needed): {"translation": {code: {name, nativeName, dir}}}."""
    if request.query.get("api-version") != "3.0":
        return _microsoft_error(400, 400021, "The API version parameter is missing or invalid.")
    request.app[STATE].record("translate/languages", provider="microsoft", scope=request.query.get("scope", ""))
    return web.json_response({"translation": MICROSOFT_LANGUAGES})


async def mymemory(request: web.Request) -> web.Response:
    """MyMemory's /get. Like MyMemory, a bad request is still HTTP 200: the error is in
    responseStatus, and its text stands where the translation would."""
    q, pair = request.query.get("q", ""), request.query.get("langpair", "")
    source, _, target = pair.partition("|")
    if not q or not source or not target:
        problem = "NO QUERY SPECIFIED" if not q else "INVALID LANGUAGE PAIR SPECIFIED"
        return web.json_response({"responseData": {"translatedText": problem}, "responseDetails": problem,
                                  "responseStatus": 403, "matches": []})
    text = _translated(request, "mymemory", source, target, q)
    return web.json_response({"responseData": {"translatedText": text, "match": 1}, "responseDetails": "",
                              "responseStatus": 200, "matches": []})


def routes() -> list[web.RouteDef]:
    return [web.get("/translate/m", google),
            web.post("/translate/baidu", baidu),
            web.route("*", "/translate/deepl/translate", deepl),
            web.post("/translate/libre/translate", libre),
            web.post("/translate/microsoft/translate", microsoft),
            web.get("/translate/microsoft/languages", microsoft_languages),
            web.get("/translate/mymemory", mymemory)]
