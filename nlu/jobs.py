"""What engineers report on a job: step (status), ETA, missing parts, labour hours, parts amount."""

from __future__ import annotations

import re

from .numbers import NUM, as_number, to_number

Span = tuple[int, int]

# -- completion report numbers -------------------------------------------------------------------

_HOURS = re.compile(
    # "两个半小时", "2半小时"; never "25044 半小时" (a job number, then half an hour)
    r"(?:(" + NUM + r")(?:\s*(?:个|粒)\s*(半)|(半)|\s*(?:个|粒)?)\s*(?:小时|钟头|(?<=[个粒])钟|(?<=[个粒]半)钟|hours?|hrs?|h|heures?|ชั่วโมง|ชม\.?)(?![a-z])(半|ครึ่ง|\s*et demie|\s*and a half)?"
    # minutes after the hours: with a unit ("1小时20分钟"), or glued on ("1h30")
    r"(?:\s*(\d{1,2})\s*(?:分钟|分|min|mins|minutes)(?![a-z])|(\d{2})(?![\d.]|\s*(?:元|块|€|euros?|baht|บาท|\$)))?"
    r"|(?<![\d一二两三四五六七八九十])(半)\s*(?:个)?\s*(?:小时|钟头|钟(?!点)))"
)
_LABOR_LABELLED_MIN = re.compile(
    r"(?:工时|人工|用时|labou?r|main d'oeuvre|ค่าแรง)\s*[:：]?\s*(" + NUM + r")\s*(?:分钟|min|mins|minutes|นาที)|"
    r"(" + NUM + r")\s*(?:分钟|min|mins|minutes|นาที)(?![a-z])")
# Hours given bare after their label ("工时0.5", "工时 3", "labour: 2") or before it ("1.5个工时");
# a day's labour is never more than 24 hours, so "人工200" is money, not hours.
_LABOR_LABELLED_HOURS = re.compile(
    r"(?:工时|用时|labou?r|main d'oeuvre)\s*[:：=]?\s*(" + NUM + r")(?![\d.]|,\d|\s*(?:分|min|元|块|€|\$|baht|บาท|eur|rmb))|"
    r"(" + NUM + r")\s*(?:个)?\s*工时(?!\s*[:：=]?\s*\d)")
# "1 h 30 de travail": hours and minutes written apart.
_H_SPACE_MIN = re.compile(r"(?<![\d.,])(\d{1,2})\s+h\s+([0-5]\d)(?![\d.,])(?!\s*(?:元|块|€|euros?|baht|บาท|\$))")
# French decimal comma: "1,5 h" (a comma before one or two digits; "1,800" is a thousands group).
_DECIMAL_COMMA_HOURS = re.compile(r"(?<![\d,])(\d+),(\d{1,2})\s*(?:h|heures?)(?![a-z])")
_MONEY_LABEL = r"(?:配件|零件|材料|部件|备件|(?<![a-z])(?:parts?|materials?|pieces?|spare parts?)(?![a-z])|อะไหล่|ค่าของ)"
_MONEY_UNIT = r"(?:元|块钱|块|蚊|rmb|cny|yuan|€|euros?|eur|balles|baht|บาท|thb|sgd|\$|dollars?)"
_PARTS_AFTER = re.compile(
    _MONEY_LABEL + r"(?:费用|费|钱|款|价格|cost|costs|fee|price|total)?\s*(?:(?:一共|总共|共计|共|合计|花了|花费|用了|是|为|:|：|=|de)\s*)*"
    r"(?:[¥$€]\s*)?(" + NUM + r")\s*" + _MONEY_UNIT + r"?"
)
_PARTS_LABEL_UNIT = re.compile(_MONEY_LABEL + r"[^,;，；]{0,12}?(?<![\d.])(" + NUM + r")\s*" + _MONEY_UNIT)
_PARTS_BEFORE = re.compile(r"(?:[¥$€]\s*)?(" + NUM + r")\s*" + _MONEY_UNIT + r"\s*(?:的)?\s*" + _MONEY_LABEL)
# "60 in parts", "40 de pieces": an amount tied to its label by a preposition, no unit needed.
_PARTS_IN = re.compile(r"(?:[¥$€]\s*)?(" + NUM + r")\s*" + _MONEY_UNIT + r"?\s*(?:in|for|of|on|de|en)\s+(?:the\s+)?" + _MONEY_LABEL)
_MONEY_ANY = re.compile(r"[¥$€]\s*(" + NUM + r")|(?<![a-z\d.])(" + NUM + r")\s*" + _MONEY_UNIT + r"(?![a-z])")
NO_PARTS = re.compile(r"(?:无|没有?(?:用|换|更换)?|不需要|不用(?:换)?|未用|未换|免)\s*(?:任何)?\s*(?:配件|材料|零件|件)|"
                       r"(?<![a-z])(?:no (?:new |spare )?parts?|(?<![\d.,])0 parts?|no spares?|(?:materials?|parts?|spares?)\s*[:-]?\s*(?:nil|none|zero)|without (?:any )?parts|nothing replaced|"
                       r"(?:didn'?t|did not) (?:use|need|replace|change|fit) any (?:new |spare )?parts?|"
                       r"(?:aucune|pas de|sans|zero) pieces?)(?![a-z])|"
                       r"ไม่มี(?:ค่า|การ)?(?:เปลี่ยน)?อะไหล่|ไม่(?:ต้อง|ได้)(?:เปลี่ยน|ใช้)อะไหล่|ไม่ใช้อะไหล่|配件\s*[:：]?\s*(?:无|0)(?!\d)|"
                       r"(?:冇|没)(?:换|換)(?:嘢|野|东西?|零件)|(?:没有?|不|未)用(?:料|材料)|(?:啥|什么)(?:都|也)?没(?:换|用)|(?:配件|材料|零件)(?:一个|一件|一样|啥)?(?:都|也)?没(?:用|换)|不收(?:材料|配件)费?")


