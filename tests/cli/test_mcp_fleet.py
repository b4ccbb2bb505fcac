"""A fleet with a third-party MCP server that keeps crashing: the run carries on and status says so."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.conftest import Cli, query

CRASH = Path(__file__).parent.parent / "mcp" / "servers" / "crash.py"


def test_a_crashing_server_is_marked_down_and_the_fleet_still_publishes_and_remembers(cli: Cli) -> None:
    fleet = cli.home.fleet_file
    fleet.write_text(
        fleet.read_text()
        + f"""
[mcp]
max_restarts = 1
backoff_base_s = 0.05
backoff_max_s = 0.1

[mcp.servers.crashy]
command = {json.dumps(sys.executable)}
args = [{json.dumps(str(CRASH))}]
"""
    )
    run = cli.json("run", "--until-idle")
    assert run["mcp_servers"]["news"]["state"] == "up" and run["mcp_servers"]["memory"]["state"] == "up"
    assert run["mcp_servers"]["crashy"]["state"] == "down"
    assert run["memory"] == "mcp:memory"

    status = cli.json("status")
    servers = {s["name"]: s for s in status["mcp_servers"]}
    assert servers["crashy"]["state"] == "stopped", "the run that supervised it has ended"
    assert servers["news"]["tools"] == ["fetch_trends", "search_news"]
    assert status["posts"] > 0

    remembered = query(cli.home.data_dir / "memory.db", "SELECT COUNT(*) FROM memory_keys")[0][0]
    assert remembered == status["posts"], "every published post is remembered once"

    listed = {s["server"]: s for s in cli.json("mcp", "list")}
    assert listed["crashy"]["state"] == "down" and "crashy" in listed["crashy"]["error"]
    assert listed["memory"]["tools"] == ["store_memory", "search_memory", "forget", "store_memories", "search_memories"]
