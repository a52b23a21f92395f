"""Decrypted WeCom callbacks → the desk's one event type (`handlers.event.Inbound`). Pure parsing, no I/O."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from bot.textcut import cut
from handlers.event import Inbound, Media


class BadPayload(Exception):
    """Malformed XML/JSON or a required field missing (→ HTTP 400)."""


def parse_xml(text: str) -> Element:
    """Parse untrusted XML: any DOCTYPE or entity declaration is refused, nothing is expanded."""
    try:
        return fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as e:
        raise BadPayload(f"malformed XML: {type(e).__name__}") from None


def xml_fields(root: Element) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in root}


# Longest value each field may have: what its column holds (storage/models.py: userid 64, chatid
# 128, the dedup key 255) or, where nothing stores it, far more than WeCom ever sends. Longer is
# not WeCom: refused with a 400 before anything is stored.
LIMITS = {"userid": 64, "chatid": 128, "msgid": 200, "msgtype": 32, "chattype": 16, "event": 64, "event_key": 256,
          "task_id": 128, "response_code": 512, "response_url": 1024, "stream_id": 64, "text": 16384,
          "create_time": 16, "open_kfid": 64, "token": 128, "media_url": 2048, "media_id": 256}
# More pictures than one message can carry in WeCom's client is not WeCom (refused with a 400).
MAX_MEDIA_ITEMS = 20


def _field(value: Any, name: str, *, required: bool = False) -> str | None:
    """One inbound field: a string within its limit, or None when absent and allowed to be."""
    if value is None or value == "":
        if required:
            raise BadPayload(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise BadPayload(f"{name} must be a string")
    if len(value) > LIMITS[name]:
        raise BadPayload(f"{name} longer than {LIMITS[name]} characters")
    return value


field = _field   # for other edge modules that read WeCom payloads (bot/kf.py)


def _object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayload(f"{name} must be an object")
    return value


def parse_app_message(plaintext: str) -> Inbound:
    """Self-built app (XML, doc 90240): 1:1 text and image messages and template card clicks."""
    return parse_app_fields(xml_fields(parse_xml(plaintext)))


def parse_app_fields(f: dict[str, str]) -> Inbound:
    user = _field(f.get("FromUserName"), "userid", required=True)
    msgtype = _field(f.get("MsgType"), "msgtype", required=True)
    assert user is not None and msgtype is not None
    created = _field(f.get("CreateTime"), "create_time") or ""
    if msgtype == "text":
        msgid = _field(f.get("MsgId"), "msgid", required=True)
        return Inbound("app", "text", f"app:{msgid}", user, text=_field(f.get("Content"), "text") or "", msgid=msgid,
                       msgtype=msgtype, raw=f)
    if msgtype == "image":
        # doc 90240 图片消息: PicUrl and MediaId; the bytes come from media/get with the MediaId
        # (bot/media.py), which needs no trust in where PicUrl points.
        msgid = _field(f.get("MsgId"), "msgid", required=True)
        media_id = _field(f.get("MediaId"), "media_id", required=True)
        assert media_id is not None
        return Inbound("app", "text", f"app:{msgid}", user, msgid=msgid, msgtype=msgtype, raw=f,
                       media=(Media("image", media_id),))
    if msgtype == "event":
        event = _field(f.get("Event"), "event") or ""
        event_key = _field(f.get("EventKey"), "event_key")
        task = _field(f.get("TaskId"), "task_id")
        # Events carry no MsgId; FromUserName+CreateTime alone would merge distinct clicks made
        # in the same second, so the key and task are part of the dedup key (WECOM.md), hashed so
        # that it always fits its column.
        raw_key = "\x00".join([user, created, event, event_key or "", task or ""])
        key = "app:evt:" + hashlib.sha256(raw_key.encode()).hexdigest()
        if event == "template_card_event":
            return Inbound("app", "card_click", key, user, event_key=event_key, task_id=task,
                           response_code=_field(f.get("ResponseCode"), "response_code"), msgtype=msgtype, raw=f)
        if event == "enter_agent":
            return Inbound("app", "enter", key, user, msgtype=msgtype, raw=f)
        return Inbound("app", "unsupported", key, user, msgtype=f"event:{event}", raw=f)
    msgid = _field(f.get("MsgId"), "msgid") or created
    return Inbound("app", "unsupported", f"app:{msgid}:{user}", user, msgtype=msgtype, raw=f)


def load_json(text: str | bytes) -> Any:
    """Untrusted JSON: malformed, undecodable or absurdly nested input is a BadPayload, never a 500."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadPayload("malformed JSON") from None
    except RecursionError:
        raise BadPayload("JSON nested too deeply") from None


