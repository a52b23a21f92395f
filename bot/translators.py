"""The machine-translation providers, each through its deep-translator class: our language codes
mapped to the provider's, the key read from the environment variable the configuration names, the
class pointed at `base_url` (a mirror, a proxy, or the sandbox's stand-in), and deep-translator's
quirks kept out of the caller's way. Synchronous (deep-translator uses requests): bot/translate.py
runs `translate_sync` in its own thread pool under asyncio.wait_for(timeout_s).

base_url, per provider ("" = the provider's own endpoint):
  google     the full URL of the mobile page (https://translate.google.com/m)
  baidu      the full URL it POSTs to (https://fanyi-api.baidu.com/api/trans/vip/translate)
  deepl      the prefix "translate" is appended to (https://api.deepl.com/v2)
  libre      the prefix "translate" is appended to (https://libretranslate.com)
  microsoft  the service root (https://api.cognitive.microsofttranslator.com)
  mymemory   the full GET URL (http://api.mymemory.translated.net/get)
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

import requests
from deep_translator import (BaiduTranslator, DeeplTranslator, GoogleTranslator, LibreTranslator,
                             MicrosoftTranslator, MyMemoryTranslator)
from deep_translator.base import BaseTranslator
from deep_translator.exceptions import LanguageNotSupportedException, RequestError, TranslationNotFound

from handlers.config import TranslationConfig

# Our language codes → each provider's, as deep-translator's own tables accept them. A language a
# provider lacks is absent: DeepL and LibreTranslate have no Thai in deep-translator's lists, and
# neither tells Traditional from Simplified Chinese. Microsoft's codes are lower-case because
# MicrosoftTranslator lower-cases the codes of the language list it fetches ("zh-Hans" → "zh-hans").
LANGUAGE_CODES: dict[str, dict[str, str]] = {
    "google": {"zh": "zh-CN", "zh-Hant": "zh-TW", "en": "en", "fr": "fr", "th": "th"},
    "baidu": {"zh": "zh", "zh-Hant": "cht", "en": "en", "fr": "fra", "th": "th"},
    "deepl": {"zh": "zh", "en": "en", "fr": "fr"},
    "libre": {"zh": "zh", "en": "en", "fr": "fr"},
    "microsoft": {"zh": "zh-hans", "zh-Hant": "zh-hant", "en": "en", "fr": "fr", "th": "th"},
    "mymemory": {"zh": "zh-CN", "zh-Hant": "zh-TW", "en": "en-GB", "fr": "fr-FR", "th": "th-TH"},
}
NEEDS_KEY = ("baidu", "deepl", "microsoft")   # libre's key is optional (a self-hosted server may take none)
MICROSOFT_ROOT = "https://api.cognitive.microsofttranslator.com"


class Unsupported(Exception):
    """The provider does not translate this language pair: deliver the original, with a note."""


class MissingSecret(Exception):
    """The provider needs a key and the environment variable that should hold it is unset or empty."""


class ProviderError(Exception):
    """A provider's failure whose own exception would have carried the key (DeepL and LibreTranslate
    send it in the URL, which requests' errors quote; deep-translator's AuthorizationException quotes
    it outright). The message is the original's, with the key blanked."""


def missing_secret(tcfg: TranslationConfig, env: Mapping[str, str] = os.environ) -> str | None:
    """A one-line message for the operator when the provider needs a key it cannot find; None when
    nothing is missing. It names the variable, never a value."""
    if tcfg.provider not in NEEDS_KEY:
        return None
    if not tcfg.key_env:
        return f"translation provider {tcfg.provider} needs key_env: the environment variable holding its key"
    if not _key(tcfg, env):
        return (f"translation provider {tcfg.provider} needs its key in the environment variable "
                f"{tcfg.key_env}, which is unset or empty")
    return None


