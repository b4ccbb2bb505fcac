"""One task-group tree: committer, perception, planner, worker pool and judge.

Everything started here is owned by one task group inside the news server's
context, so a shutdown (idle, Ctrl-C, SIGTERM) cancels every role, lets a
commit in progress finish (it is shielded), and stops the MCP subprocess.
Work not yet decided stays pending in the store and is resumed next start.
"""

from __future__ import annotations

import logging
import signal
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio

from chimera.config.loader import Fleet
from chimera.mcp.command import ServerCommand
from chimera.mcp.news_client import NewsSource, open_news_source
from chimera.models.work import Result, Task, TaskStatus
from chimera.pipeline.books import CampaignBook, DependencyBook, KillSwitch
from chimera.pipeline.crashpoints import CrashPoints
from chimera.pipeline.messages import PlanRequest
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker
from chimera.platforms.base import Platform
from chimera.platforms.outbox import LocalOutbox
from chimera.providers.base import LLMProvider
from chimera.providers.offline import OfflineWriter
from chimera.roles.judge import Judge, content_limit
from chimera.roles.perception import Perception
from chimera.roles.planner import Planner
from chimera.roles.worker import Worker
from chimera.skills.analyze_trends import AnalyzeTrends, TrendCache
from chimera.skills.base import FleetView, Skill
from chimera.skills.generate_content import GenerateContent
from chimera.skills.post_content import PostContent
from chimera.store.committer import Committer
from chimera.store.database import Database
from chimera.store.fleet import campaign_states, kill_switch_on, sync_fleet
from chimera.store.scope import TenantScope
from chimera.store.tasks import max_seq, open_tasks, released_tasks, seen_items

