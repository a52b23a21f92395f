"""Text is cut to WeCom's limits between words, never inside a character as the reader sees it:
a Thai consonant keeps its vowel and tone marks, an emoji its skin tone and ZWJ partners, a flag
both halves; Thai, written without spaces, is cut only where its words end."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from pythainlp.tokenize import word_tokenize

from bot.present import KF_TEXT_BYTES, kf_message, present
from bot.textcut import cut
from handlers.cards import job_card

ELLIPSIS = "…"
# "The air conditioner on the second floor is not cold, water drips from the unit all the time,
# please send a technician urgently": no spaces, as Thai is written.
THAI = "แอร์ที่ชั้นสองไม่เย็นน้ำหยดจากเครื่องตลอดเวลาช่วยส่งช่างมาดูด่วนมากเพราะลูกค้าบ่นทุกวัน"
FAMILY = "👨\u200d👩\u200d👧\u200d👦"
FLAG = "🇹🇭"


def _ends(text: str) -> set[int]:
    return {m.end() for m in regex.finditer(r"\X", text)} | {0}


def _head(out: str) -> str:
    assert out.endswith(ELLIPSIS)
    return out[:-len(ELLIPSIS)]


def _word_ends(text: str) -> set[int]:
    ends, at = {0}, 0
    for word in word_tokenize(text, engine="newmm"):
        at += len(word)
        ends.add(at)
    return ends


def test_text_that_fits_is_returned_as_it_is():
    for text, limit in ((THAI, len(THAI)), ("", 0), ("short", 36), (FAMILY, len(FAMILY))):
        assert cut(text, limit) is text
    assert cut("é" * 1024, 2048, unit="bytes") == "é" * 1024


def test_thai_without_spaces_is_cut_where_a_word_ends():
    ends = _word_ends(THAI)
    for limit in range(8, len(THAI)):
        head = _head(cut(THAI, limit))
        assert len(head) + len(ELLIPSIS) <= limit and len(head) in ends, (limit, head)
        # As many whole words as fit: one more would not.
        assert min(e for e in ends if e > len(head)) + len(ELLIPSIS) > limit


def test_a_limit_that_falls_inside_a_thai_word_backs_up_to_the_word_before():
    # 17 code points: "แอร์ที่ชั้นสอง" (14) then "ไม่" (3); the cut at 17 - 1 falls inside "ไม่".
    assert cut(THAI, 17) == "แอร์ที่ชั้นสอง…"


def test_thai_marks_never_leave_their_consonant():
    # ที่ (to + sara i + mai ek) and น้ำ (no + mai tho + sara am) are one character each to a reader.
    for text in ("ที่" * 10, "น้ำ" * 10, "ที่น้ำ" * 5):
        for limit in range(1, len(text)):
            out = cut(text, limit)
            head = out.removesuffix(ELLIPSIS)
            assert len(out) <= limit and len(head) in _ends(text)
            assert not head or not regex.match(r"\p{M}", text[len(head)])


def test_a_thai_word_longer_than_the_field_is_cut_between_character_clusters():
    # "ความเร่งด่วน" (urgency) is one newmm word of 12 code points; a keyname holds 10. A field
    # of only "…" would say nothing, so the cut falls between clusters and keeps เ with ร่.
    assert cut("ความเร่งด่วน", 10) == "ความเร่ง…"


def test_emoji_sequences_and_flags_stay_whole():
    text = f"ok {FAMILY}{FLAG}👍🏽{FAMILY}"
    for limit in range(1, len(text)):
        head = cut(text, limit).removesuffix(ELLIPSIS)
        assert len(head) in _ends(text)
        assert not head.endswith(("\u200d", "\U0001F1F9")) and "👨" not in head.rsplit(FAMILY, 1)[-1]
    assert cut(f"{FAMILY}{FLAG}", len(FAMILY) + 2) == f"{FAMILY}{FLAG}"
    assert cut(f"{FAMILY}{FLAG}", len(FAMILY) + 1) == f"{FAMILY}…"
    assert cut(f"{FLAG}{FLAG}", 3) == f"{FLAG}…"


def test_english_is_cut_at_a_space_and_trailing_space_goes():
    assert cut("The quick brown fox jumps over the lazy dog", 20) == "The quick brown fox…"
    assert cut("Le technicien arrive demain matin", 22) == "Le technicien arrive…"


def test_a_long_url_is_cut_between_characters_rather_than_emptied():
    url = "https://example.com/" + "r" * 40
    assert len(url) == 60
    out = cut(url, 40)
    assert out == url[:39] + ELLIPSIS


def test_cjk_is_cut_between_any_two_characters():
    assert cut("长" * 50, 36) == "长" * 35 + ELLIPSIS
    assert cut("空调不制冷，漏水严重", 6) == "空调不制冷…"


def test_bytes_mode_keeps_within_2048_bytes_with_a_4_byte_emoji_at_the_edge():
    for pad in range(2040, 2048):
        text = "x " * (pad // 2) + "x" * (pad % 2) + "😀" * 4
        out = cut(text, KF_TEXT_BYTES, unit="bytes")
        assert len(out.encode()) <= KF_TEXT_BYTES and out.endswith(ELLIPSIS)
        assert "\ufffd" not in out and len(_head(out)) in _ends(text)
    sent = kf_message({"text": {"content": "ก" * 700 + " น้ำ" * 10}})["text"]["content"]
    assert len(sent.encode()) <= KF_TEXT_BYTES and sent.endswith(ELLIPSIS)


def test_a_limit_too_small_for_one_character_gives_the_ellipsis_or_nothing():
    assert cut(FAMILY + "x", 3) == ELLIPSIS
    assert cut("abc", 0) == ""
    assert cut("abc", 2, unit="bytes") == ""


ALPHABET = st.sampled_from(
    list("กขคงจนมยรลวสหอะาเแโใไ") + ["\u0e31", "\u0e34", "\u0e35", "\u0e48", "\u0e49", "\u0e33"]  # Thai marks
    + list("空调漏水ひらカナ한국") + list("abcXYZ019") + [" ", ",", ".", "/", "-", "'"]
    + ["😀", "👍", "🏽", "\u200d", "\ufe0f", "🇹", "🇭", "\u0301", "\u0308"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=80).map("".join), st.integers(min_value=0, max_value=60),
       st.sampled_from(["chars", "bytes"]))
def test_any_text_fits_and_is_a_prefix_ending_between_characters(text, limit, unit):
    size = len if unit == "chars" else (lambda s: len(s.encode()))
    out = cut(text, limit, unit=unit)
    assert size(out) <= limit
    if size(text) <= limit:
        assert out == text
        return
    head = out.removesuffix(ELLIPSIS)
    assert text.startswith(head) and len(head) in _ends(text)


def test_a_thai_job_card_shows_whole_words():
    location = "อาคารสำนักงานใหญ่ชั้นสามห้องประชุมใหญ่ฝั่งตะวันออก"
    card = job_card("th", ticket_id=12, skill="ซ่อมเครื่องปรับอากาศและระบบระบายอากาศ", location=location,
                    urgency="urgent", description=THAI * 3, description_lang="th", task="job-12-a",
                    buttons=[("claim", "job.claim_button", 1)])
    out = present(card, "bot")
    title, quote = out["main_title"]["title"], out["sub_title_text"]
    assert len(card.title) > 36 and len(title) <= 36 and len(quote) <= 112
    for shown, full in ((title, card.title), (quote, card.quote)):
        head = _head(shown)
        assert full.startswith(head)
        # The cut falls where newmm ends a word in the full text, not inside one.
        assert len(head) in _word_ends(full) or not full[len(head)].strip(), (shown, full)
    assert [r["keyname"] for r in out["horizontal_content_list"]][3] == "ความเร่ง…"
