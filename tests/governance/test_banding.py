"""Judge banding: monotonic in confidence, never approves sensitive work, retries are bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chimera.governance.banding import band, bands_of
from chimera.models.config import JudgePolicy
from chimera.models.work import Verdict

RANK = {Verdict.REJECT: 0, Verdict.ESCALATE: 1, Verdict.APPROVE: 2}
unit = st.floats(0, 1, allow_nan=False)


@st.composite
def policies(draw: st.DrawFn) -> JudgePolicy:
    low, high = sorted((draw(unit), draw(unit)))
    return JudgePolicy(review_at=low, approve_at=high, max_retries=draw(st.integers(0, 5)))


@given(policies(), unit, unit, st.booleans(), st.integers(0, 6))
def test_banding_is_monotonic_in_confidence(
    policy: JudgePolicy, a: float, b: float, sensitive: bool, attempt: int
) -> None:
    lo, hi = sorted((a, b))
    v_lo, _ = band(lo, sensitive, attempt, *bands_of(policy))
    v_hi, _ = band(hi, sensitive, attempt, *bands_of(policy))
    assert RANK[v_lo] <= RANK[v_hi]


@given(policies(), unit, st.integers(0, 6))
def test_sensitive_work_is_never_approved_nor_dropped(policy: JudgePolicy, confidence: float, attempt: int) -> None:
    verdict, why = band(confidence, True, attempt, *bands_of(policy))
    assert verdict == Verdict.ESCALATE and "sensitive" in why


@given(policies(), unit, st.integers(0, 6))
def test_reject_only_while_retries_remain_then_a_human(policy: JudgePolicy, confidence: float, attempt: int) -> None:
    verdict, _ = band(confidence, False, attempt, *bands_of(policy))
    if verdict == Verdict.REJECT:
        assert attempt < policy.max_retries and confidence < policy.review_at
    if confidence < policy.review_at and attempt >= policy.max_retries:
        assert verdict == Verdict.ESCALATE


def test_default_bands() -> None:
    policy = JudgePolicy()
    assert band(0.95, False, 0, *bands_of(policy))[0] == Verdict.APPROVE
    assert band(0.90, False, 0, *bands_of(policy))[0] == Verdict.APPROVE
    assert band(0.80, False, 0, *bands_of(policy))[0] == Verdict.ESCALATE
    assert band(0.70, False, 0, *bands_of(policy))[0] == Verdict.ESCALATE
    assert band(0.69, False, 1, *bands_of(policy))[0] == Verdict.REJECT
    assert band(0.69, False, 2, *bands_of(policy))[0] == Verdict.ESCALATE
