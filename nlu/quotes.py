"""A reply that pastes what it answers: "回复「22145 好了没」：修完了", WeChat's copied quote
"「张伟：我出发了」- - - - - - 收到", "> store: is anyone coming? — on site now", "« Alors le
22527 ? » — fini". The answer is what the writer says; read with the question it would become
the question ("好了没" is a status query, the answer a completion). So the parser reads the answer
on its own and takes only context from the quote: the job it names, what broke, a request for a
mark that a bare "4" answers.

Only a quote that *leads* the message is split off (after a forward's marker at most: "转发 店长群：「…」
@小鲸 麻烦安排" passes a colleague's report on): a quote in the middle is an example or a complaint
about the bot ("新人报修示范：「…」"), and reads whole, as does a forward with nothing after it."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MENTIONS = r"(?:@\S+\s+)*"
# Who is answered: "回复 阿敏：", "Re Kevin:", "réponse à Lucas :", "ตอบ คุณแอน:".
_REPLY_TO = (r"(?:回复|回覆|答复|引用|(?:re|reply(?: to)?|replying to|réponse à|en réponse à)(?![a-zà-ÿ])|ตอบกลับ|ตอบ)"
             r"\s*(?:[^\s「『“\"«‘':：]{1,20}\s*)?[:：]?\s*")
_PAIRS = {"「": "」", "『": "』", "“": "”", "\"": "\"", "«": "»", "‘": "’", "'": "'"}
# Between the quote and the answer: colons, dashes, arrows, WeChat's "- - - - -" rule.
_SEP = r"[\s:：,，—–\-→>=|.。…]*"

# A forward's marker and who is forwarded, before the quote: "转发 店长群：「…」", "【转发】驾校教务：「…」",
# "TR : message de Karim — « … »". With an answer after it the forward is passed on to someone, and
# the answer says what for ("@小鲸 麻烦安排"); without one the message is the forward itself.
_FORWARD_MARK = (r"(?:[\[【]\s*转发\s*[\]】]|转发\s*[:：]?|(?:fwd?|tr|forwarded(?: message)?(?: from)?|ส่งต่อ)\s*[:：]"
                 r"|(?:message (?:de|from)|forwarded message from)\s+[^:：«「\"\n]{1,24}?\s*[:：—–]|[^\s:：「『“\"«\n]{1,10}的(?:消息|留言)\s*[:：])")
_FORWARD = rf"(?:{_FORWARD_MARK}\s*(?:[^「『“\"«‘'\n:：—–]{{1,24}}?\s*[:：—–]\s*)?)"

# One pattern per pair, so that a quote may hold the other marks: 「Jing: Sorry, I didn't catch that」.
_BRACKETED = [
    re.compile(rf"^\s*{_MENTIONS}(?:{_FORWARD})?(?P<reply>{_REPLY_TO})?{re.escape(o)}(?P<quote>[^{re.escape(c)}\n]{{1,300}}?){re.escape(c)}"
               rf"{_SEP}(?P<body>\S.*)$", re.S | re.I)
    for o, c in _PAIRS.items()
]
# "> Kevin: is the door reader still broken? — yep still dead": a quoted line, then a dash.
_ANGLE_INLINE = re.compile(rf"^\s*{_MENTIONS}>\s*(?P<quote>[^\n]{{1,300}}?)\s+(?:—|–|--|->|→)\s*(?P<body>\S.*)$", re.S)
# "> Kevin: is the door reader still broken?\nyep still dead": quoted lines, then the answer.
_ANGLE_LINES = re.compile(rf"^\s*{_MENTIONS}(?P<quote>(?:>[^\n]*\n)+)\s*(?P<body>\S.*)$", re.S)
# "[转发] 夜班保安老周：凌晨三点监控全部掉线了\n小鲸 今天安排人看下": a forward's line, then the answer.
# The answer is one short line with no heading of its own: a forwarded notice's second line
# ("各门店：请于12月10日前完成…") is more of the notice.
_FORWARD_LINE = re.compile(rf"^\s*{_MENTIONS}(?:{_FORWARD_MARK})\s*(?P<quote>[^\n]{{1,300}})\n\s*(?P<body>[^\s:：][^\n:：]{{0,40}})\s*$", re.I)
# "Re: where's the engineer??\non site for 24290": a mail-style reply, the quoted line first.
_RE_LINE = re.compile(rf"^\s*{_MENTIONS}(?:re|回复|回覆|reply|réponse)\s*[:：]\s*(?P<quote>[^\n「『“\"«]{{1,300}})\n\s*(?P<body>\S.*)$",
                      re.S | re.I)

# The answer must say something: a lone mark or emoji does ("4", "👍"), punctuation does not.
_SAYS = re.compile(r"[\w\u0e00-\u0e7f\u2600-\u27bf\U0001f300-\U0001faff]")


@dataclass(frozen=True)
class Reply:
    quote: str
    quote_start: int    # where the quote starts in the text
    body: str
    body_start: int     # where the answer starts in the text


def split_reply(text: str) -> Reply | None:
    """The pasted quote a message starts with and the answer after it; None when the message
    does not start with one, or when nothing follows the quote (a quote alone is what is said)."""
    m = None
    for pattern in _BRACKETED:
        m = pattern.match(text)
        if m is not None:
            break
    if m is None:
        m = _ANGLE_INLINE.match(text)
        if m is not None and "\n" in m.group("body"):
            # "> Jing: New job #28140 – ice machine not making ice\nmine.": the dash was the
            # card's own; the answer is the line after the quote.
            m = _ANGLE_LINES.match(text) or m
        m = m or _ANGLE_LINES.match(text) or _RE_LINE.match(text) or _FORWARD_LINE.match(text)
    if m is None or not _SAYS.search(m.group("body")):
        return None
    # The quote keeps its length (a ">" line mark becomes a space), so offsets into it stay true.
    quote = re.sub(r"(?m)^>", " ", m.group("quote"))
    lead = len(quote) - len(quote.lstrip())
    return Reply(quote=quote.strip(), quote_start=m.start("quote") + lead, body=m.group("body").rstrip(),
                 body_start=m.start("body"))


# Who said the quoted words: "阿强：", "技师阿华：", "Sipho: ", "Nong Fern: " — a name, no digits.
_SPEAKER = re.compile(r"^\s*[^\s\d:：「」『』“”\"«»<>]{1,12}(?: [^\s\d:：「」『』“”\"«»<>]{1,12})?\s?[:：]\s*(?=\S)")


def without_speaker(quote: str) -> str:
    """The quoted words without the name of who said them ("阿强：片冰机一点冰都不出" → the fault):
    the name reads to the model as chat between people, not a report."""
    m = _SPEAKER.match(quote)
    return quote[m.end():] if m else quote


# Passing a colleague's words on, the words last: "@小鲸 转一下阿芳的话：「消毒柜开了没反应」".
_RELAYED = re.compile(rf"^\s*{_MENTIONS}(?:帮(?:忙)?|麻烦)?(?:转(?:一下|下|达)?|转发(?:一下)?)\s*[^「『“\"«\n]{{0,12}}?(?:的话|说的|说)\s*[:：]?\s*"
                      r"[「『“\"«](?P<quote>[^」』”\"»\n]{1,300})[」』”\"»][\s。.!！]*$")


def relayed(text: str) -> tuple[int, int] | None:
    """Where the words passed on are, when a message only passes a colleague's words on."""
    m = _RELAYED.match(text)
    return m.span("quote") if m else None


