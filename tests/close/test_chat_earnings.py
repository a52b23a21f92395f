"""An engineer asks for their own earnings in their language and gets their jobs, privately:
Lucas in French (his Paris job, EUR), Somchai in Thai (his Bangkok job, THB).

Hand-computed (pinned config, tests/ledger/conftest.py):
  fr pos_repair, 1 h: fr's own price list 50.00 + 40.00 = 90.00 EUR; 60/30/10 → Lucas 27.00
  th pos_repair, 1 h: 398.00 + 298.50 = 696.50 THB; 60/30/10 → Somchai 208.95
"""

from __future__ import annotations

import pytest

from storage.models import utcnow
from tests.close.test_chat_close import october_job
from tests.ledger.conftest import pinned


async def markdowns(desk, userid):
    return [m["body"]["markdown"]["content"] for m in await desk.sandbox.inbox(userid=userid)
            if m.get("msgtype") == "markdown"]


async def answer(desk, userid, needle):
    async def found():
        return [x for x in await markdowns(desk, userid) if needle in x]
    hits = await desk.sandbox.wait_for(found)
    assert hits, await markdowns(desk, userid)
    return hits[-1]


@pytest.fixture
async def desk(start):
    desk = await start(**pinned())
    now = utcnow()
    await october_job(desk, template="pos_repair", region="fr", engineer="lucas", hours="1", parts=(), surcharges=(),
                      chatid="wr_paris_opera", at=now)
    await october_job(desk, template="pos_repair", region="th", engineer="somchai", hours="1", parts=(), surcharges=(),
                      chatid="wr_bkk_siam", at=now)
    return desk


async def test_french(desk):
    await desk.sandbox.direct("lucas", "mes gains ce mois")
    text = await answer(desk, "lucas", "Mes gains")
    assert "**EUR** : 27.00 (1 interventions)" in text
    assert "· 1 h · pas encore noté · part **27.00**" in text and "Réparation de caisse" in text


async def test_thai_in_a_group_goes_privately(desk):
    asked = await desk.sandbox.say("somchai", "@小鲸 ส่วนแบ่งของฉันเดือนนี้", chatid="wr_east_dispatch")
    assert "208.95" not in str(asked["reply"])
    text = await answer(desk, "somchai", "รายได้ของฉัน")
    assert "**THB**: 208.95 (1 งาน)" in text and "1 ชม. · ยังไม่ได้ให้คะแนน · ส่วนแบ่ง **208.95**" in text
