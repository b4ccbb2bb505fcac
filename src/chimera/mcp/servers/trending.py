"""Trend scores: how fresh a story is and how many sources carry it.

``trend = recency × (1 − ½^velocity)``, where recency halves every
``HALF_LIFE_H`` hours and velocity counts the distinct sources whose
headlines share most of their key words with this one. A story carried by
three sources this morning outranks a scoop from yesterday.
"""

from __future__ import annotations

import datetime as dt

from chimera.models.news import NewsItem
from chimera.text import similarity

HALF_LIFE_H = 24.0
SAME_STORY = 0.5


def parse_time(value: str) -> dt.datetime | None:
    """An ISO 8601 time as an aware datetime (UTC if no zone); None if unreadable."""
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def score_items(items: list[NewsItem], now: dt.datetime) -> list[NewsItem]:
    """The items with ``trend`` and ``velocity`` filled in, in the same order."""
    out: list[NewsItem] = []
    for n, item in enumerate(items):
        sources = {item.source or item.id}
        for m, other in enumerate(items):
            if m != n and similarity(item.title, other.title) >= SAME_STORY:
                sources.add(other.source or other.id)
        velocity = len(sources)
        when = parse_time(item.published_at)
        age_h = max(0.0, (now - when).total_seconds() / 3600) if when else 10 * HALF_LIFE_H
        recency = 0.5 ** (age_h / HALF_LIFE_H)
        trend = round(recency * (1 - 0.5**velocity), 4)
        out.append(item.model_copy(update={"trend": trend, "velocity": velocity}))
    return out


def newest_time(items: list[NewsItem]) -> dt.datetime:
    """The newest publication time among items (a snapshot's own 'now'); the current time if none."""
    times = [t for t in (parse_time(i.published_at) for i in items) if t is not None]
    return max(times) if times else dt.datetime.now(dt.UTC)
