"""Perception: poll news, score each item against each active campaign, alert the planner."""

from __future__ import annotations

import logging
from typing import Protocol

import anyio

from chimera.errors import ToolError
from chimera.mcp.news_client import NewsSource
from chimera.models.config import Campaign, PerceptionPolicy
from chimera.models.news import NewsItem
from chimera.models.work import Priority
from chimera.pipeline.books import CampaignBook
from chimera.pipeline.messages import PlanRequest
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker
from chimera.skills.base import FleetView
from chimera.text import keywords

log = logging.getLogger("chimera.perception")

TOPIC_WEIGHT = 0.6
KEYWORD_WEIGHT = 0.4
KEYWORDS_FOR_FULL_MATCH = 3


class ItemScreen(Protocol):
    """The security gateway's input check: the items that pass (possibly sanitised); blocked ones are dropped."""

    async def screen_items(self, items: list[NewsItem], source: str) -> list[NewsItem]:
        """Check outside items before any model or skill sees them."""
        ...


def relevance(item: NewsItem, campaign: Campaign) -> float:
    """How well an item fits a campaign, in [0, 1].

    Topic fit (the item's topic is one the campaign follows: 1; only a tag
    matches: 0.5) counts 0.6; overlap with the goal's own words counts 0.4,
    full at three shared words.
    """
    followed = {t.lower() for t in campaign.topics}
    if item.topic.lower() in followed:
        topic_fit = 1.0
    elif followed & {t.lower() for t in item.tags}:
        topic_fit = 0.5
    else:
        topic_fit = 0.0
    shared = keywords(campaign.goal) & keywords(item.title, item.summary, item.tags)
    keyword_fit = min(1.0, len(shared) / KEYWORDS_FOR_FULL_MATCH)
    return round(TOPIC_WEIGHT * topic_fit + KEYWORD_WEIGHT * keyword_fit, 4)


class Perception:
    """Turns news into trend alerts; never alerts the same item twice for a campaign."""

    def __init__(
        self,
        *,
        sources: list[NewsSource],
        policy: PerceptionPolicy,
        view: FleetView,
        book: CampaignBook,
        seen: set[tuple[str, str]],
        inbox: PriorityQueue[PlanRequest],
        tracker: WorkTracker,
        screen: ItemScreen | None = None,
    ) -> None:
        self._sources = sources
        self._screen = screen
        self._policy = policy
        self._view = view
        self._book = book
        self.seen = seen
        self._inbox = inbox
        self._tracker = tracker
        self.alerts = 0
        self.blocked = 0
        self.errors: list[str] = []

    def score(self, items: list[NewsItem]) -> list[PlanRequest]:
        """Alerts for every (active campaign, new item) pair above the threshold."""
        alerts: list[PlanRequest] = []
        for campaign_id in self._book.active_ids():
            campaign = self._view.campaigns.get(campaign_id)
            if campaign is None:
                continue
            for item in items:
                key = (campaign_id, item.id)
                if key in self.seen:
                    continue
                score = relevance(item, campaign)
                if score < self._policy.threshold:
                    continue
                self.seen.add(key)
                priority = Priority.HIGH if score >= self._policy.high_priority_at else Priority.MEDIUM
                alerts.append(PlanRequest(campaign_id, priority, item=item, relevance=score))
        return alerts

    async def read_sources(self) -> list[NewsItem]:
        """Items from every source that answered, each passed through the screen; a failing source is logged."""
        items: list[NewsItem] = []
        for source in self._sources:
            try:
                got = await source.latest()
            except ToolError as exc:
                self.errors.append(str(exc))
                log.error("perception: %s failed: %s", source.name, exc)
                continue
            passed = await self._screen.screen_items(got, source.name) if self._screen is not None else got
            self.blocked += len(got) - len(passed)
            items.extend(passed)
        return items

    async def poll_once(self) -> int:
        """Read every source once and hand alerts to the planner; return how many."""
        self._tracker.source_busy()
        try:
            items = await self.read_sources()
            alerts = self.score(items)
            for alert in alerts:
                self._tracker.opened()
                self._inbox.put(alert, alert.priority)
            self.alerts += len(alerts)
            log.info("perception: %d items, %d alerts", len(items), len(alerts))
            return len(alerts)
        finally:
            self._tracker.source_idle()

    async def run(self, interval_s: float) -> None:
        """Poll forever, every ``interval_s`` seconds."""
        while True:
            await self.poll_once()
            await anyio.sleep(interval_s)