# A colleague's words forwarded with nothing added: "转发 吧台小美：制冰机不出冰了", "转发自 张姐：…",
# "转发 店长 的消息：「…」", "Fwd from night shift: '…'", "Transféré de l'agent de sécurité : « … »",
# "ส่งต่อจากพี่ต้อม: …". Who sent it decides what it can be: a person's report may be meant for the
# desk or only for the group, so it is asked about; an office's, a building's or a group chat's words
# are a notice, and read whole.
_FORWARDED_FROM = [re.compile(rf"^\s*{_MENTIONS}{lead}(?P<who>[^:：「『“\"«\n]{{1,{n}}}?)\s*{tail}[:：]\s*(?P<words>[^\n]+?)\s*$", re.I)
                   for lead, n, tail in (
                       (r"(?:[\[【]\s*转发\s*[\]】]|转发自?)\s*", 10, r"(?:的(?:消息|留言|话))?\s*"),
                       (r"(?:fwd?|forwarded)\s+from\s+", 24, ""),
                       (r"(?:transf[ée]r[ée]|tr)\s+(?:de la |de l'|du |des |de |d')", 30, ""),
                       (r"ส่งต่อจาก", 20, ""))]
_NOT_A_PERSON = re.compile(
    r"通知|公告|物业|物管|管理|商场|总部|集团|群|局|气象台|电视台|平台|部门|工程部|管理处|中心|新闻|行政|财务|委员会|协会|商会|工会|办公室|办事处|街道办|政府|业主|街道|社区|【|\["
    r"|management|mgmt|building|mall|council|office|\bhq\b|notice|group|chat|\bpub\b|city|government|landlord|property|news"
    r"|syndic|direction|mairie|siège|siege|gérance|gerance|centre|groupe|préfecture|prefecture|note|ประกาศ|นิติ|ห้าง|สำนักงาน|กลุ่ม|การไฟฟ้า|ประปา|เขต",
    re.I)
