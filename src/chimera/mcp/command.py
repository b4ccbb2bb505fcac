"""How to start an MCP server, and the servers Chimera bundles."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from chimera.models.config import McpServerConfig, MemoryPolicy, NewsPolicy
from chimera.settings import env_value


@dataclass(frozen=True, slots=True)
class ServerCommand:
    """How to start an MCP server."""

    command: str
    """Executable."""
    args: list[str] = field(default_factory=list)
    """Arguments."""
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the subprocess (it gets nothing else but PATH and the like)."""

    @classmethod
    def bundled_news(
        cls, snapshot: str | None = None, policy: NewsPolicy | None = None, cache: Path | None = None
    ) -> ServerCommand:
        """The news server that ships with Chimera, run with this Python."""
        args = ["-m", "chimera.mcp.servers.news"]
        if snapshot:
            args += ["--snapshot", snapshot]
        if policy is not None and policy.feeds and cache is not None:
            feeds = [f.model_dump(exclude_none=True) for f in policy.feeds]
            args += ["--feeds-json", json.dumps(feeds), "--cache", str(cache)]
            args += ["--refresh-s", str(policy.refresh_s), "--fetch-timeout-s", str(policy.fetch_timeout_s)]
        return cls(sys.executable, args)

    @classmethod
    def bundled_memory(cls, db: Path, tenant_id: str, policy: MemoryPolicy | None = None) -> ServerCommand:
        """The memory server that ships with Chimera, on one tenant's memory file."""
        args = ["-m", "chimera.mcp.servers.memory", "--db", str(db), "--tenant", tenant_id]
        env: dict[str, str] = {}
        if policy is not None and policy.embeddings_url:
            args += ["--embeddings-url", policy.embeddings_url, "--embeddings-model", policy.embeddings_model]
            key = env_value("CHIMERA_EMBEDDINGS_API_KEY")
            if key:
                env["CHIMERA_EMBEDDINGS_API_KEY"] = key  # the subprocess gets this one key, nothing else
        return cls(sys.executable, args, env)

    @classmethod
    def configured(cls, config: McpServerConfig) -> ServerCommand:
        """A third-party server from ``[mcp.servers.NAME]``; ``$NAME`` values come from the environment."""
        env = {}
        for key, value in config.env.items():
            if value.startswith("$"):
                resolved = env_value(value[1:])
                if resolved is not None:
                    env[key] = resolved
            else:
                env[key] = value
        return cls(config.command, list(config.args), env)
