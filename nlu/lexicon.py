"""Domain vocabulary (places, skills, people, bot names) built once from config.

Nothing here is hard-coded: a deployment that adds a city or a skill only edits config.yaml.
Terms are stored in canonical form (see normalize.py) and matched longest-first, with word
boundaries for Latin terms so "sh" does not fire inside "finish".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .homophones import fuzzy_pattern, fuzzy_table
from .normalize import normalize_term


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation over canonical terms, longest first, Latin ends bounded."""
    terms = [t for t in terms if t]
    parts = []
    for t in sorted(set(terms), key=lambda t: (-len(t), t)):
        if not t:
            continue
        p = re.escape(t).replace(r"\ ", r"\s*")
        if t[0].isascii() and t[0].isalnum():
            p = r"(?<![a-z0-9])" + p
        if t[-1].isascii() and t[-1].isalpha() and len(t) > 3:
            p = p + r"(?:s|es)?(?![a-z0-9])"  # "outlets", "routers": plural of a listed noun
        elif t[-1].isascii() and t[-1].isalnum():
            p = p + r"(?![a-z0-9])"
        parts.append(p)
    return re.compile(first_char_guard(terms) + "(?:" + "|".join(parts) + ")") if parts else None


def first_char_guard(terms: Iterable[str]) -> str:
    """A lookahead on the characters terms can start with. It matches nothing new; it lets the
    engine pass over a position with one set test instead of trying every alternative there (the
    lexicon has hundreds), which was most of the parser's time."""
    chars = sorted({t[0] for t in terms if t})
    return "(?=[" + "".join(re.escape(c) for c in chars) + "])"


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    term: str


def lookup(table: dict[str, Any], matched: str) -> Any:
    """Value for a matched stretch: exact, whitespace-squeezed, or a listed noun's plural."""
    for cand in (matched, re.sub(r"\s+", " ", matched)):
        if cand in table:
            return table[cand]
        for suffix in ("es", "s"):
            if cand.endswith(suffix) and cand[: -len(suffix)] in table:
                return table[cand[: -len(suffix)]]
    squeezed = matched.replace(" ", "")
    for k, v in table.items():
        if k.replace(" ", "") == squeezed:
            return v
    raise KeyError(matched)


