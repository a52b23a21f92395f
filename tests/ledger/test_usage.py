"""Usage records: record_usage (exact quantities, idempotent by key) and POST /api/usage."""

from __future__ import annotations

import aiohttp
import pytest
from sqlalchemy import select

from storage import ledger
from storage.ledger_models import UsageRecord
from tests.conftest import rows

from .conftest import AFTER_OCT, pinned

TOKEN = "usage-test-token"


async def test_record_usage_is_idempotent_by_key(env):
    async with env.db.transaction() as s:
        first, created = await ledger.record_usage(s, env.lcfg, account="api_co", item="api_calls", quantity="1500",
                                                   now=AFTER_OCT, idempotency_key="k-1")
    assert created and (first["period"], first["quantity"]) == ("2026-11", "1500")  # the account's zone: Shanghai
    async with env.db.transaction() as s:
        again, created = await ledger.record_usage(s, env.lcfg, account="api_co", item="api_calls",
                                                   quantity="1500.0", now=AFTER_OCT, idempotency_key="k-1")
    assert not created and again == first
    with pytest.raises(ledger.UsageConflict):
        async with env.db.transaction() as s:
            await ledger.record_usage(s, env.lcfg, account="api_co", item="api_calls", quantity="1", now=AFTER_OCT,
                                      idempotency_key="k-1")
    async with env.db.sessions() as s:
        assert len((await s.scalars(select(UsageRecord))).all()) == 1


@pytest.mark.parametrize("kw, message", [
    ({"account": "nobody"}, "unknown account"),
    ({"item": "sms"}, "no usage item"),
    ({"quantity": 1.5}, "decimal string"),
    ({"quantity": "1e3"}, "not a decimal"),
    ({"quantity": "-2"}, "negative"),
    ({"quantity": True}, "decimal string"),
    ({"period": "2026-13"}, "expected a month"),
])
async def test_bad_usage(env, kw, message):
    args = {"account": "api_co", "item": "api_calls", "quantity": "1", **kw}
    async with env.db.transaction() as s:
        with pytest.raises(ledger.LedgerError, match=message):
            await ledger.record_usage(s, env.lcfg, now=AFTER_OCT, **args)


# -- over HTTP -------------------------------------------------------------------------------------

@pytest.fixture
async def api(start):
    desk = await start(**pinned(), server={"api_token": TOKEN})
    async with aiohttp.ClientSession() as http:
        async def post(body, token=TOKEN, raw=None, headers=None):
            h = {"Authorization": f"Bearer {token}"} if token else {}
            h.update(headers or {})
            kwargs = {"data": raw} if raw is not None else {"json": body}
            async with http.post(desk.url + "/api/usage", headers=h, **kwargs) as resp:
                return resp.status, await resp.json(content_type=None), resp.headers
        desk.post = post
        yield desk


async def test_usage_api_creates_and_replays(api):
    body = {"account": "api_co", "item": "api_calls", "quantity": "2500", "period": "2026-11",
            "idempotency_key": "batch-7"}
    status, first, _ = await api.post(body)
    assert status == 201
    assert {k: first[k] for k in ("account", "item", "quantity", "period", "idempotency_key")} == {
        "account": "api_co", "item": "api_calls", "quantity": "2500", "period": "2026-11", "idempotency_key": "batch-7"}
    status, again, headers = await api.post(body)
    assert (status, again, headers.get("Idempotent-Replayed")) == (200, first, "true")
    status, err, _ = await api.post({**body, "quantity": "1"})
    assert status == 422 and "already used" in err["error"]
    # the key may also come as a header, like POST /api/tickets
    status, by_header, _ = await api.post({k: v for k, v in body.items() if k != "idempotency_key"},
                                          headers={"Idempotency-Key": "batch-8"})
    assert status == 201 and by_header["idempotency_key"] == "batch-8"
    assert len(await rows(api.cfg, UsageRecord)) == 2


async def test_usage_api_without_a_key_records_each_call(api):
    for _ in range(2):
        status, _, _ = await api.post({"account": "api_co", "item": "storage_gb_month", "quantity": 3})
        assert status == 201
    assert len(await rows(api.cfg, UsageRecord)) == 2


async def test_usage_api_auth(api):
    status, body, _ = await api.post({"account": "api_co", "item": "api_calls", "quantity": "1"}, token=None)
    assert status == 401
    status, body, _ = await api.post({"account": "api_co", "item": "api_calls", "quantity": "1"}, token="wrong")
    assert status == 403
    assert await rows(api.cfg, UsageRecord) == []


@pytest.mark.parametrize("body, raw, reason", [
    (None, b"{not json", "JSON object"),
    ([1, 2], None, "JSON object"),
    ({"item": "api_calls", "quantity": "1"}, None, "account is required"),
    ({"account": "api_co", "quantity": "1"}, None, "item is required"),
    ({"account": "api_co", "item": "api_calls"}, None, "quantity is required"),
    ({"account": "api_co", "item": "api_calls", "quantity": 1.5}, None, "decimal string"),
    ({"account": "api_co", "item": "api_calls", "quantity": "-1"}, None, "negative"),
    ({"account": "api_co", "item": "api_calls", "quantity": "1", "period": 202611}, None, "period"),
    ({"account": "api_co", "item": "api_calls", "quantity": "1", "period": "Nov"}, None, "expected a month"),
    ({"account": "ghost", "item": "api_calls", "quantity": "1"}, None, "unknown account"),
    ({"account": "api_co", "item": "sms", "quantity": "1"}, None, "no usage item"),
    ({"account": "api_co", "item": "api_calls", "quantity": "1", "price": "9"}, None, "unknown field 'price'"),
    ({"account": "api_co", "item": "api_calls", "quantity": "1", "idempotency_key": ""}, None, "idempotency_key"),
])
async def test_usage_api_bad_input_is_400_with_a_reason(api, body, raw, reason):
    status, out, _ = await api.post(body, raw=raw)
    assert status == 400 and reason in out["error"]
    assert await rows(api.cfg, UsageRecord) == []


async def test_usage_api_refuses_a_closed_period(api):
    from storage.db import Database

    db = Database(api.cfg.database.url)
    try:
        async with db.transaction() as s:
            await ledger.close_period(s, api.cfg.ledger, "2026-10", now=AFTER_OCT)
    finally:
        await db.close()
    status, out, _ = await api.post({"account": "api_co", "item": "api_calls", "quantity": "1", "period": "2026-10"})
    assert status == 409 and "closed" in out["error"]
