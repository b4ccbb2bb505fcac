"""One task-group tree: committer, perception, planner, worker pool and judge.

Everything started here is owned by one task group inside the MCP pool's
context, so a shutdown (idle, Ctrl-C, SIGTERM) cancels every role, lets a
commit in progress finish (it is shielded), and stops the MCP subprocesses.
Work not yet decided stays pending in the store and is resumed next start.
"""

from __future__ import annotations

import logging
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from chimera.config.home import Home
from chimera.config.loader import Fleet
from chimera.governance.model_spend import ModelSpend
from chimera.governance.permissions import RoleBook
from chimera.governance.security.gateway import Classifier, SecurityGateway
from chimera.governance.security.screened_news import ScreenedNews
from chimera.governance.treasury import Treasury
from chimera.mcp.command import ServerCommand
from chimera.mcp.fleet_servers import fleet_server_specs
from chimera.mcp.memory_client import MemoryClient
from chimera.mcp.news_client import McpNewsSource, NewsSource, news_sources
from chimera.mcp.permissions import ToolPermissions
from chimera.mcp.pool import McpPool, ServerStatus, open_pool
from chimera.models.records import Result, Task
from chimera.models.work import TaskStatus
from chimera.pipeline.books import CampaignBook, DependencyBook, KillSwitch
from chimera.pipeline.crashpoints import CrashPoints
from chimera.pipeline.deferrals import Deferrals
from chimera.pipeline.messages import PlanRequest
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker
from chimera.pipeline.window import CycleWindow
from chimera.platforms.base import MentionSource, Platform
from chimera.platforms.factory import open_remote_platforms
from chimera.platforms.outbox import LocalOutbox
from chimera.providers.base import LLMProvider
from chimera.providers.classifier import HttpClassifier
from chimera.providers.offline import NAME as OFFLINE_WRITER
from chimera.providers.offline import OfflineWriter
from chimera.providers.registry import open_providers
from chimera.roles.judge import Judge, content_limit
from chimera.roles.mentions import MentionWatcher
from chimera.roles.perception import Perception
from chimera.roles.planner import Planner
from chimera.roles.worker import Worker
from chimera.runtime.interpreter import freeze_start_up_objects, runtime_interpreter
from chimera.secret_store import Redactor, SecretStore
from chimera.skills.analyze_trends import AnalyzeTrends, TrendCache
from chimera.skills.base import AgentMemory, FleetView, Skill
from chimera.skills.generate_content import GenerateContent
from chimera.skills.post_content import PostContent, Publishing, ReplyComment
from chimera.store.audit import audit_entry
from chimera.store.audit_chain import AuditEntry
from chimera.store.checkpointer import Checkpointer
from chimera.store.committer import Committer, WriteOp
from chimera.store.database import Database
from chimera.store.fleet import campaign_states, kill_switch_on, sync_fleet
from chimera.store.ledger import sync_limits
from chimera.store.mcp_state import record_servers, stop_servers
from chimera.store.scope import TenantScope
from chimera.store.statements import Stmt
from chimera.store.tasks import max_seq, open_tasks, released_tasks, seen_items
from chimera.wallets.provider_account import ProviderAccount

