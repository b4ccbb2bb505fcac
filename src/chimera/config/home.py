"""Where a fleet's files and data live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Home:
    """A fleet home directory: configuration files plus a ``data/`` folder."""

    root: Path

    @property
    def fleet_file(self) -> Path:
        """Fleet policy (TOML)."""
        return self.root / "fleet.toml"

    @property
    def campaigns_file(self) -> Path:
        """Campaigns (TOML, one ``[[campaign]]`` table each)."""
        return self.root / "campaigns.toml"

    @property
    def personas_dir(self) -> Path:
        """One SOUL.md-style file per persona."""
        return self.root / "personas"

    @property
    def data_dir(self) -> Path:
        """Everything the runtime writes."""
        return self.root / "data"

    @property
    def db_path(self) -> Path:
        """The SQLite store."""
        return self.data_dir / "chimera.db"

    @property
    def log_path(self) -> Path:
        """Structured (JSON lines) run log."""
        return self.data_dir / "chimera.log"
