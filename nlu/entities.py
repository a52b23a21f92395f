"""Entity extractors for names, urgency, ticket numbers and ratings.

Each takes canonical text and returns (value, (start, end)) or None; spans are canonical offsets
that parse.py maps back to the original text. Periods live in periods.py, engineers' job reports
in jobs.py.
"""

from __future__ import annotations

import re

from .lexicon import Lexicon, Match, find_all, lookup
from .cues import MARK_EASY, MARK_GETS, MARK_GIVE, MARK_NOTEE
from .numbers import to_number
from .periods import MONTH_WORDS
from .repair import common_word
from .signals import HAZARD, NOT_URGENT, REQUEST, RESOLVED, SYMPTOM, URGENT

Span = tuple[int, int]


# -- skill / place / person ------------------------------------------------------------------

def find_skill(lex: Lexicon, text: str) -> tuple[str, Span] | None:
    """The equipment named; a named device beats a symptom-word synonym (热水器漏水 -> appliance).

    Synonyms that are themselves symptoms (漏水, 断网, 跳闸, 停电) or a bare single character
    (网, 灯) are weak: they decide only when no real device is named.
    """
    matches = [m for m in find_all(lex.skill_re, text) if not _not_the_equipment(lex, text, m)]
    strong = [m for m in matches if not _weak_term(m.term)]
    if not strong:
        # A misspelt device ("路有器红灯") still names the equipment better than a bare symptom word
        # or a one-character synonym ("灯" in "红灯", "网").
        slipped = _find_slipped_skill(lex, text)
        if slipped or not matches:
            return slipped
    # "停电了十几分钟，来电以后门禁一直是红灯": an outage already over is not the fault
    outages = [m for m in matches if _weak_term(m.term) and OUTAGE.fullmatch(m.term)
               and not _POWER_BACK.search(text, m.end, m.end + 16)]
    # "整个店停电了 冰柜里东西要化了", "全部停电了，冰柜冷库都停了": a premises-wide outage is the
    # fault and the freezer only suffers it — when the outage is told first or the device is not
    # said to be at fault. Leaks are different: water comes out of something ("漏水…是空调那边").
    # "谢谢师傅昨天修好那边的插座👍 今天淋浴间地漏又反水了": the device thanked for is not the fault.
    # A fault word ("地漏又反水了") then names the trade better than the settled device.
    settled = [_settled(text, m) for m in strong]
    if any(settled):
        live = ([m for m, done in zip(strong, settled) if not done]
                or [m for m in matches if m not in strong and not _settled(text, m)])
        if live:
            strong = live
    if strong and outages and (outages[0].start < strong[0].start or not any(_faulty(text, m) for m in strong)):
        m = outages[0]
    else:
        m = (strong or matches)[0]
    return lookup(lex.skills, m.term), (m.start, m.end)


# A synonym that names something else here: an indicator lamp ("一直闪红灯"), a remote or a phone
# that is flat ("原来是遥控器没电了"), a store called an outlet ("Singapore outlet: wifi drops").
_INDICATOR = re.compile(r"(?:红|绿|黄|蓝|指示|信号|状态|警示)$")
_OWN_BATTERY = re.compile(r"(?:遥控器?|电池|手机|对讲机|平板|充电宝|pad)$")


def _not_the_equipment(lex: Lexicon, text: str, m: Match) -> bool:
    before = text[max(0, m.start - 4):m.start]
    if m.term == "灯":
        return bool(_INDICATOR.search(before))
    if OUTAGE.fullmatch(m.term):
        return bool(_OWN_BATTERY.search(before))
    if m.term == "till":
        # "can't do anything till I get a new one": the word for "until", not the cash till
        return bool(_UNTIL_AFTER.match(text, m.end))
    if m.term in ("outlet", "outlets"):
        return text[m.end:m.end + 1] == ":" or any(p.end in (m.start - 1, m.start) for p in find_all(lex.place_re, text))
    return False


_POWER_BACK = re.compile(r"来电|恢复供电|复电|电来了|恢复(?:了|正常)|(?:came|is|was) back|restored|revenu|ไฟมาแล้ว|ไฟกลับมา")

_UNTIL_AFTER = re.compile(r"\s+(?:i|i'm|we|you|he|she|they|it|the|then|now|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|"
                          r"saturday|sunday|next|later|\d)(?![a-z])")

