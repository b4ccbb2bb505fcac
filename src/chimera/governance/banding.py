"""The Judge's bands: confidence (and sensitivity, and the attempt) to a verdict."""

from __future__ import annotations

from functools import lru_cache

from chimera.models.config import JudgePolicy
from chimera.models.work import Verdict


def bands_of(policy: JudgePolicy) -> tuple[float, float, int]:
    """The policy's values ``band`` takes after a result's own, in its order (the Judge reads them once)."""
    return policy.approve_at, policy.review_at, policy.max_retries


@lru_cache(maxsize=4_096)
def band(
    confidence: float, sensitive: bool, attempt: int, approve_at: float, review_at: float, max_retries: int
) -> tuple[Verdict, str]:
    """The verdict and why.

    Sensitive work always goes to a human. Otherwise: approve at or above
    ``approve_at``; a human between ``review_at`` and ``approve_at``; below,
    reject and retry until ``max_retries`` retries are used, then a human
    (never a silent drop).

    Memoised: confidences repeat, as checks score in a few steps, and each why is a format.
    """
    if sensitive:
        return Verdict.ESCALATE, "sensitive topic: a human must review"
    if confidence >= approve_at:
        return Verdict.APPROVE, f"confidence {confidence:.2f} >= {approve_at:.2f}"
    if confidence >= review_at:
        return Verdict.ESCALATE, f"confidence {confidence:.2f} in the review band"
    if attempt < max_retries:
        return Verdict.REJECT, f"confidence {confidence:.2f} < {review_at:.2f}: retry {attempt + 1}/{max_retries}"
    return Verdict.ESCALATE, f"confidence {confidence:.2f} still low after {max_retries} retries"
