"""Messages between roles that are not tasks."""

from __future__ import annotations

from dataclasses import dataclass

from chimera.models.news import NewsItem
from chimera.models.work import Priority
from chimera.platforms.base import Mention


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Ask the planner for one cycle of a campaign: from a trend alert, or from its goal alone."""

    campaign_id: str
    priority: Priority
    item: NewsItem | None = None
    relevance: float = 0.0
    retries: int = 0
    mention: Mention | None = None
    """Set for a reply cycle: what the agent answers."""

    @property
    def seen_id(self) -> str | None:
        """The id perception's dedupe records for this request (a news item or a mention), if any."""
        if self.item is not None:
            return self.item.id
        if self.mention is not None:
            return f"mention:{self.mention.platform}:{self.mention.id}"
        return None
