"""Judge: checks every result, bands it, and commits the decision with its consequences.

One transaction per batch writes, for each result: its ``attempts`` row, the
result and the decision together (primary key (task, attempt), so a second
decision cannot be written), the task's new status, and what follows: the
blocked post task released with the approved text, a retry, or a review item.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import NamedTuple

from chimera.governance.banding import band, bands_of
from chimera.governance.checks import (
    Assessment,
    assess_content,
    assess_error,
    assess_post,
    assess_trends,
)
from chimera.governance.sensitivity import sensitive_topics
from chimera.json_text import dumps
from chimera.models.config import FleetPolicy
from chimera.models.records import Decision, Result, Task
from chimera.models.work import (
    ANALYZE_TRENDS,
    APPROVE,
    GENERATE_CONTENT,
    PENDING,
    POST_CONTENT,
    REJECT,
    REPLY_COMMENT,
    TaskStatus,
    TaskType,
    Verdict,
)
from chimera.pipeline.books import DependencyBook
from chimera.pipeline.crashpoints import CrashPoints
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker
from chimera.pipeline.window import CycleWindow
from chimera.platforms.lengths import length_for
from chimera.skills.base import FleetView
from chimera.store.audit import AuditItem, audit_batches, audit_entry
from chimera.store.committer import Committer, WriteOp
from chimera.store.statements import INSERT_ATTEMPT, SETTLE_TASK, UNBLOCK_TASK, Stmt

MAX_BATCH = 4096

#: The circuit breaker pauses an agent whose last COLLAPSE_WINDOW results average below COLLAPSE_BELOW.
COLLAPSE_WINDOW = 20
COLLAPSE_BELOW = 0.5

#: Task types whose output may be published; these get the sensitivity rule.
PUBLISHABLE = frozenset({TaskType.GENERATE_CONTENT})

#: Each verdict's value (the Enum's .value is a property: a Python call per decision). Rows bind these
#: plain strings, never the members (``store/statements.py``).
_VALUE = {v: v.value for v in Verdict}

#: The task's status after each verdict, as the plain string its row binds.
_STATUS_AFTER = {
    Verdict.APPROVE: TaskStatus.DONE.value,
    Verdict.ESCALATE: TaskStatus.REVIEW.value,
    Verdict.REJECT: TaskStatus.PENDING.value,
}


def content_limit(policy: FleetPolicy, platform: str) -> int:
    """Characters a draft may use so that text plus disclosure fit the platform."""
    return policy.platform(platform).max_chars - len(policy.disclosure) - 1


class _Limits(NamedTuple):
    """A platform's limits as the Judge checks them."""

    draft_chars: int
    """``content_limit``: a draft's room beside the disclosure."""
    post_chars: int
    """The longest publication, disclosure included."""
    length: Callable[[str], int]
    """How the platform counts a publication's length."""


def review_content(result: Result) -> str:
    """What a reviewer reads for a result."""
    text = result.output.get("text")
    if isinstance(text, str):
        return text
    return json.dumps(result.output, ensure_ascii=False, sort_keys=True) if result.output else (result.error or "")


