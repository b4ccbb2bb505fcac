"""Planner: one campaign cycle into typed tasks, written under optimistic concurrency.

A cycle is analyze_trends, generate_content, and a post_content that stays
blocked until the content is approved. The tasks, the perception dedupe rows
and the campaign's version bump commit in one transaction, and only if the
campaign is still active at the version the planner last read; otherwise the
planner re-reads and retries (a stale write is never applied, never lost).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import anyio

from chimera.json_text import dumps
from chimera.models.records import Task
from chimera.models.work import (
    ANALYZE_TRENDS,
    BLOCKED,
    GENERATE_CONTENT,
    HIGH,
    LOW,
    MEDIUM,
    POST_CONTENT,
    REPLY_COMMENT,
)
from chimera.pipeline.books import CampaignBook, DependencyBook
from chimera.pipeline.crashpoints import CrashPoints
from chimera.pipeline.cycle_ids import CycleIds
from chimera.pipeline.messages import PlanRequest
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker
from chimera.pipeline.window import CycleWindow
from chimera.skills.analyze_trends import TrendCache
from chimera.skills.base import FleetView
from chimera.store.bulk import write_rows
from chimera.store.committer import Committer, WriteOp
from chimera.store.statements import Stmt

log = logging.getLogger("chimera.planner")

MAX_BATCH = 4096
MAX_OCC_RETRIES = 5

#: Every planned campaign's version and status as one JSON row: each row a query returns is a
#: step that gives the GIL up and waits to get it back from a busy event loop (~0.2 ms each),
#: so 125 rows cost the writer ~25 ms where one row costs one hand-off.
_CURRENT = (
    "SELECT json_group_object(campaign_id, json_array(version, status = 'active')) FROM campaigns"
    " WHERE tenant_id = ? AND campaign_id IN (SELECT value FROM json_each(?))"
)


class _Plan:
    """One campaign's planned cycle, waiting for its batch to commit."""

    def __init__(self, request: PlanRequest, version: int, tasks: list[Task]) -> None:
        self.request = request
        self.version = version
        self.tasks = tasks


@dataclass(slots=True)
class _Outcome:
    accepted: set[str] = field(default_factory=set)
    fresh: dict[str, tuple[int, bool]] = field(default_factory=dict)


def task_row(t: Task, now: float) -> tuple[object, ...]:
    """The INSERT_TASK parameters for a task (its enums as the plain values they stand for)."""
    return (
        t.task_id, t.tenant_id, t.agent_id, t.campaign_id, str(t.type), int(t.priority), t.seq, str(t.status),
        t.attempt, t.depends_on, dumps(t.payload), now, now,
    )  # fmt: skip


