"""The human review queue: list, approve (optionally edited), reject with a reason."""

from __future__ import annotations

import json
import sqlite3
import time

from chimera.errors import Refusal
from chimera.models.contracts import ReviewItem
from chimera.models.work import ReviewStatus
from chimera.store.audit import append_audit
from chimera.store.scope import ScopedWriter, TenantScope

_SELECT = "SELECT * FROM reviews WHERE tenant_id = :tenant"


def row_to_review(r: sqlite3.Row) -> ReviewItem:
    """A reviews row as a ReviewItem."""
    return ReviewItem(
        review_id=r["review_id"],
        tenant_id=r["tenant_id"],
        task_id=r["task_id"],
        attempt=r["attempt"],
        spend_key=r["spend_key"],
        agent_id=r["agent_id"],
        campaign_id=r["campaign_id"],
        kind=r["kind"],
        content=r["content"],
        confidence=r["confidence"],
        reasoning=json.loads(r["reasoning"]),
        escalation=json.loads(r["escalation"]),
        status=ReviewStatus(r["status"]),
        edited_content=r["edited_content"],
        reason=r["reason"],
        decided_by=r["decided_by"],
        created_at=r["created_at"],
        decided_at=r["decided_at"],
    )


async def list_reviews(scope: TenantScope, status: ReviewStatus | None = ReviewStatus.PENDING) -> list[ReviewItem]:
    """Review items, oldest first; all of them when ``status`` is None."""
    if status is None:
        rows = await scope.fetchall(f"{_SELECT} ORDER BY review_id")
    else:
        rows = await scope.fetchall(f"{_SELECT} AND status = :s ORDER BY review_id", s=status.value)
    return [row_to_review(r) for r in rows]


async def _pending(tx: ScopedWriter, review_id: int) -> sqlite3.Row:
    rows = await tx.fetchall(f"{_SELECT} AND review_id = :id", id=review_id)
    if not rows:
        raise Refusal(f"no review item {review_id}")
    if rows[0]["status"] != ReviewStatus.PENDING:
        raise Refusal(f"review item {review_id} is already {rows[0]['status']}")
    return rows[0]


async def approve(scope: TenantScope, review_id: int, reviewer: str, edited: str | None = None) -> ReviewItem:
    """Approve an item (with the reviewer's text if given); its task is done and what waited on it runs."""
    if edited is not None and not edited.strip():
        raise Refusal("edited text is empty; reject the item instead")
    async with scope.transaction() as tx:
        row = await _pending(tx, review_id)
        if row["spend_key"] is not None:
            raise Refusal(f"review item {review_id} is a spend; approve it through the treasury")
        now = time.time()
        await tx.execute(
            "UPDATE reviews SET status = 'approved', edited_content = :e, decided_by = :who, decided_at = :now"
            " WHERE tenant_id = :tenant AND review_id = :id AND status = 'pending'",
            e=edited,
            who=reviewer,
            now=now,
            id=review_id,
        )
        # An escalated publication is published on approval (a new attempt); anything else is done.
        await tx.execute(
            "UPDATE tasks SET status = CASE WHEN type IN ('post_content', 'reply_comment') THEN 'pending'"
            " ELSE 'done' END, attempt = CASE WHEN type IN ('post_content', 'reply_comment') THEN attempt + 1"
            " ELSE attempt END, updated_at = :now"
            " WHERE tenant_id = :tenant AND task_id = :t AND status = 'review'",
            now=now,
            t=row["task_id"],
        )
        out = await tx.fetchall(
            "SELECT output FROM results WHERE tenant_id = :tenant AND task_id = :t AND attempt = :a",
            t=row["task_id"],
            a=row["attempt"],
        )
        output = json.loads(out[0]["output"]) if out else {}
        handoff = {
            "text": edited if edited is not None else output.get("text", row["content"]),
            "hashtags": output.get("hashtags", []),
            "provider": output.get("provider", ""),
            "approved_by": f"human:{reviewer}",
        }
        # A post held because its send state was unknown: the human checked the account and says send it.
        await tx.execute(
            "UPDATE deliveries SET state = 'pending', last_error = :why, updated_at = :now"
            " WHERE tenant_id = :tenant AND task_id = :t AND state = 'held'",
            why=f"{reviewer} confirmed it was not published", now=now, t=row["task_id"],
        )  # fmt: skip
        released = await tx.execute(
            "UPDATE tasks SET status = 'pending', payload = json_patch(payload, :h), updated_at = :now"
            " WHERE tenant_id = :tenant AND depends_on = :t AND status = 'blocked'",
            h=json.dumps(handoff),
            now=now,
            t=row["task_id"],
        )
        await append_audit(
            tx,
            "review.approve",
            reviewer,
            row["task_id"],
            {"review_id": review_id, "edited": edited is not None, "released": released},
            agent_id=row["agent_id"],
        )
    return (await _reviews_by_id(scope, review_id))[0]


async def reject(scope: TenantScope, review_id: int, reviewer: str, reason: str) -> ReviewItem:
    """Reject an item with a reason; its task is rejected and what waited on it is cancelled."""
    if not reason.strip():
        raise Refusal("a rejection needs a reason")
    async with scope.transaction() as tx:
        row = await _pending(tx, review_id)
        now = time.time()
        await tx.execute(
            "UPDATE reviews SET status = 'rejected', reason = :r, decided_by = :who, decided_at = :now"
            " WHERE tenant_id = :tenant AND review_id = :id AND status = 'pending'",
            r=reason.strip(),
            who=reviewer,
            now=now,
            id=review_id,
        )
        await tx.execute(
            "UPDATE tasks SET status = 'rejected', updated_at = :now"
            " WHERE tenant_id = :tenant AND task_id = :t AND status = 'review'",
            now=now,
            t=row["task_id"],
        )
        await tx.execute(
            "UPDATE deliveries SET state = 'failed', last_error = :why, updated_at = :now"
            " WHERE tenant_id = :tenant AND task_id = :t AND state IN ('held', 'pending', 'failed')",
            why=f"rejected by {reviewer}: {reason}", now=now, t=row["task_id"],
        )  # fmt: skip
        cancelled = await tx.execute(
            "UPDATE tasks SET status = 'cancelled', updated_at = :now"
            " WHERE tenant_id = :tenant AND depends_on = :t AND status = 'blocked'",
            now=now,
            t=row["task_id"],
        )
        await append_audit(
            tx,
            "review.reject",
            reviewer,
            row["task_id"] or row["agent_id"],
            {"review_id": review_id, "reason": reason, "cancelled": cancelled, "spend_key": row["spend_key"]},
            agent_id=row["agent_id"],
        )
    return (await _reviews_by_id(scope, review_id))[0]


async def _reviews_by_id(scope: TenantScope, review_id: int) -> list[ReviewItem]:
    rows = await scope.fetchall(f"{_SELECT} AND review_id = :id", id=review_id)
    return [row_to_review(r) for r in rows]