def parse_bot_message(plaintext: str) -> Inbound:
    """AI bot (JSON, doc 100719): group @-mentions, card clicks and stream refreshes."""
    body = load_json(plaintext)
    if not isinstance(body, dict):
        raise BadPayload("JSON body must be an object")
    user = _field(_object(body.get("from"), "from").get("userid"), "userid", required=True)
    msgtype = _field(body.get("msgtype"), "msgtype", required=True)
    assert user is not None and msgtype is not None
    common: dict[str, Any] = dict(chatid=_field(body.get("chatid"), "chatid"),
                                  chattype=_field(body.get("chattype"), "chattype") or "single",
                                  response_url=_field(body.get("response_url"), "response_url"),
                                  msgtype=msgtype, raw=body)
    if msgtype == "stream":
        sid = _field(_object(body.get("stream"), "stream").get("id"), "stream_id", required=True)
        return Inbound("bot", "stream_refresh", None, user, stream_id=sid, msgid=_field(body.get("msgid"), "msgid"),
                       **common)
    msgid = _field(body.get("msgid"), "msgid", required=True)
    key = f"bot:{msgid}"
    common["msgid"] = msgid
    if msgtype == "text":
        content = _object(body.get("text"), "text").get("content")
        if not isinstance(content, str):
            raise BadPayload("text.content is required")
        return Inbound("bot", "text", key, user, text=_field(content, "text") or "", quote=_quoted_text(body.get("quote")),
                       **common)
    if msgtype in ("image", "file", "mixed"):
        text, media = _media_message(body, msgtype)
        return Inbound("bot", "text", key, user, text=text, quote=_quoted_text(body.get("quote")), media=media,
                       **common)
    if msgtype == "event":
        event = _object(body.get("event"), "event")
        etype = _field(event.get("eventtype"), "event")
        if etype == "template_card_event":
            card = _object(event.get("template_card_event"), "template_card_event")
            return Inbound("bot", "card_click", key, user, event_key=_field(card.get("event_key"), "event_key"),
                           task_id=_field(card.get("task_id"), "task_id"), **common)
        if etype == "enter_chat":
            return Inbound("bot", "enter", key, user, **common)
        return Inbound("bot", "unsupported", key, user, **{**common, "msgtype": f"event:{etype}"})
    return Inbound("bot", "unsupported", key, user, **common)


def _media_url(item: Any, name: str) -> str:
    url = _field(_object(item, name).get("url"), "media_url", required=True)
    assert url is not None
    if not url.startswith(("https://", "http://")):
        raise BadPayload(f"{name}.url is not an http(s) URL")
    return url


def _media_message(body: dict[str, Any], msgtype: str) -> tuple[str, tuple[Media, ...]]:
    """doc 100719: `image` {"url"} and `file` {"url"} (files encrypted with the bot's
    EncodingAESKey, bot/media.py), `mixed` {"msg_item": [{"msgtype": "text"|"image", …}]}: the
    text parts joined, the images in order."""
    if msgtype in ("image", "file"):
        return "", (Media(msgtype, _media_url(body.get(msgtype), msgtype)),)   # type: ignore[arg-type]
    items = _object(body.get("mixed"), "mixed").get("msg_item")
    if not isinstance(items, list) or not items:
        raise BadPayload("mixed.msg_item must be a non-empty list")
    if len(items) > MAX_MEDIA_ITEMS:
        raise BadPayload(f"mixed.msg_item has more than {MAX_MEDIA_ITEMS} items")
    texts: list[str] = []
    media: list[Media] = []
    for item in items:
        item = _object(item, "mixed.msg_item")
        if item.get("msgtype") == "text":
            content = _object(item.get("text"), "text").get("content")
            if isinstance(content, str):
                texts.append(content)
        elif item.get("msgtype") == "image":
            media.append(Media("image", _media_url(item.get("image"), "image")))
    return _field(" ".join(texts), "text") or "", tuple(media)


QUOTE_MAX = 2048   # enough for any card or report a person quotes; more is not context


def _quoted_text(quote: Any) -> str:
    """The text of what a message quotes (doc 100719 引用: text, or the text parts of mixed)."""
    if not isinstance(quote, dict):
        return ""
    parts: list[Any] = []
    if isinstance(quote.get("text"), dict):
        parts.append(quote["text"].get("content"))
    mixed = quote.get("mixed")
    if isinstance(mixed, dict) and isinstance(mixed.get("msg_item"), list):
        parts += [(item.get("text") or {}).get("content") for item in mixed["msg_item"]
                  if isinstance(item, dict) and isinstance(item.get("text"), dict)]
    return cut(" ".join(p for p in parts if isinstance(p, str)), QUOTE_MAX)