class Planner:
    """Consumes PlanRequests, writes cycles, and feeds the work queue."""

    def __init__(
        self,
        *,
        tenant_id: str,
        view: FleetView,
        book: CampaignBook,
        deps: DependencyBook,
        inbox: PriorityQueue[PlanRequest],
        work: PriorityQueue[Task],
        committer: Committer,
        tracker: WorkTracker,
        crash: CrashPoints,
        trends: TrendCache | None,
        next_seq: int,
        new_id: Callable[[], str] | None = None,
        window: CycleWindow | None = None,
    ) -> None:
        self._tenant = tenant_id
        self._view = view
        self._book = book
        self._deps = deps
        self._inbox = inbox
        self._work = work
        self._committer = committer
        self._tracker = tracker
        self._crash = crash
        self._trends = trends
        self._seq = next_seq
        self._new_id = new_id or CycleIds()
        self._window = window or CycleWindow()
        self.cycles = 0
        self.conflicts = 0
        self.first_planned: dict[str, float] = {}

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _goal_topic(self, req: PlanRequest) -> str:
        """The topic a goal-driven cycle follows: the campaign's topics in turn, one per version."""
        state = self._book.get(req.campaign_id)
        topics = self._view.campaign(req.campaign_id).topics
        return topics[(state.version if state else 0) % len(topics)]

    def _by_missing_topic(self, batch: list[PlanRequest]) -> dict[str | None, list[PlanRequest]]:
        """``batch`` split by the topic whose trends a request's cycle still needs fetched (None: none)."""
        groups: dict[str | None, list[PlanRequest]] = {}
        for req in batch:
            topic = None
            if req.item is None and req.mention is None and self._book.is_active(req.campaign_id):
                goal_topic = self._goal_topic(req)
                if self._trends is not None and not self._trends.fresh(goal_topic):
                    topic = goal_topic
            groups.setdefault(topic, []).append(req)
        return groups

    async def _cycle(self, req: PlanRequest) -> list[Task]:
        campaign = self._view.campaign(req.campaign_id)
        item = req.item
        if req.mention is not None:
            return self._reply_cycle(req)
        if item is not None:
            topic, headline, summary, item_id = item.topic, item.title, item.summary, item.id
            tags = list(item.tags)
            prios = (req.priority, req.priority, req.priority)
        else:
            topic = self._goal_topic(req)
            latest = await self._trends.get(topic) if self._trends is not None else []
            head = latest[0] if latest else None
            headline = head.title if head else campaign.goal
            summary = head.summary if head else ""
            item_id = head.id if head else ""
            tags = list(head.tags) if head else []
            prios = (HIGH, MEDIUM, LOW)
        cycle = self._new_id()
        tenant, agent, cid = self._tenant, campaign.agent_id, campaign.campaign_id
        analyze = Task(
            task_id=f"{cycle}-a", type=ANALYZE_TRENDS, priority=prios[0], seq=self._next_seq(),
            payload={"topic": topic}, tenant_id=tenant, agent_id=agent, campaign_id=cid,
        )  # fmt: skip
        content = Task(
            task_id=f"{cycle}-c", type=GENERATE_CONTENT, priority=prios[1], seq=self._next_seq(),
            payload={"topic": topic, "headline": headline, "summary": summary, "tags": tags,
                     "item_id": item_id, "relevance": req.relevance},
            tenant_id=tenant, agent_id=agent, campaign_id=cid,
        )  # fmt: skip
        post = Task(
            task_id=f"{cycle}-p", type=POST_CONTENT, priority=prios[2], seq=self._next_seq(),
            payload={"platform": campaign.platforms[0]}, depends_on=content.task_id,
            status=BLOCKED, tenant_id=tenant, agent_id=agent, campaign_id=cid,
        )  # fmt: skip
        return [analyze, content, post]

    def _reply_cycle(self, req: PlanRequest) -> list[Task]:
        """A reply: a draft answering the mention, then reply_comment once the draft is approved."""
        assert req.mention is not None
        m = req.mention
        campaign = self._view.campaign(req.campaign_id)
        cycle = self._new_id()
        tenant, agent, cid = self._tenant, campaign.agent_id, campaign.campaign_id
        content = Task(
            task_id=f"{cycle}-c", type=GENERATE_CONTENT, priority=req.priority, seq=self._next_seq(),
            payload={"topic": "reply", "headline": f"@{m.author} wrote: {m.text}", "summary": "",
                     "tags": [], "item_id": req.seen_id, "relevance": req.relevance, "reply": True},
            tenant_id=tenant, agent_id=agent, campaign_id=cid,
        )  # fmt: skip
        reply = Task(
            task_id=f"{cycle}-r", type=REPLY_COMMENT, priority=req.priority, seq=self._next_seq(),
            payload={"platform": m.platform, "reply_to": m.reply_ref, "author": m.author, "kind": m.kind},
            depends_on=content.task_id, status=BLOCKED, tenant_id=tenant, agent_id=agent, campaign_id=cid,
        )  # fmt: skip
        return [content, reply]

    async def plan(self, batch: list[PlanRequest]) -> None:
        """Write the cycles for a batch of requests and queue their tasks.

        Cycles whose topic's trends are not cached yet are planned per topic,
        each group as soon as its trends are fetched and screened: at start-up
        the first cycles start while the other topics are still being fetched.
        Each group reads its campaigns' versions when it plans, so a campaign
        planned by two groups at once (a perceived item and its goal) meets
        the other's version bump and retries, as with any concurrent write.
        """
        groups = self._by_missing_topic(batch)
        if list(groups) == [None]:
            await self._plan_now(batch)
            return
        async with anyio.create_task_group() as tg:
            for topic, requests in groups.items():
                tg.start_soon(self._plan_after_fetch, topic, requests)

    async def _plan_after_fetch(self, topic: str | None, batch: list[PlanRequest]) -> None:
        if topic is not None and self._trends is not None:
            await self._trends.get(topic)
        await self._plan_now(batch)

    async def _plan_now(self, batch: list[PlanRequest]) -> None:
        plans: list[_Plan] = []
        for req in batch:
            state = self._book.get(req.campaign_id)
            if state is None or not state.active:
                continue
            plans.append(_Plan(req, state.version, await self._cycle(req)))
        if not plans:
            return
        outcome = _Outcome()
        now = time.time()
        # built here, on the event loop, so the writer's thread only writes
        rows = [[task_row(t, now) for t in p.tasks] for p in plans]
        ids = json.dumps(sorted({p.request.campaign_id for p in plans}))

        def apply(conn: sqlite3.Connection) -> None:
            outcome.accepted.clear()
            (current,) = conn.execute(_CURRENT, (self._tenant, ids)).fetchone()
            outcome.fresh = {cid: (int(v), bool(a)) for cid, (v, a) in json.loads(current).items()}
            tasks: list[tuple[object, ...]] = []
            seen: list[tuple[object, ...]] = []
            per_campaign: dict[str, list[int]] = {}
            for p, task_rows in zip(plans, rows, strict=True):
                cid = p.request.campaign_id
                if outcome.fresh.get(cid) != (p.version, True):
                    continue
                outcome.accepted.add(cid)
                counts = per_campaign.setdefault(cid, [p.version, 0, 0])
                counts[1] += 1
                counts[2] += len(p.tasks)
                tasks.extend(task_rows)
                if p.request.seen_id is not None:
                    seen.append((self._tenant, cid, p.request.seen_id, p.request.relevance, now))
            write_rows(conn, Stmt.INSERT_TASK, tasks)
            write_rows(conn, Stmt.INSERT_SEEN, seen)
            bumps = [(c[1], c[2], now, self._tenant, cid, c[0]) for cid, c in per_campaign.items()]
            write_rows(conn, Stmt.BUMP_CAMPAIGN, bumps)

        await self._committer.submit(WriteOp(custom=apply))
        self._crash.reach("after_plan_commit")
        for p in plans:
            cid = p.request.campaign_id
            if cid in outcome.accepted:
                self.cycles += 1
                self.first_planned.setdefault(cid, now)
                self._window.started([t.task_id for t in p.tasks])
                for t in p.tasks:
                    t.created_at = now
                    if t.status == BLOCKED:
                        self._deps.add(t)
                    else:
                        self._tracker.opened()
                        self._work.put(t, t.priority, t.seq)
                continue
            self.conflicts += 1
            version, active = outcome.fresh.get(cid, (p.version, False))
            self._book.set(cid, version, active)
            if active and p.request.retries < MAX_OCC_RETRIES:
                log.info("campaign %s changed under the planner (v%d); retrying", cid, version)
                retry = replace(p.request, retries=p.request.retries + 1)
                self._tracker.opened()
                self._inbox.put(retry, retry.priority)
            else:
                log.info("campaign %s is paused or gone; dropping its plan", cid)
        for cid in outcome.accepted:
            state = self._book.get(cid)
            if state is not None:
                self._book.set(cid, state.version + 1, True)

    async def run(self) -> None:
        """Plan batches until cancelled."""
        while True:
            first = await self._inbox.get()
            # with a window, wait for room for a worthwhile batch (or for all that is waiting)
            await self._window.wait_for_room(min(self._window.refill, 1 + len(self._inbox)))
            batch = [first, *self._inbox.drain(min(MAX_BATCH, self._window.room) - 1)]
            try:
                await self.plan(batch)
            finally:
                self._tracker.closed(len(batch))