_SOURCE = re.compile(r"天花板|吊顶|ceiling|plafond|เพดาน")

# Faults of a whole site rather than of one appliance.
OUTAGE = re.compile(r"停电|断电|没电|断网|没网|停水|power outage|no power|panne de courant|ไฟดับ|เน็ตหลุด")

# What follows a device up to the end of its clause: "冰柜不制冷" says the freezer is at fault.
_CLAUSE_END = re.compile(r"[,.!?;，。！？；]")


def _faulty(text: str, m: Match) -> bool:
    tail = text[m.end:m.end + 12]
    cut = _CLAUSE_END.search(tail)
    tail = tail[:cut.start()] if cut else tail
    return bool(SYMPTOM.search(tail) or HAZARD.search(tail))


# A clause: up to punctuation, or a space between two non-Latin characters ("…插座👍 今天…").
_CLAUSE = re.compile(r"[,.!?;，。！？；\n]|(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")
_THANKED = re.compile(r"谢谢|感谢|多谢|辛苦|thanks|thank you|merci|ขอบคุณ")


def _settled(text: str, m: Match) -> bool:
    """The device's own clause says it was fixed or thanks someone for it."""
    starts = [c.end() for c in _CLAUSE.finditer(text, 0, m.start)]
    start = starts[-1] if starts else 0
    end = _CLAUSE.search(text, m.end)
    clause = text[start:end.start() if end else len(text)]
    return bool(RESOLVED.search(clause) or _THANKED.search(clause))


def _find_slipped_skill(lex: Lexicon, text: str) -> tuple[str, Span] | None:
    """"冰相不冷了": a device word with one IME homophone slip (see homophones.py)."""
    if lex.fuzzy_skill_re is None:
        return None
    for m in lex.fuzzy_skill_re.finditer(text):
        # "费用汇总发群里" holds 总发 (总阀, a main valve, one slip away), but 总 belongs to 汇总
        if m.start() > 0 and common_word(text[m.start() - 1:m.start() + 1]):
            continue
        return lookup(lex.skills, lex.fuzzy_skills[m.group()]), m.span()
    return None


def mask_terms(lex: Lexicon, text: str) -> str:
    """Blank device, place and people names before cue matching.

    Names are not cues: "บันไดเลื่อน" (escalator) contains "เลื่อน" (postpone) and a store
    called "...开关店" should not read as a switch. Symptom-like synonyms (漏水, 断网) stay, they
    are signals. A CJK filler keeps Chinese verb patterns working around the gap.
    """
    spans = [(m.start, m.end) for m in find_all(lex.skill_re, text) if not _weak_term(m.term)]
    spans += [(m.start, m.end) for m in find_all(lex.place_re, text)]
    spans += [(m.start, m.end) for m in find_all(lex.person_re, text)]
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        chars[a:b] = "物" * (b - a)
    return "".join(chars)


def _weak_term(term: str) -> bool:
    if len(term) == 1:
        return True
    if _SOURCE.search(term):
        return False   # "天花板漏水", "น้ำรั่วจากเพดาน": a leak that names where it comes from names the trade
    # "fuite d'eau", "panne de courant", "ไฟดับ": a synonym that carries a symptom is a symptom.
    return bool(SYMPTOM.search(term) or HAZARD.search(term) or REQUEST.fullmatch(term))


def find_place(lex: Lexicon, text: str) -> dict[str, tuple[str, Span]]:
    out: dict[str, tuple[str, Span]] = {}
    for m in find_all(lex.place_re, text):
        try:
            city, region = lookup(lex.cities, m.term)
        except KeyError:
            if "region" not in out:
                out["region"] = (lookup(lex.regions, m.term), (m.start, m.end))
            continue
        if "city" not in out:
            out["city"] = (city, (m.start, m.end))
            out["region"] = (region, (m.start, m.end))
    return out


def find_person(lex: Lexicon, text: str) -> tuple[str, Span] | None:
    for m in find_all(lex.person_re, text):
        return lookup(lex.people, m.term), (m.start, m.end)
    if lex.surname_re is not None:
        s = lex.surname_re.search(text)
        if s:
            return lex.surnames[s.group(1)], s.span()
    return None


# -- urgency -----------------------------------------------------------------------------------

