"""The only module that reads the process environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Values taken from the environment once, at start-up."""

    home: Path | None
    """CHIMERA_HOME: the fleet directory when --home is not given."""
    crash_at: str | None
    """CHIMERA_CRASH_AT: a named crash point for tests (``point:n``)."""
    reviewer: str
    """Who is reviewing: CHIMERA_REVIEWER, else the login name."""

    @classmethod
    def from_env(cls) -> Settings:
        """Read the environment."""
        env = os.environ
        home = env.get("CHIMERA_HOME")
        return cls(
            home=Path(home) if home else None,
            crash_at=env.get("CHIMERA_CRASH_AT") or None,
            reviewer=env.get("CHIMERA_REVIEWER") or env.get("USER") or env.get("LOGNAME") or "reviewer",
        )