log = logging.getLogger("chimera.runtime")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How ``chimera run`` should behave."""

    until_idle: bool = False
    poll_interval_s: float | None = None
    workers: int | None = None
    llm_latency_ms: int | None = None
    news: ServerCommand | None = None
    """Replaces the bundled news server's command (default: the fleet's ``[news]`` settings)."""
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
    memory: str = ""
    platforms: list[str] = field(default_factory=list)
    servers: list[ServerStatus] = field(default_factory=list)
    blocked_items: int = 0
    replies_requested: int = 0
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
    window: CycleWindow
    memory: MemoryClient | None = None
    gateway: SecurityGateway | None = None
    deferrals: Deferrals | None = None
    mentions: MentionWatcher | None = None


async def build_pipeline(
    fleet: Fleet,
    db: Database,
    news: NewsSource,
    *,
    sources: Sequence[NewsSource] | None = None,
    memory: AgentMemory | None = None,
    permissions: ToolPermissions | None = None,
    provider: LLMProvider | None = None,
    workers: int | None = None,
    crash: CrashPoints | None = None,
    classifier: Classifier | None = None,
    remotes: Mapping[str, Platform] | None = None,
    checkpointer: Checkpointer | None = None,
) -> Pipeline:
    """Sync the fleet into the store and wire every role to shared queues.

    ``news`` serves trends; ``sources`` are what perception reads (default:
    ``news``); ``memory`` is the agents' memory (None: not consulted);
    ``checkpointer`` is told of every group commit (None: the writer checkpoints).
    """
    scope = TenantScope(db, fleet.tenant_id)
    await sync_fleet(scope, fleet)
    policy = fleet.policy
    crash = crash or CrashPoints()
    view = FleetView.of(fleet)
    book = CampaignBook(await campaign_states(scope))
    deps = DependencyBook()
    window = CycleWindow(policy.runtime.max_cycles_in_flight)
    tracker = WorkTracker()
    work: PriorityQueue[Task] = PriorityQueue()
    results: PriorityQueue[Result] = PriorityQueue()
    inbox: PriorityQueue[PlanRequest] = PriorityQueue()
    committer = Committer(db, checkpointer.committed if checkpointer is not None else None)
    kill = KillSwitch()
    kill.on = await kill_switch_on(scope)

    async def audit(entries: list[AuditEntry]) -> None:
        await committer.submit(WriteOp(audits=entries))

    gateway = SecurityGateway(policy.security, tenant_id=fleet.tenant_id, classifier=classifier, audit=audit)
    roles = RoleBook(policy.roles, fleet.personas)

    async def refused(task: Task, why: str) -> None:
        await audit([audit_entry(task.tenant_id, "permission.refused", "worker", task.task_id,
                                 {"type": task.type, "reason": why}, task.agent_id)])  # fmt: skip

    trends = TrendCache(ScreenedNews(news, gateway), ttl_s=policy.perception.poll_interval_s)
    provider = provider or OfflineWriter(policy.runtime.llm_latency_ms)
    platforms: dict[str, Platform] = {
        "outbox": LocalOutbox(committer, policy.platform("outbox").max_chars),
        **(remotes or {}),
    }
    deferrals = Deferrals(work, tracker)
    permissions = permissions or ToolPermissions(policy.roles, fleet.personas)
    publishing = Publishing(
        platforms, view, policy.disclosure, crash, kill, memory, roles, policy.security.link_allowlist
    )
    skills: dict[str, Skill] = {
        s.task_type: s
        for s in (
            AnalyzeTrends(trends, permissions),
            GenerateContent(provider, view, content_limit(policy, "outbox"), memory, policy.memory.recall),
            PostContent(publishing),
            ReplyComment(publishing, policy.platforms),
        )
    }
    planner = Planner(
        tenant_id=fleet.tenant_id, view=view, book=book, deps=deps, inbox=inbox, work=work,
        committer=committer, tracker=tracker, crash=crash, trends=trends, next_seq=await max_seq(scope),
        window=window,
    )  # fmt: skip
    judge = Judge(
        policy=policy, view=view, results=results, work=work, deps=deps, committer=committer,
        tracker=tracker, crash=crash, window=window,
    )  # fmt: skip
    perception = Perception(
        sources=list(sources) if sources is not None else [news], screen=gateway, policy=policy.perception,
        view=view, book=book, seen=await seen_items(scope),
        inbox=inbox, tracker=tracker,
    )  # fmt: skip
    pool = [Worker(skills, work, results, crash, roles, refused, deferrals)
            for _ in range(workers or policy.runtime.workers)]  # fmt: skip
    adapters = [getattr(r, "remote", r) for r in (remotes or {}).values()]
    listening = [a for a in adapters if isinstance(a, MentionSource)]

    async def remember(campaign_id: str, seen_id: str) -> None:
        op = WriteOp()
        op.add(Stmt.INSERT_SEEN, (fleet.tenant_id, campaign_id, seen_id, 0.0, time.time()))
        await committer.submit(op)

    mentions = MentionWatcher(
        sources=[r for r in listening if policy.platforms[r.name].reads_mentions(r.name)], policies=policy.platforms,
        view=view, book=book, seen=perception.seen, gateway=gateway, inbox=inbox, tracker=tracker, remember=remember,
    )  # fmt: skip
    client = memory if isinstance(memory, MemoryClient) else None
    return Pipeline(scope, view, book, deps, tracker, work, results, inbox, committer, planner, judge, pool,
                    perception, trends, kill, window, client, gateway, deferrals, mentions)  # fmt: skip


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
    """Start the committer, memory flusher, planner, judge and worker pool in ``tg``."""
    tg.start_soon(p.committer.run)
    if p.memory is not None:
        tg.start_soon(p.memory.run)
    if p.deferrals is not None:
        tg.start_soon(p.deferrals.run)
    tg.start_soon(p.planner.run)
    # Two judge loops: one decides a batch while the other's batch commits.
    tg.start_soon(p.judge.run)
    tg.start_soon(p.judge.run)
    for worker in p.workers:
        tg.start_soon(worker.run)


class _ServerStates:
    """Collects the pool's status reports; a task writes them to the store for ``chimera status``."""

    def __init__(self) -> None:
        self.latest: dict[str, ServerStatus] = {}
        self.changed = anyio.Event()

    def report(self, status: ServerStatus) -> None:
        self.latest[status.name] = status
        self.changed.set()

    async def record(self, scope: TenantScope) -> None:
        while True:
            await self.changed.wait()
            self.changed = anyio.Event()
            await record_servers(scope, [_status_row(s) for s in self.latest.values()])


