"""Messages between roles that are not tasks."""

from __future__ import annotations

from dataclasses import dataclass

from chimera.models.news import NewsItem
from chimera.models.work import Priority
from chimera.platforms.base import Mention


@dataclass(init=False)
class PlanRequest:
    """Ask the planner for one cycle of a campaign: from a trend alert, or from its goal alone.

    Read ~a dozen times a cycle by the compiled planner, so this module is compiled too
    (``chimera/native.py``) and the class has a written-out ``__init__``: a native class, read
    from its C struct. ``dataclasses.replace`` makes a changed copy; nothing changes one in place.
    """

    campaign_id: str
    priority: Priority
    item: NewsItem | None
    relevance: float
    retries: int
    mention: Mention | None
    """Set for a reply cycle: what the agent answers."""

    def __init__(
        self,
        campaign_id: str,
        priority: Priority,
        item: NewsItem | None = None,
        relevance: float = 0.0,
        retries: int = 0,
        mention: Mention | None = None,
    ) -> None:
        self.campaign_id = campaign_id
        self.priority = priority
        self.item = item
        self.relevance = relevance
        self.retries = retries
        self.mention = mention

    @property
    def seen_id(self) -> str | None:
        """The id perception's dedupe records for this request (a news item or a mention), if any."""
        if self.item is not None:
            return self.item.id
        if self.mention is not None:
            return f"mention:{self.mention.platform}:{self.mention.id}"
        return None
