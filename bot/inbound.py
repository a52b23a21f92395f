"""Decrypted WeCom callbacks → the desk's one event type (`handlers.event.Inbound`). Pure parsing, no I/O."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from handlers.event import Inbound


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


def parse_app_message(plaintext: str) -> Inbound:
    """Self-built app (XML, doc 90240): 1:1 text messages and template card clicks."""
    f = xml_fields(parse_xml(plaintext))
    user = f.get("FromUserName")
    msgtype = f.get("MsgType", "")
    if not user or not msgtype:
        raise BadPayload("FromUserName and MsgType are required")
    if msgtype == "text":
        msgid = f.get("MsgId")
        if not msgid:
            raise BadPayload("MsgId is required for a text message")
        return Inbound("app", "text", f"app:{msgid}", user, text=f.get("Content", ""), msgid=msgid,
                       msgtype=msgtype, raw=f)
    if msgtype == "event":
        event = f.get("Event", "")
        # Events carry no MsgId; FromUserName+CreateTime alone would merge distinct clicks made
        # in the same second, so the key and task are part of the dedup key (WECOM.md).
        key = ":".join(["app", "evt", user, f.get("CreateTime", ""), event, f.get("EventKey", ""), f.get("TaskId", "")])
        if event == "template_card_event":
            return Inbound("app", "card_click", key, user, event_key=f.get("EventKey"), task_id=f.get("TaskId"),
                           response_code=f.get("ResponseCode"), msgtype=msgtype, raw=f)
        if event == "enter_agent":
            return Inbound("app", "enter", key, user, msgtype=msgtype, raw=f)
        return Inbound("app", "unsupported", key, user, msgtype=f"event:{event}", raw=f)
    return Inbound("app", "unsupported", f"app:{f.get('MsgId') or f.get('CreateTime', '')}:{user}", user,
                   msgtype=msgtype, raw=f)


def parse_bot_message(plaintext: str) -> Inbound:
    """AI bot (JSON, doc 100719): group @-mentions, card clicks and stream refreshes."""
    try:
        body = json.loads(plaintext)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadPayload("malformed JSON") from None
    if not isinstance(body, dict):
        raise BadPayload("JSON body must be an object")
    sender = body.get("from") or {}
    user = sender.get("userid") if isinstance(sender, dict) else None
    msgtype = body.get("msgtype")
    msgid = body.get("msgid")
    if not isinstance(user, str) or not user or not isinstance(msgtype, str):
        raise BadPayload("from.userid and msgtype are required")
    common: dict[str, Any] = dict(chatid=body.get("chatid"), chattype=body.get("chattype") or "single",
                                  msgid=msgid, response_url=body.get("response_url"), msgtype=msgtype, raw=body)
    if msgtype == "stream":
        stream = body.get("stream") or {}
        sid = stream.get("id") if isinstance(stream, dict) else None
        if not isinstance(sid, str) or not sid:
            raise BadPayload("stream.id is required for a stream refresh")
        return Inbound("bot", "stream_refresh", None, user, stream_id=sid, **common)
    if not isinstance(msgid, str) or not msgid:
        raise BadPayload("msgid is required")
    key = f"bot:{msgid}"
    if msgtype == "text":
        text = (body.get("text") or {}).get("content") if isinstance(body.get("text"), dict) else None
        if not isinstance(text, str):
            raise BadPayload("text.content is required")
        return Inbound("bot", "text", key, user, text=text, quote=_quoted_text(body.get("quote")), **common)
    if msgtype == "event":
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        etype = event.get("eventtype")
        if etype == "template_card_event":
            card = event.get("template_card_event") or {}
            return Inbound("bot", "card_click", key, user, event_key=card.get("event_key"),
                           task_id=card.get("task_id"), **common)
        if etype == "enter_chat":
            return Inbound("bot", "enter", key, user, **common)
        return Inbound("bot", "unsupported", key, user, **{**common, "msgtype": f"event:{etype}"})
    return Inbound("bot", "unsupported", key, user, **common)


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
    return " ".join(p for p in parts if isinstance(p, str))[:QUOTE_MAX]
