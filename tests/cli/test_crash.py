"""Kill the runtime mid-cycle (kill -9, or at a named crash point) and check the store after restart."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from chimera.pipeline.crashpoints import RUNTIME_POINTS
from tests.conftest import Cli, query
from tests.invariants import store_problems

#: How many visits each point gets in one idle run of the sample fleet, at least (seeds pick below this).
VISITS = {
    "after_claim": 30,
    "after_result": 30,
    "before_post_record": 5,
    "after_post_record": 5,
    "after_decision_commit": 3,
    "after_plan_commit": 1,
}
SEEDS = (1, 2)  # six points x two seeds keeps the sweep inside the CI budget


def test_every_crash_point_is_covered() -> None:
    assert set(VISITS) == set(RUNTIME_POINTS)


def _decision_count(cli: Cli) -> int:
    try:
        return int(query(cli.home.db_path, "SELECT COUNT(*) FROM decisions")[0][0])
    except sqlite3.OperationalError:
        return 0


def _settle_and_check(cli: Cli) -> None:
    before = query(cli.home.db_path, "SELECT task_id FROM outbox ORDER BY task_id")
    assert store_problems(cli.home.db_path, settled=False) == []
    done = cli.json("run", "--until-idle")
    assert done["stopped_by"] == "idle"
    assert store_problems(cli.home.db_path, settled=True) == []
    after = query(cli.home.db_path, "SELECT task_id FROM outbox ORDER BY task_id")
    assert set(before) <= set(after), "a post recorded before the crash was lost"
    assert len(after) == len(set(after))
    # A further run finds nothing new to do and publishes nothing again.
    again = cli.json("run", "--until-idle")
    assert again["alerts"] == 0 and sum(again["decisions"].values()) == 0
    assert query(cli.home.db_path, "SELECT task_id FROM outbox ORDER BY task_id") == after


@pytest.mark.slow
@pytest.mark.parametrize("point", sorted(VISITS))
@pytest.mark.parametrize("seed", SEEDS)
def test_named_crash_point_then_restart(cli: Cli, point: str, seed: int) -> None:
    visit = random.Random(f"{point}:{seed}").randint(1, VISITS[point])
    crashed = cli.run("run", "--until-idle", env={"CHIMERA_CRASH_AT": f"{point}:{visit}"})
    assert crashed.returncode == -signal.SIGKILL, (point, visit, crashed.returncode, crashed.stderr[-2000:])
    _settle_and_check(cli)


@pytest.mark.slow
def test_kill_9_during_a_continuous_run_then_restart(cli: Cli) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chimera", "--home", str(cli.home.root), "run", "--llm-latency-ms", "40",
         "--workers", "2"],
        env=cli.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _decision_count(cli) < 5:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "no decisions within 60 s"
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    pending = query(cli.home.db_path, "SELECT COUNT(*) FROM tasks WHERE status = 'pending'")[0][0]
    assert pending > 0, "the kill should land mid-cycle"
    _settle_and_check(cli)


def test_sigterm_shuts_a_continuous_run_down_cleanly(cli: Cli) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chimera", "--home", str(cli.home.root), "run", "--llm-latency-ms", "40",
         "--workers", "2", "--json"],
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while _decision_count(cli) < 3:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert '"stopped_by": "SIGTERM"' in out
    assert store_problems(cli.home.db_path, settled=False) == []
    _settle_and_check(cli)


def test_a_running_fleet_publishes_what_a_reviewer_approves_in_another_process(cli: Cli) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chimera", "--home", str(cli.home.root), "run", "--json"],
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        pending: list[dict[str, object]] = []
        while not pending:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
            if cli.home.db_path.exists():
                pending = [i for i in cli.json("review", "list") if i["kind"] == "generate_content"]
        posts = cli.json("status")["posts"]
        cli.json("review", "approve", str(pending[0]["review_id"]))
        while cli.json("status")["posts"] == posts:
            assert proc.poll() is None and time.monotonic() < deadline, "the approved post was not published"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    published = cli.json("outbox", "--limit", "100")
    assert any(p["task_id"] == f"{str(pending[0]['task_id'])[:-2]}-p" for p in published)
    assert store_problems(cli.home.db_path, settled=False) == []
