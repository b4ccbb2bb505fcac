"""Restarts after the fleet files changed under unfinished work."""

from __future__ import annotations

import signal

from tests.conftest import Cli, query
from tests.invariants import store_problems


def test_removed_campaign_leaves_its_unfinished_tasks_pending_and_the_rest_runs(cli: Cli) -> None:
    crashed = cli.run("run", "--until-idle", env={"CHIMERA_CRASH_AT": "after_plan_commit:1"})
    assert crashed.returncode == -signal.SIGKILL
    nova_pending = query(
        cli.home.db_path, "SELECT COUNT(*) FROM tasks WHERE campaign_id = 'nova-solar' AND status = 'pending'"
    )
    assert nova_pending[0][0] > 0

    campaigns = cli.home.campaigns_file
    text = campaigns.read_text()
    start = text.index('[[campaign]]\ncampaign_id = "nova-solar"')
    end = text.index("[[campaign]]", start + 1)
    campaigns.write_text(text[:start] + text[end:])

    done = cli.json("run", "--until-idle")
    assert done["orphaned"] > 0 and done["resumed"] > 0
    left = query(cli.home.db_path, "SELECT DISTINCT campaign_id FROM tasks WHERE status = 'pending'")
    assert left == [("nova-solar",)]
    assert store_problems(cli.home.db_path, settled=False) == []
    status = {c["campaign_id"]: c["status"] for c in cli.json("campaign", "list")}
    assert status["nova-solar"] == "paused"
