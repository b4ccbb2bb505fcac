"""The Judge's bands: confidence (and sensitivity, and the attempt) to a verdict."""

from __future__ import annotations

from chimera.models.config import JudgePolicy
from chimera.models.work import Verdict


def band(confidence: float, *, sensitive: bool, attempt: int, policy: JudgePolicy) -> tuple[Verdict, str]:
    """The verdict and why.

    Sensitive work always goes to a human. Otherwise: approve at or above
    ``approve_at``; a human between ``review_at`` and ``approve_at``; below,
    reject and retry until ``max_retries`` retries are used, then a human
    (never a silent drop).
    """
    if sensitive:
        return Verdict.ESCALATE, "sensitive topic: a human must review"
    if confidence >= policy.approve_at:
        return Verdict.APPROVE, f"confidence {confidence:.2f} >= {policy.approve_at:.2f}"
    if confidence >= policy.review_at:
        return Verdict.ESCALATE, f"confidence {confidence:.2f} in the review band"
    if attempt < policy.max_retries:
        return (
            Verdict.REJECT,
            f"confidence {confidence:.2f} < {policy.review_at:.2f}: retry {attempt + 1}/{policy.max_retries}",
        )
    return Verdict.ESCALATE, f"confidence {confidence:.2f} still low after {policy.max_retries} retries"
