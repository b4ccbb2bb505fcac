"""How to start an MCP server, and the servers Chimera bundles."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path


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
    def bundled_news(cls, snapshot: str | None = None) -> ServerCommand:
        """The news server that ships with Chimera, run with this Python."""
        args = ["-m", "chimera.mcp.servers.news"]
        if snapshot:
            args += ["--snapshot", snapshot]
        return cls(sys.executable, args)

    @classmethod
    def bundled_memory(cls, db: Path, tenant_id: str) -> ServerCommand:
        """The memory server that ships with Chimera, on one tenant's memory file."""
        return cls(sys.executable, ["-m", "chimera.mcp.servers.memory", "--db", str(db), "--tenant", tenant_id])
