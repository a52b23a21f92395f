"""Managers' commands read by rule (nlu/commands.py), before the learned model: only a message that
is wholly a command is one; everything else is parsed exactly as before."""

from __future__ import annotations

import pytest

from nlu.commands import read_command
from nlu.evaluate import load_cases
from nlu.intents import COMMAND_INTENTS, INTENTS
from nlu.normalize import normalize

from .conftest import CASES_PATH
from .test_heldout import HELDOUT


@pytest.mark.parametrize("text, intent, entities", [
    # assign / reassign: a ticket, a verb, a person the Lexicon knows (name, userid, pinyin with spaces)
    ("@小鲸 #4 派给 张伟", "assign_job", {"ticket": 4, "assignee": "zhangwei"}),
    ("#4 改派 李强", "assign_job", {"ticket": 4, "assignee": "liqiang"}),
    ("#4 改派给李强", "assign_job", {"ticket": 4, "assignee": "liqiang"}),
    ("把#12指派给王芳", "assign_job", {"ticket": 12, "assignee": "wangfang"}),
    ("＃４ 派给 张伟。", "assign_job", {"ticket": 4, "assignee": "zhangwei"}),
    ("#4 派给 张伟师傅", "assign_job", {"ticket": 4, "assignee": "zhangwei"}),
    ("#4 交给张伟去修吧", "assign_job", {"ticket": 4, "assignee": "zhangwei"}),
    ("工单 4 交给 陈杰", "assign_job", {"ticket": 4, "assignee": "chenjie"}),
    ("派 #4 给 刘洋", "assign_job", {"ticket": 4, "assignee": "liuyang"}),
    ("#4 assign to Zhang Wei", "assign_job", {"ticket": 4, "assignee": "zhangwei"}),
    ("#4 reassign to zhangwei", "assign_job", {"ticket": 4, "assignee": "zhangwei"}),
    ("assign #7 to Lucas Martin please", "assign_job", {"ticket": 7, "assignee": "lucas"}),
    ("#4 交给 lucas", "assign_job", {"ticket": 4, "assignee": "lucas"}),
    ("#4 réattribuer à Lucas", "assign_job", {"ticket": 4, "assignee": "lucas"}),
    ("#4 มอบหมายให้ Somchai", "assign_job", {"ticket": 4, "assignee": "somchai"}),
    # a name-shaped stranger is still an assignment: the desk says whom it does not know
    ("#4 派给 王五", "assign_job", {"ticket": 4, "assignee": "王五"}),
    # urgency
    ("#4 加急", "set_urgency", {"ticket": 4, "urgency": "urgent"}),
    ("@Jing #4 urgent!", "set_urgency", {"ticket": 4, "urgency": "urgent"}),
    ("#4 设为紧急", "set_urgency", {"ticket": 4, "urgency": "urgent"}),
    ("加急 #4", "set_urgency", {"ticket": 4, "urgency": "urgent"}),
    ("#4 取消加急", "set_urgency", {"ticket": 4, "urgency": "normal"}),
    ("#4 not urgent", "set_urgency", {"ticket": 4, "urgency": "normal"}),
    ("#4 pas urgent", "set_urgency", {"ticket": 4, "urgency": "normal"}),
    ("#4 ด่วน", "set_urgency", {"ticket": 4, "urgency": "urgent"}),
    # reopen
    ("#4 重新打开", "reopen_ticket", {"ticket": 4}),
    ("#4 reopen", "reopen_ticket", {"ticket": 4}),
    ("reopen ticket 4", "reopen_ticket", {"ticket": 4}),
    ("#4 rouvrir", "reopen_ticket", {"ticket": 4}),
    # a region's lists
    ("华东区待派单", "list_tickets", {"region": "east", "which": "unassigned"}),
    ("华东区还有哪些工单没人接", "list_tickets", {"region": "east", "which": "unassigned"}),
    ("华东区还有哪些工单没人接？", "list_tickets", {"region": "east", "which": "unassigned"}),
    ("华东区超时工单", "list_tickets", {"region": "east", "which": "breached"}),
    ("unassigned in east", "list_tickets", {"region": "east", "which": "unassigned"}),
    ("breached tickets east", "list_tickets", {"region": "east", "which": "breached"}),
    ("overdue tickets in South China", "list_tickets", {"region": "south", "which": "breached"}),
    ("待派单工单", "list_tickets", {"region": None, "which": "unassigned"}),
    ("unassigned tickets", "list_tickets", {"region": None, "which": "unassigned"}),
    # how to fix a ticket (handlers/fixes.py)
    ("#12 怎么修", "how_to_fix", {"ticket": 12}), ("@小鲸 #12 怎么修？", "how_to_fix", {"ticket": 12}),
    ("#12 how to fix", "how_to_fix", {"ticket": 12}), ("#12 comment réparer", "how_to_fix", {"ticket": 12}),
    ("#12 ซ่อมยังไง", "how_to_fix", {"ticket": 12}), ("怎么修 #12", "how_to_fix", {"ticket": 12}),
    ("how do I fix #3?", "how_to_fix", {"ticket": 3}), ("工单 5 维修方法", "how_to_fix", {"ticket": 5}),
])
def test_commands(parser, text, intent, entities):
    p = parser.parse(text)
    assert (p.intent, p.entities, p.confidence) == (intent, entities, 1.0)
    assert intent in COMMAND_INTENTS and intent not in INTENTS
    # Spans point into the text as typed.
    if "ticket" in p.spans:
        start, end = p.spans["ticket"]
        assert text[start:end].translate(str.maketrans("０１２３４５６７８９", "0123456789")) == str(entities["ticket"])