log = logging.getLogger("chimera.runtime")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How ``chimera run`` should behave."""

    until_idle: bool = False
    poll_interval_s: float | None = None
    workers: int | None = None
    llm_latency_ms: int | None = None
    news: ServerCommand = field(default_factory=ServerCommand.bundled_news)
    crash_at: str | None = None
    resume_interval_s: float = 2.0


@dataclass(slots=True)
class RunSummary:
    """What one run did."""

    resumed: int = 0
    orphaned: int = 0
    alerts: int = 0
    cycles: int = 0
    conflicts: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    perception_errors: list[str] = field(default_factory=list)
    writer: str = ""
    news: str = ""
    stopped_by: str = "idle"


@dataclass(slots=True)
class Pipeline:
    """The wired roles of one run (exposed so the bench can drive the same objects)."""

    scope: TenantScope
    view: FleetView
    book: CampaignBook
    deps: DependencyBook
    tracker: WorkTracker
    work: PriorityQueue[Task]
    results: PriorityQueue[Result]
    inbox: PriorityQueue[PlanRequest]
    committer: Committer
    planner: Planner
    judge: Judge
    workers: list[Worker]
    perception: Perception
    trends: TrendCache
    kill: KillSwitch


async def build_pipeline(
    fleet: Fleet,
    db: Database,
    news: NewsSource,
    *,
    provider: LLMProvider | None = None,
    workers: int | None = None,
    crash: CrashPoints | None = None,
) -> Pipeline:
    """Sync the fleet into the store and wire every role to shared queues."""
    scope = TenantScope(db, fleet.tenant_id)
    await sync_fleet(scope, fleet)
    policy = fleet.policy
    crash = crash or CrashPoints()
    view = FleetView.of(fleet)
    book = CampaignBook(await campaign_states(scope))
    deps = DependencyBook()
    tracker = WorkTracker()
    work: PriorityQueue[Task] = PriorityQueue()
    results: PriorityQueue[Result] = PriorityQueue()
    inbox: PriorityQueue[PlanRequest] = PriorityQueue()
    committer = Committer(db)
    kill = KillSwitch()
    kill.on = await kill_switch_on(scope)
    trends = TrendCache(news, ttl_s=policy.perception.poll_interval_s)
    provider = provider or OfflineWriter(policy.runtime.llm_latency_ms)
    platforms: dict[str, Platform] = {"outbox": LocalOutbox(committer, policy.platform("outbox").max_chars)}
    skills: dict[str, Skill] = {
        s.task_type: s
        for s in (
            AnalyzeTrends(trends),
            GenerateContent(provider, view, content_limit(policy, "outbox")),
            PostContent(platforms, view, policy.disclosure, crash, kill),
        )
    }
    planner = Planner(
        tenant_id=fleet.tenant_id, view=view, book=book, deps=deps, inbox=inbox, work=work,
        committer=committer, tracker=tracker, crash=crash, trends=trends, next_seq=await max_seq(scope),
    )  # fmt: skip
    judge = Judge(
        policy=policy, view=view, results=results, work=work, deps=deps, committer=committer,
        tracker=tracker, crash=crash,
    )  # fmt: skip
    perception = Perception(
        source=news, policy=policy.perception, view=view, book=book, seen=await seen_items(scope),
        inbox=inbox, tracker=tracker,
    )  # fmt: skip
    pool = [Worker(skills, work, results, crash) for _ in range(workers or policy.runtime.workers)]
    return Pipeline(scope, view, book, deps, tracker, work, results, inbox, committer, planner, judge, pool,
                    perception, trends, kill)  # fmt: skip


async def resume_open_work(p: Pipeline) -> tuple[int, int]:
    """Queue every pending task and book every blocked one; return (resumed, left for removed campaigns)."""
    tasks = await open_tasks(p.scope)
    orphans = [t for t in tasks if t.campaign_id not in p.view.campaigns]
    if orphans:
        log.warning(
            "%d unfinished tasks belong to campaigns no longer in campaigns.toml; left pending: %s",
            len(orphans), ", ".join(sorted({t.campaign_id for t in orphans})),
        )  # fmt: skip
    for t in tasks:
        if t.campaign_id not in p.view.campaigns:
            continue
        if t.status == TaskStatus.BLOCKED:
            p.deps.add(t)
        else:
            p.tracker.opened()
            p.work.put(t, t.priority, t.seq)
    return len(tasks) - len(orphans), len(orphans)


async def _pick_up_released(p: Pipeline, interval_s: float) -> None:
    """Queue tasks a reviewer released (in another process) while this run waits on them."""
    while True:
        await anyio.sleep(interval_s)
        for t in await released_tasks(p.scope):
            if t.depends_on and any(d.task_id == t.task_id for d in p.deps.peek(t.depends_on)):
                p.deps.release(t.depends_on)
                p.tracker.opened()
                p.work.put(t, t.priority, t.seq)


async def _watch_kill_switch(p: Pipeline, interval_s: float = 1.0) -> None:
    """Follow the kill switch another process (``chimera kill``) may flip."""
    while True:
        await anyio.sleep(interval_s)
        on = await kill_switch_on(p.scope)
        if on != p.kill.on:
            log.warning("kill switch turned %s", "on: publishing stops" if on else "off")
        p.kill.on = on


async def _stop_on_signal(scope: anyio.CancelScope, summary: RunSummary) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async for signum in signals:
            summary.stopped_by = signal.Signals(signum).name
            log.info("received %s; shutting down", summary.stopped_by)
            scope.cancel()
            return


def start_roles(tg: anyio.abc.TaskGroup, p: Pipeline) -> None:
    """Start the committer, planner, judge and worker pool in ``tg``."""
    tg.start_soon(p.committer.run)
    tg.start_soon(p.planner.run)
    # Two judge loops: one decides a batch while the other's batch commits.
    tg.start_soon(p.judge.run)
    tg.start_soon(p.judge.run)
    for worker in p.workers:
        tg.start_soon(worker.run)


async def run_fleet(
    fleet: Fleet,
    db: Database,
    options: RunOptions,
    *,
    on_ready: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Run the fleet until idle (``until_idle``) or until a signal."""
    summary = RunSummary()
    policy = fleet.policy
    latency = options.llm_latency_ms if options.llm_latency_ms is not None else policy.runtime.llm_latency_ms
    async with open_news_source(options.news) as news:
        p = await build_pipeline(
            fleet, db, news, provider=OfflineWriter(latency), workers=options.workers,
            crash=CrashPoints(options.crash_at),
        )  # fmt: skip
        summary.resumed, summary.orphaned = await resume_open_work(p)
        summary.writer = OfflineWriter.name
        summary.news = news.name
        if on_ready is not None:
            on_ready(summary)
        async with anyio.create_task_group() as tg:
            tg.start_soon(_stop_on_signal, tg.cancel_scope, summary)
            start_roles(tg, p)
            if options.until_idle:
                await p.perception.poll_once()
                await p.tracker.wait_idle()
                tg.cancel_scope.cancel()
            else:
                interval = options.poll_interval_s or policy.perception.poll_interval_s
                tg.start_soon(p.perception.run, interval)
                tg.start_soon(_pick_up_released, p, options.resume_interval_s)
                tg.start_soon(_watch_kill_switch, p)
        summary.alerts = p.perception.alerts
        summary.cycles = p.planner.cycles
        summary.conflicts = p.planner.conflicts
        summary.decisions = p.judge.verdicts
        summary.perception_errors = list(p.perception.errors)
    return summary
