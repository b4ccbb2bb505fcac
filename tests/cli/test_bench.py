"""``chimera bench`` runs RW-1 through the real runtime at a small size, checks itself, fails if the check does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chimera import native
from chimera.runtime.bench import default_workers
from tests.conftest import Cli, query


def test_bench_small_runs_and_checks_itself(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "rw1.json"
    db = tmp_path / "rw1.db"
    proc = cli.run("bench", "--agents", "200", "--llm-latency-ms", "5", "--json", str(out), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert json.loads(out.read_text()) == last
    assert last["self_check"] == []
    assert last["agents"] == 200 and last["writer"] == "offline-writer" and last["news"] == "mcp:news"
    assert last["build"] == native.STATE, "the bench reports the build that ran (the same as this process's)"
    for key in ("tasks", "wall_s", "tasks_per_s", "p50_cycle_ms", "p95_cycle_ms", "peak_rss_mib", "decisions",
                "posts", "db_bytes"):  # fmt: skip
        assert key in last
    # Against the store, independently of the bench's own counting:
    decided = query(db, "SELECT COUNT(DISTINCT task_id) FROM decisions")[0][0]
    assert last["tasks"] == decided
    assert query(db, "SELECT COUNT(*) FROM outbox")[0][0] == last["posts"]
    assert sum(last["decisions"].values()) == query(db, "SELECT COUNT(*) FROM decisions")[0][0]
    # every agent got its cycle: 3 tasks each, the sensitive topics' posts wait for a human
    assert query(db, "SELECT COUNT(*) FROM tasks")[0][0] == 600
    escalated_content = query(db, "SELECT COUNT(*) FROM tasks WHERE type = 'generate_content' AND status = 'review'")[
        0
    ][0]
    assert escalated_content > 0
    assert last["posts"] + escalated_content == 200


def test_bench_window_bounds_the_cycles_in_flight(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "rw1.db"
    proc = cli.run("bench", "--agents", "200", "--window", "40", "--llm-latency-ms", "5", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["self_check"] == [] and last["window"] == 40
    assert last["workers"] == 16, "one worker per 16 cycles in the window (at least 16), not one per agent"
    assert 0 < last["window_peak"] <= 40
    assert last["checkpoints"] >= 1, "the log is checkpointed off the commit path while the bench runs"
    assert last["checkpoint_failures"] == 0
    cpu = last["cpu_us_per_task"]  # where the run's CPU went, per task
    assert cpu["event_loop"] > 0 and cpu["other_threads"] >= 0 and cpu["mcp_servers"] is not None
    assert cpu["all"] == pytest.approx(cpu["event_loop"] + cpu["other_threads"] + cpu["mcp_servers"], abs=0.2)
    assert last["cores_busy"] > 0
    assert query(db, "SELECT COUNT(*) FROM tasks")[0][0] == 600, "every agent still got its cycle"
    assert last["p95_cycle_ms"] <= last["p95_finish_ms"]


def test_bench_prints_the_json_line_then_the_summary_table(cli: Cli) -> None:
    argv = [sys.executable, "-m", "chimera", "--home", str(cli.home.root), "bench", "--agents", "30",
            "--llm-latency-ms", "0"]  # fmt: skip
    merged = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=cli.env,
                            timeout=120, check=False)  # fmt: skip
    assert merged.returncode == 0, merged.stdout
    lines = merged.stdout.splitlines()
    json_at = next(i for i, line in enumerate(lines) if line.startswith("{"))
    title_at = next(i for i, line in enumerate(lines) if "RW-1: 30 agents, 0 ms model latency" in line)
    assert json_at < title_at, "the summary table follows the JSON line"
    figures = json.loads(lines[json_at])
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in lines[title_at:] if line.count("│") == 3}
    assert rows["tasks"] == str(figures["tasks"]) and rows["posts"] == str(figures["posts"])
    assert rows["self_check"] == "[]"


def test_default_workers_cover_the_batches_that_can_be_out_at_once() -> None:
    assert default_workers(10_000, 3_000) == 187
    assert default_workers(10_000, 0) == 625
    assert default_workers(100_000, 0) == 2_000
    assert default_workers(300, 3_000) == 18
    assert default_workers(30_000, 3_000) == 187
    assert default_workers(3, 0) == 16


def test_bench_spreads_agents_over_tenants(cli: Cli, tmp_path: Path) -> None:
    db = tmp_path / "rw1.db"
    proc = cli.run("bench", "--agents", "60", "--tenants", "3", "--llm-latency-ms", "0", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    per_tenant = query(db, "SELECT tenant_id, COUNT(*) FROM campaigns GROUP BY tenant_id ORDER BY 1")
    assert per_tenant == [("tenant0", 20), ("tenant1", 20), ("tenant2", 20)]
    tasks = query(db, "SELECT tenant_id, COUNT(*) FROM tasks GROUP BY tenant_id ORDER BY 1")
    assert tasks == [("tenant0", 60), ("tenant1", 60), ("tenant2", 60)]
    crossed = query(
        db,
        "SELECT (SELECT COUNT(*) FROM decisions d JOIN tasks t USING (task_id) WHERE d.tenant_id <> t.tenant_id)"
        " + (SELECT COUNT(*) FROM outbox o JOIN tasks t USING (task_id) WHERE o.tenant_id <> t.tenant_id)",
    )
    assert crossed == [(0,)]


def test_bench_cfo_times_decisions(cli: Cli) -> None:
    proc = cli.run("bench", "--cfo")
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["requests"] == 100_000 == sum(figures["tiers"].values())
    assert all(figures["tiers"][t] > 0 for t in ("auto", "cfo", "human", "refused"))
    assert 0 < figures["median_us"] <= figures["p99_us"] <= figures["max_us"]


def test_bench_refuses_an_output_it_cannot_write_before_running(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    db = tmp_path / "rw1.db"
    proc = cli.run("bench", "--agents", "20", "--json", str(blocker / "rw1.json"), "--db", str(db))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: cannot write") and "Traceback" not in proc.stderr, proc.stderr
    assert not db.exists(), "the run did not start"
    nested = tmp_path / "new" / "folder" / "rw1.json"  # a missing folder is made, as for --db
    proc = cli.run("bench", "--agents", "20", "--llm-latency-ms", "0", "--json", str(nested))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(nested.read_text())["agents"] == 20


def test_bench_refuses_more_tenants_than_agents(cli: Cli) -> None:
    proc = cli.run("bench", "--agents", "3", "--tenants", "5")
    assert proc.returncode == 2
    assert "error: --tenants (5) cannot be more than --agents (3)" in " ".join(proc.stderr.split())


def test_bench_exits_non_zero_when_its_self_check_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real run, with one problem added to what the store check found: the command must not pass."""
    from typer.testing import CliRunner

    from chimera.cli.app import app
    from chimera.runtime import bench as rw1

    real = rw1.run_rw1

    async def with_a_problem(*args: Any, **kwargs: Any) -> dict[str, Any]:
        result = await real(*args, **kwargs)
        result["self_check"] = [*result["self_check"], "tasks left pending (lost): 1"]
        return result

    monkeypatch.setattr(rw1, "run_rw1", with_a_problem)
    out = CliRunner().invoke(app, ["--home", str(tmp_path), "bench", "--agents", "20", "--llm-latency-ms", "0"])
    assert out.exit_code == 4
    last = json.loads(out.stdout.strip().splitlines()[-1])
    assert last["self_check"] == ["tasks left pending (lost): 1"], "the line still reports what was found"


def test_bench_replaces_only_a_store_that_a_bench_wrote(cli: Cli, tmp_path: Path) -> None:
    """The bench starts from an empty store: a fleet's own store given as --db is refused and left as it was."""
    cli.json("run", "--until-idle")
    fleet_store = cli.home.db_path
    before = fleet_store.read_bytes()
    refused = cli.run("bench", "--agents", "10", "--llm-latency-ms", "0", "--db", str(fleet_store))
    assert refused.returncode == 2 and "was not written by `chimera bench`" in refused.stderr, refused.stderr
    assert fleet_store.read_bytes() == before and query(fleet_store, "SELECT COUNT(*) FROM tasks")[0][0] > 0
    folder = cli.run("bench", "--agents", "10", "--db", str(tmp_path))
    assert folder.returncode == 2 and "is not a file" in folder.stderr
    bench_store = tmp_path / "rw1.db"
    for agents in ("12", "10"):  # the second run replaces the first one's store
        proc = cli.run("bench", "--agents", agents, "--llm-latency-ms", "0", "--db", str(bench_store))
        assert proc.returncode == 0, proc.stderr
    assert query(bench_store, "SELECT COUNT(*) FROM campaigns")[0][0] == 10
