"""What no translation may change comes back exactly as written, and a translation that lost
one of those terms is not shown at all (the reader gets the original with a note instead)."""

from __future__ import annotations

import pytest

from bot import translate as tr
from handlers.config import TranslationConfig
from storage.cache import MemoryCache


@pytest.mark.parametrize("text, kept", [
    ("#1024 换压缩机CP2201 Daikin 报价 ¥1,650.21", ["#1024", "CP2201", "Daikin", "¥1,650.21"]),
    ("ค่าอะไหล่ 80 THB รุ่น KFR-35GW สาขาสยาม", ["80 THB", "KFR-35GW", "สาขาสยาม"]),
    ("la Boutique Opéra attend la pièce R410A, 30 €", ["Boutique Opéra", "R410A"]),
])
def test_protected_terms_never_reach_the_provider_and_come_back(text, kept):
    masked = tr.mask(text, ["Daikin", "สาขาสยาม", "Boutique Opéra"])
    for term in kept:
        assert term not in masked.text, masked.text
    # A provider that spaces and lower-cases the tokens still gives every term back, in order.
    mangled = masked.text.replace("ZQ", "z q ").upper().replace("X", " x")
    restored = masked.restore(mangled.lower())
    for term in kept:
        assert term in restored


def test_the_longest_glossary_term_wins():
    masked = tr.mask("Gree Electric 的空调", ["Gree", "Gree Electric"])
    assert masked.terms == ("Gree Electric",)


def test_a_lost_term_refuses_the_translation():
    masked = tr.mask("#7 缺 CP2201", [])
    with pytest.raises(tr.TermLost):
        masked.restore("ZQ0X is missing a part")


class CountingProvider:
    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self, tcfg, base_url, text, source, target):
        self.calls += 1
        return self.answer(text)


async def test_a_translation_is_cached_per_provider_and_pair(monkeypatch):
    provider = CountingProvider(lambda text: f"[fr] {text}")
    monkeypatch.setattr(tr.translators, "translate_sync", provider)
    t = tr.Translator(TranslationConfig(), "http://stand-in", MemoryCache())
    try:
        assert await t.translate("#3 堵车", "zh", "fr") == "[fr] #3 堵车"
        assert await t.translate("#3 堵车", "zh", "fr") == "[fr] #3 堵车"
        assert provider.calls == 1
        await t.translate("#3 堵车", "zh", "th")
        assert provider.calls == 2
    finally:
        t.close()


async def test_a_lost_term_delivers_the_original_with_the_note(monkeypatch):
    monkeypatch.setattr(tr.translators, "translate_sync", CountingProvider(lambda text: "the part is missing"))
    t = tr.Translator(TranslationConfig(), "http://stand-in", MemoryCache())
    try:
        payload = {"markdown": {"content": "⏰ late\n💬 #7 缺 CP2201"},
                   "_translate": [{"path": ["markdown", "content"], "text": "#7 缺 CP2201", "source": "zh",
                                   "target": "en", "label": "Original", "note": "(not translated)"}]}
        out = await t.apply(payload)
        assert out == {"markdown": {"content": "⏰ late\n💬 #7 缺 CP2201\n(not translated)"}}
    finally:
        t.close()