def find_urgency(text: str) -> tuple[str, Span | None]:
    neg = NOT_URGENT.search(text)
    if neg:
        return "normal", (neg.start(), neg.end())
    m = URGENT.search(text) or HAZARD.search(text)
    if m:
        return "urgent", (m.start(), m.end())
    return "normal", None


# -- ticket number -----------------------------------------------------------------------------

_TICKET_EXPLICIT = re.compile(
    r"#\s*(\d{1,8})(?!\d|x{2,})|"
    r"(?:工单|单号|报修单|维修单|订单号|任务|单子|编号|(?<![a-z])(?:ticket|tickets|tkt|job|case|request|"
    r"demande|intervention|no\.|n°|no)|ใบงาน|งานที่|(?<!ทำ)งาน|หมายเลข)\s*(?:号|编号|no\.?|n°|number|num|nr|#|:|-)?\s*"
    # "ทำงาน 1 ชม.": worked an hour, not job 1
    r"(?:#\s*)?(\d{1,8})(?![\d.]|\s*(?:分钟|小时|元|块|星|min|h\b|ชม|ชั่วโมง|นาที|บาท))|"
    r"(?<![\d月.])(\d{2,8})\s*号(?:工单|单)|(?<![\d月.])(\d{3,8})\s*号(?![店楼门线机位房间层院])|"
    # A claim verb right before a number names the job, however short ("接单 1", "claim 7").
    r"(?:接单|抢单|认领|(?<![a-z])(?:claim|take))\s*(?:#\s*)?(\d{1,8})(?![\d.]|\s*(?:分钟|小时|元|块|星|个|min|h\b))"
)
# A Latin unit is a whole word: "2440 started" is a job number, "5 stars" a rating.
# "500克", "80多个观众", "20箱": quantities ("1024 多久到" still asks after a job).
# 张 and 周 are surnames too: a unit only right after the digits ("3张", not "25733 张伟接").
_UNIT_AFTER = (r"\s*(?:分钟|分|小时|个(?!师傅|工程师)|钟头|元|块|星|颗|号|楼|层|度|米|点|月|年|天|岁|台|次|(?<=\d)周|秒|万|千|°|℃|"
               r"克|公斤|斤|升|毫升|多(?!久|少|长)|余|(?<=\d)张|件|箱|瓶|份|包|盒|桌|"
               r"(?:degrees?|deg|h|hr|hrs|min|mins|minutes?|hours?|heures?|euros?|baht|rmb|yuan|stars?|kg|kgs|kilos?|g|lbs?|litres?|liters?|l)(?![a-z])|"
               r"%|€|[/:.]\d|นาที|ชั่วโมง|ดาว|บาท)")
# Letters right after the digits make a code or a unit ("5g", "3pm"), except an engineer's glued
# sign-off: "1024ok", "1024done".
# "满30减10" is a discount, not two jobs; "10到12月" a span of months.
_TICKET_BARE = re.compile(r"(?<![\d.:/¥$€\-a-z满减])(\d{2,7})(?![\d]|(?!(?:ok|okay|done|fixed)(?![a-z]))[a-z]|\s*减|"
                          r"\s*(?:到|至|~|～)\s*\d{1,2}\s*月|"
                          + _UNIT_AFTER + ")")


def _named_other(text: str, start: int, end: int) -> bool:
    """The number at [start, end) is called something else: a parcel's, a supplier's order…"""
    return bool(_OTHER_NUMBER.search(text[max(0, start - 48):start]) or _OTHER_NUMBER_AFTER.match(text, end))


def find_ticket(text: str, allow_bare: bool) -> tuple[int, Span] | None:
    # A label can sit inside another's name: "快递单号 19458" is a parcel, not 单号 19458.
    for m in _TICKET_EXPLICIT.finditer(text):
        g = next(i for i in range(1, 6) if m.group(i))
        if not _named_other(text, m.start(g), m.end(g)):
            return int(m.group(g)), m.span(g)
    if allow_bare:
        for rx in (_TICKET_BARE, _TICKET_BEFORE_COLON, _TICKET_AFTER_LABEL):
            for m in rx.finditer(text):
                # "5555": laughter in Thai (ห้า, "ha"), not a job number when nothing says it is one
                if not LAUGHTER.fullmatch(m.group(1)) and not _named_other(text, m.start(1), m.end(1)):
                    return int(m.group(1)), m.span(1)
    return None


