"""The CFO: reviews every spend request before any money moves.

A pure function of the request, the agent's history and the policy, so it is
cheap (well under a millisecond) and easy to test. It never moves money; the
ledger and SQLite's own constraints enforce the limits whatever it says.
"""

from __future__ import annotations

from chimera.models.money import CfoDecision, History, Limits, SpendRequest, Tier

LOW_RISK_BELOW = 0.4
PAUSE_OVER_RATIO = 1.5
PAUSE_RISK_AT = 0.9
BURST_COUNT = 5

__all__ = ["CfoDecision", "History", "Limits", "SpendRequest", "Tier", "review"]


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
