"""Known fixes, the pure part (handlers/fix_match.py): fault codes, models, symptoms, files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from handlers.fix_match import FileError, codes_in, keyword_score, model_matches, norm_code, parse_file, rank

ROOT = Path(__file__).resolve().parents[2]
SKILLS = ["hvac", "elevator", "pos", "network", "plumbing", "electrical", "appliance", "cctv"]


@dataclass
class F:
    id: int
    skill: str
    codes: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    model: str = ""


E5 = F(1, "hvac", ["E5"], ["不制冷", "高压保护", "not cooling"])
F3 = F(2, "hvac", ["F3"], ["传感器", "不启动"])
LEAK = F(3, "hvac", [], ["漏水", "滴水", "water leak"])
KFR = F(4, "hvac", [], ["不制冷"], model="KFR-35GW*")
FRIDGE = F(5, "appliance", [], ["冰箱不制冷", "不冷"])
ALL = [E5, F3, LEAK, KFR, FRIDGE]


@pytest.mark.parametrize("text, codes", [
    ("空调显示E5 不制冷", ["E5"]), ("code e-5 again", ["E5"]), ("ＥＲ０３", ["ER3"]), ("E05 then F3", ["E5", "F3"]),
    ("KFR-35GW 空调", []), ("ticket 12 stuck", []), ("#12 完工", []),
])
def test_codes_in_a_report(text, codes):
    assert codes_in(text) == codes


def test_codes_are_normalised():
    assert norm_code("e-05") == norm_code("E5") == norm_code("Ｅ５") == "E5"


def test_fault_code_wins_and_another_code_is_no_match():
    [first, *rest] = rank(ALL, "上海徐汇店空调显示E5 不制冷", skill="hvac")
    assert first.fix_id == E5.id and first.codes == ("E5",)
    assert F3.id not in [m.fix_id for m in rest]
    assert [m.fix_id for m in rank(ALL, "空调报F3 不启动", skill="hvac")][0] == F3.id


def test_same_skill_only_and_top_three_deterministic():
    assert [m.fix_id for m in rank(ALL, "冰箱不制冷", skill="hvac")] == [E5.id, KFR.id]
    assert [m.fix_id for m in rank(ALL, "冰箱不制冷", skill="appliance")] == [FRIDGE.id]
    many = [F(i, "hvac", [], ["漏水"]) for i in range(10, 16)]
    assert [m.fix_id for m in rank(many, "内机漏水", skill="hvac")] == [10, 11, 12]
    assert rank(ALL, "空调坏了", skill="hvac") == []


def test_model_and_symptoms():
    assert model_matches("KFR-35GW*", "格力 kfr35gw/bp") and not model_matches("*", "anything")
    [first, *_] = rank(ALL, "格力KFR-35GW 不制冷", skill="hvac")
    assert first.fix_id == KFR.id and first.model
    assert keyword_score("不制冷", "空调不制冷了") == 1.0
    assert keyword_score("water leak", "the unit has a water leak") == 1.0
    assert keyword_score("高压保护", "高压") == 0.0   # under half of the pairs


def test_example_file_and_csv(tmp_path):
    fixes = parse_file("fixes.example.yaml", (ROOT / "fixes.example.yaml").read_text(encoding="utf-8"), skills=SKILLS)
    assert 6 <= len(fixes) <= 10 and all(set(f["title"]) >= {"zh", "en"} for f in fixes)
    csv = ("key,skill,model,codes,keywords,lang,title,steps,parts,guide_url\n"
           "e5,hvac,*,E-5,不制冷|高压,zh,E5 高压,清洗冷凝器|查风机,电容,https://x.example/e5\n"
           "e5,hvac,*,E5,not cooling,en,E5 high pressure,Clean the condenser|Check the fan,,\n")
    [one] = parse_file("kb.csv", csv, skills=SKILLS)
    assert one["codes"] == ["E5"] and one["title"] == {"zh": "E5 高压", "en": "E5 high pressure"}
    assert one["steps"]["en"] == ["Clean the condenser", "Check the fan"] and one["keywords"] == ["不制冷", "高压", "not cooling"]
    with pytest.raises(FileError, match="unknown skill"):
        parse_file("kb.yaml", "fixes: [{skill: boats, title: x}]", skills=SKILLS)
    with pytest.raises(FileError, match="title is required"):
        parse_file("kb.yaml", "fixes: [{skill: hvac}]", skills=SKILLS)
