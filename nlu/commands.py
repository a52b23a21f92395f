"""Managers' commands, read by rule: "#4 派给 张伟", "#4 加急", "#4 reopen", "华东区待派单".

These are structured orders, not free text, so they are recognised by their shape, before the
learned model (nlu/parse.py), and only when the WHOLE message has that shape: a ticket reference,
a command word, and (for an assignment) a person the Lexicon knows, or at least a name-shaped
word, not a pronoun (the desk answers that it does not know them). Anything else — "派给我一点
时间", "1024 派给我吧" (an engineer claiming), "张伟 今天请假", "空调那个单子怎么还没人接" — is
not a command and goes to the model as before, so the model's ten INTENTS and its figures stay as
they are. The intents read here are `COMMAND_INTENTS` (nlu/intents.py).

Input is the canonical text (nlu/normalize.py: lower-case, half-width, Simplified, accents
folded, the bot's @-mention blanked). Spans are canonical offsets, mapped back by the parser.

To add a command: a pattern here that yields (intent, entities), its intent in COMMAND_INTENTS,
its handler in handlers/manage.py, tests in tests/nlu/test_commands.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .intents import COMMAND_INTENTS
from .ledger_commands import read_close, read_earnings
from .lexicon import Lexicon, find_all, lookup

Span = tuple[int, int]

__all__ = ["COMMAND_INTENTS", "Command", "read_command"]


@dataclass(frozen=True)
class Command:
    intent: str
    entities: dict[str, Any]
    spans: dict[str, Span] = field(default_factory=dict)


# A ticket named explicitly: "#4", "＃4" (half-width by now), "工单4", "4号单", "ticket 4".
_TICKET = (r"(?:#\s*(?P<t1>\d{1,8})|(?:工单|单号|(?<![a-z])(?:ticket|job))\s*(?:no\.?\s*)?#?\s*(?P<t2>\d{1,8})"
           r"|(?P<t3>\d{1,8})\s*号(?:工单|单))(?:\s*号)?(?:\s*(?:工单|单子|单))?")
_LEAD = r"^\s*(?:请|麻烦|帮忙|帮我)?\s*(?:把|将)?\s*"
# Polite or filler ends that do not change a command.
_TAIL = (r"(?:\s*(?:吧|了|一下|处理|负责|跟进|去修|去处理|去看看|去|过去|please|pls|plz|svp|s'il vous plait|ครับ|ค่ะ|นะ)){0,3}"
         r"\s*[.!~]*\s*$")

# -- assign / reassign -------------------------------------------------------------------------
_ASSIGN_VERB = (r"(?:改派给?|重新派给|转派给?|派单给|派给|指派给?|分配给|交给|转给|"
                r"(?:re)?assign(?:ed)?\s+(?:it\s+)?to|give\s+(?:it\s+)?to|hand\s+(?:it\s+)?(?:over\s+)?to|"
                r"(?:re)?attribuer\s+a|(?:re)?assigner\s+a|confier\s+a|"
                r"มอบหมายงานให้|มอบหมายให้|มอบงานให้|ส่งต่อให้)")
_ASSIGN = [
    # "#4 派给 张伟", "把#4改派给李强", "#4 assign to zhang wei", "#4 reattribuer a lucas"
    re.compile(_LEAD + _TICKET + r"\s*(?:请|再)?\s*" + _ASSIGN_VERB + r"\s*(?P<who>.+?)" + _TAIL),
    # "assign #4 to zhang wei", "reassign ticket 4 to lucas", "attribuer #4 a lucas"
    re.compile(_LEAD + r"(?:(?:re)?assign|give|(?:re)?attribuer|(?:re)?assigner|confier)\s+" + _TICKET
               + r"\s+(?:to|a)\s+(?P<who>.+?)" + _TAIL),
    # "派 #4 给 张伟", "改派 #4 给 李强"
    re.compile(_LEAD + r"(?:改派|转派|指派|派)\s*" + _TICKET + r"\s*给\s*(?P<who>.+?)" + _TAIL),
]
# What people put after a name ("张伟师傅", "张工", "Zhang Wei please").
_HONORIFIC = re.compile(r"\s*(?:师傅|工程师|老师|先生|女士|工)$")
# A name the Lexicon does not know still makes an assignment when it looks like a name (two to
# four Chinese characters, or one to three Latin words) and is no pronoun or question word: the
# desk then says whom it does not know ("#4 派给 王五"). "1024 派给我吧", "#4 交给你了" are not.
_NAME_SHAPE = re.compile(r"[\u4e00-\u9fff]{2,4}|[a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,2}")
_NOT_A_NAME = re.compile(r"^(?:我|你|您|他|她|它|咱|大家|别人|谁|哪|其他|另外|某|这|那|师傅|工程师|"
                         r"(?:me|myself|us|you|him|her|them|someone|somebody|anyone|anybody|who|whom|"
                         r"another|other|the|a|an|moi|toi|lui|elle|qui)(?![a-z]))")

# -- urgency -----------------------------------------------------------------------------------
_URGENT = r"(?P<urgent>加急|紧急|urgent|urgence|urgente|ด่วน)"
_NORMAL = (r"(?P<normal>取消加急|取消紧急|不加急|不用加急|不急了|不急|普通|降为普通|not\s+urgent|no\s+longer\s+urgent|"
           r"non[\s-]?urgent|pas\s+urgent|normal|ไม่ด่วน)")
_SET = r"(?:请|要)?\s*(?:设为|设置为|改为|改成|标为|标记为|升为|mark(?:ed)?\s+(?:as\s+)?|set\s+(?:to\s+)?|as\s+|en\s+)?"
_URGENCY = [
    re.compile(_LEAD + _TICKET + r"\s*" + _SET + r"\s*(?:" + _NORMAL + "|" + _URGENT + r")(?:处理)?" + _TAIL),
    re.compile(_LEAD + r"(?:" + _NORMAL + "|" + _URGENT + r")\s*" + _TICKET + _TAIL),
]

# -- reopen ------------------------------------------------------------------------------------
_REOPEN_WORD = r"(?:重新打开|重新开启|重新开单|重开|reopen|re-open|re open|rouvrir|เปิดใหม่)"
_REOPEN = [
    re.compile(_LEAD + _TICKET + r"\s*(?:请)?\s*" + _REOPEN_WORD + _TAIL),
    re.compile(_LEAD + _REOPEN_WORD + r"\s*" + _TICKET + _TAIL),
]

# -- how to fix (handlers/fixes.py) -------------------------------------------------------------
_FIX_WORD = (r"(?:(?:应该|要|该)?(?:怎么|如何|怎样)(?:维修|修理|修)|修法|维修方法|维修指南|"
             r"how\s+(?:do\s+i\s+|to\s+|should\s+i\s+)?(?:fix|repair)(?:\s+(?:it|this))?|known\s+fix(?:es)?|fix\s+tips|"
             r"comment\s+(?:le\s+|la\s+)?(?:reparer|depanner)|ซ่อมยังไง|ซ่อมอย่างไร|วิธีซ่อม)")
_HOW_TO_FIX = [
    re.compile(_LEAD + _TICKET + r"\s*(?:要|应该)?\s*" + _FIX_WORD + r"\s*(?:呢|啊)?\s*[?]?" + _TAIL),
    re.compile(_LEAD + _FIX_WORD + r"\s*" + _TICKET + r"\s*[?]?" + _TAIL),
]

# -- region lists ------------------------------------------------------------------------------
_LISTS = {
    "unassigned": re.compile(r"待派单|待派|没人接单?|没有人接单?|无人接单?|未分配|未派单|没派出去|unassigned|not\s+assigned|"
                             r"undispatched|non\s+attribues?|sans\s+technicien|ยังไม่มีคนรับ"),
    "breached": re.compile(r"已超时|超时|逾期|超期|breached|overdue|sla\s+breach(?:es)?|en\s+retard|hors\s+delai|เกินเวลา"),
}
# Words a list request may carry besides its region and its keyword; anything else and it is not one.
_LIST_FILLER = re.compile(r"还有|目前|现在|当前|所有|全部|有哪些|哪些|有什么|什么|列出|列表|清单|查看|看看|看一下|查一下|查询|显示|"
                          r"工单|单子|的|区|里|中|吗|呢|[\s?,.!:]|"
                          r"(?<![a-z])(?:list|show|me|all|the|tickets?|jobs?|in|for|of|region|which|what|are|any|still|"
                          r"open|is|there|les|des|tickets|interventions?|dans|la|le|de|en|รายการ|งาน|ที่)(?![a-z])")
# Without a region the request is nothing but the list's name ("待派单工单", "unassigned tickets"),
# so neither a passing "超时" nor a store's "还有哪些工单没人接" (its own tickets) is read as one.
_NO_REGION = re.compile(r"^\s*(?:(?:list|show)\s+(?:me\s+)?(?:all\s+)?(?:the\s+)?)?"
                        r"(?:待派单|待派|未分配|未派单|已超时|超时|逾期|unassigned|breached|overdue)\s*的?\s*"
                        r"(?:工单|单子|列表|清单|tickets|jobs|list)\s*[?.!]*\s*$")


# -- a joint job's second branch (handlers/manage.py add_branch) ---------------------------------
_BRANCH_WORD = (r"(?:(?:加|添加|增加|加上|新增)(?:一个)?\s*(?:分公司|分部|协作区域|协作分公司)|"
                r"add\s+(?:a\s+|the\s+)?(?:second\s+)?branch|ajouter\s+(?:l'|une\s+)?agence|เพิ่มสาขา)")
_ADD_BRANCH = [
    # "#12 加分公司 华东", "#12 add branch east", "#12 ajouter agence Chine de l'Est", "#12 เพิ่มสาขา East China"
    re.compile(_LEAD + _TICKET + r"\s*" + _BRANCH_WORD + r"\s*[:：]?\s*(?P<where>[^\s].*?)" + _TAIL),
]


def _ticket(m: re.Match[str]) -> tuple[int, Span]:
    g = next(n for n in ("t1", "t2", "t3") if m.group(n))
    return int(m.group(g)), m.span(g)


def _person(lex: Lexicon, who: str) -> str | None:
    """A person the Lexicon knows, named in full: "张伟", "zhangwei", "zhang wei", "lucas martin"."""
    for cand in (who, _HONORIFIC.sub("", who)):
        userid = lex.person(cand)
        if userid is not None:
            return userid
    return None


def read_command(lex: Lexicon, s: str) -> Command | None:
    """The command `s` (canonical text) is, or None when it is not wholly one."""
    for money_command in (read_close, read_earnings):   # a month's close, an engineer's own earnings
        found = money_command(s)
        if found is not None:
            return Command(*found)
    if "#" not in s and not re.search(r"\d", s):
        return _list(lex, s)
    for rx in _ASSIGN:
        m = rx.match(s)
        if m:
            who = m.group("who").strip()
            userid = _person(lex, who)
            if userid is None:
                if not _NAME_SHAPE.fullmatch(who) or _NOT_A_NAME.match(who):
                    return None
                userid = who   # unknown: the handler says so
            ticket, span = _ticket(m)
            return Command("assign_job", {"ticket": ticket, "assignee": userid},
                           {"ticket": span, "assignee": m.span("who")})
    for rx in _URGENCY:
        m = rx.match(s)
        if m:
            ticket, span = _ticket(m)
            which = "urgent" if m.group("urgent") else "normal"
            return Command("set_urgency", {"ticket": ticket, "urgency": which},
                           {"ticket": span, "urgency": m.span(which)})
    for rx in _REOPEN:
        m = rx.match(s)
        if m:
            ticket, span = _ticket(m)
            return Command("reopen_ticket", {"ticket": ticket}, {"ticket": span})
    for rx in _HOW_TO_FIX:
        m = rx.match(s)
        if m:
            ticket, span = _ticket(m)
            return Command("how_to_fix", {"ticket": ticket}, {"ticket": span})
    for rx in _ADD_BRANCH:
        m = rx.match(s)
        if m:
            ticket, span = _ticket(m)
            where = m.group("where").strip()
            try:
                region = lookup(lex.regions, where)
            except KeyError:
                region = where   # unknown: the handler lists the branches there are
            return Command("add_branch", {"ticket": ticket, "region": region},
                           {"ticket": span, "region": m.span("where")})
    return _list(lex, s)


def _list(lex: Lexicon, s: str) -> Command | None:
    """"华东区待派单", "华东区还有哪些工单没人接", "unassigned in east", "breached tickets east"."""
    kinds = [(which, m) for which, rx in _LISTS.items() for m in rx.finditer(s)]
    if len({which for which, _ in kinds}) != 1:
        return None
    which = kinds[0][0]
    chars = list(s)
    for _, m in kinds:
        chars[m.start():m.end()] = " " * (m.end() - m.start())
    region, span = None, None
    for m in find_all(lex.place_re, s):
        try:
            code = lookup(lex.regions, m.term)
        except KeyError:
            return None   # a city, not a region: "上海超时" is not a region's list
        if region is not None and code != region:
            return None
        region, span = code, (m.start, m.end)
        chars[m.start:m.end] = " " * (m.end - m.start)
    rest = "".join(chars)
    if _LIST_FILLER.sub("", rest):
        return None
    if region is None and not _NO_REGION.match(s):
        return None
    entities: dict[str, Any] = {"region": region, "which": which}
    return Command("list_tickets", entities, {"region": span} if span else {})
