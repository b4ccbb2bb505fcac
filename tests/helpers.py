"""Honest in-process implementations used by tests (not mocks: they implement the real interfaces)."""

from __future__ import annotations

from chimera.mcp.servers.news import load_snapshot
from chimera.models.news import NewsItem


class ListNews:
    """A NewsSource over a fixed list (the bundled snapshot by default)."""

    name = "list"

    def __init__(self, items: list[NewsItem] | None = None) -> None:
        self.items = items if items is not None else load_snapshot()
        self.calls = 0

    async def latest(self) -> list[NewsItem]:
        self.calls += 1
        return list(self.items)

    async def trends(self, topic: str, limit: int) -> list[NewsItem]:
        self.calls += 1
        return [i for i in self.items if i.topic == topic or topic in i.tags][:limit]