_NUMBER = re.compile(r"\d{3,8}")


def names_other_number(text: str) -> bool:
    """Some number here is called something else ("供应商订单号 20571 的面粉到了")."""
    return any(_named_other(text, m.start(), m.end()) for m in _NUMBER.finditer(text))


# Numbers that belong to something else: a staff number, a parcel, a delivery order, a supplier's
# order, a temperature ("我新的工号是16950", "快递单号 16977", "Supplier order 16955 is delayed",
# "oil won't go past 90"). Not "over": "I'll take over 16320" names the job.
# What such a number is called, before it or after it.
_OTHER_LABELS = (
    r"工号|员工号|供应商(?:订单|单|订货单)?(?:号)?|采购单(?:号)?|快递(?:单)?(?:号)?|运单(?:号)?|外卖(?:订)?(?:单)?(?:号)?|取餐(?:号|码)|取件码|取货码|验证码|会员(?:号|卡号)|电话|发票(?:号)?|"
    r"(?<![a-z])(?:supplier order|purchase order|tracking(?: number| no\.?)?|parcel|staff (?:id|number)|employee (?:id|number)|"
    r"commande fournisseur|num[eé]ro de (?:la )?commande|colis|matricule)|"
    r"(?:ออเดอร์|ใบสั่งซื้อ|ซัพพลายเออร์|เลขพัสดุ|พัสดุ|รหัสพนักงาน)[^\s\d]{0,12}")
# A number after a month's name is a day or a year ("novembre 2026", "June 15").
_MONTH_NAMES = "|".join(sorted((w for w in MONTH_WORDS if len(w) > 3 or not w.isascii()), key=len, reverse=True))
_OTHER_NUMBER = re.compile(
    # a hotel's rooms: "1206客人", "guest in 1520", "ห้อง ๕๐๒", "le 412 dit"
    r"(?:" + _OTHER_LABELS + r"|桌号|房间|房号|客房|(?<![机厨库])房|ห้อง(?:พัก)?(?:ที่)?|"
    # a machine's own number: "สายพานหมายเลข 2", "conveyor belt no. 4", "dock 3"
    r"(?:สายพาน|เครื่อง|ตู้|ประตู|ช่อง|ไลน์)(?:ที่)?\s*(?:หมายเลข|เบอร์)?|"
    r"(?<![a-z])(?:line|belt|conveyor|lane|dock|bay|gate|pump|checkout|till|register|washer|dryer|chair|cinema|hall|auditorium)(?:\s*(?:no\.?|number|n°))?|"
    # a hotel room's lock: "keycard lock on 310"
    r"(?<![a-z])(?:lock|door|keycard|key card)s? (?:on|of|for|in)|"
    # a number dialled: "先打119还是先找你们", "call 995", "appeler le 18", "โทร 1669"
    r"(?<![\u4e00-\u9fff])打|拨打?|(?<![a-z])(?:call|dial|ring)|appeler(?: le)?|appelez(?: le)?|โทร(?:หา|ไป)?|先打|手机(?:号)?|显示(?:屏)?(?:上)?|读数|上不到|升不到|降不到|最多|(?<![a-z])(?:room|rm|suite|chambre|guest in|eta|etd|(?:be |get )?(?:there|here|back) in|arriv(?:e|ing) in|(?:j'?)?arrive dans|po|order|commande|past|above|beyond|below|than|shows|reads|reading|displays|affiche|minus|moins|" + _MONTH_NAMES + r"))"
    r"\s*(?:是|为|改成|变成|:|#|n°|no\.?|number)?\s*(?:是|为)?\s*$|"
    # "locker code for the parcel at reception is 22957", "wifi 密码是 12345678"
    r"(?:(?<![a-z])(?:code|pin|password|passcode|mot de passe)(?![a-z])|密码|รหัส)[^.!?,;，。；\d]{0,40}?(?:\bis|\best|是|:|：)\s*$")