# Hours in words: "an hour and a half", "une heure et demie", "half an hour", "ครึ่งชั่วโมง",
# "个半钟" and "ชั่วโมงครึ่ง" (the one left out), "two hours".
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "two": 2, "deux": 2, "three": 3, "trois": 3,
                 "four": 4, "quatre": 4, "five": 5, "cinq": 5, "six": 6}
_WORD_HOURS = re.compile(
    r"(?<![a-z])(?:(an?|one|une?|two|deux|three|trois|four|quatre|five|cinq|six)\s+(?:hours?|heures?)"
    r"(\s+and a half|\s+et demie)?|(an?|one|two|three|four|five|six) and a half hours?|(half an|half a|une demi-|une demi|a half)\s*(?:hour|heure))(?![a-z])|"
    r"(ครึ่งชั่วโมง)|(?<![\d一二两三四五六七八九十])(个半)\s*(?:小时|钟头|钟)|(?<![\d])(?<!ครึ่ง)ชั่วโมงครึ่ง|"
    r"(trois quarts d'heure|three quarters of an hour|三刻钟)|(ชั่วโมงเดียว|หนึ่งชั่วโมง)")


def _word_hours(text: str) -> tuple[int | float, Span] | None:
    m = _WORD_HOURS.search(text)
    if not m:
        return None
    if m.group(8):
        return 1, m.span()      # "ชั่วโมงเดียว": a single hour
    if m.group(4) or m.group(5):
        return 0.5, m.span()
    if m.group(7):
        return 0.75, m.span()
    if m.group(1):
        return as_number(_WORD_NUMBERS[m.group(1)] + (0.5 if m.group(2) else 0)), m.span()
    if m.group(3):
        return as_number(_WORD_NUMBERS[m.group(3)] + 0.5), m.span()   # "two and a half hours"
    return 1.5, m.span()    # "个半钟", "ชั่วโมงครึ่ง"


# "打压半小时不掉，工时三个半小时": the hours after their label are the labour, whatever came first.
_LABOR_LABEL = re.compile(r"(?:工时|人工|用时|labou?r|main d'oeuvre|ค่าแรง|ใช้เวลา)\s*[:：]?\s*")


def find_labor_hours(text: str) -> tuple[int | float, Span] | None:
    for lab in _LABOR_LABEL.finditer(text):
        got = _unlabelled_hours(text[lab.end():])
        if got and got[1][0] == 0:
            return got[0], (lab.end() + got[1][0], lab.end() + got[1][1])
    return _unlabelled_hours(text)


def _unlabelled_hours(text: str) -> tuple[int | float, Span] | None:
    words = _word_hours(text)
    digits = _digit_hours(text)
    if words and digits:
        return words if words[1][0] <= digits[1][0] else digits
    return words or digits


