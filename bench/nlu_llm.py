"""LLM backend bench: does the time budget hold when the LLM is slow, and what does a call cost?

    .venv/bin/python bench/nlu_llm.py [--messages 50] [--delay 3] [--budget-ms 1500] [--concurrency 1]

Starts the OpenAI-compatible stand-in (tests/nlu/llm_standin.py) on 127.0.0.1 and parses distinct
messages from tests/nlu/cases.yaml through LlmParser, as the desk would:

1. slow LLM (the stand-in answers after --delay s): every parse must return within the budget
   (nlu.llm_timeout_ms, default 1000 ms) plus a small margin, with exactly the embedded parser's answer;
2. healthy LLM (no delay): the cost of a real HTTP round trip over loopback (no model time);
3. the same messages again: answered from the cache, no call.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MARGIN_MS = 100.0  # allowed past the budget: the embedded parse (< 1 ms) and event-loop scheduling


def _q(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(p * len(s)))]


async def _run(args: argparse.Namespace) -> int:
    from handlers.config import load_config
    from nlu import Lexicon, Parser
    from nlu.evaluate import load_cases
    from nlu.llm_backend import LlmParser
    from tests.nlu.llm_standin import LlmStandin, content

    cfg = load_config(args.config, env={})
    budget_ms = args.budget_ms if args.budget_ms is not None else cfg.nlu.llm_timeout_ms
    embedded = Parser(Lexicon.from_config(cfg))
    cases = load_cases(args.cases)
    # Distinct messages spread over the whole file (every intent, every language).
    step = max(1, len(cases) // args.messages)
    picked, seen = [], set()
    for c in cases[::step] + cases:
        key = " ".join(embedded.normalize(c["text"]).text.split())
        if key and key not in seen:
            seen.add(key)
            picked.append(c)
        if len(picked) == args.messages:
            break

    logging.basicConfig(level=logging.ERROR)  # one WARNING per fallback is the point; keep the table readable
    standin = LlmStandin(api_key="bench-key", default=content("help", 0.99))
    url = await standin.start()
    sem = asyncio.Semaphore(args.concurrency)

    async def timed(p: LlmParser, c: dict) -> tuple[float, object]:
        async with sem:
            t0 = time.perf_counter()
            got = await p.parse(c["text"], now=c["now"])
            return (time.perf_counter() - t0) * 1000, got

    try:
        async with LlmParser(fallback=embedded, url=url, model="bench-model", api_key="bench-key",
                             timeout_s=budget_ms / 1000, cache_size=cfg.nlu.llm_cache_size) as llm:
            # 1. slow LLM
            standin.delay_s = args.delay
            t0 = time.perf_counter()
            slow = await asyncio.gather(*(timed(llm, c) for c in picked))
            slow_wall = time.perf_counter() - t0
            slow_ms = [ms for ms, _ in slow]
            same = sum(got == embedded.parse(c["text"], now=c["now"]) for (_, got), c in zip(slow, picked))
            slow_calls = standin.calls
            # 2. healthy LLM (the stand-in answers "help" to everything, so answers are visibly the LLM's)
            standin.delay_s = 0
            calls0 = standin.calls
            fast = await asyncio.gather(*(timed(llm, c) for c in picked))
            fast_ms = [ms for ms, _ in fast]
            from_llm = sum(got.intent == "help" and got.confidence == 0.99 for _, got in fast)
            fast_calls = standin.calls - calls0
            # 3. repeated messages
            calls1 = standin.calls
            cached = await asyncio.gather(*(timed(llm, c) for c in picked))
            cached_ms = [ms for ms, _ in cached]
            cached_calls = standin.calls - calls1
            stats = dict(llm.stats)
    finally:
        await standin.close()

    n = len(picked)
    limit = budget_ms + MARGIN_MS
    within = sum(ms <= limit for ms in slow_ms)
    rows = [
        (f"slow LLM ({args.delay:g} s): parse p50", f"{_q(slow_ms, 0.5):.1f} ms", "", None),
        (f"slow LLM ({args.delay:g} s): parse p99", f"{_q(slow_ms, 0.99):.1f} ms", f"<= {limit:.0f} ms",
         _q(slow_ms, 0.99) <= limit),
        (f"slow LLM ({args.delay:g} s): parse max", f"{max(slow_ms):.1f} ms", f"<= {limit:.0f} ms",
         max(slow_ms) <= limit),
        ("slow LLM: calls within budget + margin", f"{within}/{n}", f"{n}/{n}", within == n),
        ("slow LLM: answer == embedded parser's", f"{same}/{n}", f"{n}/{n}", same == n),
        ("slow LLM: requests the stand-in received", str(slow_calls), str(n), slow_calls == n),
        ("slow LLM: wall time for all", f"{slow_wall:.2f} s", "", None),
        ("healthy LLM: parse p50 / p99", f"{_q(fast_ms, 0.5):.2f} / {_q(fast_ms, 0.99):.2f} ms", "", None),
        ("healthy LLM: answers from the LLM", f"{from_llm}/{n}", f"{n}/{n}", from_llm == n and fast_calls == n),
        ("repeat: parse p50 / max (cache)", f"{_q(cached_ms, 0.5):.3f} / {max(cached_ms):.3f} ms", "", None),
        ("repeat: calls made", str(cached_calls), "0", cached_calls == 0),
        ("LlmParser.stats", ", ".join(f"{k} {v}" for k, v in stats.items()), "", None),
    ]
    print(f"LLM backend bench: {n} distinct messages, budget {budget_ms} ms (+{MARGIN_MS:.0f} ms margin), "
          f"concurrency {args.concurrency}; stand-in at {url}\n")
    print("| metric | value | goal | ok |")
    print("|---|---|---|---|")
    for name, value, goal, ok in rows:
        print(f"| {name} | {value} | {goal} | {'' if ok is None else ('yes' if ok else 'NO')} |")
    over = [ms - budget_ms for ms in slow_ms]
    print(f"\nslow LLM: time past the budget min / median / max = {min(over):+.1f} / "
          f"{statistics.median(over):+.1f} / {max(over):+.1f} ms")
    return 0 if all(ok is not False for *_, ok in rows) else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=50)
    ap.add_argument("--delay", type=float, default=3.0, help="seconds the slow stand-in takes to answer")
    ap.add_argument("--budget-ms", type=int, default=None, help="default: nlu.llm_timeout_ms from the config")
    ap.add_argument("--concurrency", type=int, default=1, help="parses in flight at once")
    ap.add_argument("--config", default=str(ROOT / "config.yaml"))
    ap.add_argument("--cases", default=str(ROOT / "tests" / "nlu" / "cases.yaml"))
    return asyncio.run(_run(ap.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
