"""The CFO: reviews every spend request before any money moves.

A pure function of the request, the agent's history and the policy, so it is
cheap (well under a millisecond) and easy to test. It never moves money; the
ledger and SQLite's own constraints enforce the limits whatever it says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

LOW_RISK_BELOW = 0.4
PAUSE_OVER_RATIO = 1.5
PAUSE_RISK_AT = 0.9
BURST_COUNT = 5


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


def _usd(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def review(req: SpendRequest, hist: History, limits: Limits) -> CfoDecision:
    """Decide one request."""
    amount = req.amount_cents
    if amount <= 0:
        return CfoDecision(Tier.REFUSED, 1.0, "amount must be positive")
    if not req.purpose.strip():
        return CfoDecision(Tier.REFUSED, 1.0, "a spend needs a stated purpose")
    if req.category not in limits.category_day:
        return CfoDecision(Tier.REFUSED, 1.0, f"unknown spend category '{req.category}'")
    if req.recipient in limits.deny:
        return CfoDecision(Tier.REFUSED, 1.0, f"recipient {req.recipient} is on the deny list")
    for name, spent, cap in (("daily", hist.day, limits.day), ("weekly", hist.week, limits.week),
                             ("monthly", hist.month, limits.month)):  # fmt: skip
        if spent + amount > cap:
            left = _usd(max(0, cap - spent))
            return CfoDecision(
                Tier.REFUSED,
                1.0,
                f"{name} limit: {_usd(spent)} of {_usd(cap)} spent, {left} left, asked {_usd(amount)}",
                pause_agent=spent + amount > cap * PAUSE_OVER_RATIO,
            )
    cap = limits.category_day[req.category]
    if hist.category_day + amount > cap:
        return CfoDecision(
            Tier.REFUSED, 1.0, f"{req.category} cap: {_usd(hist.category_day)} of {_usd(cap)} spent today"
        )

    risk = 0.05
    why: list[str] = []
    if not hist.known_recipient:
        risk += 0.25
        why.append("first payment to this recipient")
    if hist.count >= 3:
        spread = max(hist.std, hist.mean * 0.25, 100.0)
        z = (amount - hist.mean) / spread
        if z > 2:
            risk += min(0.35, 0.1 * z)
            why.append(f"{z:.1f} spreads above the usual {_usd(round(hist.mean))}")
    if hist.recent >= BURST_COUNT:
        risk += 0.25
        why.append(f"burst: {hist.recent} payments in the last 10 minutes")
    risk += 0.15 * (hist.day + amount) / limits.day if limits.day else 0.15
    if len(req.purpose.strip()) < 10:
        risk += 0.1
        why.append("vague purpose")
    risk = round(min(1.0, risk), 3)
    note = "; ".join(why) or "within the agent's usual pattern"
    pause = risk >= PAUSE_RISK_AT

    if req.kind == "deploy_token":
        return CfoDecision(Tier.HUMAN, risk, f"token deployment always needs a human ({note})", pause_agent=pause)
    if amount > limits.cfo_max:
        return CfoDecision(Tier.HUMAN, risk, f"{_usd(amount)} is above the CFO's {_usd(limits.cfo_max)} ({note})",
                           pause_agent=pause)  # fmt: skip
    if risk >= limits.high_risk_at:
        return CfoDecision(Tier.HUMAN, risk, f"high risk {risk:.2f}: {note}", pause_agent=pause)
    if amount > limits.per_tx or risk >= LOW_RISK_BELOW:
        return CfoDecision(
            Tier.CFO, risk, f"CFO approved {_usd(amount)} for {req.category}: {note}",
            conditions=["single payment to the named recipient", f"purpose: {req.purpose.strip()[:80]}"],
        )  # fmt: skip
    return CfoDecision(Tier.AUTO, risk, f"auto-approved {_usd(amount)} (low risk {risk:.2f}): {note}")