def _digit_hours(text: str) -> tuple[int | float, Span] | None:
    m = _DECIMAL_COMMA_HOURS.search(text)
    if m:
        return as_number(float(f"{m.group(1)}.{m.group(2)}")), m.span()
    m = _H_SPACE_MIN.search(text)
    if m:
        return as_number(round(int(m.group(1)) + int(m.group(2)) / 60, 4)), m.span()
    for m in _HOURS.finditer(text):
        if m.group(7):
            return 0.5, m.span()
        v = to_number(m.group(1))
        if v is None:
            continue
        if m.group(2) or m.group(3) or m.group(4):  # 两个半小时 / 2半小时 / 两小时半
            v += 0.5
        if m.group(5) or m.group(6):
            v += int(m.group(5) or m.group(6)) / 60
        return as_number(round(v, 4)), m.span()
    # Minutes only ("工时45分钟", "45 min labour"): hours as a fraction.
    m = _LABOR_LABELLED_MIN.search(text)
    if m:
        v = to_number(m.group(1) or m.group(2))
        if v is not None:
            return as_number(round(v / 60, 4)), m.span()
    for m in _LABOR_LABELLED_HOURS.finditer(text):
        v = to_number(m.group(1) or m.group(2))
        if v is not None and 0 < v <= 24:
            return as_number(v), m.span()
    return None


def find_parts_amount(text: str) -> tuple[int | float, Span] | None:
    none = NO_PARTS.search(text)
    for rx in (_PARTS_LABEL_UNIT, _PARTS_AFTER, _PARTS_BEFORE, _PARTS_IN):
        m = rx.search(text)
        if m and none and none.start() <= m.start() <= none.end():
            return 0, none.span()   # "没用配件 1小时": the label is the negated word, the 1 is the hours
        if m:
            v = to_number(m.group(1))
            if v is not None:
                return v, m.span(1)
    m = NO_PARTS.search(text)
    if m:
        return 0, m.span()
    m = _MONEY_ANY.search(text)
    if m:
        g = 1 if m.group(1) else 2
        v = to_number(m.group(g))
        if v is not None:
            return v, m.span(g)
    m = _AMOUNT_FOR_A_THING.search(text)
    if m:
        v = to_number(m.group(1))
        if v is not None:
            return v, m.span(1)
    return None


# "60 for the door gasket", "35 pour le joint": what was paid for a thing fitted.
_AMOUNT_FOR_A_THING = re.compile(
    r"(?<![a-z0-9_.#:/-])(" + NUM + r")\s+(?:for|on|pour)\s+(?:the|a|an|a new|new|le|la|les|un|une|l')\s*"
    r"(?!(?:hours?|hrs?|mins?|minutes?|days?|weeks?|heures?|jours?|people|guys|staff|team|store|shop|client|customer)(?![a-z]))[a-z]")


# A completion's one number left once the job number and the hours are read: "换了电容35",
# "replaced compressor 900", "joint de porte 60". Counts, dates, times and codes are not amounts.
_BARE_AMOUNT = re.compile(r"(?<![a-z0-9_.#:/-])(" + NUM + r")(?![a-z0-9_.%:/]|\s*(?:[个台次层楼号月日点度°根条块只张片套组支把颗节米斤升瓶盒包卷位天周年]|人(?!工)|[a-z]))")


def find_leftover_amount(text: str, taken: list[Span]) -> tuple[int | float, Span] | None:
    """The only bare number outside `taken` (the ticket's and the hours' spans); none when there
    are two, since which one is the parts is then a guess."""
    # Chinese numerals only as hundreds or thousands ("换压缩机一百八"): a bare 一 or 两 is a count.
    left = [m for m in _BARE_AMOUNT.finditer(text) if (re.match(r"\d", m.group(1)) or re.search("[百千]", m.group(1)))
            and not any(a <= m.start(1) < b for a, b in taken)]
    if len(left) != 1:
        return None
    v = to_number(left[0].group(1))
    return (v, left[0].span(1)) if v is not None else None


# -- progress ------------------------------------------------------------------------------------

