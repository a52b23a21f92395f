"""Someone's own words on a ticket (a delay reason, a cancel reason, a manager's remark, a rating
comment, an engineer's note), passed on to the other readers of the ticket as written, and
machine-translated for those who read another language (the worker does it, bot/translate.py).

A bare command ("#12 取消", "done") carries no words worth passing on: ticket numbers, ratings
and the command words themselves are not words to translate."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.language import language_of

# The words that only say what the command is, in the languages the desk speaks. What is left
# after them is the writer's own remark.
_COMMAND = re.compile(
    r"@\S+|#\s?\d+|\d+\s?号?单|(?:工单|单号|ticket|job|ใบงาน)\s*(?:#|no\.?)?\s*\d+|工单|[1-5]\s?(?:星|颗星|分|stars?|étoiles?|ดาว)|[★⭐]+"
    r"|取消|撤销|不要了|驳回|不通过|退回|完工|完成|搞定|已修好|修好了|延误|晚点|评价|评分|打分|请|一下"
    r"|工时|小时|人工|配件费?|材料费?|元|块"
    r"|\b(?:cancel(?:led)?|reject(?:ed)?|done|finished|completed?|delay(?:ed)?|late|rate|rating|please|ticket|job"
    r"|hours?|hrs?|h|parts?|labou?r)\b"
    r"|\b(?:annul(?:er|é|ée)|refus(?:er|é)|termin(?:é|ée)|fini|retard|note|ticket|svp|merci|heures?|pièces?)\b"
    r"|ยกเลิก|ไม่อนุมัติ|เสร็จแล้ว|เสร็จ|ล่าช้า|ให้คะแนน|ใบงาน|ครับ|ค่ะ|คะ|ค่าแรง|ชั่วโมง|อะไหล่|บาท",
    re.I)
_LETTER = re.compile(r"[^\W\d_]", re.U)
MIN_LETTERS = 2
MAX_CHARS = 300   # a remark, not an essay: what a card or a push can carry with its translation

@dataclass(frozen=True)
class Words:
    text: str
    lang: str      # the language they are written in

    def line(self) -> str:
        """How the words show under a headline: quoted, so a reader sees whose they are not."""
        return f"💬 {self.text}"


def words_of(text: str, writer_lang: str) -> Words | None:
    said = remark(text)
    return Words(said, language_of(said, writer_lang)) if said else None


def remark(text: str) -> str:
    """The writer's own words in a message, or "" when it is only a command."""
    text = (text or "").strip()
    rest = _COMMAND.sub(" ", text)
    if len(_LETTER.findall(rest)) < MIN_LETTERS:
        return ""
    # What a reader needs is the remark: the mention, the ticket number and the command that
    # lead the message are already in the headline above it.
    while (lead := _COMMAND.match(text)) is not None and lead.end() > 0:
        text = text[lead.end():].lstrip(" \t,，:：、.。!！")
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 1] + "…"

