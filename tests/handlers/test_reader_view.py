"""What a reader of another language or currency sees: names in their language (with sensible
fallbacks), and amounts in their own currency beside the job's."""

from __future__ import annotations

from datetime import datetime

import pytest

from handlers.config import localized, parse_config
from handlers.context import Context
from handlers.money_view import also_in_own
from tests.conftest import base_config_data


@pytest.fixture(scope="module")
def cfg():
    return parse_config(base_config_data(), env={})


def ctx_for(cfg, userid="admin"):
    return Context(cfg=cfg, session=None, cache=None, userid=userid, chatid=None, channel="app",
                   now=datetime(2026, 12, 5, 8, 0), settlement=cfg.ledger)


def test_a_thai_amount_is_also_shown_in_a_chinese_managers_yuan(cfg):
    # 1650.21 THB × 0.2010 (the stored THB→CNY rate) = 331.692… → 331.69 CNY.
    assert also_in_own(ctx_for(cfg), 165021, "THB", "admin") == " ≈ 331.69 CNY"


def test_the_same_currency_or_no_rate_adds_nothing(cfg):
    assert also_in_own(ctx_for(cfg), 165021, "CNY", "admin") == ""
    assert also_in_own(ctx_for(cfg), 100, "JPY", "admin") == ""   # no JPY rate: never guessed
    assert also_in_own(ctx_for(cfg, "somchai"), 165021, "THB", "somchai") == ""


def test_names_follow_the_reader(cfg):
    bkk = cfg.region("th").cities[0]
    assert (bkk.name_in("th"), bkk.name_in("en"), bkk.name_in("zh")) == ("กรุงเทพฯ", "Bangkok", "曼谷")
    assert cfg.region("east").name_in("fr") == "Chine de l'Est"
    assert cfg.skill("hvac").name_in("th") == "แอร์"
    siam = cfg.group("wr_bkk_siam")
    assert (siam.store_in("th"), siam.store_in("zh"), siam.store_in("fr")) == ("สาขาสยาม", "暹罗店", "Siam store")


def test_without_a_name_in_the_readers_language_an_alias_in_their_script_is_used():
    aliases = ["上海市", "沪", "SH", "Shanghai", "ช่างไห่"]
    assert localized("上海", {}, aliases, "th") == "ช่างไห่"
    assert localized("上海", {}, aliases, "fr") == "Shanghai"       # not the abbreviation "SH"
    assert localized("上海", {"en": "Shanghai City"}, aliases, "fr") == "Shanghai City"
    assert localized("上海", {}, ["沪"], "en") == "上海"            # nothing readable: the configured name
    assert localized("上海", {"th": "เซี่ยงไฮ้"}, aliases, "zh-Hant") == "上海"


def test_names_in_an_unknown_language_are_refused():
    data = base_config_data()
    data["skills"][0]["names"] = {"klingon": "x"}
    with pytest.raises(Exception, match="unknown languages"):
        parse_config(data, env={})