STATUS_CUES: dict[str, re.Pattern[str]] = {
    "parts_needed": re.compile(
        r"缺(?:少)?(?:个|了)?(?:配件|零件|件|料|材料|部件|备件)|缺(?!斤短两|斤少两)[^\s,.!?，]{1,6}|需要(?:换|更换|订|买|采购)|要(?:换|订)(?:个|一个)?|"
        r"(?:等|订|调|买|采购)(?:个|一下)?(?:配件|零件|部件|备件)|配件(?:没有|没了|缺货|不够|还没到|要订|需要订)|"
        r"(?<![a-z])(?:need to order|ordering|order(?:ed)? (?:a |the )?(?:new |replacement )?\w+|"
        r"attends? (?:la |les |une )?pieces?|commander (?:une |la |des )?pieces?)(?![a-z])|สั่ง(?:ชิ้นส่วน|ของใหม่)|"
        r"没(?:有)?(?:带)?(?:配件|零件|部件|备件|材料)|回(?:公司|仓库|去)拿|少(?:了)?(?:个|一个|一只|一根|一块)[^\s,.!?，]{1,6}|停产|替代件|"
        r"(?:配件|零件|部件|备件|件)(?:未到|还没到|没到|未有|冇到)|(?:发|寄|送|拿)错(?:了)?(?:件|配件|零件|型号)?|型号不对|"
        r"(?<![a-z])(?:wrong (?:part|model|size|valve|board|fan|motor)\w*|sent the wrong|il manque|manque (?:une?|la|le|les|des|d')|"
        r"mauvaise piece|il faut (?:changer|remplacer|commander|une? (?:nouveau |nouvelle )?\w+ (?:neuf|neuve))|"
        r"je n'en ai (?:pas|plus) (?:sur moi|avec moi|dans le camion)|il (?:me|nous) faut (?:un|une|des|le|la)(?= (?!heure|minute))|je dois (?:le |la |les |en )?commander)(?![a-z])|อะไหล่ยังไม่มา|อะไหล่ไม่มี|ขาด|重新订|重订|补订|"
        r"(?:配件|零件|部件|备件)[^\s,，.。]{0,6}(?:调|订|等|没|缺|买|不对|不符|不匹配|在路上|发货|寄|快递)|"
        r"带(?:个|上)?(?:件|配件|零件|新的)|pieces? a commander|订货|调货|要订|得订|需要订|订购|没货|缺货|无货|没库存|(?<![a-z])(?:out of stock|backorder(?:ed)?|rupture de stock)(?![a-z])|(?<![a-z])(?:need(?:s)? (?:a |new )?parts?|need(?:s)? (?:a |an )?(?:new |replacement )\w+|"
        r"waiting (?:for|on) (?:the )?parts?|parts? (?:on order|ordered|needed|missing)|missing parts?|"
        r"besoin d'une? (?:piece|pieces)|piece manquante|attente (?:de|des) pieces?|en attente de piece|"
        r"pieces? (?:commandees?|en commande|manquantes?))(?![a-z])|"
        r"รออะไหล่|ขาดอะไหล่|ต้องเปลี่ยนอะไหล่|สั่งอะไหล่|เบิกอะไหล่|ต้อง(?:เปลี่ยน|สั่ง|เบิก)|"
        # "压缩机烧了，得换，仓库有货吗", "风机要从上海仓调一个过来", "can't do anything till I get a new one"
        r"得(?:换|更换|订)|(?:仓库|库里|库房|仓里)(?:还)?有(?:没有)?货|仓(?:库)?调|"
        r"(?<![a-z])(?:(?:till|until|物{4}) i (?:get|have) (?:a |the )?(?:new|replacement|spare)|need a (?:new|replacement) one)(?![a-z])"
    ),
    "delayed": re.compile(
        r"晚点|晚到|晚些|要晚|会晚|绕路|绕道|封路|路封了|高架封了|还要[^,.!?，。！？]{0,8}才能到|排满|忙不过来|明天(?:一早|早上|上午|下午)?再(?:过去|去|来)|明天一早(?:过去|去|来)|晚(?:[一两二三四五六七八九十半\d]+)\s*(?:个)?(?:多)?(?:小时|分钟|钟头|min)|迟到|延迟|延误|推迟|耽误|堵车|塞车|来不及|晚一点|晚一会|稍晚|改到|改天|"
        # can't make it, moved to another time: "今天去不了了 改明天"
        r"去不了|到不了|来不了|赶不(?:过去|到|上)|改(?:成|在)?(?:明天|后天|下午|晚上|周[一二三四五六日])|"
        r"(?:推|挪|延|顺延)到|往后(?:推|延)|"
        r"(?<![a-z])(?:late|delayed|delay|running late|stuck in traffic|traffic|postponed|reschedul\w*|won'?t start|"
        r"flat tyre|flat tire|broke down|breakdown|(?:will |i'?ll )?come back (?:in the morning|tomorrow|later|this afternoon)|"
        r"back tomorrow|(?:store|shop|door)(?:'s| is) (?:locked|closed|shut)|nobody'?s (?:here|there)|no one'?s (?:here|there)|"
        r"add(?:ing)? (?:another )?\d+ ?min\w*|(?:roads?|streets?|bridge|highway|motorway) (?:is |are |was |were )?(?:closed|shut|blocked)|closed the (?:roads?|street|bridge|highway)|detour\w*|diverted|"
        r"en retard|retard|retarde|reporte|bouchons?|embouteillages?|je repasse|je reviens demain|en panne)(?![a-z])|"
        r"追尾|事故|抛锚|爆胎|车坏|没人开门|进不去|锁(?:着|门)|晚(?:[一两二三四五六七八九十半\d]+)\s*(?:个)?钟|"
        r"ล่าช้า|สาย|รถติด|ช้าหน่อย|เลื่อน|รถเสีย|ยางแบน"
    ),
    "arrived": re.compile(
        r"(?<!什么时候)(?<!几点)(?<!快)(?<!马上)(?<!就)(?<!要)(?<!左右)(?<!分钟)(?<!钟)(?<!小时)(?:已经|已)?(?:到了|到达|到场|抵达|到店|到现场|已到|进店了|在现场|现场了|在店里|人到了|人在店)|"
        r"(?:已经|已)(?:在|到)[^\s,，。]{0,4}(?:门口|楼下|现场|店里|店内)|刚(?:刚)?到|到(?:楼下|门口|店门口|店里|现场)(?:了)?|"
        r"(?<=\d)\s*到\s*[!！.。]*$|^\s*到\s*[!！.。]*$|"
        r"(?<![a-z])(?:arrived|on site|onsite|i'?m here|am here|at the store|at the site|reached|"
        r"arrive(?! dans| d'ici| bientot)|suis arrive|sur place|pulled up|got here|just got in|(?:just )?got to the (?:store|shop|site)|i'?m at the (?:store|shop|site)|"
        r"viens d'arriver|sur les lieux|just got to(?= #?\d)|here now|just parking|parking (?:up|now)|pulling in|at the (?:hotel|store|shop|site|mall|restaurant|branch|clinic|warehouse|depot|station)(?: now)? for(?= #?\d))(?![a-z])|(?<!ใกล้)(?<!เกือบ)(?:ถึงแล้ว|มาถึง|ถึงหน้างาน|ถึงร้าน|ถึง\S{0,10}แล้ว)|"
        # Thai typed as it sounds: "thueng laew krub" (ถึงแล้วครับ)
        r"(?<![a-z])(?:thueng|tueng|theung|teung|tung|thung|thuen) (?:laew|leaw|lew|laeo|lao|leo)(?![a-z])"
    ),
    "started": re.compile(
        r"开始(?:维修|修|干活|处理|检修|检查|排查|施工|作业|工作)?|开工|在修|在(?:维修|处理|检查|排查|检修|弄|拆|换|装|修)|正在(?:维修|修|处理|检查|排查)|"
        r"维修中|检修中|处理中|排查中|检查中|动手|着手|拆机|修\s*ing|开拆|拆开|开搞|开干|动工|"
        r"正在[^\s,.!?，。！？]{0,3}(?:修|拆|检|查|换|处理|排查|测|调|弄|装)|"
        r"(?<![a-z])(?:started|starting|start(?:ing)? (?:work|repair)|working on|work in progress|in progress|"
        r"commencee?s?|debut(?:e)? (?:de )?(?:la )?reparation|en cours|diagnos\w*|checking(?! (?:my|our|the) (?:pass|id|badge|bags?|papers|permit))|inspecting|on it now|"
        r"taking (?:it|the \w+) apart|opening (?:it|the \w+) up|je m'y mets|j'attaque)(?![a-z])|กำลังแก้|กำลังทำ|ลงมือ|"
        r"เริ่มซ่อม|เริ่มงาน|กำลังซ่อม|กำลังรื้อ|รื้อเครื่อง|กำลังตรวจ|ตรวจเช็ค|กำลังเช็ค|เริ่ม"
    ),
    "departed": re.compile(
        r"出发|在路上|路上了|快到了|马上到|就到|出门|走了|动身了|(?:再|这就|马上|现在)?(?:过去|去|跑)一趟|过去(?:看看|看下|处理)|上路|动身|过去了|这就去|马上过去|正赶过去|赶过去|前往|已出门|出门了|"
        r"(?<![a-z])(?:on my way|on the way|omw|otw|departed|departing|leaving now|heading (?:over|there|to)|"
        r"en route|je pars|parti|partie|j'arrive dans|arriving in|be there in|leaving|left the|setting off|"
        r"on the road|en chemin|je suis en route)(?![a-z])|ใกล้ถึง|เกือบถึง|ออกเดินทาง|กำลังไป|ออกจาก|กำลังเดินทาง|ออกแล้ว|出门口|出紧门|开车过去|打车过去"
    ),
}

