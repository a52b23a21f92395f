"""Message catalogs: every language says every English sentence, with the same variables.

English (templates/messages/en/) is the reference. For each language directory: the same keys,
every template parses and renders under StrictUndefined with the variables the English template
needs, and no translation uses a variable English does not pass.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from jinja2 import meta

from handlers import messages as render

MESSAGES = render.TEMPLATES / "messages"
LANGUAGES = render.languages()

# Plausible values for the variables the English templates use. Counts, ids and dates are ints
# (settle.period.month indexes a list with `month - 1`); `ids` is the ", "-joined list the tickets
# handler passes ("#3, #4"). Anything else falls back to a string naming the variable.
VALUES: dict[str, object] = {
    "id": 3, "n": 2, "example": 12, "follow_up": 8, "rating": 2, "minutes": 15, "level": 2, "rounds": 3,
    "month": 10, "year": 2026, "quarter": 4, "tickets": 42, "rated": 17, "jobs": 5,
    "ids": "#3, #4", "first": 3,
    "name": "Somchai", "engineer": "Somchai", "managers": "Claire, 赵敏", "bot": "小鲸",
    "skill": "HVAC", "location": "Bangkok Siam store", "region": "Thailand", "scope": "Thailand",
    "urgency": "Urgent", "status": "Assigned", "note": "2 engineers notified.", "summary": "AC not cooling",
    "eta": "14:30", "parts": "compressor", "reason": "traffic", "breakdown": "Labour 80.00",
    "intent": "transfer_ticket", "target": "on-site", "total": "1,070.00", "currency": "THB",
    "reporting": "CNY", "gross": "1,000.00", "tax": "70.00", "amount": "120.00", "sla": "95%",
    "csat": "4.6", "engineers": "Somchai (12)", "url": "https://desk.example/r/abc", "period": "Oct 2026",
}


def files(lang: str) -> list[Path]:
    return sorted((MESSAGES / lang).glob("*.yaml"))


@lru_cache(maxsize=None)
def sources(lang: str) -> dict[str, object]:
    """key -> raw YAML value, over all files of a language (a key in two files is an error)."""
    out: dict[str, object] = {}
    for path in files(lang):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        assert isinstance(data, dict), f"{lang}/{path.name} is not a mapping"
        for k, v in data.items():
            assert k not in out, f"{k!r} defined twice in {lang}/ catalogs ({path.name})"
            out[k] = v
    return out


@lru_cache(maxsize=None)
def variables(lang: str, key: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(render._env().parse(str(sources(lang)[key]))))


def english_values(key: str) -> dict[str, object]:
    return {name: VALUES.get(name, f"<{name}>") for name in variables("en", key)}


def render_source(lang: str, key: str, values: dict[str, object]) -> str:
    # The same environment (StrictUndefined, filters) and the same strip as handlers.messages.t.
    return render._env().from_string(str(sources(lang)[key])).render(**values).strip()


def symbols(text: str) -> set[str]:
    """Emoji and pictographs ("✅", "🚨", "📦"), which a translation must keep."""
    return {c for c in text if unicodedata.category(c) == "So"}


# -- structure ---------------------------------------------------------------------------------------

def test_the_new_languages_exist():
    assert {"zh", "en", "th", "fr"} <= set(LANGUAGES)
    for lang in ("th", "fr"):
        assert [p.name for p in files(lang)] == [p.name for p in files("en")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_same_keys_as_english(lang):
    want, got = set(sources("en")), set(sources(lang))
    assert not want - got, f"{lang} is missing {sorted(want - got)}"
    assert not got - want, f"{lang} has keys English does not: {sorted(got - want)}"
    # The renderer loads the same set (and would refuse a key defined in two files).
    assert set(render._catalog(lang)) == want


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_file_mirrors_the_english_file(lang):
    # Same split into areas as English, so a sentence is found where its English one is.
    for path in files("en"):
        en = set(yaml.safe_load(path.read_text(encoding="utf-8")))
        mine = MESSAGES / lang / path.name
        assert mine.exists(), f"{lang}/{path.name} missing"
        assert set(yaml.safe_load(mine.read_text(encoding="utf-8"))) == en, f"{lang}/{path.name}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_values_are_strings(lang):
    # A bare YAML yes/no/on/off or number would reach the chat as True or 12.0.
    wrong = {k: v for k, v in sources(lang).items() if not isinstance(v, str) or not v.strip()}
    assert not wrong, wrong


# -- every template renders with what English is given -----------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_renders_with_the_english_variables(lang):
    failures = []
    for key in sorted(sources("en")):
        values = english_values(key)
        try:
            out = render_source(lang, key, values)
        except Exception as e:  # noqa: BLE001 - collect them all, report once
            failures.append(f"{key}: {type(e).__name__}: {e}")
            continue
        if not out:
            failures.append(f"{key}: renders empty")
        # Optional parts ({% if eta %}…) must also render when their value is missing.
        blank = {k: ("" if isinstance(v, str) and k != "ids" else v) for k, v in values.items()}
        try:
            render_source(lang, key, blank)
        except Exception as e:  # noqa: BLE001
            failures.append(f"{key} (empty values): {type(e).__name__}: {e}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_t_says_what_jinja_says(lang):
    # t() joins the plain sentences itself; it must say exactly what Jinja renders, for any values
    # (None, numbers, blanks, more than the sentence needs) and for the sentences Jinja renders.
    fast = 0
    for key in sorted(sources(lang)):
        fast += render._catalog(lang)[key].plain is not None
        values = {**english_values(key), "unused": 1}
        odd = {k: None if i % 3 == 0 else 7 if i % 3 == 1 else "" for i, k in enumerate(values)}
        for given in (values, odd):
            try:
                want = render_source(lang, key, given)
            except Exception as e:  # noqa: BLE001 - then t() must fail too
                with pytest.raises(type(e)):
                    render.t(lang, key, **given)
                continue
            assert render.t(lang, key, **given) == want, key
    assert fast > len(sources(lang)) // 2   # most sentences take the plain way


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_invented_variables(lang):
    extra = {key: sorted(variables(lang, key) - variables("en", key))
             for key in sources(lang) if key in sources("en") and variables(lang, key) - variables("en", key)}
    assert not extra, f"{lang} uses variables English does not pass: {extra}"


@pytest.mark.parametrize("lang", ["th", "fr"])
def test_translations_keep_every_variable_emoji_and_bold(lang):
    # Stricter for the translated catalogs: nothing the English sentence shows is dropped.
    problems = []
    for key, en in sources("en").items():
        mine = str(sources(lang)[key])
        if variables(lang, key) != variables("en", key):
            problems.append(f"{key}: variables {sorted(variables(lang, key))} != {sorted(variables('en', key))}")
        if not symbols(str(en)) <= symbols(mine):
            problems.append(f"{key}: lost {sorted(symbols(str(en)) - symbols(mine))}")
        if str(en).count("**") != mine.count("**") or str(en).count("#{{") != mine.count("#{{"):
            problems.append(f"{key}: markdown or #ticket references differ")
        if str(en).count("\n> ") != mine.count("\n> ") or str(en).strip().count("\n") != mine.strip().count("\n"):
            problems.append(f"{key}: line structure differs")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["th", "fr"])
def test_translations_are_translated(lang):
    # Labels that are the same word in both languages are fine ("Urgent", "Total", "Tickets");
    # whole sentences are not.
    def words(v: object) -> list[str]:
        return [w for w in re.sub(r"{{.*?}}|{%.*?%}", " ", str(v)).split() if w.isalpha()]

    same = [k for k, v in sources(lang).items() if v == sources("en")[k] and len(words(v)) > 1]
    assert not same, f"{lang} still has English sentences: {same}"


# -- spot checks through the public API --------------------------------------------------------------

@pytest.mark.parametrize("lang", ["th", "fr"])
def test_claim_lost_spot_check(lang):
    got = render.t(lang, "claim.lost", id=3, name="Somchai")
    assert "#3" in got and "Somchai" in got
    assert got != render.t("en", "claim.lost", id=3, name="Somchai")


@pytest.mark.parametrize("lang", ["th", "fr"])
def test_spot_checks(lang):
    en = render.t("en", "status.reply", id=7, status="x", engineer="Somchai", eta="14:30")
    got = render.t(lang, "status.reply", id=7, status=render.t(lang, "status.departed"), engineer="Somchai",
                   eta="14:30")
    assert "#7" in got and "Somchai" in got and "14:30" in got and got != en
    without = render.t(lang, "status.reply", id=7, status=render.t(lang, "status.departed"), engineer=None, eta=None)
    assert "Somchai" not in without and "14:30" not in without

    which = render.t(lang, "which_ticket", ids="#3, #4", first=3)
    assert "#3, #4" in which and "#3 " in which.replace("#3, #4", "")

    month = render.t(lang, "settle.period.month", month=10, year=2026)
    assert "2026" in month and month != render.t("en", "settle.period.month", month=10, year=2026)

    done = render.t(lang, "push.completed", id=5, name="Somchai", breakdown="**Ticket #5**")
    assert done.startswith("✅") and done.splitlines()[-1] == "**Ticket #5**"
    assert render.t(lang, "push.completed", id=5, name="Somchai", breakdown="").count("\n") == 0

    assert render.t(lang, "status.new") != render.t("en", "status.new")
    assert render.t(lang, "help", bot="小鲸").count("@小鲸") == 3


def test_a_key_defined_twice_in_one_file_is_an_error(tmp_path, monkeypatch):
    import handlers.messages as render

    (tmp_path / "messages" / "xx").mkdir(parents=True)
    (tmp_path / "messages" / "xx" / "core.yaml").write_text("a: one\nb: two\na: three\n", encoding="utf-8")
    monkeypatch.setattr(render, "TEMPLATES", tmp_path)
    render._catalog.cache_clear()
    try:
        with pytest.raises(ValueError, match="'a' is defined twice"):
            render._catalog("xx")
    finally:
        render._catalog.cache_clear()