# … or named after it: "17401是我快递取件码", "17405 is the PO number for the uniforms", "19688 这个数字好吉利".
_OTHER_NUMBER_AFTER = re.compile(
    r"\s*(?:是|is|c'est|=)?\s*(?:我的?|我们的?|my|our|the|a|le|la|notre|mon)?\s*(?:这个|那个)?\s*"
    # "19777 是今天那单外卖的取餐号"
    r"(?:(?<=是)[^,.!?，。！？\d]{0,8}的(?=取|快递|运单|外卖|订单))?"
    r"(?:" + _OTHER_LABELS + r"|数字|号码|订单号|po number|order number|(?:guest|guests|resident)(?![a-z])|(?:房)?客人|房客|号?房(?!东|租|产|贷)|"
    # a day of a month: "Sat 22 Jan", "le 22 janvier"
    r"(?<=\d)\s?(?:" + _MONTH_NAMES + r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?(?![a-z])|"
    # a temperature, even written as a job ("#220度"); bare numbers already stop at _UNIT_AFTER
    r"(?<=\d)\s*(?:度|℃|°))")


LAUGHTER = re.compile(r"5{3,}")
# "评价一下14067：4分": five digits and more before a colon are a job, not a time of day.
_TICKET_BEFORE_COLON = re.compile(r"(?<![\d.:/¥$€\-a-z])(\d{5,7})(?=\s*:)")
# "评分：15332 四星": five digits and more right after a label's colon, with no unit after them.
_TICKET_AFTER_LABEL = re.compile(r"(?<=[^\d\s:]:)\s*(\d{5,7})(?![\d.]|" + _UNIT_AFTER + ")")

# A format shown to others, not a report of its own: "例：#11XXX 完工 工时2", "format: #1234X done".
# A placeholder job number or an "example:" label at the start.
TEMPLATE = re.compile(r"#\s*\d*x{2,}(?![a-z])|(?<![a-z\d])\d+x{2,}(?![a-z])|^\W*(?:例|例如|示例|格式|模板|样例|范例)\s*[:：]|"
                      r"^\W*(?:e\.g\.|example|format|exemple|template|modele)\s*:")


# A job pointed at and nothing said: "#12", "工单 1024", "ticket 7?" (not "接单 1024", a claim).
_ONLY_A_TICKET = re.compile(
    r"[\W_]*(?:#\s*\d{1,8}|(?:工单|单号|报修单|维修单|(?<![a-z])(?:ticket|tkt|job|case|demande)|ใบงาน|งาน)\s*"
    r"(?:no\.?|n°|#|:|-)?\s*#?\s*\d{1,8}|\d{1,8}\s*号(?:工单|单))[\W_]*")


def only_a_ticket(text: str) -> bool:
    return _ONLY_A_TICKET.fullmatch(text) is not None


# -- rating ------------------------------------------------------------------------------------

_STAR_CHARS = re.compile(r"[⭐★🌟✨]")
_RATING = re.compile(
    r"(?<![\d.])([1-5一二两三四五])\s*(?:颗|个|粒|只)?\s*(?:星|[⭐★🌟]|分(?!钟|之|钱)|stars?|etoiles?|ดาว|คะแนน)|"
    r"(?<![\d.])([1-5])\s*(?:/|／|分之|out of|sur)\s*5(?!\d)|"
    r"(?:评分|打分|打|给|评|rate|rating|note(?:\s+de)?|give|score|(?<![a-z])hai|ให้(?:เต็ม|คะแนนเต็ม)?|คะแนน(?:การ)?(?:บริการ)?)\s*[:：]?\s*(?:个|了)?\s*([1-5一二两三四五])(?![\d.])"
    r"(?!\s*(?:号|小时|分钟|天|月|块|元))|"
    # "I'd give 8752 a 4": the job between the verb and the mark
    + MARK_GIVE + "|"
    # "Rating for 9623: 2", "je mets 3"
    r"(?:rating|note|score) (?:for|pour|de) (?:[a-z]+ (?:on|sur|for|pour) )?(?:the |le |la )?(?:job |ticket )?#?\d{1,7}\s*[:：=-]\s*([1-5])(?!\d)(?!\.\d)|"
    # "I'd rate it a 1"
    r"(?<![a-z])rate (?:it|this|that|him|her|them|the (?:job|service|visit|repair|fix)) (?:an? )?([1-5])(?![\d.])|"
    r"(?<![a-z])je (?:mets|donne) (?:un |une )?([1-5])(?![\d.])|"
    # "13447 gets a 2 from us", "18233 gets a 3.", "intervention 13421 notée 1"
    + MARK_GETS + "|" + MARK_NOTEE + "|" + MARK_EASY
)