def translate_sync(tcfg: TranslationConfig, base_url: str, text: str, source: str, target: str,
                   env: Mapping[str, str] = os.environ) -> str:
    """`text` from our language `source` into `target` through tcfg.provider; a non-empty string or
    an exception: Unsupported (before any HTTP call where our table knows), MissingSecret, or the
    provider's failure as deep-translator raises it (ProviderError where that would show the key)."""
    build = _BUILDERS.get(tcfg.provider)
    if build is None:
        raise ValueError(f"no translation provider {tcfg.provider!r}")
    codes = LANGUAGE_CODES[tcfg.provider]
    if source not in codes or target not in codes:
        raise Unsupported(f"{tcfg.provider} does not translate {source} → {target}")
    if (problem := missing_secret(tcfg, env)) is not None:
        raise MissingSecret(problem)
    key = _key(tcfg, env)
    failure: ProviderError | None = None
    with _default_timeout(tcfg.timeout_s):
        try:
            result = build(tcfg, base_url.strip(), key, codes[source], codes[target]).translate(text)
        except LanguageNotSupportedException as e:   # Microsoft's fetched list lacks one of the two
            raise Unsupported(f"{tcfg.provider} does not translate {source} → {target}") from e
        except StopIteration:   # MyMemory with neither a translation nor a match: next() on nothing
            raise TranslationNotFound(text) from None
        except Exception as e:
            failure = _without_key(e, key)
            if failure is None:
                raise
    if failure is not None:
        raise failure   # raised here, outside the handler: the original (and its key) is not chained
    # Google answers None when the page repeats the text as it was; MyMemory can answer "".
    if not isinstance(result, str) or not result.strip():
        raise TranslationNotFound(text)
    return result


# -- the providers ---------------------------------------------------------------------------------
Builder = Callable[[TranslationConfig, str, str, str, str], BaseTranslator]


def _at(translator: BaseTranslator, url: str) -> BaseTranslator:
    """Point a translator that requests `_base_url` as it is at `url`, when one is configured."""
    if url:
        translator._base_url = url
    return translator


def _google(tcfg: TranslationConfig, url: str, key: str, source: str, target: str) -> BaseTranslator:
    return _at(GoogleTranslator(source=source, target=target), url)


def _baidu(tcfg: TranslationConfig, url: str, key: str, source: str, target: str) -> BaseTranslator:
    return _at(BaiduTranslator(source=source, target=target, appid=tcfg.appid.strip(), appkey=key), url)


def _mymemory(tcfg: TranslationConfig, url: str, key: str, source: str, target: str) -> BaseTranslator:
    return _at(MyMemoryTranslator(source=source, target=target), url)


def _deepl(tcfg: TranslationConfig, url: str, key: str, source: str, target: str) -> BaseTranslator:
    # DeepL's free keys end in ":fx" and work only on api-free.deepl.com; pro keys only on api.deepl.com.
    translator = _Deepl(source=source, target=target, api_key=key, use_free_api=key.endswith(":fx"))
    return _at(translator, _prefix(url))


class _Deepl(DeeplTranslator):
    """DeeplTranslator 1.11 sends GET /translate with the key in `auth_key`; DeepL refuses both
    since 15 January 2026 (its change notice "November 2025: Deprecation of query parameter and
    request body authentication"). Same class, today's request: POST, JSON, the key in the
    `Authorization: DeepL-Auth-Key …` header."""

    def translate(self, text: str, **kwargs: Any) -> str:
        if self._same_source_target() or not text.strip():
            return text
        response = requests.post(self._base_url + "translate", json={
            "text": [text], "source_lang": self._source.upper(), "target_lang": self._target.upper()},
            headers={"Authorization": f"DeepL-Auth-Key {self.api_key}"})
        if response.status_code in (401, 403):
            raise RequestError(f"DeepL refused the key (HTTP {response.status_code})")
        response.raise_for_status()
        translations = (response.json() or {}).get("translations") or []
        if not translations or not translations[0].get("text"):
            raise TranslationNotFound(text)
        return translations[0]["text"]


def _libre(tcfg: TranslationConfig, url: str, key: str, source: str, target: str) -> BaseTranslator:
    # LibreTranslator refuses to be built without a key, but a self-hosted LibreTranslate started
    # without --api-keys takes none, so a placeholder gets it built. The placeholder is then taken
    # back: translate() sends api_key only when it is non-empty, and a server that does keep keys
    # answers an unknown one with 403 "Invalid API key" even where it would serve a keyless call.
    translator = LibreTranslator(source=source, target=target, api_key=key or "none", use_free_api=not key,
                                 custom_url=_prefix(url) or None)
    translator.api_key = key
    return translator


def _microsoft(tcfg: TranslationConfig, url: str, key: str, source: str, target: str) -> BaseTranslator:
    return _Microsoft(url.rstrip("/") or MICROSOFT_ROOT, tcfg.timeout_s, source=source, target=target,
                      api_key=key, region=tcfg.region.strip() or None)


