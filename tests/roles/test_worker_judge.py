"""Worker routing and the Judge's handling of failures, against a real store file."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import anyio

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import load_fleet
from chimera.models.config import PlatformPolicy
from chimera.models.records import Decision, Result, Task
from chimera.models.work import Priority, TaskStatus
from chimera.roles.planner import task_row
from chimera.runtime.runner import Pipeline, build_pipeline, start_roles
from chimera.store import open_database
from chimera.store.committer import WriteOp
from chimera.store.statements import Stmt
from tests.conftest import query
from tests.helpers import ListNews, queue_task


async def _run_one(root: Path, task: Task) -> None:
    home = Home(root)
    write_sample_fleet(root)
    fleet = load_fleet(home)
    async with open_database(home.db_path) as db:
        p = await build_pipeline(fleet, db, ListNews(), workers=2)
        async with anyio.create_task_group() as tg:
            start_roles(tg, p)
            await queue_task(p, task)
            await p.tracker.wait_idle()
            tg.cancel_scope.cancel()


async def _insert(p: Pipeline, tasks: list[Task]) -> None:
    """Write the tasks' rows (with the pipeline's committer running)."""
    op = WriteOp()
    for t in tasks:
        op.add(Stmt.INSERT_TASK, task_row(t, 0.0))
    await p.committer.submit(op)


def _task(kind: str) -> Task:
    return Task("t1", "demo", "nova", "nova-solar", kind, Priority.MEDIUM, 1, {"topic": "energy"})


def test_unknown_task_type_is_an_error_result_retried_then_escalated_never_a_crash() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        anyio.run(_run_one, root, _task("juggle_chainsaws"))
        db = Home(root).db_path
        results = query(db, "SELECT attempt, ok, error FROM results ORDER BY attempt")
        assert results == [(a, 0, "no skill handles task type 'juggle_chainsaws'") for a in range(3)]
        verdicts = query(db, "SELECT verdict FROM decisions ORDER BY attempt")
        assert verdicts == [("reject",), ("reject",), ("escalate",)]
        assert query(db, "SELECT status, attempt FROM tasks") == [(TaskStatus.REVIEW, 2)]
        (escalation,) = query(db, "SELECT escalation FROM reviews")[0]
        assert "still low after 2 retries" in escalation


def test_analyze_trends_runs_through_the_news_source_and_is_approved() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        anyio.run(_run_one, root, _task("analyze_trends"))
        db = Home(root).db_path
        assert query(db, "SELECT verdict FROM decisions") == [("approve",)]
        (output,) = query(db, "SELECT output FROM results")[0]
        parsed = json.loads(output)
        assert parsed["via"] == "list" and any("Solar-plus-battery" in h for h in parsed["headlines"])


def test_a_confidence_collapse_pauses_the_agent() -> None:
    from chimera.roles.judge import COLLAPSE_WINDOW
    from chimera.roles.worker import error_result

    async def main(root: Path) -> None:
        home = Home(root)
        write_sample_fleet(root)
        fleet = load_fleet(home)
        async with open_database(home.db_path) as db:
            p = await build_pipeline(fleet, db, ListNews(), workers=1)
            tasks = [Task(f"t{n}", "demo", "nova", "nova-solar", "analyze_trends", Priority.LOW, n, {"topic": "x"},
                          attempt=2) for n in range(COLLAPSE_WINDOW)]  # fmt: skip
            async with anyio.create_task_group() as tg:
                tg.start_soon(p.committer.run)
                await _insert(p, tasks)
                await p.judge.settle([error_result(t, "backend down") for t in tasks[:-1]])
                assert query(home.db_path, "SELECT status FROM agents WHERE agent_id = 'nova'") == [("active",)]
                await p.judge.settle([error_result(tasks[-1], "backend down")])
                tg.cancel_scope.cancel()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        anyio.run(main, root)
        db = Home(root).db_path
        assert query(db, "SELECT agent_id, status FROM agents ORDER BY 1") == [
            ("byte", "active"),
            ("nova", "paused"),
            ("vita", "active"),
        ]
        (detail,) = query(db, "SELECT detail FROM audit_log WHERE kind = 'agent.pause'")[0]
        assert "mean confidence of the last 20 results is 0.00" in detail


async def _judge_one(root: Path, result: Result) -> None:
    home = Home(root)
    write_sample_fleet(root)
    async with open_database(home.db_path) as db:
        p = await build_pipeline(load_fleet(home), db, ListNews(), workers=2)
        async with anyio.create_task_group() as tg:
            start_roles(tg, p)
            op = WriteOp()
            op.add(Stmt.INSERT_TASK, task_row(result.task, 0.0))
            await p.committer.submit(op)
            p.tracker.opened()
            p.results.put(result, result.task.priority, result.task.seq)
            await p.tracker.wait_idle()
            tg.cancel_scope.cancel()


def test_an_output_no_json_encoder_knows_is_stored_as_its_text_and_the_judge_carries_on() -> None:
    output = {"topic": "energy", "count": 3, "on_topic": 3, "sources": ["a", "b"], "spent": Decimal("1.50")}
    result = Result(task=_task("analyze_trends"), ok=True, output=output, confidence=1.0, produced_by="test")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        anyio.run(_judge_one, root, result)
        db = Home(root).db_path
        assert query(db, "SELECT verdict FROM decisions") == [("approve",)]
        (stored,) = query(db, "SELECT output FROM results")[0]
        assert json.loads(stored)["spent"] == "1.50"


def test_posts_taken_together_each_get_their_own_outcome_and_the_good_ones_publish_together() -> None:
    async def main(root: Path) -> None:
        home = Home(root)
        write_sample_fleet(root)
        fleet = load_fleet(home)
        campaign = {c.agent_id: c.campaign_id for c in fleet.campaigns}

        def post(n: int, agent: str, text: str, platform: str = "outbox") -> Task:
            payload = {"platform": platform, "text": text, "provider": "test"}
            return Task(f"p{n}", "demo", agent, campaign[agent], "post_content", Priority.LOW, n, payload)

        tasks = [
            post(1, "nova", "Solar farms doubled their output this year."),
            post(2, "byte", "As a human, I can tell you this chip is fast."),  # an output check refuses it
            post(3, "vita", "Sleep matters more than supplements, says a new review.", platform="nowhere"),
            post(4, "vita", "Walking after meals steadies blood sugar, a new trial finds."),
        ]
        async with open_database(home.db_path) as db:
            p = await build_pipeline(fleet, db, ListNews(), workers=1)
            async with anyio.create_task_group() as tg:
                tg.start_soon(p.committer.run)
                await _insert(p, tasks)
                for t in tasks:  # all queued before the worker starts: it takes them as one batch
                    p.tracker.opened()
                    p.work.put(t, t.priority, t.seq)
                start_roles(tg, p)
                await p.tracker.wait_idle()
                tg.cancel_scope.cancel()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "fleet"
        anyio.run(main, root)
        db = Home(root).db_path
        first = dict(query(db, "SELECT task_id, coalesce(error, 'ok') FROM results WHERE attempt = 0"))
        assert first["p1"] == "ok" and first["p4"] == "ok"
        assert first["p2"] == "not published: claims to be human"
        assert first["p3"].startswith("platform 'nowhere' is not configured")
        posts = query(db, "SELECT task_id, created_at FROM outbox ORDER BY task_id")
        assert [task_id for task_id, _ in posts] == ["p1", "p4"]
        assert len({created for _, created in posts}) == 1, "the batch's posts were not recorded in one step"
        assert query(db, "SELECT task_id, status FROM tasks ORDER BY task_id") == [
            ("p1", "done"), ("p2", "review"), ("p3", "review"), ("p4", "done"),
        ]  # fmt: skip


async def _decide_posts(root: Path, platforms: dict[str, PlatformPolicy], results: list[Result]) -> list[Decision]:
    """The Judge's decisions, one result at a time, under a policy with these platforms (nothing committed)."""
    home = Home(root)
    write_sample_fleet(root)
    fleet = load_fleet(home)
    fleet = dataclasses.replace(fleet, policy=fleet.policy.model_copy(update={"platforms": platforms}))
    async with open_database(home.db_path) as db:
        p = await build_pipeline(fleet, db, ListNews(), workers=2)
        return [p.judge.decide(r) for r in results]


def test_each_platform_judges_a_post_by_its_own_limit_and_way_of_counting() -> None:
    cjk = "太陽光" * 20 + " [AI-generated by Chimera]"  # 86 characters (the sample's disclosure); on X 146
    post = _task("post_content")
    results = [
        Result(post, True, {"platform": name, "text": cjk, "ref": f"{name}:1"}, 1.0)
        for name in ("x", "small", "x", "outbox")
    ]
    platforms = {"x": PlatformPolicy(max_chars=100), "small": PlatformPolicy(kind="outbox", max_chars=70)}
    with tempfile.TemporaryDirectory() as tmp:
        on_x, on_small, on_x_again, on_outbox = anyio.run(_decide_posts, Path(tmp) / "fleet", platforms, results)
    assert any("146/100 chars" in r for r in on_x.reasons), on_x.reasons
    assert on_x_again.reasons == on_x.reasons and on_x_again.confidence == on_x.confidence
    assert any("86/70 chars" in r for r in on_small.reasons), on_small.reasons
    assert any("86/500 chars" in r for r in on_outbox.reasons), "a platform not in the policy gets the defaults"
    assert on_outbox.confidence > on_x.confidence