def find_all(pattern: re.Pattern[str] | None, text: str) -> list[Match]:
    if pattern is None:
        return []
    return [Match(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


# The words for a shop around a store's own name: "Siam store", "Boutique Opéra", "สาขาสยาม".
_SHOP_WORDS = re.compile(r"^(?:boutique|magasin|สาขา)\s*|\s+(?:store|shop|branch)$")


def _store_terms(store: str, city: str, names: dict[str, str]) -> set[str]:
    """A configured store names its city: "我们徐汇店" is in 上海, "Siam store" and "สาขาสยาม" in
    曼谷. Each name counts as written, without the city in front ("徐汇店") and, for names with a
    word for a shop around them, without that word ("Siam", "Opéra", "สยาม")."""
    terms = set()
    c = normalize_term(city)
    for name in {store, *names.values()}:
        t = normalize_term(name)
        terms.add(t)
        bare = t[len(c):] if t.startswith(c) else t
        if len(bare) >= 2 and bare != t:
            terms.add(bare)
        core = _SHOP_WORDS.sub("", t).strip()
        if len(core) >= 2 and core != t:
            terms.add(core)
    return terms


@dataclass
class Lexicon:
    cities: dict[str, tuple[str, str]] = field(default_factory=dict)   # term -> (city, region code)
    regions: dict[str, str] = field(default_factory=dict)              # term -> region code
    skills: dict[str, str] = field(default_factory=dict)               # term -> skill code
    people: dict[str, str] = field(default_factory=dict)               # term -> userid
    bot_names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.compile()

    def compile(self) -> None:
        # A term that names both a city and its region ("Singapore") is resolved as the city.
        self.place_re = term_pattern(list(self.cities) + list(self.regions))
        self.skill_re = term_pattern(self.skills)
        # IME slips of CJK device words ("空掉" for 空调): tried only when no device is named exactly.
        self.fuzzy_skills = fuzzy_table(self.skills)
        self.fuzzy_skill_re = fuzzy_pattern(self.fuzzy_skills)
        self.person_re = term_pattern(self.people)
        # A name as typed, with or without its spaces ("Zhang Wei" is the userid zhangwei).
        self._people_squeezed = {k.replace(" ", ""): v for k, v in self.people.items()}
        # "张师傅" is 张伟 when he is the only 张 with a Chinese name; two 王 leave "王师傅" unread.
        by_surname: dict[str, set[str]] = {}
        for term, userid in self.people.items():
            if re.fullmatch(r"[\u4e00-\u9fff]{2,3}", term):
                by_surname.setdefault(term[0], set()).add(userid)
        unique = {s: next(iter(u)) for s, u in by_surname.items() if len(u) == 1}
        self.surnames = unique
        self.surname_re = (re.compile("([" + "".join(unique) + "])(?:师傅|工(?![作程厂人具资位])|sir)")
                           if unique else None)
        names = sorted({normalize_term(n) for n in self.bot_names if n}, key=len, reverse=True)
        self.mention_re = (
            re.compile(r"@\s?(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z0-9])")
            if names else None
        )
        # The bot's name as a word ("jing kindly log a complaint"): what a hand-over of a
        # colleague's report leaves out besides the handing words (nlu/parse.py `_passes_on`).
        self.name_re = (re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(n) for n in names) + r")(?![a-z0-9])")
                        if names else None)
        # The bot called by name in the middle of a longer message: "…下周请大家吃饭。对了小鲸，
        # 把2月份华东的维修费用汇总发我一下" — what follows is said to it (a mention is blanked
        # by then, so "对了 @小鲸 …" leaves the turn word and blanks).
        turn = (r"(?:对了|另外|顺便(?:说一下|问一下|问下)?|还有|by the way|btw|oh and|also|au fait|sinon|"
                r"อ้อ|แล้วก็|อีกเรื่อง)")
        alts = [turn + r"\s{3,}"]
        if names:
            alts.append(r"(?:" + turn + r"\s*[,，]?\s*)?(?:" + "|".join(re.escape(n) for n in names)
                        + r")(?![a-z0-9])\s*[,，:：]")
        self.address_re = re.compile(r"[,.!?;，。！？；]\s*(?:" + "|".join(alts) + r")\s*")

    def person(self, name: str) -> str | None:
        """The userid of a person named in full (canonical text): their userid, their name or its
        part before a bracket ("Niran"), spaces not counted, so "zhang wei" names zhangwei."""
        key = re.sub(r"\s+", "", name)
        return self._people_squeezed.get(key) if len(key) >= 2 else None

    @classmethod
    def from_config(cls, cfg: Any) -> "Lexicon":
        """Duck-typed: anything with handlers.config.Config's attribute shape works."""
        cities: dict[str, tuple[str, str]] = {}
        regions: dict[str, str] = {}
        for region in getattr(cfg, "regions", []) or []:
            # Its names in every language are how people write it too ("จีนตะวันออก").
            for term in [region.code, region.name, *region.aliases, *(getattr(region, "names", None) or {}).values()]:
                t = normalize_term(term)
                # Bare lower-case codes ("th", "fr", "sg") collide with ordinary words; a code
                # becomes a term only when config lists it as an alias as well.
                if term == region.code and term not in region.aliases:
                    continue
                regions.setdefault(t, region.code)
            for city in region.cities:
                for term in [city.name, *city.aliases, *(getattr(city, "names", None) or {}).values()]:
                    cities.setdefault(normalize_term(term), (city.name, region.code))
        for group in getattr(cfg, "groups", []) or []:
            city = getattr(group, "city", None)
            if not (getattr(group, "store", None) and city and getattr(group, "region", None)):
                continue
            for term in _store_terms(group.store, city, getattr(group, "store_names", None) or {}):
                cities.setdefault(term, (city, group.region))
        skills: dict[str, str] = {}
        for skill in getattr(cfg, "skills", []) or []:
            for term in [skill.name, *skill.synonyms]:
                skills.setdefault(normalize_term(term), skill.code)
        people: dict[str, str] = {}
        for person in getattr(cfg, "people", []) or []:
            name = person.name
            for term in {person.userid, name, name.split(" (")[0].split("(")[0], *(getattr(person, "aliases", None) or [])}:
                t = normalize_term(term)
                if len(t) >= 2:
                    people.setdefault(t, person.userid)
        wecom = getattr(cfg, "wecom", None)
        bot = getattr(wecom, "bot", None)
        bot_names = list(getattr(bot, "names", []) or [])
        return cls(cities=cities, regions=regions, skills=skills, people=people, bot_names=bot_names)
