"""Times the CFO: one decision per random spend request, measured one by one."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from chimera.governance.cfo import History, Limits, SpendRequest, Tier, review
from chimera.governance.treasury import limits_in_cents
from chimera.models.config import MoneyPolicy

CATEGORIES = ("compute", "storage", "api", "content", "other") * 4 + ("unknown",)


def _amount(rng: random.Random) -> int:
    """Mostly small payments, some mid-sized, a few large or malformed."""
    roll = rng.random()
    if roll < 0.8:
        return rng.randint(1, 1500)
    if roll < 0.95:
        return rng.randint(1500, 5000)
    return rng.randint(-50, 8000)


def run_cfo_bench(requests: int = 100_000, seed: int = 7) -> dict[str, Any]:
    """Median and p99 CPU time per decision, and how the decisions fell."""
    rng = random.Random(seed)
    limits: Limits = limits_in_cents(MoneyPolicy(deny_recipients=["0xdead"]), "agent")
    cases = [
        (
            SpendRequest(
                "agent",
                rng.choice(("transfer", "transfer", "deploy_token")),
                rng.choice(CATEGORIES),
                rng.choice(("0xabc", "0xdef", "0x123") * 5 + ("0xdead",)),
                _amount(rng),
                rng.choice(("", "api plan") + ("pay the storage bill for the archive",) * 8),
            ),
            History(
                day=rng.randint(0, 5000),
                week=rng.randint(0, 20000),
                month=rng.randint(0, 50000),
                category_day=rng.randint(0, 2000),
                known_recipient=rng.random() < 0.7,
                mean=rng.uniform(0, 3000),
                std=rng.uniform(0, 800),
                count=rng.randint(0, 200),
                recent=rng.randint(0, 10),
            ),
        )
        for _ in range(requests)
    ]
    timings = []
    tiers: dict[str, int] = dict.fromkeys((t.value for t in Tier), 0)
    clock = time.perf_counter_ns
    for req, hist in cases:
        start = clock()
        decision = review(req, hist, limits)
        timings.append(clock() - start)
        tiers[decision.tier.value] += 1
    timings.sort()
    return {
        "requests": requests,
        "median_us": round(statistics.median(timings) / 1000, 2),
        "p99_us": round(timings[int(0.99 * (len(timings) - 1))] / 1000, 2),
        "max_us": round(timings[-1] / 1000, 2),
        "tiers": tiers,
    }
