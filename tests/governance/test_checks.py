"""The Judge's confidence comes from what the text says, not from chance."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chimera.governance import checks
from chimera.governance.checks import HARD_FAIL_CAP, assess_content, assess_error, assess_post, assess_trends
from chimera.governance.output_checks import output_problems
from chimera.governance.sensitivity import LEXICON, sensitive_topics
from chimera.models.config import Persona
from chimera.text import keywords

PERSONA = Persona(agent_id="nova", name="Nova", voice="upbeat", niche="solar", banned_phrases=["to the moon"])
HEADLINE = "Solar-plus-battery farm in Nevada comes online ahead of schedule"
GOAL = "Grow an audience that follows solar power, battery storage and clean grid breakthroughs"


def _score(text: str, self_confidence: float = 0.9) -> float:
    return assess_content(
        text, headline=HEADLINE, goal=GOAL, topics=["energy"], persona=PERSONA, max_chars=280,
        self_confidence=self_confidence,
    ).confidence  # fmt: skip


def test_on_story_on_goal_text_scores_high() -> None:
    assert _score(f"{HEADLINE}. Battery storage keeps solar power on the grid after dark.") >= 0.9


def test_filler_scores_low_and_covering_the_story_scores_higher() -> None:
    filler = _score("Some days the feed is all noise. Stay tuned.")
    partial = _score("A Nevada farm came online today.")
    full = _score(f"{HEADLINE}. Battery storage for the grid.")
    assert filler < 0.7 <= full and filler < partial < full


def test_same_text_same_score_and_self_assessment_is_only_one_input() -> None:
    text = f"{HEADLINE}. Battery storage for the grid."
    assert _score(text) == _score(text)
    assert _score(text, 0.0) < _score(text, 1.0)
    assert _score("Nothing relevant here at all.", 1.0) < 0.7


def test_hard_failures_cap_confidence() -> None:
    good = f"{HEADLINE}. Solar power and battery storage"
    for bad in (
        f"{good} to the moon!",
        f"{good}. I am a real human, trust me.",
        f"{good}. Mail me at jo@example.com",
        f"{good}. Call +1 415 555 0100",
        good + " x" * 200,
    ):
        assessment = assess_content(bad, headline=HEADLINE, goal=GOAL, topics=[], persona=PERSONA,
                                    max_chars=280, self_confidence=1.0)  # fmt: skip
        assert assessment.confidence <= HARD_FAIL_CAP, bad
        assert assessment.failures and any("HARD FAIL" in line for line in assessment.lines)


def test_persona_violations_list_banned_phrases_first_then_the_output_checks() -> None:
    text = "Solar To The Moon! I am a real human. Mail jo@example.com"
    output = output_problems(text, [])
    assert len(output) == 2
    assert checks.persona_violations(text, PERSONA) == ["banned phrase 'to the moon'", *output]
    plain = Persona(agent_id="sol", name="Sol", voice="calm", niche="solar")
    assert checks.persona_violations(text, plain) == output
    assert checks.persona_violations("Solar output hit a record.", PERSONA) == []


def test_numbers_in_news_are_not_mistaken_for_phone_numbers() -> None:
    text = f"{HEADLINE}: 690 MW of solar and 380 MW of battery storage, 40,000 homes, since 2026-11-20."
    assert _score(text) >= 0.9


def test_post_without_disclosure_fails() -> None:
    ok = assess_post({"text": "hi\n[AI]", "ref": "outbox:1"}, disclosure="[AI]", max_chars=280)
    missing = assess_post({"text": "hi", "ref": "outbox:1"}, disclosure="[AI]", max_chars=280)
    assert ok.confidence == 1.0 and missing.confidence <= HARD_FAIL_CAP


def test_trend_analysis_needs_headlines() -> None:
    assert assess_trends({"count": 0, "sources": []}).confidence <= HARD_FAIL_CAP
    assert assess_trends({"count": 4, "on_topic": 4, "sources": ["a", "b"]}).confidence == 1.0


def test_sensitive_topics_by_topic_tag_and_words() -> None:
    configured = ["politics", "health", "finance", "legal", "religion"]
    assert sensitive_topics(configured, topic="health") == ["health"]
    assert sensitive_topics(configured, topic="energy", tags=["politics"]) == ["politics"]
    assert sensitive_topics(configured, topic="energy", text="Candidates clash ahead of the vote") == ["politics"]
    assert sensitive_topics(configured, topic="ai", text="Token prices swing; investors sue") == ["finance", "legal"]
    assert sensitive_topics(configured, topic="energy", text="Solar farm comes online") == []
    assert sensitive_topics(["health"], topic="energy", text="Candidates clash ahead of the vote") == []


_WORDS = ["vote", "court", "church", "loan", "tokens", "clinic", "solar", "farm", "Senate", "crypto", "the", "sue"]


@settings(max_examples=200, deadline=None)
@given(
    configured=st.lists(st.sampled_from(["politics", "Health", "finance", "legal", "religion", "other"]), max_size=6),
    topic=st.sampled_from(["politics", "energy", "health", "ai", ""]),
    tags=st.lists(st.sampled_from(["Politics", "legal", "solar", "x"]), max_size=3),
    text=st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join),
    story=st.lists(st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join), max_size=3),
)
def test_sensitive_topics_are_the_topic_tags_and_words_that_match(
    configured: list[str], topic: str, tags: list[str], text: str, story: list[str]
) -> None:
    # the definition, written out: a configured topic that is the task's topic or one of its
    # tags (any case), or whose lexicon shares a keyword with the text or any text of the (memoised) story
    marked = [topic.lower(), *(g.lower() for g in tags)]
    texts = [text, *story]
    expected = {
        name
        for name in {t.lower() for t in configured}
        if name in marked or (name in LEXICON and any(keywords(t) & keywords(LEXICON[name]) for t in texts))
    }
    assert sensitive_topics(configured, topic=topic, tags=tags, text=text, story=story) == sorted(expected)


@settings(max_examples=100, deadline=None)
@given(
    text=st.text(max_size=120),
    count=st.integers(0, 5),
    on_topic=st.integers(0, 5),
    sources=st.integers(0, 3),
    post=st.fixed_dictionaries({"text": st.text(max_size=60), "ref": st.text(alphabet=" \t:ab1é", max_size=12)}),
)
def test_the_trace_reads_each_check_then_each_hard_failure(
    text: str, count: int, on_topic: int, sources: int, post: dict[str, str]
) -> None:
    # the definition, written out, for every kind of assessment (the lines are written when it is made)
    for assessment in (
        assess_content(text, headline=HEADLINE, goal=GOAL, topics=["energy"], persona=PERSONA, max_chars=80,
                       self_confidence=0.5),
        assess_trends({"count": count, "on_topic": on_topic, "sources": ["s"] * sources}),
        assess_post(post, disclosure="[AI]", max_chars=50),
        assess_error(text),
    ):  # fmt: skip
        expected = [f"{c.name}={c.score:.2f} (w {c.weight:.2f}): {c.note}" for c in assessment.checks]
        assert list(assessment.lines) == expected + [f"HARD FAIL: {f}" for f in assessment.failures]
        # and the confidence: the weighted mean of the checks, capped by a hard failure, in [0, 1], 4 digits
        weights = sum(c.weight for c in assessment.checks)
        mean = sum(c.score * c.weight for c in assessment.checks) / (weights or 1.0)
        capped = min(mean, HARD_FAIL_CAP) if assessment.failures else mean
        assert assessment.confidence == round(max(0.0, min(1.0, capped)), 4)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, min_value=-2.0, max_value=2.0), max_size=30))
def test_rounding_is_the_same_memoised_or_not(values: list[float]) -> None:
    # confidences are rounded through a memo: every value, seen or not, before or after the memo
    # is emptied, rounds as round() does
    for value in values + values:
        assert checks._rounded(value) == round(max(0.0, min(1.0, value)), 4)
    checks._rounded.cache_clear()
    for value in values:
        assert checks._rounded(value) == round(max(0.0, min(1.0, value)), 4)
