"""The one event type the desk handles: a WeCom message or click, already verified, decrypted
and parsed by the edge (bot/inbound.py). The desk never sees WeCom's wire format."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["text", "card_click", "stream_refresh", "enter", "unsupported"]


@dataclass(frozen=True)
class Media:
    """A file a message carries, not fetched yet: what the edge needs to get it. `kind` is what
    the sender sent (an `image` must be a picture; a `file` may be a picture or a PDF); `ref` is
    where it is: the AI bot's encrypted download URL, or the app's MediaId for media/get."""
    kind: Literal["image", "file"]
    ref: str


@dataclass(frozen=True)
class Inbound:
    channel: Literal["bot", "app", "kf"]
    kind: Kind
    dedup_key: str | None           # None: not deduplicated (stream refreshes are idempotent reads)
    userid: str
    chatid: str | None = None
    chattype: str = "single"
    text: str = ""
    msgid: str | None = None
    event_key: str | None = None
    task_id: str | None = None
    response_code: str | None = None
    response_url: str | None = None
    stream_id: str | None = None
    msgtype: str = ""
    quote: str = ""                 # the text of a quoted message (AI bot `quote`), for context
    account: str | None = None      # 微信客服: the account (open_kfid) the customer wrote to; answers go back through it
    media: tuple[Media, ...] = ()   # photos and files sent with the message (fetched by the edge, bot/media.py)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def stream_key(self) -> str:
        """The id of the unfinished stream we answer with when handling runs late; derived from
        the dedup key so a re-delivery gets the very same stream."""
        return "s" + hashlib.sha1((self.dedup_key or "").encode()).hexdigest()[:20]
