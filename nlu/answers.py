"""Short answers and references that only make sense next to something said before: "是" to the
bot's question, "刚才那个单" for the sender's latest ticket, "#12" inside a quoted card."""

from __future__ import annotations

import re

from .entities import find_ticket
from .normalize import normalize

_YES = re.compile(
    r"^(?:是|是的|对|对的|嗯+|好|好的|要|需要|确认|报修|建单|可以|行|没错|yes|y|yep|yeah|ok|okay|sure|confirm|"
    r"please do|oui|ouais|d'accord|dac|ok merci|ใช่|ใช่ครับ|ใช่ค่ะ|ครับ|ค่ะ|ได้|ได้เลย|ตกลง|แจ้งซ่อม|"
    r"👍|✅|係|系|啱|好呀|要呀)$")
_NO = re.compile(
    r"^(?:否|不|不是|不要|不用|不需要|没有|算了|取消|别|no|n|nope|no thanks|not now|cancel|non|non merci|"
    r"pas besoin|ไม่|ไม่ใช่|ไม่ต้อง|ไม่ครับ|ไม่ค่ะ|ยกเลิก|👎|❌|唔系|唔使|唔要|唔好)$")
_TRIM = re.compile(r"[\s,.!?~，。！？、…:;]+")

# "the sender's latest ticket in this chat", as people point at it.
_LAST = re.compile(
    r"刚才(?:那|这)?(?:个|张)?单|刚刚(?:那|这)?(?:个|张)?单|上(?:一)?(?:个|张)单|刚报的(?:那个)?单?|"
    r"(?:这|那)(?:个|张)?单(?=子|$|[^号0-9])|"
    r"(?<![a-z])(?:the )?(?:last|latest|previous|same) (?:one|ticket|job|request)(?![a-z])|"
    r"(?<![a-z])(?:le |la )?(?:dernier|derniere) (?:ticket|demande|intervention)(?![a-z])|"
    r"งาน(?:เมื่อกี้|ล่าสุด|เดิม)|ใบงาน(?:เมื่อกี้|ล่าสุด|เดิม)")


def _canonical(text: str) -> str:
    return _TRIM.sub(" ", normalize(text).text).strip()


def yes_no(text: str) -> bool | None:
    """True for a yes, False for a no, None when the message says something else."""
    s = _canonical(text)
    s = re.sub(r"^@\S+\s*", "", s)
    s = re.sub(r"(?<=\S)[了啦吧呀哈呢啊喔哦]+$", "", s)   # "不用了", "好的呀"
    if _YES.match(s):
        return True
    if _NO.match(s):
        return False
    return None


def mentions_last(canonical: str) -> bool:
    """The sender's latest ticket, pointed at ("刚才那个单", "the last one"), in text already in
    the parser's canonical form (the parser reads it as the `last_ticket` entity)."""
    return _LAST.search(canonical) is not None


def ticket_in_quote(quoted: str) -> int | None:
    """The ticket a quoted message (a card, the bot's reply, someone's report) is about."""
    found = find_ticket(normalize(quoted).text, allow_bare=False) if quoted else None
    return found[0] if found else None
