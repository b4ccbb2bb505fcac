"""Real checks of a result's content; their weighted sum is the Judge's confidence.

Nothing here is random or hashed: every score comes from looking at the text
(how much of the story it covers, whether it serves the goal, whether it fits
the platform) plus the writer's own view, and any hard failure (a banned
phrase, a claim to be human, personal data, no text) caps the confidence
below every approval band.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chimera.governance.output_checks import output_problems
from chimera.models.config import Persona
from chimera.text import keywords, similarity, text_keywords

HARD_FAIL_CAP = 0.3
_TRACE_LINE = "%s=%.2f (w %.2f): %s"


@dataclass(init=False)
class Check:
    """One check: its score in [0, 1], its weight, and what it saw (the Judge makes ~5 per result).

    A written-out ``__init__``, so the compiled class is made without a Python-level call
    (``models/records.py``).
    """

    name: str
    score: float
    weight: float
    note: str

    def __init__(self, name: str, score: float, weight: float, note: str) -> None:
        self.name = name
        self.score = score
        self.weight = weight
        self.note = note


@dataclass(init=False)
class Assessment:
    """The checks, the hard failures, the confidence they add up to, and the reasoning they read as.

    One per result. ``lines`` is written when the assessment is made, so an assessment that many
    results share (a topic's trend analyses) is put into words once. A written-out ``__init__``,
    so the compiled class is made without a Python-level call (``models/records.py``).
    """

    confidence: float
    checks: tuple[Check, ...]
    failures: tuple[str, ...]
    lines: tuple[str, ...]
    """Human-readable reasoning: one line per check, then one per hard failure."""

    def __init__(
        self, confidence: float, checks: tuple[Check, ...], failures: tuple[str, ...], lines: tuple[str, ...]
    ) -> None:
        self.confidence = confidence
        self.checks = checks
        self.failures = failures
        self.lines = lines


Said = tuple[Check, str]
"""A check and its trace line."""


def _said(check: Check) -> Said:
    return check, _TRACE_LINE % (check.name, check.score, check.weight, check.note)


def _combine(said: Sequence[Said], failures: Sequence[str]) -> Assessment:
    checks: list[Check] = []
    lines: list[str] = []
    total = weighted = 0.0
    for check, line in said:  # one pass, in order: the same sums as two sum() calls (a compiled loop)
        checks.append(check)
        lines.append(line)
        total += check.weight
        weighted += check.score * check.weight
    confidence = weighted / (total or 1.0)
    if failures:
        confidence = min(confidence, HARD_FAIL_CAP)
        lines.extend([f"HARD FAIL: {f}" for f in failures])
    return Assessment(_rounded(confidence), tuple(checks), tuple(failures), tuple(lines))


@lru_cache(maxsize=4_096)
def _rounded(confidence: float) -> float:
    """``confidence`` clamped to [0, 1] and rounded to 4 digits (memoised: a float's round() to 4 digits
    goes through its decimal digits, ~0.5 µs, and confidences take few values as checks score in few steps)."""
    return round(max(0.0, min(1.0, confidence)), 4)


# The checks most results share, memoised by what they look at: a check and its line cost
# ~1.2 us to make and word, a memoised one ~0.2 us, and their inputs take few values.


@lru_cache(maxsize=1_024)
def _relevance(covered: int, needed: int) -> Said:
    return _said(Check("relevance", min(1.0, covered / needed), 0.45, f"covers {covered} of the story's key words"))


@lru_cache(maxsize=1_024)
def _on_goal(on_goal: int) -> Said:
    return _said(Check("on_goal", min(1.0, on_goal / 2), 0.25, f"{on_goal} words of the campaign goal/topics"))


@lru_cache(maxsize=1_024)
def _self_assessed(confidence: float) -> Said:
    return _said(Check("writer_self_assessment", max(0.0, min(1.0, confidence)), 0.15, "the writer's own confidence"))


@lru_cache(maxsize=4_096)
def _length(chars: int, max_chars: int, fits: bool, weight: float) -> Said:
    return _said(Check("length", 1.0 if fits else 0.0, weight, f"{chars}/{max_chars} chars"))


#: The line of a receipt's check up to its reference (the score is 1.00 whenever there is a reference).
_PUBLISHED_LINE = _TRACE_LINE % ("published", 1.0, 0.4, "")


def _published(ref: str) -> Said:
    """The receipt's check; each reference is new, so its line is the fixed part and the reference."""
    if not ref:
        return _said(Check("published", 0.0, 0.4, "no receipt"))
    return Check("published", 1.0, 0.4, ref), _PUBLISHED_LINE + ref


@lru_cache(maxsize=16)
def _disclosed(present: bool) -> Said:
    return _said(Check("disclosure", 1.0 if present else 0.0, 0.4, "AI disclosure present"))


def persona_violations(text: str, persona: Persona, link_allowlist: list[str] | None = None) -> list[str]:
    """Banned phrases, plus everything the output checks forbid (secrets, personal data, human claims, links)."""
    problems = output_problems(text, link_allowlist or [])
    if not persona.banned_phrases:  # most personas: no lower-casing, no list to build and join
        return problems
    lowered = text.lower()
    return [f"banned phrase '{p}'" for p in persona.banned_phrases if p.lower() in lowered] + problems


@lru_cache(maxsize=4_096)
def _goal_keywords(goal: str, topics: tuple[str, ...]) -> frozenset[str]:
    """A campaign's goal and topics as keywords (the same for every draft of the campaign)."""
    return keywords(goal, topics)


def assess_content(
    text: str,
    *,
    headline: str,
    goal: str,
    topics: list[str],
    persona: Persona,
    max_chars: int,
    self_confidence: float,
    recalled: list[dict[str, Any]] | None = None,
    repeat_at: float = 0.6,
    link_allowlist: list[str] | None = None,
) -> Assessment:
    """Checks for a generated post; ``recalled`` are the agent's earlier posts it must not repeat."""
    said = text_keywords(text)
    story = text_keywords(headline)
    covered = len(story & said)
    needed = max(1, min(len(story), 5))
    aims = _goal_keywords(goal, tuple(topics))
    on_goal = len(aims & said)
    chars = len(text)
    checked = [
        _relevance(covered, needed),
        _on_goal(on_goal),
        _self_assessed(self_confidence),
        _length(chars, max_chars, 0 < chars <= max_chars, 0.15),
    ]
    failures = persona_violations(text, persona, link_allowlist)
    if recalled:
        overlap, closest = -1.0, recalled[0]
        for memory in recalled:  # the first of the closest, each compared once
            score = similarity(text, str(memory.get("content", "")))
            if score > overlap:
                overlap, closest = score, memory
        # weight 0: novelty only shows in the trace, and a repeat is a hard failure
        checked.append(_said(Check("novelty", 1.0 - overlap, 0.0, f"closest earlier post #{closest.get('memory_id')}")))
        if overlap >= repeat_at:
            failures.append(f"repeats earlier post #{closest.get('memory_id')} ({overlap:.0%} the same words)")
    if not text.strip():
        failures.append("empty text")
    if chars > max_chars:
        failures.append(f"longer than {max_chars} chars")
    return _combine(checked, failures)


def assess_post(
    output: dict[str, Any], *, disclosure: str, max_chars: int, length: Callable[[str], int] = len
) -> Assessment:
    """Checks for a publication: it exists, carries the disclosure, fits the platform (as it counts)."""
    text = str(output.get("text", ""))
    ref = str(output.get("ref", ""))
    present = disclosure in text
    chars = length(text)
    said = [
        _published(ref),
        _disclosed(present),
        _length(chars, max_chars, chars <= max_chars, 0.2),
    ]
    return _combine(said, [] if present else ["AI disclosure missing"])


def assess_trends(output: dict[str, Any]) -> Assessment:
    """Checks for a trend analysis: headlines found, on the topic, from several sources."""
    count = int(output.get("count", 0))
    return _trends_assessment(count, int(output.get("on_topic", count)), len(output.get("sources", [])))


@lru_cache(maxsize=1_024)
def _trends_assessment(count: int, on_topic: int, sources: int) -> Assessment:
    """The assessment of a trend analysis by its three counts (the agents of a topic share it: nothing
    changes an assessment once it is made, and its checks, failures and lines are tuples)."""
    said = [
        _said(Check("coverage", min(1.0, count / 2), 0.6, f"{count} headlines")),
        _said(Check("on_topic", on_topic / count if count else 0.0, 0.3, f"{on_topic} of them on the topic")),
        _said(Check("sources", min(1.0, sources / 2), 0.1, f"{sources} sources")),
    ]
    return _combine(said, [] if count else ["no headlines found"])


def assess_error(error: str) -> Assessment:
    """A failed result: zero confidence and the error as the reason."""
    return _combine((), [f"skill failed: {error}"])  # no checks: confidence 0