_ENCLOSED = re.compile(r"^[「『“\"«‘'](?P<inner>.+)[」』”\"»’']$")


def forwarded_words(text: str) -> tuple[int, int] | None:
    """Where a person's forwarded words are, when the message is nothing but them."""
    for pattern in _FORWARDED_FROM:
        m = pattern.match(text)
        if m is not None:
            if _NOT_A_PERSON.search(m.group("who")):
                return None
            a, b = m.span("words")
            inner = _ENCLOSED.match(m.group("words"))
            return (a + 1, b - 1) if inner else (a, b)
    return None


# A site named as a heading before the message: "Friperie Oberkampf : la caisse ne démarre plus",
# "Shenzhen photo studio: the router reboots itself", "EHPAD de Vincennes : …", "สาขาลาดพร้าว: …".
# Read with the heading the message looks like someone's words quoted; the heading only says where.
_SITE_HEADING = re.compile(rf"^\s*{_MENTIONS}(?P<head>[^:：\n「『“\"«]{{2,40}}?)\s*[:：]\s*(?=\S)")
_SITE_WORD = re.compile(
    r"店|馆|铺|坊|仓|停车场|院|中心|(?<![a-z])(?:outlet|branch|store|shop|studio|site|hall|kitchen|car ?park|parking|home|"
    r"centre|center|butcher|bakery|cafe|restaurant|boutique|magasin|atelier|ehpad|[a-z]+erie|depot|warehouse)s?(?![a-z])|"
    r"สาขา|ร้าน|สตูดิโอ|ที่จอดรถ", re.I)


def site_heading(text: str) -> int | None:
    """Where the message starts after a leading heading that names a site, or None."""
    m = _SITE_HEADING.match(text)
    if m is None or _SITE_WORD.search(m.group("head")) is None:
        return None
    return m.end()


