"""The only module that reads the process environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class Secret:
    """A secret value that never shows itself in a repr, a log line or an error."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class CdpCredentials:
    """Coinbase Developer Platform credentials (opt-in; only the wallet service gets them)."""

    api_key_name: str
    private_key: Secret
    wallet_data: Path | None
    network_id: str


@dataclass(frozen=True, slots=True)
class Settings:
    """Values taken from the environment once, at start-up."""

    home: Path | None
    """CHIMERA_HOME: the fleet directory when --home is not given."""
    crash_at: str | None
    """CHIMERA_CRASH_AT: a named crash point for tests (``point:n``)."""
    reviewer: str
    """Who is reviewing: CHIMERA_REVIEWER, else the login name."""
    cdp: CdpCredentials | None = None
    """CDP_API_KEY_NAME + CDP_API_KEY_PRIVATE_KEY (+ CDP_WALLET_DATA, NETWORK_ID), when both keys are set."""

    def secret_values(self) -> list[str]:
        """Every secret value these settings hold (for the redactor; never for printing)."""
        return [self.cdp.private_key.reveal()] if self.cdp is not None else []

    @classmethod
    def from_env(cls) -> Settings:
        """Read the environment."""
        env = os.environ
        home = env.get("CHIMERA_HOME")
        return cls(
            home=Path(home) if home else None,
            crash_at=env.get("CHIMERA_CRASH_AT") or None,
            reviewer=env.get("CHIMERA_REVIEWER") or env.get("USER") or env.get("LOGNAME") or "reviewer",
            cdp=_cdp(env),
        )


def env_value(name: str) -> str | None:
    """One variable of the environment (for ``$NAME`` references in configuration), or None if unset."""
    return os.environ.get(name) or None


def _cdp(env: Mapping[str, str]) -> CdpCredentials | None:
    name, key = env.get("CDP_API_KEY_NAME"), env.get("CDP_API_KEY_PRIVATE_KEY")
    if not name or not key:
        return None
    data = env.get("CDP_WALLET_DATA")
    return CdpCredentials(
        api_key_name=name,
        private_key=Secret(key.replace("\\n", "\n")),
        wallet_data=Path(data) if data else None,
        network_id=env.get("NETWORK_ID") or "base-sepolia",
    )
