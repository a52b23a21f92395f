"""Known fixes, the pure part: which fixes fit a report, and reading a knowledge-base file.
No database, no clock: the same report and fixes always give the same answer.

Scoring (`rank`), per fix of the ticket's skill (another skill never matches):
- fault code: every code of the fix that the report names counts CODE (10). Codes are compared
  normalised — case, a separator and leading zeros do not matter: "e5", "E-5", "E05", "Ｅ５" are
  "E5". A report that names codes, none of them the fix's, costs the fix OTHER_CODE (−4): "F3"
  is another fault than "E5" even when both stop the cooling.
- model: a fix's model pattern ("KFR-35GW*", "*" or "" for any) found in the report counts MODEL (4).
- symptoms: each keyword counts up to 2 by how much of it the report holds: all of it (as words
  or text), or for Chinese, written without spaces, the share of its character pairs (bigrams)
  found in the report's, counted from half up ("不制冷" in "空调不怎么制冷": 冷 pairs…).
A fix needs a code or symptom score above zero to be listed. Ties go to the lower id.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, Sequence

import yaml

CODE, OTHER_CODE, MODEL, KEYWORD = 10.0, -4.0, 4.0, 2.0
TOP = 3
LANGS = ("zh", "en", "fr", "th")

# A fault code as people type it: one or two letters, an optional separator, one to three digits,
# standing alone ("显示E5", "code F3", "E-05"), not inside a model name ("KFR-35GW").
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2})\s?[-_]?\s?(\d{1,3})(?![0-9A-Za-z])")
_CJK = re.compile(r"[\u3400-\u9fff\u0e00-\u0e7f]")
_WORD = re.compile(r"[a-z0-9\u00c0-\u024f]+")


class FixLike(Protocol):
    id: int
    skill: str
    model: str
    codes: list[Any]
    keywords: list[Any]


def canon(text: str) -> str:
    """Full-width → half-width, lower case, accents folded."""
    s = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def norm_code(code: str) -> str:
    """"e-05" → "E5"; something that is not a code shape stays itself, upper-cased and trimmed."""
    s = unicodedata.normalize("NFKC", str(code)).strip()
    m = _CODE.fullmatch(s.replace(" ", ""))
    if m:
        return m.group(1).upper() + str(int(m.group(2)))
    return s.upper().replace("-", "").replace(" ", "")


def codes_in(text: str) -> list[str]:
    """The fault codes a report names, in order, each once."""
    out: list[str] = []
    for m in _CODE.finditer(unicodedata.normalize("NFKC", text or "")):
        c = m.group(1).upper() + str(int(m.group(2)))
        if c not in out:
            out.append(c)
    return out


def _bigrams(s: str) -> set[str]:
    chars = [c for c in s if _CJK.match(c)]
    runs, run = [], ""
    for c in s:
        if _CJK.match(c):
            run += c
        else:
            if run:
                runs.append(run)
            run = ""
    if run:
        runs.append(run)
    out = {r[i:i + 2] for r in runs for i in range(len(r) - 1)}
    return out | ({chars[0]} if len(chars) == 1 else set())


def keyword_score(keyword: str, text: str, *, grams: set[str] | None = None, words: set[str] | None = None) -> float:
    """0 to 1: how much of a symptom keyword the (canonical) report holds."""
    k = canon(keyword).strip()
    if not k:
        return 0.0
    if k in text:
        return 1.0
    kw = _WORD.findall(k)
    if kw and not _CJK.search(k):
        words = words if words is not None else set(_WORD.findall(text))
        hit = sum(1 for w in kw if w in words) / len(kw)
        return hit if hit >= 0.5 else 0.0
    kg = _bigrams(k)
    if not kg:
        return 0.0
    grams = grams if grams is not None else _bigrams(text)
    share = len(kg & grams) / len(kg)
    return share if share >= 0.5 else 0.0


def model_matches(pattern: str, text: str) -> bool:
    """A model pattern ("KFR-35GW*", "BCD-2?0") somewhere in the text; case, spaces and dashes
    do not matter. "" and "*" mean any model, which is no match worth counting."""
    p = canon(pattern).replace(" ", "").replace("-", "").strip("*")
    if not p:
        return False
    flat = canon(text).replace(" ", "").replace("-", "")
    rx = "".join(".*?" if c == "*" else "." if c == "?" else re.escape(c) for c in p)
    return re.search(rx, flat) is not None


@dataclass(frozen=True)
class Match:
    fix_id: int
    score: float
    codes: tuple[str, ...]
    model: bool
    keywords: tuple[str, ...]


def score(fix: FixLike, text: str, *, skill: str, model: str = "") -> Match | None:
    """How well one fix fits a report (None: not at all)."""
    if fix.skill != skill:
        return None
    said = codes_in(text)
    mine = {norm_code(c) for c in fix.codes or []}
    hit_codes = tuple(c for c in said if c in mine)
    s = CODE * len(hit_codes)
    if said and mine and not hit_codes:
        s += OTHER_CODE
    t = canon(text)
    grams, words = _bigrams(t), set(_WORD.findall(t))
    hit_words = []
    sym = 0.0
    for k in fix.keywords or []:
        v = keyword_score(str(k), t, grams=grams, words=words)
        if v:
            hit_words.append(str(k))
            sym += KEYWORD * v
    on_model = bool(fix.model) and model_matches(fix.model, f"{model} {text}")
    if not hit_codes and sym <= 0:
        return None
    s += sym + (MODEL if on_model else 0.0)
    if s <= 0:
        return None
    return Match(fix.id, round(s, 4), hit_codes, on_model, tuple(hit_words))


def rank(fixes: Iterable[FixLike], text: str, *, skill: str, model: str = "", top: int = TOP) -> list[Match]:
    found = [m for f in fixes if (m := score(f, text, skill=skill, model=model)) is not None]
    return sorted(found, key=lambda m: (-m.score, m.fix_id))[:top]


# -- knowledge-base files ---------------------------------------------------------------------------

class FileError(ValueError):
    """A knowledge-base file the desk cannot read: one line saying where."""


_FIELDS = ("key", "skill", "model", "codes", "keywords", "title", "steps", "parts", "guide_url")


def split_list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [x.strip() for x in re.split(r"[|;\n]", v) if x.strip()]
    if isinstance(v, (list, tuple)):
        return [str(x).strip() for x in v if str(x).strip()]
    return [str(v)]


def _per_lang(v: Any, lang: str | None, *, many: bool) -> dict[str, Any]:
    if v is None or v == "":
        return {}
    if isinstance(v, dict):
        return {str(k): (split_list(x) if many else str(x).strip()) for k, x in v.items() if x}
    return {lang or "zh": split_list(v) if many else str(v).strip()}


def clean(entry: dict[str, Any], *, where: str, skills: Sequence[str] | None = None) -> dict[str, Any]:
    """One fix as the store takes it, from a YAML entry or a CSV row (`lang` tags title/steps
    given as plain text)."""
    unknown = sorted(set(entry) - set(_FIELDS) - {"lang", "status"})
    if unknown:
        raise FileError(f"{where}: unknown field(s) {', '.join(unknown)}")
    skill = str(entry.get("skill") or "").strip()
    if not skill:
        raise FileError(f"{where}: skill is required")
    if skills is not None and skill not in skills:
        raise FileError(f"{where}: unknown skill {skill!r} (known: {', '.join(skills)})")
    lang = str(entry.get("lang") or "").strip() or None
    if lang is not None and lang not in LANGS:
        raise FileError(f"{where}: unknown language {lang!r}")
    title = _per_lang(entry.get("title"), lang, many=False)
    if not title:
        raise FileError(f"{where}: title is required")
    url = str(entry.get("guide_url") or "").strip()
    if url and not re.match(r"https?://", url):
        raise FileError(f"{where}: guide_url must start with http:// or https://")
    model = str(entry.get("model") or "").strip()
    return {"key": str(entry.get("key") or "").strip() or None, "skill": skill,
            "model": "" if model == "*" else model,
            "codes": [norm_code(c) for c in split_list(entry.get("codes"))], "keywords": split_list(entry.get("keywords")),
            "title": title, "steps": _per_lang(entry.get("steps"), lang, many=True),
            "parts": split_list(entry.get("parts")), "guide_url": url}


def parse_file(name: str, content: str, *, skills: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """A YAML file (`fixes:` list, or a bare list) or a CSV file (a header row with the fields,
    `lang` tagging title and steps; lists split by "|"; rows with the same key are one fix in
    several languages)."""
    if name.lower().endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(content)))
        merged: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        for i, row in enumerate(rows, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            fix = clean(row, where=f"{name}:{i}", skills=skills)
            k = fix["key"] or f"#row{i}"
            if k in merged:
                merged[k]["title"].update(fix["title"])
                merged[k]["steps"].update(fix["steps"])
                for f in ("codes", "keywords", "parts"):
                    merged[k][f] += [x for x in fix[f] if x not in merged[k][f]]
            else:
                merged[k] = fix
                order.append(k)
        return [merged[k] for k in order]
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as e:
        raise FileError(f"{name}: not YAML ({' '.join(str(e).split())[:120]})") from None
    entries = data.get("fixes") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise FileError(f"{name}: expected a list under 'fixes:'")
    out = []
    for i, e in enumerate(entries, start=1):
        if not isinstance(e, dict):
            raise FileError(f"{name}: fix {i} is not a mapping")
        out.append(clean(e, where=f"{name}: fix {i}", skills=skills))
    keys = [f["key"] for f in out if f["key"]]
    if len(keys) != len(set(keys)):
        raise FileError(f"{name}: a key is used twice")
    return out
