"""Pure settlement latency: price + split one job, as the completion handler does (goal < 1 ms).

    .venv/bin/python bench/settlement_pure.py [--config config.yaml] [--iterations 20000]

Prints a markdown table of p50/p99 per operation. Runs in-process on the shipped config; no I/O
inside the timed region.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from handlers.config import interpolate  # noqa: E402
from settlement import SettlementConfig, bill_plan, convert, quote_ticket, split_amount  # noqa: E402

GOAL_MS = 1.0


def timings(fn: Callable[[], object], iterations: int) -> list[float]:
    for _ in range(min(1000, iterations)):  # warm caches and the allocator first
        fn()
    out = []
    gc.disable()  # measure the code, not a collection that happens to land in one sample
    try:
        for _ in range(iterations):
            t0 = time.perf_counter_ns()
            fn()
            out.append((time.perf_counter_ns() - t0) / 1e6)
    finally:
        gc.enable()
    return out


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--iterations", type=int, default=20000)
    args = ap.parse_args()
    cfg = SettlementConfig.from_mapping(interpolate(yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))))
    parts = [("压缩机", "180.00"), ("滤网", "35.50")]

    def price_cn():
        return quote_ticket(cfg, "hvac_repair", "east", hours="1.5", parts=parts, surcharges=["urgent", "night"])

    q_cn = price_cn()

    def split_cn():
        return split_amount(q_cn.subtotal, q_cn.currency, cfg.split_rule(q_cn.template))

    def job_cn():  # what completing one job costs: price and split
        q = price_cn()
        split_amount(q.subtotal, q.currency, cfg.split_rule(q.template))
        return q

    def job_th():  # cross-border: CNY template × multiplier × stored rate, split, convert to CNY
        q = quote_ticket(cfg, "pos_repair", "th", hours="2", surcharges=["urgent"])
        split_amount(q.subtotal, q.currency, cfg.split_rule(q.template))
        return convert(q.money(), cfg.fx_rate(q.currency, cfg.reporting_currency))

    def plan_basic():
        return bill_plan(cfg, plan="basic", tickets=650)

    cases = [
        ("quote_ticket (hvac, east, 2 parts, 2 surcharges)", price_cn),
        ("split_amount (internal price + weights)", split_cn),
        ("one job: quote + split (CNY)", job_cn),
        ("one job: quote + split + convert (THB→CNY)", job_th),
        ("bill_plan basic, 650 tickets", plan_basic),
    ]
    print(f"Python {sys.version.split()[0]}, {args.iterations} iterations each, goal p99 < {GOAL_MS} ms\n")
    print("| operation | p50 (µs) | p99 (µs) | max (µs) | p99 < 1 ms |")
    print("| --- | ---: | ---: | ---: | :---: |")
    worst = 0.0
    for name, fn in cases:
        s = timings(fn, args.iterations)
        p50, p99 = pct(s, 50), pct(s, 99)
        worst = max(worst, p99)
        print(f"| {name} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {max(s) * 1000:.1f} | {'yes' if p99 < GOAL_MS else 'NO'} |")
    return 0 if worst < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
