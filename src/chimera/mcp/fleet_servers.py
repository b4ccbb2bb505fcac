"""The MCP servers of a fleet: the bundled news and memory servers plus those in ``[mcp.servers]``."""

from __future__ import annotations

from pathlib import Path

from chimera.mcp.command import ServerCommand
from chimera.mcp.pool import ServerSpec
from chimera.models.config import FleetPolicy


def fleet_server_specs(
    policy: FleetPolicy, data_dir: Path, *, news: ServerCommand | None = None, memory_db: Path | None = None
) -> list[ServerSpec]:
    """How to start every server of the fleet (``news`` replaces the bundled news command, e.g. for the bench)."""
    timeout = policy.mcp.call_timeout_s
    news_cmd = news or ServerCommand.bundled_news(policy=policy.news, cache=data_dir / "news-cache.db")
    memory_cmd = ServerCommand.bundled_memory(memory_db or data_dir / "memory.db", policy.tenant_id, policy.memory)
    specs = [ServerSpec("news", news_cmd, timeout), ServerSpec("memory", memory_cmd, timeout)]
    for name, config in sorted(policy.mcp.servers.items()):
        specs.append(ServerSpec(name, ServerCommand.configured(config), config.timeout_s))
    return specs
