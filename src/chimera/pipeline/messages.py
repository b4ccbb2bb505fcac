"""Messages between roles that are not tasks."""

from __future__ import annotations

from dataclasses import dataclass

from chimera.models.news import NewsItem
from chimera.models.work import Priority


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Ask the planner for one cycle of a campaign: from a trend alert, or from its goal alone."""

    campaign_id: str
    priority: Priority
    item: NewsItem | None = None
    relevance: float = 0.0
    retries: int = 0