@pytest.mark.parametrize("text", [
    "派给我一点时间",            # no ticket, no person
    "张伟 今天请假",             # a person, no command
    "1024 派给我吧 我就在附近",   # an engineer claiming
    "5120 交给我",
    "#4 交给我",
    "#4 交给你了",
    "#4 派给谁",                 # a question
    "#4 派给谁?",
    "#4 assign to someone else",
    "#4 派给 张伟 李强",          # two people
    "#4 派给 张伟 他比较近",       # more than a command
    "4 派给 张伟",               # a bare number is no ticket reference here
    "#4 急",
    "#4 加急吗?",
    "#4 urgent?",
    "1024 紧急",
    "#4 恢复了",
    "#4 已超时",
    "超时",
    "上海超时工单",              # a city, not a region
    "空调那个单子怎么还没人接",
    "华东区空调坏了",
    "华东区的师傅超时了",
    "华东区 待派单 超时",          # two lists at once
    "还有哪些工单没人接",          # no region and no list noun
    "who is unassigned",
    "上海徐汇店空调不制冷了 急",
    "空调坏了怎么修",             # no ticket: a question for help, not a command
    "#12 怎么还没修好",           # a store chasing its job
    "#12 怎么处理的",
    "#12 修好了吗",
    "how to fix an AC",
    "#12 how to fix it myself cheaply",
])
def test_not_commands(parser, text):
    assert parser.parse(text).intent in INTENTS
    assert read_command(parser.lexicon, normalize(text, parser.lexicon.mention_re).text) is None


def test_no_labelled_case_is_read_as_a_command(lexicon):
    """The model's figures cannot move: no line of the corpus' evaluation files is a command."""
    for path in [CASES_PATH, *HELDOUT]:
        for case in load_cases(path):
            s = normalize(case["text"], lexicon.mention_re).text
            assert read_command(lexicon, s) is None, (path.name, case["text"])


def test_backends_read_commands_first(parser):
    assert parser.command("@小鲸 #4 派给 张伟").entities == {"ticket": 4, "assignee": "zhangwei"}
    assert parser.command("空调坏了") is None
    # Asked to read a message as a given intent (the LLM backend's second pass), no command is read.
    assert parser.parse("#4 加急", intent="update_progress").intent == "update_progress"


def test_person_names_in_the_lexicon(lexicon):
    assert lexicon.person("张伟") == "zhangwei"
    assert lexicon.person("zhang wei") == "zhangwei"
    assert lexicon.person("lucas martin") == lexicon.person("lucas") == "lucas"
    assert lexicon.person("niran") == "storebkk"
    assert lexicon.person("王五") is None and lexicon.person("张") is None
