"""What must hold in a store after any run, crash and restart included; read with plain sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def store_problems(db: Path, *, settled: bool) -> list[str]:
    """Every broken invariant, as text; ``settled`` means a run finished idle after the last crash."""
    conn = sqlite3.connect(db)
    problems: list[str] = []
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity}")
        fks = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fks:
            problems.append(f"foreign_key_check: {fks}")
        # Decisions: attempts 0..k-1 rejected, then at most one more; never two for one attempt (PK).
        for task_id, status, attempt in conn.execute("SELECT task_id, status, attempt FROM tasks"):
            verdicts = [
                v for (v,) in conn.execute(
                    "SELECT verdict FROM decisions WHERE task_id = ? ORDER BY attempt", (task_id,)
                )
            ]  # fmt: skip
            # earlier attempts were rejected (retried), or escalated and re-queued by a human's approval
            approved_escalations = {
                a for (a,) in conn.execute(
                    "SELECT attempt FROM reviews WHERE task_id = ? AND status = 'approved'", (task_id,)
                )
            }  # fmt: skip
            for earlier, verdict in enumerate(verdicts[:attempt]):
                if verdict != "reject" and not (verdict == "escalate" and earlier in approved_escalations):
                    problems.append(f"{task_id}: attempt {earlier} was {verdict} yet the task ran again: {verdicts}")
            settled_statuses = {"done": {"approve", "escalate"}, "review": {"escalate"}, "rejected": {"escalate"}}
            if status in settled_statuses:
                if len(verdicts) != attempt + 1 or verdicts[-1] not in settled_statuses[status]:
                    problems.append(f"{task_id} ({status}, attempt {attempt}) has decisions {verdicts}")
            elif len(verdicts) != attempt:
                problems.append(f"{task_id} ({status}, attempt {attempt}) has decisions {verdicts}")
        # Reviews exist exactly for escalations.
        escalations = conn.execute("SELECT COUNT(*) FROM decisions WHERE verdict = 'escalate'").fetchone()[0]
        reviews = conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0]
        if escalations != reviews:
            problems.append(f"{escalations} escalations but {reviews} review items")
        # A post exists only for a post task, at most once (UNIQUE), and always with its disclosure.
        posts = {t for (t,) in conn.execute("SELECT task_id FROM outbox")}
        post_tasks = {t for (t,) in conn.execute("SELECT task_id FROM tasks WHERE type = 'post_content'")}
        if not posts <= post_tasks:
            problems.append(f"outbox rows for non-post tasks: {posts - post_tasks}")
        undisclosed = conn.execute("SELECT COUNT(*) FROM outbox WHERE instr(text, disclosure) = 0").fetchone()[0]
        if undisclosed:
            problems.append(f"{undisclosed} posts without disclosure")
        if settled:
            left = conn.execute("SELECT COUNT(*) FROM tasks WHERE status = 'pending'").fetchone()[0]
            if left:
                problems.append(f"{left} tasks still pending after an idle run")
            approved_posts = {
                t for (t,) in conn.execute(
                    "SELECT DISTINCT d.task_id FROM decisions d JOIN tasks t USING (task_id)"
                    " WHERE t.type = 'post_content' AND d.verdict = 'approve'"
                )
            }  # fmt: skip
            if posts != approved_posts:
                problems.append(f"posts {len(posts)} != approved post tasks {len(approved_posts)}")
            stuck = conn.execute(
                "SELECT COUNT(*) FROM tasks p JOIN tasks c ON p.depends_on = c.task_id"
                " WHERE p.status = 'blocked' AND c.status IN ('done', 'rejected')"
            ).fetchone()[0]
            if stuck:
                problems.append(f"{stuck} blocked tasks whose dependency is already settled")
    finally:
        conn.close()
    return problems