# How a newcomer opens or closes a report: "hi all, new here - is this where we log faults?",
# "不好意思打扰一下 我是食堂新来的 不太清楚流程", "je ne sais pas si c'est le bon endroit :",
# "ไม่แน่ใจว่าต้องแจ้งที่นี่หรือเปล่า", "… who do I tell", "… 这种也能报吗". About the process, not the fault.
_SEP_OUT = r"[\s,，.。!！?？:：;；\-—–~…😅🙏]*"
_PREFACE_PART = (
    r"(?:hi|hello|hey|morning|evening)(?: all| everyone| team| guys)?|new (?:here|starter|to (?:the )?(?:team|group|this))|"
    r"(?:i'?m |i just |just )?joined(?: today)?|(?:i'?m|i am) new (?:at|in|to) (?:the |our )?[^.?!:;,\n]{0,40}|(?:my )?first (?:time|day|week)(?: here| using this| on (?:the )?night shift)?|"
    r"sorry(?: to bother(?: you)?| if (?:this is the )?wrong (?:place|chat|group))?|"
    r"not sure (?:if|where|who|whether|i'?m)[^.?!:;,\-—–\n]{0,50}|is this (?:where|the right|the maintenance|the repair)[^?.\n]{0,40}|"
    r"do i (?:just )?(?:type|message|post|write|report)[^?.\n]{0,30}|who do i (?:tell|ask|report (?:this )?to)[^?.\n]{0,20}|"
    r"hope (?:that'?s|this is) (?:how it works|right|ok)|"
    r"大家好|各位好|各位同事(?:好)?|你们好|你好|您好|哈喽|不好意思(?:打扰(?:一下|了|大家)?)?|打扰一下|请问(?:一下)?|是这样的|"
    r"(?:第一次|头一回)(?:在群里)?(?:发(?:消息|信息)?|用(?:这个)?)?|我是[^\s，,。]{0,8}新来的(?:[^\s，,。]{0,6})?|新来的|刚来的|"
    r"不太(?:清楚|懂|了解)(?:流程|规矩|怎么报)?|不知道(?:这样说对不对|是不是在这(?:里|儿)?(?:说|报|发)|找谁|在哪(?:里|儿)?报(?:修)?|怎么报(?:修)?)|"
    r"(?:这种|这个)?(?:也)?(?:能|可以)报(?:修)?吗|"
    r"excusez-moi|bonjour(?: a tous| tout le monde)?|je viens d'arriver(?: [^:,.!?]{0,25})?|je suis nouvelle?(?: (?:a|au|a la|dans|chez) [^:,.!?]{0,30})?|(?:c'est bien|est-ce bien) ici (?:qu'on|que l'on|pour) signale[rz]? [^.?!]{0,20}|premiere fois(?: ici)?|"
    r"je ne sais pas si (?:c'est (?:le bon endroit|ici)|je dois l'ecrire ici)[^:,.!?]{0,20}|"
    r"สวัสดี(?:ครับ|ค่ะ|คะ)?|ขอโทษ(?:นะ)?(?:ครับ|ค่ะ|คะ)?|ไม่แน่ใจว่า(?:ต้อง)?แจ้ง(?:ที่นี่|ตรงนี้)(?:หรือเปล่า|ไหม|ได้ไหม)?(?:ครับ|ค่ะ|คะ)?|"
    r"เพิ่ง(?:ใช้ระบบนี้|เข้ากลุ่ม|มาทำงาน)(?:ครั้งแรก|วันแรก)?(?:ครับ|ค่ะ)?|ไม่รู้(?:ต้อง)?แจ้งยังไง(?:ครับ|ค่ะ)?"
)
_PREFACE = re.compile(rf"^\s*{_MENTIONS}(?:(?:{_PREFACE_PART})(?:{_SEP_OUT}|$))+", re.I)
_AFTERWORD = re.compile(rf"(?:{_SEP_OUT}(?:{_PREFACE_PART}))+{_SEP_OUT}$", re.I)


def strip_preface(text: str) -> tuple[int, int] | None:
    """Where the message's own matter starts and ends once a newcomer's words about the process
    are left out, for text in the parser's canonical form (lower-case, accents folded); None
    when there are none, or nothing else."""
    m = _PREFACE.match(text)
    start = m.end() if m else 0
    a = _AFTERWORD.search(text, start)
    end = a.start() if a else len(text)
    if (start, end) == (0, len(text)) or not _SAYS.search(text[start:end]):
        return None
    return start, end