def _status_row(s: ServerStatus) -> dict[str, object]:
    return {"name": s.name, "state": s.state.value, "restarts": s.restarts, "last_error": s.last_error,
            "tools": s.tools}  # fmt: skip


@asynccontextmanager
async def open_fleet_pool(
    fleet: Fleet, home_data: Path, news: ServerCommand | None = None, states: _ServerStates | None = None
) -> AsyncIterator[McpPool]:
    """Start and supervise every MCP server of the fleet (bundled and configured)."""
    specs = fleet_server_specs(fleet.policy, home_data, news=news)
    async with open_pool(specs, fleet.policy.mcp, states.report if states else None) as pool:
        yield pool


async def run_fleet(
    fleet: Fleet,
    db: Database,
    options: RunOptions,
    *,
    home: Home,
    secrets: SecretStore | None = None,
    on_ready: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Run the fleet until idle (``until_idle``) or until a signal."""
    summary = RunSummary()
    policy = fleet.policy
    latency = options.llm_latency_ms if options.llm_latency_ms is not None else policy.runtime.llm_latency_ms
    scope = TenantScope(db, fleet.tenant_id)
    states = _ServerStates()
    async with AsyncExitStack() as stack:
        stack.enter_context(runtime_interpreter())
        classifier = None
        if policy.security.classifier_url:
            key = secrets.get("CHIMERA_CLASSIFIER_API_KEY") if secrets is not None else None
            classifier = await stack.enter_async_context(HttpClassifier(policy.security.classifier_url, key))
        mcp = await stack.enter_async_context(open_fleet_pool(fleet, home.data_dir, options.news, states))
        store = secrets or SecretStore(Redactor())
        crash = CrashPoints(options.crash_at)
        remotes = await open_remote_platforms(policy, scope, store, stack, crash)
        spend = ModelSpend(
            scope, Treasury(scope, policy.money, ProviderAccount(), roles=RoleBook(policy.roles, fleet.personas))
        )
        writers = await open_providers(policy.llm, fleet.personas, store, stack, OfflineWriter(latency), spend)
        await record_servers(scope, [_status_row(s) for s in mcp.statuses()])
        permissions = ToolPermissions(policy.roles, fleet.personas)
        memory = MemoryClient(mcp.server("memory"), permissions)
        refs = [(r.server, r.uri) for r in policy.perception.sources]
        news = McpNewsSource(mcp.server("news"))
        checkpointer = Checkpointer(db)
        p = await build_pipeline(
            fleet, db, news, sources=news_sources(mcp, refs), memory=memory, permissions=permissions,
            provider=writers, workers=options.workers, crash=crash, classifier=classifier, remotes=remotes,
            checkpointer=checkpointer,
        )  # fmt: skip
        await sync_limits(scope, fleet)  # model spend goes through the money rules
        summary.resumed, summary.orphaned = await resume_open_work(p)
        summary.writer = ", ".join(writers.names).replace("offline", OFFLINE_WRITER)
        summary.platforms = ["outbox", *remotes]
        summary.news = news.name
        summary.memory = memory.name
        summary.servers = mcp.statuses()
        if on_ready is not None:
            on_ready(summary)
        freeze_start_up_objects()
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(_stop_on_signal, tg.cancel_scope, summary)
                tg.start_soon(states.record, scope)
                tg.start_soon(checkpointer.run)
                start_roles(tg, p)
                if options.until_idle:
                    await p.perception.poll_once()
                    if p.mentions is not None:
                        await p.mentions.poll_once()
                    await p.tracker.wait_idle()
                    tg.cancel_scope.cancel()
                else:
                    interval = options.poll_interval_s or policy.perception.poll_interval_s
                    tg.start_soon(p.perception.run, interval)
                    if p.mentions is not None:
                        tg.start_soon(p.mentions.run, interval)
                    tg.start_soon(_pick_up_released, p, options.resume_interval_s)
                    tg.start_soon(_watch_kill_switch, p)
        finally:
            with anyio.CancelScope(shield=True):
                await stop_servers(scope)
        summary.alerts = p.perception.alerts
        summary.cycles = p.planner.cycles
        summary.conflicts = p.planner.conflicts
        summary.decisions = p.judge.verdicts
        summary.perception_errors = list(p.perception.errors)
        summary.blocked_items = p.perception.blocked
        summary.replies_requested = p.mentions.requested if p.mentions is not None else 0
        summary.servers = mcp.statuses()
    return summary
