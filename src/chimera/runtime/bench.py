"""RW-1, the reference workload: one campaign cycle for every agent of a generated fleet.

It runs the same pipeline as ``chimera run`` (build_pipeline: roles, store,
governance, skills) on the embedded defaults: the offline writer (with
``llm_latency_ms`` standing in for a model call), the local outbox, and the
bundled news MCP server serving a generated snapshot of ~50 topics. The
store is a file on disk with the normal durability settings.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from chimera import native
from chimera.config.loader import Fleet
from chimera.errors import ConfigError
from chimera.mcp.command import ServerCommand
from chimera.mcp.memory_client import MemoryClient
from chimera.mcp.news_client import McpNewsSource
from chimera.mcp.permissions import ToolPermissions
from chimera.mcp.pool import ServerSpec, open_pool
from chimera.models.config import Campaign, FleetPolicy, McpPolicy, Persona, RuntimePolicy
from chimera.models.work import HIGH
from chimera.pipeline.messages import PlanRequest
from chimera.pipeline.window import BENCH_WINDOW
from chimera.providers.offline import NAME as OFFLINE_WRITER
from chimera.providers.offline import OfflineWriter
from chimera.runtime import cpu_use
from chimera.runtime.interpreter import freeze_start_up_objects, runtime_interpreter
from chimera.runtime.runner import build_pipeline, start_roles
from chimera.store import open_database
from chimera.store.checkpointer import Checkpointer
from chimera.store.invariants import workload_counts, workload_problems
from chimera.store.ledger import set_flag
from chimera.store.scope import TenantScope

TOPICS = 50
#: The runtime flag (name, value) a bench store carries, so that a later ``--db`` of the same path may replace it.
BENCH_FLAG = ("bench", "RW-1")
#: Topics whose posts always go to a human (they match the default sensitive list).
SENSITIVE = ("health", "finance", "politics")
WORDS = (
    "solar",
    "battery",
    "grid",
    "wind",
    "robotics",
    "agents",
    "chips",
    "launch",
    "orbit",
    "harvest",
    "coffee",
    "sneakers",
    "vinyl",
    "chess",
    "climbing",
    "sourdough",
    "cycling",
    "ferries",
    "museums",
    "surfing",
    "gardens",
    "typography",
    "drones",
    "rivers",
    "bees",
)


def topic_names() -> list[str]:
    """~50 topics: a few sensitive ones, the rest generated."""
    return [*SENSITIVE, *(f"topic{n:02d}" for n in range(TOPICS - len(SENSITIVE)))]


def snapshot(topics: list[str]) -> list[dict[str, Any]]:
    """Three headlines per topic from two sources, written so goals match them."""
    items = []
    for t, topic in enumerate(topics):
        for k in range(3):
            a, b = WORDS[(t + k) % len(WORDS)], WORDS[(t * 3 + k + 1) % len(WORDS)]
            items.append({
                "id": f"rw1-{topic}-{k}", "topic": topic, "tags": [a, b], "source": f"wire{k % 2}",
                "published_at": f"2026-11-{20 - k:02d}T08:00:00Z",
                "title": f"{a.title()} and {b} breakthrough reported in {topic} circles",
                "summary": f"Researchers describe progress on {a} and {b} that matters for {topic}.",
            })  # fmt: skip
    return items


def fleet(agents: int, tenant: str, topics: list[str], llm_latency_ms: int, workers: int, window: int = 0) -> Fleet:
    """A generated fleet: one persona and one active campaign per agent."""
    personas: dict[str, Persona] = {}
    campaigns: list[Campaign] = []
    for n in range(agents):
        topic = topics[n % len(topics)]
        t = topics.index(topic)
        a, b = WORDS[t % len(WORDS)], WORDS[(t * 3 + 1) % len(WORDS)]
        agent = f"a{n:05d}"
        personas[agent] = Persona(agent_id=agent, name=f"Agent {n}", voice="plain", niche=f"{a} and {b}",
                                  topics=[topic])  # fmt: skip
        campaigns.append(Campaign(campaign_id=f"c{n:05d}", agent_id=agent, goal=f"Follow {a} and {b} news in {topic}",
                                  topics=[topic]))  # fmt: skip
    runtime = RuntimePolicy(workers=workers, llm_latency_ms=llm_latency_ms, max_cycles_in_flight=window)
    policy = FleetPolicy(tenant_id=tenant, runtime=runtime)
    return Fleet(policy=policy, personas=personas, campaigns=campaigns)


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """RW-1 parameters."""

    agents: int = 10_000
    llm_latency_ms: int = 200
    tenants: int = 1
    db: Path | None = None
    workers: int | None = None
    window: int = BENCH_WINDOW
    """Cycles in flight at once (``max_cycles_in_flight``; 0: plan every agent at once)."""


def default_workers(agents: int, window: int) -> int:
    """Enough workers for the batches that can be out at once: one per 16 cycles that can be in flight
    (the window, else every agent), at least 16 and at most 2,000.

    A worker takes every ready task of one type at once, so a handful of workers carry thousands
    of cycles: at 10,000 agents and a window of 3,000, 30 to 1,000 workers ran RW-1 at the same
    speed. Idle workers only cost: 6,000 of them ran it 4-6% slower, with 24 MiB more memory.
    """
    in_flight = min(window, agents) if window else agents
    return max(16, min(in_flight // 16, 2_000))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run_rw1(options: BenchOptions, work_dir: Path, progress: Callable[[int, int], None] | None = None
                  ) -> dict[str, Any]:  # fmt: skip
    """Run RW-1 and return the result object (see ../shared/bench/RW-1.md)."""
    topics = topic_names()
    snap, db_path = _prepare_files(options, work_dir, topics)
    workers = options.workers or default_workers(options.agents, options.window)
    base, extra = divmod(options.agents, options.tenants)
    per_tenant = [base + (1 if t < extra else 0) for t in range(options.tenants)]
    window = -(-options.window // options.tenants) if options.window else 0  # per tenant, rounded up
    fleets = [fleet(n, f"tenant{t}", topics, options.llm_latency_ms, workers, window) for t, n in enumerate(per_tenant)]
    specs = [ServerSpec("news", ServerCommand.bundled_news(str(snap)), 60.0)]
    specs += [
        ServerSpec(f"memory-{f.tenant_id}", ServerCommand.bundled_memory(work_dir / f"memory-{f.tenant_id}.db",
                   f.tenant_id), 60.0)
        for f in fleets
    ]  # fmt: skip
    with runtime_interpreter():
        async with open_pool(specs, McpPolicy(call_timeout_s=60.0)) as mcp, open_database(db_path) as db:
            for f in fleets:
                await set_flag(TenantScope(db, f.tenant_id), *BENCH_FLAG, actor="bench")
            setup_start = time.perf_counter()
            checkpointer = Checkpointer(db)
            pipelines = []
            news = McpNewsSource(mcp.server("news"))
            for f in fleets:
                permissions = ToolPermissions(f.policy.roles, f.personas)
                pipelines.append(
                    await build_pipeline(
                        f,
                        db,
                        news,
                        memory=MemoryClient(mcp.server(f"memory-{f.tenant_id}"), permissions),
                        permissions=permissions,
                        provider=OfflineWriter(options.llm_latency_ms),
                        workers=max(1, workers // options.tenants),
                        checkpointer=checkpointer,
                    )
                )
            freeze_start_up_objects()
            setup_s = time.perf_counter() - setup_start
            start, wall_start, cpu_start = time.perf_counter(), time.time(), cpu_use.sample()
            async with anyio.create_task_group() as tg:
                tg.start_soon(checkpointer.run)
                for p, f in zip(pipelines, fleets, strict=True):
                    start_roles(tg, p)
                    for c in f.campaigns:
                        p.tracker.opened()
                        p.inbox.put(PlanRequest(c.campaign_id, HIGH), HIGH)
                if progress is not None:
                    tg.start_soon(_report, pipelines, progress)
                for p in pipelines:
                    await p.tracker.wait_idle()
                wall = time.perf_counter() - start
                cpu_end = cpu_use.sample()
                tg.cancel_scope.cancel()
            shutdown_s = time.perf_counter() - start - wall
            problems = await workload_problems(db)
            counts = await workload_counts(db)
    decisions = {v: sum(p.judge.verdicts.get(v, 0) for p in pipelines) for v in ("approve", "escalate", "reject")}
    cycles_ms = sorted(
        (p.judge.last_decided[cid] - first) * 1000
        for p in pipelines for cid, first in p.planner.first_planned.items()
    )  # fmt: skip
    # from the start of the run (wall clock) to each agent's last decision: what a window cannot hide
    finish_ms = sorted((last - wall_start) * 1000 for p in pipelines for last in p.judge.last_decided.values())
    tasks = counts["tasks"]
    db_bytes = _file_bytes(db_path)
    return {
        "agents": options.agents,
        "tenants": options.tenants,
        "tasks": tasks,
        "decided_attempts": sum(decisions.values()),
        "wall_s": round(wall, 3),
        "setup_s": round(setup_s, 3),
        "shutdown_s": round(shutdown_s, 3),
        "tasks_per_s": round(tasks / wall, 1) if wall else 0.0,
        "p50_cycle_ms": round(statistics.median(cycles_ms), 1) if cycles_ms else None,
        "p95_cycle_ms": _p95(cycles_ms),
        "p95_finish_ms": _p95(finish_ms),
        "window": options.window,
        "window_peak": max(p.window.peak for p in pipelines),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "decisions": decisions,
        "posts": counts["posts"],
        "db_bytes": db_bytes,
        "llm_latency_ms": options.llm_latency_ms,
        "workers": workers,
        "writer": OFFLINE_WRITER,
        "build": native.STATE,
        "news": "mcp:news",
        "memory": "mcp:memory",
        "memory_round_trips": sum(p.memory.round_trips for p in pipelines if p.memory is not None),
        **cpu_use.per_task(cpu_start, cpu_end, tasks, wall),
        "checkpoints": checkpointer.checkpoints,
        "checkpoint_failures": checkpointer.failures,
        "platform": "outbox",
        "machine": {"cpus": _cpus(), "python": sys.version.split()[0]},
        "self_check": problems,
    }


def _p95(sorted_ms: list[float]) -> float | None:
    return round(sorted_ms[int(0.95 * (len(sorted_ms) - 1))], 1) if sorted_ms else None


def _prepare_files(options: BenchOptions, work_dir: Path, topics: list[str]) -> tuple[Path, Path]:
    snap = work_dir / "rw1-news.json"
    snap.write_text(json.dumps(snapshot(topics)))
    db_path = options.db or work_dir / "rw1.db"
    refusal = store_refusal(db_path)
    if refusal is not None:
        raise ConfigError("--db", f"{db_path} {refusal}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return snap, db_path


def store_refusal(path: Path) -> str | None:
    """Why the bench may not use ``path`` as its store, or None.

    A run starts from an empty store, so it deletes what is at ``path``: only a store an earlier bench
    wrote (it carries ``BENCH_FLAG``) may be there.
    """
    if not path.exists():
        return None
    if not path.is_file():
        return "is not a file"
    if _carries_bench_flag(path):
        return None
    return "exists and was not written by `chimera bench`; the bench starts from an empty store and would delete it"


def _carries_bench_flag(path: Path) -> bool:
    """Whether the file is an SQLite store with ``BENCH_FLAG`` set (read only; the file is not changed)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT COUNT(*) FROM runtime_flags WHERE name = ? AND value = ?", BENCH_FLAG)
            return bool(row.fetchone()[0])
    except sqlite3.Error:  # not SQLite, or a store without runtime flags: no bench wrote it
        return False


def _file_bytes(db_path: Path) -> int:
    return sum(p.stat().st_size for p in (db_path, Path(f"{db_path}-wal")) if p.exists())


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 0)


async def _report(pipelines: list[Any], progress: Callable[[int, int], None]) -> None:
    while True:
        done = sum(sum(p.judge.verdicts.values()) for p in pipelines)
        progress(done, sum(p.tracker.open for p in pipelines))
        await anyio.sleep(0.25)