_ETA = re.compile(
    r"(" + NUM + r")\s*(?:个)?\s*(半)?\s*(分钟|分(?!之)|mins?|minutes?|小时|钟头|(?<=个)钟|(?<=个半)钟|hours?|hrs?|h|heures?|นาที|ชั่วโมง)(?![a-z])|"
    r"(?<![\d一二两三四五六七八九十])(半)\s*(?:个)?\s*(?:小时|钟头|钟(?!点))|half an hour|une demi-heure|demi-heure|ครึ่งชั่วโมง|"
    r"(?<![a-z])(?:an|one|une|d'une) (?:hour|heure)(?![a-z])|ชั่วโมงนึง|หนึ่งชั่วโมง|ชั่วโมงหนึ่ง"
)


def find_status(text: str) -> tuple[str, Span] | None:
    for name in ("parts_needed", "delayed"):
        m = STATUS_CUES[name].search(text)
        if m:
            return name, m.span()
    # Otherwise the last-mentioned step: "到了 开始修" is further along than "到了".
    best: tuple[int, str, Span] | None = None
    for name in ("departed", "arrived", "started"):
        for m in STATUS_CUES[name].finditer(text):
            if best is None or m.start() >= best[0]:
                best = (m.start(), name, m.span())
    return (best[1], best[2]) if best else None


