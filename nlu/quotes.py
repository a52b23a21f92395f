"""A reply that pastes what it answers: "回复「22145 好了没」：修完了", WeChat's copied quote
"「张伟：我出发了」- - - - - - 收到", "> store: is anyone coming? — on site now", "« Alors le
22527 ? » — fini". The answer is what the writer says; read with the question it would become
the question ("好了没" is a status query, the answer a completion). So the parser reads the answer
on its own and takes only context from the quote: the job it names, what broke, a request for a
mark that a bare "4" answers.

Only a quote that *leads* the message is split off: a quote in the middle is an example, a
complaint about the bot or a forward ("新人报修示范：「…」", "转发：「…」"), and reads whole."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MENTIONS = r"(?:@\S+\s+)*"
# Who is answered: "回复 阿敏：", "Re Kevin:", "réponse à Lucas :", "ตอบ คุณแอน:".
_REPLY_TO = (r"(?:回复|回覆|答复|引用|(?:re|reply(?: to)?|replying to|réponse à|en réponse à)(?![a-zà-ÿ])|ตอบกลับ|ตอบ)"
             r"\s*(?:[^\s「『“\"«:：]{1,20}\s*)?[:：]?\s*")
_PAIRS = {"「": "」", "『": "』", "“": "”", "\"": "\"", "«": "»"}
# Between the quote and the answer: colons, dashes, arrows, WeChat's "- - - - -" rule.
_SEP = r"[\s:：,，—–\-→>=|.。…]*"

_BRACKETED = re.compile(
    rf"^\s*{_MENTIONS}(?P<reply>{_REPLY_TO})?(?P<open>[「『“\"«])(?P<quote>[^」』”\"»\n]{{1,300}}?)(?P<close>[」』”\"»])"
    rf"{_SEP}(?P<body>\S.*)$", re.S | re.I)
# "> Kevin: is the door reader still broken? — yep still dead": a quoted line, then a dash.
_ANGLE_INLINE = re.compile(rf"^\s*{_MENTIONS}>\s*(?P<quote>[^\n]{{1,300}}?)\s+(?:—|–|--|->|→)\s*(?P<body>\S.*)$", re.S)
# "> Kevin: is the door reader still broken?\nyep still dead": quoted lines, then the answer.
_ANGLE_LINES = re.compile(rf"^\s*{_MENTIONS}(?P<quote>(?:>[^\n]*\n)+)\s*(?P<body>\S.*)$", re.S)

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
    m = _BRACKETED.match(text)
    if m is not None and _PAIRS[m.group("open")] != m.group("close"):
        m = None
    if m is None:
        m = _ANGLE_INLINE.match(text) or _ANGLE_LINES.match(text)
    if m is None or not _SAYS.search(m.group("body")):
        return None
    # The quote keeps its length (a ">" line mark becomes a space), so offsets into it stay true.
    quote = re.sub(r"(?m)^>", " ", m.group("quote"))
    lead = len(quote) - len(quote.lstrip())
    return Reply(quote=quote.strip(), quote_start=m.start("quote") + lead, body=m.group("body").rstrip(),
                 body_start=m.start("body"))