class Judge:
    """Decides results in batches and feeds follow-up work back to the workers."""

    def __init__(
        self,
        *,
        policy: FleetPolicy,
        view: FleetView,
        results: PriorityQueue[Result],
        work: PriorityQueue[Task],
        deps: DependencyBook,
        committer: Committer,
        tracker: WorkTracker,
        crash: CrashPoints,
        window: CycleWindow | None = None,
    ) -> None:
        self._window = window or CycleWindow()
        self._policy = policy
        # What every result's checks read, out of the policy's models once: a pydantic model answers
        # each attribute through its __getattr__ hook, ~350 instructions against ~30 for a plain one,
        # and the Judge read ten of them a result.
        judge = policy.judge
        self._bands = bands_of(judge)
        self._sensitive_topics = judge.sensitive_topics
        self._repeat_at = policy.memory.repeat_similarity
        self._link_allowlist = policy.security.link_allowlist
        self._disclosure = policy.disclosure
        self._limits: dict[str, _Limits] = {}
        self._view = view
        self._results = results
        self._work = work
        self._deps = deps
        self._committer = committer
        self._tracker = tracker
        self._crash = crash
        self.verdicts: Counter[str] = Counter()
        self.last_decided: dict[str, float] = {}
        self._recent: dict[str, deque[float]] = {}
        self.paused: set[str] = set()

    def assess(self, result: Result) -> tuple[Assessment, list[str]]:
        """The checks for a result and the sensitive topics it touches."""
        task = result.task
        if not result.ok:
            return assess_error(result.error or "unknown error"), []
        payload = task.payload
        if task.type == GENERATE_CONTENT:
            campaign = self._view.campaign(task.campaign_id)
            text = str(result.output.get("text", ""))
            headline = str(payload.get("headline", ""))
            assessment = assess_content(
                text,
                headline=headline,
                goal=campaign.goal,
                topics=campaign.topics,
                persona=self._view.persona(task.agent_id),
                max_chars=self._limits_on(campaign.platforms[0]).draft_chars,
                self_confidence=result.confidence,
                recalled=result.output.get("recalled"),
                repeat_at=self._repeat_at,
                link_allowlist=self._link_allowlist,
            )
        elif task.type in (POST_CONTENT, REPLY_COMMENT):
            limits = self._limits_on(str(result.output.get("platform", "outbox")))
            assessment = assess_post(
                result.output, disclosure=self._disclosure, max_chars=limits.post_chars, length=limits.length
            )
        elif task.type == ANALYZE_TRENDS:
            assessment = assess_trends(result.output)
        else:
            assessment = assess_error(f"the Judge has no checks for task type '{task.type}'")
        sensitive: list[str] = []
        if task.type in PUBLISHABLE:
            sensitive = sensitive_topics(
                self._sensitive_topics,
                topic=str(payload.get("topic", "")),
                tags=[str(t) for t in payload.get("tags", [])],
                text=review_content(result),
                # a story's headline and summary repeat across its agents: memoised with its topic and tags
                story=(str(payload.get("headline", "")), str(payload.get("summary", ""))),
            )
        return assessment, sensitive

    def _limits_on(self, platform: str) -> _Limits:
        """The platform's limits, worked out once per platform."""
        limits = self._limits.get(platform)
        if limits is None:
            settings = self._policy.platform(platform)
            kind = settings.kind_for(platform) if platform in self._policy.platforms else "outbox"
            limits = _Limits(content_limit(self._policy, platform), settings.max_chars, length_for(kind))
            self._limits[platform] = limits
        return limits

    def decide(self, result: Result) -> Decision:
        """Assess and band one result."""
        assessment, sensitive = self.assess(result)
        verdict, why = band(assessment.confidence, bool(sensitive), result.task.attempt, *self._bands)
        reasons = [why, *assessment.lines]
        if sensitive:
            reasons.append(f"sensitive topics: {', '.join(sensitive)}")
        return Decision(result, verdict, assessment.confidence, reasons, sensitive)

    async def settle(self, batch: list[Result]) -> list[Decision]:
        """Decide a batch, commit it in one transaction, then queue the follow-ups."""
        now = time.time()
        op = WriteOp()
        follow: list[Task] = []
        decisions = [self.decide(r) for r in batch]
        audited: list[AuditItem] = []
        for d in decisions:
            r, t = d.result, d.result.task
            op.add(INSERT_ATTEMPT, (
                t.task_id, t.attempt, t.tenant_id, int(r.ok), dumps(r.output), r.confidence,
                dumps(r.reasoning), r.error, r.produced_by, now, _VALUE[d.verdict], d.confidence, dumps(d.reasons),
                now,
            ))  # fmt: skip
            audited.append((t.tenant_id, t.task_id, {
                "attempt": t.attempt, "type": t.type, "verdict": d.verdict, "confidence": d.confidence,
            }, t.agent_id))  # fmt: skip
            next_attempt = t.attempt + 1 if d.verdict == REJECT else t.attempt
            op.add(SETTLE_TASK, (_STATUS_AFTER[d.verdict], next_attempt, now, t.tenant_id, t.task_id, t.attempt))
            if d.verdict == APPROVE:
                for dep in self._deps.release(t.task_id):
                    dep.payload = {**dep.payload, **_handoff(r)}
                    dep.status = PENDING
                    op.add(UNBLOCK_TASK, (dumps(dep.payload), now, dep.tenant_id, dep.task_id))
                    follow.append(dep)
            elif d.verdict == REJECT:
                follow.append(
                    Task(t.task_id, t.tenant_id, t.agent_id, t.campaign_id, t.type, t.priority, t.seq,
                         t.payload, next_attempt, t.depends_on, PENDING, t.created_at)
                )  # fmt: skip
            else:
                op.add(Stmt.INSERT_REVIEW, (
                    t.tenant_id, t.task_id, t.attempt, t.agent_id, t.campaign_id, str(t.type), review_content(r),
                    d.confidence, dumps(r.reasoning + d.reasons), dumps(d.reasons[:1] + (
                        [f"sensitive topics: {', '.join(d.sensitive)}"] if d.sensitive else [])), now,
                ))  # fmt: skip
        op.audits += audit_batches("judge.decision", "judge", audited)  # one chained record lists the decisions
        collapsed = self._watch_confidence(decisions)
        for tenant, agent, mean in collapsed:
            op.add(Stmt.PAUSE_AGENT, (now, tenant, agent))
            why = {"reason": f"mean confidence of the last {COLLAPSE_WINDOW} results is {mean:.2f}"}
            op.audit(audit_entry(tenant, "agent.pause", "circuit-breaker", agent, why, agent))
        await self._committer.submit(op)
        self._crash.reach("after_decision_commit")
        for d in decisions:
            self.verdicts[_VALUE[d.verdict]] += 1
            self.last_decided[d.result.task.campaign_id] = now
            self._window.decided(d.result.task.task_id, d.verdict)
        for task in follow:
            self._tracker.opened()
            self._work.put(task, task.priority, task.seq)
        return decisions

    def _watch_confidence(self, decisions: list[Decision]) -> list[tuple[str, str, float]]:
        """Agents whose recent confidence just collapsed (each reported once per run)."""
        collapsed = []
        recent = self._recent
        for d in decisions:
            task = d.result.task
            window = recent.get(task.agent_id)
            if window is None:  # not setdefault: that would build a deque per decision to throw away
                window = recent[task.agent_id] = deque(maxlen=COLLAPSE_WINDOW)
            window.append(d.confidence)
            if len(window) == COLLAPSE_WINDOW and task.agent_id not in self.paused:
                mean = sum(window) / COLLAPSE_WINDOW
                if mean < COLLAPSE_BELOW:
                    collapsed.append((task.tenant_id, task.agent_id, mean))
                    self.paused.add(task.agent_id)
        return collapsed

    async def run(self) -> None:
        """Judge batches until cancelled."""
        while True:
            batch = await self._results.get_many(MAX_BATCH)
            try:
                await self.settle(batch)
            finally:
                self._tracker.closed(len(batch))


def _handoff(result: Result) -> dict[str, object]:
    """What an approved generate_content passes to its post_content."""
    out = result.output
    return {"text": out.get("text", ""), "hashtags": out.get("hashtags", []), "provider": out.get("provider", "")}