# "一刻钟" / "a quarter of an hour" / "un quart d'heure": fifteen minutes, written in words.
_QUARTER_HOUR = re.compile(r"(?<![三两二几])一?刻钟|(?:a )?quarter of an hour|un quart d'heure")


# "should be there in 15": minutes, the unit left out
_BARE_MINUTES = re.compile(r"(?<![a-z])(?:(?:there|here|on site|sur place|la-bas|arrive|arriving) in|eta\s*[:：]?) (\d{1,2})(?![\d.:]|\s*(?:h|hours?|hrs?|heures?|days?|jours?)(?![a-z]))")


def find_eta(text: str) -> tuple[int, Span] | None:
    m = _ETA.search(text)
    if not m:
        q = _QUARTER_HOUR.search(text)
        if q:
            return 15, q.span()
        b = _BARE_MINUTES.search(text)
        return (int(b.group(1)), b.span(1)) if b else None
    if m.group(4) or not m.group(1) and not m.group(3):
        return (60 if re.search(r"hour|heure|ชั่วโมง(?:นึง|หนึ่ง)|หนึ่งชั่วโมง", m.group()) else 30), m.span()
    v = to_number(m.group(1))
    if v is None:
        return None
    if m.group(2):
        v += 0.5
    unit = m.group(3)
    minutes = v if unit.startswith(("分", "min", "นาที")) else v * 60
    return int(round(minutes)), m.span()


_PARTS_TEXT = re.compile(
    r"(?:缺(?:少)?(?:了)?(?:配件|零件|部件|备件|件|料)?|需要(?:更)?换|要换|等|订|need(?:s)? (?:a |new )?(?:parts?)?|"
    r"waiting for|รออะไหล่)\s*[:：,]?\s*(?:个|一个|a |an |the )?([^\s,.!?;，；]{1,20})"
)


def find_parts_text(text: str) -> tuple[str, Span] | None:
    m = _PARTS_TEXT.search(text)
    if m:
        val = m.group(1).strip()
        val = re.sub(r"(?:明天|后天|今天|下午|上午|晚上)?(?:到|来|才能到)$", "", val)
        if val and not re.fullmatch(r"\d+|配件|零件|件|明天|后天|今天", val):
            return val, m.span(1)
    return None