def _prefix(url: str) -> str:
    """A base URL deep-translator appends "translate" to: with exactly one "/" before it."""
    return url.rstrip("/") + "/" if url else ""


_BUILDERS: dict[str, Builder] = {"google": _google, "baidu": _baidu, "deepl": _deepl, "libre": _libre,
                                 "microsoft": _microsoft, "mymemory": _mymemory}


# -- Microsoft: the language list from the configured root, once per root ----------------------------
_microsoft_languages: dict[str, dict[str, str]] = {}
_microsoft_lock = threading.Lock()


class _Microsoft(MicrosoftTranslator):
    """MicrosoftTranslator fetches its language list from a hard-coded URL, without a timeout, each
    time it is built; this one asks `root`, with a timeout, once per root for the process's life."""

    def __init__(self, root: str, timeout_s: float, **kwargs: Any) -> None:
        self._root, self._timeout_s = root, timeout_s   # before super().__init__, which reads the list
        super().__init__(**kwargs)
        self._base_url = root + "/translate?api-version=3.0"

    def _get_supported_languages(self) -> dict[str, str]:
        with _microsoft_lock:   # held across the fetch: concurrent first calls fetch once
            if self._root not in _microsoft_languages:
                response = requests.get(self._root + "/languages?api-version=3.0&scope=translation",
                                        timeout=self._timeout_s)
                response.raise_for_status()
                listed = response.json()["translation"]
                # name → code, both lower-cased, as MicrosoftTranslator's own method maps them
                _microsoft_languages[self._root] = {v["name"].lower(): k.lower() for k, v in listed.items()}
            return _microsoft_languages[self._root]

    def translate(self, text: str, **kwargs: Any) -> str:
        try:
            return super().translate(text, **kwargs)
        except AttributeError as e:
            # MicrosoftTranslator logs a failed request (no answer, a timeout) and then reads
            # `None.json()`: say what happened rather than AttributeError.
            raise RequestError("Microsoft Translator gave no answer") from e


# -- every request with a timeout --------------------------------------------------------------------
# deep-translator calls requests.get/post without a timeout. asyncio.wait_for in the caller stops the
# wait but not the thread: a provider that never answers would hold a pool thread forever, and four
# such calls would stall all translation. So each call made inside translate_sync gets timeout_s as
# its connect and read timeout: requests.Session.request is wrapped, once, to add that default when
# the caller gave none, and only while the context variable is set (by translate_sync, in its own
# thread); every other use of requests in the process is left as it was.
_TIMEOUT: contextvars.ContextVar[float | None] = contextvars.ContextVar("translation_timeout", default=None)


def _install_default_timeout() -> None:
    original = requests.Session.request
    if getattr(original, "_translation_default_timeout", False):
        return

    @functools.wraps(original)
    def request(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        timeout = _TIMEOUT.get()
        # timeout is request()'s 7th parameter after method and url: only add it when not given
        if timeout is not None and len(args) < 7 and kwargs.get("timeout") is None:
            kwargs["timeout"] = timeout
        return original(self, method, url, *args, **kwargs)

    request._translation_default_timeout = True  # type: ignore[attr-defined]
    requests.Session.request = request  # type: ignore[method-assign]


_install_default_timeout()


@contextlib.contextmanager
def _default_timeout(seconds: float) -> Iterator[None]:
    token = _TIMEOUT.set(seconds)
    try:
        yield
    finally:
        _TIMEOUT.reset(token)


# -- keys ------------------------------------------------------------------------------------------
def _key(tcfg: TranslationConfig, env: Mapping[str, str]) -> str:
    return env.get(tcfg.key_env, "").strip() if tcfg.key_env else ""


def _without_key(exc: Exception, key: str) -> ProviderError | None:
    """A ProviderError to raise instead of `exc` when `exc` could show the key: it quotes it, or it
    is a requests error (those carry the request, its URL and headers). None: `exc` is safe as it is."""
    if not key:
        return None
    message = str(exc)
    forms = {key, quote(key, safe=""), quote_plus(key)}
    if not any(f in message for f in forms) and not isinstance(exc, requests.RequestException):
        return None
    for f in forms:
        message = message.replace(f, "***")
    return ProviderError(f"{type(exc).__name__}: {message}")
