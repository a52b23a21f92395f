"""Rules (no model) for messages about a job that is already open: a question about when the
engineer comes or how it stands, and the request to open a separate ticket anyway. Used by
handlers/tickets.py (a report for a store and skill that has an open ticket) and by
Desk._understand (the typed "另开新单")."""

from __future__ import annotations

import re

# The button (AI bot card, 微信客服 menu item) that opens a separate ticket anyway: "separate:<open ticket>".
SEPARATE_ACTION = "separate"

# A question about timing or progress, in the desk's languages. Only consulted when the store
# already has an open ticket of the skill the message is about: then it asks about that one.
_PROGRESS = re.compile(
    r"什么时候|啥时候|几点|多久|多长时间|到哪|在哪了|怎么还没|还没(?:有)?(?:来|到|人)|进度|到了吗|来了吗|何时|几时|人呢"
    r"|\bwhen\b|\bwhere(?:'s| is| are)\b|\bhow long\b|\bany (?:news|update)\b|\beta\b|\bstill waiting\b"
    r"|\bstatus\b|\bis (?:he|she|the engineer|the technician|someone) coming\b"
    r"|\bquand\b|\bà quelle heure\b|\bcombien de temps\b|\boù en est\b|\bil arrive\b|\btoujours personne\b"
    r"|เมื่อไหร่|เมื่อไร|กี่โมง|ถึงไหน|อีกนาน|ยังไม่มา|มาหรือยัง|ถึงหรือยัง",
    re.I)

# "Open a separate ticket anyway", typed (a tap on the button says it without words).
_SEPARATE = re.compile(
    r"^\s*(?:另开(?:一个?|个)?(?:新)?(?:工)?单|单独(?:开|建)(?:一个?)?(?:新)?(?:工)?单|重新开(?:一个?)?(?:新)?单|新开(?:一个?)?(?:工)?单"
    r"|(?:open |create )?(?:a )?(?:new|separate) (?:ticket|job)(?: anyway)?|new one anyway"
    r"|(?:ouvrir |créer )?(?:un )?(?:nouveau|autre) ticket(?: quand même| séparé)?"
    r"|เปิด(?:งาน|ใบงาน)ใหม่(?:เลย)?)\s*[.!。！]?\s*$",
    re.I)


def asks_about_progress(text: str) -> bool:
    return bool(_PROGRESS.search(text or ""))


def wants_separate(text: str) -> bool:
    return bool(_SEPARATE.match(text or ""))