_WORD_RATING = re.compile(
    r"(?<![a-z])(one|two|three|four|five|une?|deux|trois|quatre|cinq)\s*(?:stars?|etoiles?|out of (?:five|5)|sur (?:cinq|5))(?![a-z])|"
    r"(หนึ่ง|สอง|สาม|สี่|ห้า)\s*ดาว|ดาว\s*(หนึ่ง|สอง|สาม|สี่|ห้า)"
)
# A mark written as a word, in every language the desk reads ("deux étoiles", "สี่ดาว", "给五星").
RATING_WORDS = {"one": 1, "un": 1, "une": 1, "หนึ่ง": 1, "一": 1, "two": 2, "deux": 2, "สอง": 2, "二": 2, "两": 2,
                "three": 3, "trois": 3, "สาม": 3, "三": 3, "four": 4, "quatre": 4, "สี่": 4, "四": 4,
                "five": 5, "cinq": 5, "ห้า": 5, "五": 5}


def find_rating(text: str) -> tuple[int, Span] | None:
    w = _WORD_RATING.search(text)
    if w:
        return RATING_WORDS[next(g for g in w.groups() if g)], w.span()
    m = _RATING.search(text)
    if m:
        g = next(i for i in range(1, (_RATING.groups or 0) + 1) if m.group(i))
        v = RATING_WORDS.get(m.group(g)) or to_number(m.group(g))   # "give it a two"
        if v is not None and 1 <= v <= 5:
            return int(v), m.span()
    stars = list(_STAR_CHARS.finditer(text))
    if stars:
        return min(len(stars), 5), (stars[0].start(), stars[-1].end())
    if re.search(r"满分|(?<![a-z])(?:full marks|perfect)(?![a-z])", text):
        m2 = re.search(r"满分|full marks|perfect", text)
        return 5, m2.span()
    return None


# -- store -------------------------------------------------------------------------------------

# A store is named by its place and the word for a shop: "上海浦东店", "徐汇门店", "Siam store",
# "magasin Opéra", "สาขาสยาม". Leading verbs of reporting for someone ("帮", "替", "给") are not
# part of the name, nor is the store's manager or clerk ("郑州店店长：" names 郑州店).
_STORE = re.compile(
    r"(?:帮|替|给|为)?([\u4e00-\u9fff]{1,10}?(?:门店|分店|店))(?![\u4e00-\u9fff]*店(?![长员]))|"
    r"(?<![a-z])((?:[a-z][a-z'-]+\s+)?[a-z][a-z'-]+)\s+(?:store|shop|branch)(?![a-z])|"
    r"(?<![a-z])(?:magasin|boutique)\s+(?:de\s+|d')?([a-zà-ÿ][a-zà-ÿ .'-]{1,30}?)(?=[\s,.!?]|$)|"
    r"สาขา\s*([\u0e00-\u0e7f]{2,20})"
)
_NOT_A_STORE = re.compile(r"^(?:本|我|我们|咱们|咱|你们|这|那|该|这家|那家|哪家|商|商店|门店|分店|总店|小卖|便利|(?:刚才|刚刚)?有(?:个|家|间)|整个|整间|全|转发)")


def find_store(text: str) -> tuple[str, Span] | None:
    for m in _STORE.finditer(text):
        g = next(i for i in range(1, 5) if m.group(i))
        name = m.group(g).strip()
        if g == 1:
            name = re.sub(r"^(?:报修|说|问|的|在|去|到|我们|我)+", "", name)
            # "昨晚除夕闭店前", "早上开店": opening or closing the shop, not its name
            if re.search(r"(?:闭|开|关|进|到|出|回|离|巡|探|守)店$", name):
                continue
        elif g == 2:
            name = re.sub(r"^(?:the|our|my|this|that|a)\s+", "", name)
            if name in ("the", "our", "my", "this", "that", "a", "in", "at", "of", "convenience", "coffee"):
                continue
            # "half the shop floor", "the whole shop": how much of the shop, not its name
            if re.match(r"(?:half|all|whole|entire|every|each)\b", name) or re.search(r"\b(?:the|a|our|my)$", name):
                continue
        if len(name) < 2 or _NOT_A_STORE.match(name):
            continue
        start = m.start(g) + (len(m.group(g)) - len(m.group(g).lstrip())) + (len(m.group(g).strip()) - len(name))
        return name, (start, start + len(name))
    return None
