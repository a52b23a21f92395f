"""Line labels in the customer's language (zh, en, fr, th).

Labels are presentation only: stored lines are keyed by `code`, so a wording change never
touches money. An unknown language falls back to English (the shared second language in the
desk's regions), then to the code itself, so a line is never unlabelled.
"""

from __future__ import annotations

from typing import Mapping

LANGUAGES = ("zh", "en", "fr", "th")
FALLBACK = "en"

LABELS: dict[str, dict[str, str]] = {
    "base": {"zh": "基础服务费", "en": "Base service fee", "fr": "Forfait de base", "th": "ค่าบริการพื้นฐาน"},
    "labour": {"zh": "工时费", "en": "Labour", "fr": "Main-d'œuvre", "th": "ค่าแรง"},
    "urgent": {"zh": "加急费", "en": "Urgent surcharge", "fr": "Supplément urgence", "th": "ค่าบริการด่วน"},
    "night": {"zh": "夜间费", "en": "Night surcharge", "fr": "Supplément de nuit", "th": "ค่าบริการกลางคืน"},
    "height": {"zh": "高空作业费", "en": "Work-at-height surcharge", "fr": "Supplément travail en hauteur",
               "th": "ค่าทำงานบนที่สูง"},
    "weekend": {"zh": "周末费", "en": "Weekend surcharge", "fr": "Supplément week-end", "th": "ค่าบริการวันหยุด"},
    "holiday": {"zh": "节假日费", "en": "Holiday surcharge", "fr": "Supplément jour férié",
                "th": "ค่าบริการวันหยุดนักขัตฤกษ์"},
    "part": {"zh": "配件", "en": "Parts", "fr": "Pièces", "th": "ค่าอะไหล่"},
    "tax": {"zh": "税", "en": "Tax", "fr": "TVA", "th": "ภาษี"},
    "subtotal": {"zh": "小计", "en": "Subtotal", "fr": "Sous-total", "th": "ยอดรวมย่อย"},
    "total": {"zh": "合计", "en": "Total", "fr": "Total", "th": "ยอดรวม"},
    "fixed": {"zh": "固定费", "en": "Fixed fee", "fr": "Frais fixes", "th": "ค่าธรรมเนียมคงที่"},
    "commission": {"zh": "佣金", "en": "Commission", "fr": "Commission", "th": "ค่าคอมมิชชัน"},
    "tier": {"zh": "阶梯{n}", "en": "Tier {n}", "fr": "Palier {n}", "th": "ขั้นที่ {n}"},
    "tier_flat": {"zh": "阶梯{n}固定费", "en": "Tier {n} flat fee", "fr": "Forfait palier {n}",
                  "th": "ค่าธรรมเนียมคงที่ขั้นที่ {n}"},
}

# "名称：明细" in Chinese uses a full-width colon; the other languages a normal one.
_DETAIL = {"zh": "{label}：{detail}", "en": "{label}: {detail}", "fr": "{label} : {detail}",
           "th": "{label}: {detail}"}


def pick(names: Mapping[str, str], language: str | None, default: str) -> str:
    """A name from a {language: text} mapping with the same fallback chain as `label`."""
    if language and language in names:
        return names[language]
    return names.get(FALLBACK) or default


def label(code: str, language: str | None, **fmt: object) -> str:
    text = pick(LABELS.get(code, {}), language, code)
    return text.format(**fmt) if fmt else text


def name_for(code: str, names: Mapping[str, str], language: str | None) -> str:
    """Configured names win in their language; otherwise the built-in label, then any fallback."""
    if language and language in names:
        return names[language]
    builtin = LABELS.get(code, {})
    if language and language in builtin:
        return builtin[language]
    return names.get(FALLBACK) or builtin.get(FALLBACK) or code


def with_detail(code: str, detail: str, language: str | None) -> str:
    """E.g. 配件：压缩机 / Parts: compressor."""
    pattern = _DETAIL.get(language or FALLBACK, _DETAIL[FALLBACK])
    return pattern.format(label=label(code, language), detail=detail)


def tier_label(index: int, lower: int, upper: int | None, language: str | None) -> str:
    """Tier 2 (101–500) / 阶梯3（501+）: the ticket range shown so a bill explains itself."""
    span = f"{lower + 1}–{upper}" if upper is not None else f"{lower + 1}+"
    head = label("tier", language, n=index)
    return f"{head}（{span}）" if language == "zh" else f"{head} ({span})"
