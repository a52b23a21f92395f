"""The README's billing example: six jobs completed as handlers/completion.finish books them
(priced, split, and the account's prepaid draw or SLA credit), into the database of
$WECOM_DESK_DATABASE_URL.

    export WECOM_DESK_DATABASE_URL=sqlite+aiosqlite:////tmp/bx/desk.db
    .venv/bin/python docs/examples/billing_example.py migrate
    .venv/bin/wecom-desk settle topup --account bkk_siam --amount 30000.00 --key bank-20261001
    .venv/bin/python docs/examples/billing_example.py jobs
    .venv/bin/wecom-desk settle close --period 2026-10   # … as in the README
"""
import asyncio
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from handlers.config import load_config
from handlers.context import Context
from handlers import billing as billing_handler
from storage import ledger, tickets as store
from storage.db import Database

JOBS = [  # (when UTC, chat, region, template, hours, parts, surcharges, breached, engineer)
    (dt.datetime(2026, 10, 5, 3), "wr_bkk_siam", "th", "pos_repair", "1", [("配件", "9303.50")], [], False, "somchai"),
    (dt.datetime(2026, 10, 12, 3), "wr_bkk_siam", "th", "pos_repair", "1", [("配件", "9303.50")], [], False, "somchai"),
    (dt.datetime(2026, 10, 15, 3), "wr_sh_xuhui", "east", "hvac_repair", "1.5", [("压缩机", "180.00")], ["urgent"], True, "zhangwei"),
    (dt.datetime(2026, 10, 16, 3), "wr_sh_xuhui", "east", "pos_repair", "2", [], [], False, "chenjie"),
    (dt.datetime(2026, 10, 20, 3), "wr_bkk_siam", "th", "pos_repair", "1", [("配件", "3053.50")], [], True, "somchai"),
    (dt.datetime(2026, 11, 10, 3), "wr_sh_xuhui", "east", "pos_repair", "2", [], [], False, "chenjie"),
]


async def main(step):
    cfg = load_config(str(ROOT / "config.yaml"))
    db = Database(cfg.database.url)
    if step == "migrate":
        await db.upgrade()
        await db.close()
        return
    for when, chat, region, template, hours, parts, surcharges, breached, eng in JOBS:
        async with db.transaction() as s:
            t = await store.create_ticket(s, actor="seed", reason="example", status="assigned", skill="pos",
                                          region=region, chatid=chat, assignee=eng, template=template,
                                          sla_breached=breached)
            q = await ledger.record_completion(s, cfg.ledger, ticket_id=t.id, template=template, region=region,
                                               engineer=eng, hours=hours, parts=parts, surcharges=surcharges,
                                               language="zh", completed_at=when)
            ctx = Context(cfg=cfg, session=s, cache=None, userid=eng, chatid=None, channel="seed", now=when,
                          settlement=cfg.ledger)
            await billing_handler.after_completion(ctx, t, q)
            print(f"#{t.id} {template} {region} total {q.total/100:.2f} {q.currency}" + (" (SLA breached)" if breached else ""))
            for m in ctx.outbox:
                print(f"   → {m['dest']}: {m['payload']['markdown']['content']}")
    await db.close()

asyncio.run(main(sys.argv[1]))
