"""The parser in a process of its own (`nlu.processes: 1`), through real encrypted
AI-bot callbacks: the same tickets as on the loop, and a dead parser process loses no message."""

from __future__ import annotations

import asyncio
import os
import signal

from bot import callbacks
from nlu.pooled import PooledParser
from storage.models import Ticket
from tests.conftest import rows

STORE, GROUP = "storesh", "wr_sh_xuhui"


def text_of(reply):
    if "stream" in reply:
        return reply["stream"]["content"]
    card = reply["template_card"]
    return card["main_title"]["title"] + " " + card["main_title"].get("desc", "")


async def test_reports_are_understood_in_the_parser_process_and_survive_its_death(start, caplog):
    desk = await start(nlu={"processes": 1})
    parser = desk.app[callbacks.DESK].parser
    assert isinstance(parser, PooledParser)

    first = await desk.sandbox.say(STORE, "@小鲸 上海徐汇店空调不制冷了", chatid=GROUP)
    assert "#1" in text_of(first["reply"])
    [ticket] = await rows(desk.cfg, Ticket)
    assert ticket.skill == "hvac" and ticket.city == "上海"

    # The child is killed as the OOM killer would: the next report is still understood.
    [pid] = [p.pid for p in parser._pool._processes.values()]
    os.kill(pid, signal.SIGKILL)
    second = await desk.sandbox.say(STORE, "@小鲸 徐汇店收银机打不开 急", chatid=GROUP)
    assert "#2" in text_of(second["reply"])
    tickets = await rows(desk.cfg, Ticket)
    assert sorted(t.skill for t in tickets) == ["hvac", "pos"]
    assert any("parser process died" in r.message for r in caplog.records)

    # … and so is the next one, on the loop while a new child starts, then in the new child.
    third = await desk.sandbox.say(STORE, "@小鲸 徐汇店电梯异响", chatid=GROUP)
    assert "#3" in text_of(third["reply"])
    for _ in range(600):
        if parser.ready:
            break
        await asyncio.sleep(0.05)
    assert parser.ready, "no new parser process started"
    [new_pid] = [p.pid for p in parser._pool._processes.values()]
    assert new_pid != pid
    fourth = await desk.sandbox.say(STORE, "@小鲸 徐汇店网络断了", chatid=GROUP)
    assert "#4" in text_of(fourth["reply"])
