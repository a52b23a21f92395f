"""Money commands read by rule, before the learned model (nlu/commands.py runs them first):

* a month's close, by a manager: "关账 11月", "结算 上月 关账", "close november", "close the books
  for last month", "clôturer novembre", "ปิดบัญชีเดือนพฤศจิกายน" → `close_month` {period};
* an engineer's own earnings where the model is unsure of the phrasing: "mes gains ce mois",
  "my share this month", "ส่วนแบ่งของฉันเดือนนี้" → `settlement_summary` {period} (the model's own
  intent: the handler answers an engineer with their jobs, privately).

Like the managers' commands, only a message that is WHOLLY one is read: the command word, at most
one period (nlu/periods.py) and filler words; anything more ("11月关账了吗", "close ticket 4",
"close the door") goes to the model as before. Input is canonical text (nlu/normalize.py).
"""

from __future__ import annotations

import re
from typing import Any

from . import periods as P

Span = tuple[int, int]

CLOSE_INTENT = "close_month"
EARNINGS_INTENT = "settlement_summary"

# Words that are themselves about the books close a month alone; "close"/"clôturer" need a
# period or a ledger noun beside them ("close the month", "clôturer les comptes").
_CLOSE_OWN = r"关账|封账|月结关账|关闭账期|关闭结算期|ปิดบัญชี|ปิดงวด|ปิดยอด"
_CLOSE_VERB = re.compile(_CLOSE_OWN + r"|(?<![a-z])(?:close|cloturer|cloture)(?![a-z])")
_LEDGER_NOUN = re.compile(r"(?<![a-z])(?:month|books|accounts|period|ledger|mois|comptes|periode)(?![a-z])")
_CLOSE_FILLER = re.compile(
    r"结算|月结|月份|账期|账|的|请|帮我|帮忙|麻烦|一下|吧|了|做|进行|把|将|"
    r"(?<![a-z])(?:the|books|book|month|month-end|period|ledger|accounts|for|of|out|please|pls|now|"
    r"le|la|les|de|du|des|d'|mois|comptes|periode|svp|s'il vous plait|maintenant)(?![a-z])|-ci(?![a-z])|"
    r"เดือน|บัญชี|งวด|ของ|ให้|หน่อย|ครับ|ค่ะ|นะ|[\s,.!:~]")

_MINE = re.compile(
    r"(?<![a-z])(?:my|mes|ma|mon)\s+(?:earnings|share|shares|commissions?|cut|pay|payout|gains|part|parts|"
    r"remuneration|revenus)(?![a-z])|(?:ส่วนแบ่ง|รายได้|ค่าคอม(?:มิชชั่น)?)(?:ของ)?(?:ฉัน|ผม|หนู)")
_MINE_FILLER = re.compile(
    r"(?<![a-z])(?:how|much|what|whats|what's|is|are|were|was|did|do|i|earn|earned|make|made|so|far|for|of|in|the|"
    r"show|me|tell|combien|quelles?|quels?|sont|est|de|du|des|d'|en|pour|sur|ai-je|j'ai|gagne|touche|montre|moi|"
    r"montrez|donne|svp|please|pls)(?![a-z])|-ci(?![a-z])|เท่าไหร่|เท่าไร|กี่บาท|ได้|มี|ครับ|ค่ะ|นะ|ดู|ขอ|[\s,.!?:~]")


def _rest(s: str, spans: list[Span], filler: re.Pattern[str]) -> str:
    chars = list(s)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return filler.sub("", "".join(chars))


def _period(s: str) -> tuple[str | None, Span | None]:
    found = P.find_period(s, P.default_now())
    return (found[0], found[1]) if found else (None, None)


def read_close(s: str) -> tuple[str, dict[str, Any], dict[str, Span]] | None:
    verbs = list(_CLOSE_VERB.finditer(s))
    if len(verbs) != 1:
        return None
    verb = verbs[0]
    period, span = _period(s)
    if span is not None and span[0] < verb.end() and verb.start() < span[1]:
        return None
    if _rest(s, [verb.span(), *([span] if span else [])], _CLOSE_FILLER):
        return None
    if period is None and not re.fullmatch(_CLOSE_OWN, verb.group()) and not _LEDGER_NOUN.search(s):
        return None   # "close" alone is not the books
    return CLOSE_INTENT, {"period": period}, ({"period": span} if span else {})


def read_earnings(s: str) -> tuple[str, dict[str, Any], dict[str, Span]] | None:
    mine = list(_MINE.finditer(s))
    if len(mine) != 1:
        return None
    period, span = _period(s)
    if _rest(s, [mine[0].span(), *([span] if span else [])], _MINE_FILLER):
        return None
    return EARNINGS_INTENT, ({"period": period} if period else {}), ({"period": span} if span else {})
