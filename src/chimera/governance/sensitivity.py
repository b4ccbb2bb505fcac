"""Which sensitive topics a piece of work touches; those always go to a human."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from chimera.text import keywords, text_keywords

#: Words (stemmed) that mark a text as touching a sensitive topic.
LEXICON: dict[str, frozenset[str]] = {
    "politics": frozenset(
        [
            "election",
            "vote",
            "voting",
            "voter",
            "candidate",
            "ballot",
            "senate",
            "congress",
            "parliament",
            "lawmaker",
            "politician",
            "partisan",
            "referendum",
            "turnout",
        ]
    ),
    "health": frozenset(
        [
            "blood",
            "pressure",
            "diagnosis",
            "disease",
            "medication",
            "medicine",
            "supplement",
            "insomnia",
            "vaccine",
            "cancer",
            "clinical",
            "symptom",
            "cure",
            "treatment",
            "therapy",
            "doctor",
            "patient",
        ]
    ),
    "finance": frozenset(
        [
            "invest",
            "investment",
            "investor",
            "stock",
            "trading",
            "trader",
            "portfolio",
            "dividend",
            "token",
            "loan",
            "mortgage",
            "crypto",
            "returns",
        ]
    ),
    "legal": frozenset(["lawsuit", "court", "sue", "attorney", "lawyer", "litigation", "verdict", "legal"]),
    "religion": frozenset(
        ["church", "mosque", "temple", "synagogue", "prayer", "faith", "religion", "religious", "god"]
    ),
}


#: The lexicon as stemmed keywords, computed once.
_STEMMED: dict[str, frozenset[str]] = {name: keywords(words) for name, words in LEXICON.items()}
#: Every lexicon's keywords together: a text that shares none is looked at once, not once per lexicon.
_ANY_STEMMED: frozenset[str] = frozenset().union(*_STEMMED.values())
_NONE: frozenset[str] = frozenset()


@lru_cache(maxsize=32_768)
def _lexicons_touched(text: str) -> frozenset[str]:
    """The lexicons (by topic) that share a keyword with ``text``; memoised, as headlines repeat across agents."""
    found = text_keywords(text)
    if found.isdisjoint(_ANY_STEMMED):  # most texts
        return _NONE
    return frozenset(name for name, lexicon in _STEMMED.items() if not found.isdisjoint(lexicon))


@lru_cache(maxsize=256)
def _lowered(configured: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t.lower() for t in configured)


@lru_cache(maxsize=16_384)
def _story_touches(topic: str, tags: tuple[str, ...], story: tuple[str, ...]) -> frozenset[str]:
    """The topic and tags (lower-cased) and the lexicons the story's texts touch (the agents of a story share it)."""
    touched = {topic.lower(), *(g.lower() for g in tags)}
    for part in story:
        touched |= _lexicons_touched(part)
    return frozenset(touched)


def sensitive_topics(
    configured: Iterable[str],
    *,
    topic: str,
    tags: Iterable[str] = (),
    text: str = "",
    story: Iterable[str] = (),
) -> list[str]:
    """The configured sensitive topics that the task's topic, tags, text or story touch, sorted.

    ``story`` holds texts that repeat across tasks (a headline, its summary): what they touch is
    memoised together with the topic and tags; ``text`` (the task's own output) is looked at each time.
    """
    wanted = _lowered(tuple(configured))
    return sorted(wanted & (_story_touches(topic, tuple(tags), tuple(story)) | _lexicons_touched(text)))
