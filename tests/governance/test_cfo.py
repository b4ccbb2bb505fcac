"""The CFO: limits first, then risk; approvals never exceed a limit; refusals always say why."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from chimera.governance.cfo import History, Limits, SpendRequest, Tier, review

LIMITS = Limits(per_tx=1000, cfo_max=5000, day=5000, week=20000, month=50000,
                category_day={"compute": 2000, "api": 2000, "other": 1000}, deny=frozenset({"0xbad"}))  # fmt: skip
KNOWN = History(known_recipient=True, mean=500, std=100, count=10)


def _req(cents: int, **kw: str) -> SpendRequest:
    base = {"agent_id": "nova", "kind": "transfer", "category": "api", "recipient": "0xabc",
            "purpose": "monthly API plan for headlines"}  # fmt: skip
    base.update(kw)
    return SpendRequest(amount_cents=cents, **base)  # type: ignore[arg-type]


def test_tiers() -> None:
    assert review(_req(450), KNOWN, LIMITS).tier == Tier.AUTO
    assert review(_req(1200), KNOWN, LIMITS).tier == Tier.CFO
    cfo = review(_req(1200), KNOWN, LIMITS)
    assert cfo.approved and cfo.conditions and "CFO approved" in cfo.reason
    assert review(_req(500, kind="deploy_token"), KNOWN, LIMITS).tier == Tier.HUMAN
    roomy = replace(LIMITS, day=10000, category_day={"api": 10000})
    above_cfo = review(_req(6000), History(known_recipient=True), roomy)
    assert above_cfo.tier == Tier.HUMAN and "above the CFO" in above_cfo.reason


def test_refusals_name_the_limit() -> None:
    assert "deny list" in review(_req(100, recipient="0xbad"), KNOWN, LIMITS).reason
    day = review(_req(600), History(day=4500, known_recipient=True), LIMITS)
    assert day.tier == Tier.REFUSED and "daily limit" in day.reason and "$5.00 left" in day.reason
    assert "api cap" in review(_req(600), History(category_day=1500, known_recipient=True), LIMITS).reason
    assert review(_req(100, purpose="  "), KNOWN, LIMITS).tier == Tier.REFUSED


def test_risk_rises_with_novelty_outliers_and_bursts() -> None:
    usual = review(_req(500), KNOWN, LIMITS).risk
    assert review(_req(500, recipient="0xnew"), History(mean=500, std=100, count=10), LIMITS).risk > usual
    assert review(_req(1900), KNOWN, LIMITS).risk > usual
    assert review(_req(500), History(known_recipient=True, mean=500, std=100, count=10, recent=8), LIMITS).risk > usual


def test_passing_150_percent_of_a_limit_pauses_the_agent() -> None:
    assert review(_req(3000), History(day=4900, known_recipient=True), LIMITS).pause_agent
    assert not review(_req(200), History(day=4900, known_recipient=True), LIMITS).pause_agent


history = st.builds(
    History,
    day=st.integers(0, 6000), week=st.integers(0, 21000), month=st.integers(0, 51000),
    category_day=st.integers(0, 2500), known_recipient=st.booleans(), mean=st.floats(0, 5000),
    std=st.floats(0, 2000), count=st.integers(0, 100), recent=st.integers(0, 20),
)  # fmt: skip


@given(st.integers(-100, 20000), history, st.sampled_from(["api", "compute", "other", "bogus"]),
       st.sampled_from(["transfer", "deploy_token"]))  # fmt: skip
def test_an_approval_never_passes_a_limit_and_every_decision_has_a_reason(
    cents: int, hist: History, category: str, kind: str
) -> None:
    d = review(_req(cents, category=category, kind=kind), hist, LIMITS)
    assert d.reason and 0 <= d.risk <= 1
    if d.approved:
        assert 0 < cents <= LIMITS.cfo_max and kind == "transfer"
        assert hist.day + cents <= LIMITS.day and hist.week + cents <= LIMITS.week
        assert hist.month + cents <= LIMITS.month
        assert hist.category_day + cents <= LIMITS.category_day[category]
        assert d.tier == Tier.CFO or cents <= LIMITS.per_tx
