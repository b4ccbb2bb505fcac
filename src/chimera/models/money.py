"""Money values shared by the CFO, the ledger and the treasury (plain, immutable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class PeriodKeys:
    """Which day, week and month a moment falls in."""

    day: str
    week: str
    month: str


class Tier(StrEnum):
    """Who may approve a spend."""

    AUTO = "auto"
    CFO = "cfo"
    HUMAN = "human"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SpendRequest:
    """What an agent wants to pay, to whom and why."""

    agent_id: str
    kind: str
    category: str
    recipient: str
    amount_cents: int
    purpose: str
    details: dict[str, str] = field(default_factory=dict)
    """Kind-specific fields (a token's name, symbol and total supply)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """An agent's limits in cents."""

    per_tx: int
    cfo_max: int
    day: int
    week: int
    month: int
    category_day: dict[str, int]
    deny: frozenset[str] = frozenset()
    high_risk_at: float = 0.7


@dataclass(frozen=True, slots=True)
class History:
    """What the agent has spent (reserved or posted) and how it usually spends."""

    day: int = 0
    week: int = 0
    month: int = 0
    category_day: int = 0
    known_recipient: bool = False
    mean: float = 0.0
    std: float = 0.0
    count: int = 0
    recent: int = 0


@dataclass(frozen=True, slots=True)
class CfoDecision:
    """The CFO's answer: whether, at which tier, how risky, why, and on what conditions."""

    tier: Tier
    risk: float
    reason: str
    conditions: list[str] = field(default_factory=list)
    pause_agent: bool = False

    @property
    def approved(self) -> bool:
        """True when the spend may proceed without a human."""
        return self.tier in (Tier.AUTO, Tier.CFO)
