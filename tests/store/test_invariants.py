"""The bench's self-check finds each broken invariant in a store that a real run wrote, and nothing in a sound one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.store import open_database
from chimera.store.invariants import workload_problems
from tests.conftest import cli_for

# Each edit goes around Chimera's code, as a bug or a hand-edit of the file would.
BREAKS = {
    "tasks left pending (lost)": "UPDATE tasks SET status = 'pending'"
    " WHERE task_id = (SELECT task_id FROM tasks WHERE status = 'done' LIMIT 1)",
    "settled tasks without a decision for their last attempt": "UPDATE tasks SET attempt = attempt + 1"
    " WHERE task_id = (SELECT task_id FROM tasks WHERE status = 'done' LIMIT 1)",
    "outbox rows that differ from approved post tasks": "DELETE FROM outbox"
    " WHERE post_id = (SELECT MIN(post_id) FROM outbox)",
    "escalations without a review item": "DELETE FROM reviews WHERE review_id = (SELECT MIN(review_id) FROM reviews)",
    "foreign key": "UPDATE reviews SET task_id = 'no-such-task' WHERE review_id = (SELECT MIN(review_id) FROM reviews)",
}


@pytest.fixture(scope="module")
def sound_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store written by a small bench run (with escalations, posts and retries in it)."""
    tmp = tmp_path_factory.mktemp("rw1")
    db = tmp / "rw1.db"
    write_sample_fleet(tmp / "fleet")
    cli = cli_for(Home(tmp / "fleet"))
    proc = cli.run("bench", "--agents", "40", "--llm-latency-ms", "0", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db


def _copy(src: Path, dst: Path) -> Path:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


async def _problems(path: Path) -> list[str]:
    async with open_database(path) as db:
        return await workload_problems(db)


async def test_a_sound_store_has_no_problems(sound_store: Path, tmp_path: Path) -> None:
    assert await _problems(_copy(sound_store, tmp_path / "copy.db")) == []


@pytest.mark.parametrize("what", list(BREAKS))
async def test_each_broken_invariant_is_named_with_its_count(sound_store: Path, tmp_path: Path, what: str) -> None:
    path = _copy(sound_store, tmp_path / "broken.db")
    with sqlite3.connect(path) as conn:
        assert conn.execute(BREAKS[what]).rowcount == 1
    conn.close()
    problems = await _problems(path)
    assert len(problems) == 1 and problems[0].startswith(what), problems
    if what != "foreign key":
        assert problems[0] == f"{what}: 1"


async def test_a_spend_review_does_not_stand_in_for_a_missing_escalation(sound_store: Path, tmp_path: Path) -> None:
    path = _copy(sound_store, tmp_path / "broken.db")
    with sqlite3.connect(path) as conn:
        conn.execute(BREAKS["escalations without a review item"])
        conn.execute(
            "INSERT INTO reviews (tenant_id, task_id, attempt, spend_key, agent_id, campaign_id, kind, content,"
            " confidence, reasoning, escalation, created_at)"
            " SELECT tenant_id, NULL, 0, 'spend-1', agent_id, campaign_id, 'spend', '{}', 1.0, '[]', 'over $50', 0"
            " FROM reviews LIMIT 1"
        )
    conn.close()
    assert await _problems(path) == ["escalations without a review item: 1"]
