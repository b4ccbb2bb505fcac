"""analyze_trends: what is moving on a topic, from the news MCP server.

Trends are fetched once per topic and shared by every agent that follows
it (an MCP call per agent would cost more than the rest of the cycle).
"""

from __future__ import annotations

import time
from typing import Any

import anyio

from chimera.errors import PermissionRefused
from chimera.mcp.news_client import NewsSource
from chimera.mcp.permissions import ToolPermissions
from chimera.models.news import NewsItem
from chimera.models.records import Result, Task
from chimera.models.work import TaskType
from chimera.outcomes import each
from chimera.skills.base import Done


class TrendCache:
    """Per-topic results of ``NewsSource.trends``, shared and refreshed after ``ttl_s``."""

    def __init__(self, source: NewsSource, ttl_s: float = 60.0, limit: int = 10) -> None:
        self._source = source
        self._ttl = ttl_s
        self._limit = limit
        self._entries: dict[str, tuple[float, list[NewsItem]]] = {}
        self._locks: dict[str, anyio.Lock] = {}
        self.fetches = 0

    @property
    def source_name(self) -> str:
        """Name of the news source behind the cache."""
        return self._source.name

    def fresh(self, topic: str) -> bool:
        """Whether ``get(topic)`` would answer from the cache, without a fetch."""
        return self.cached(topic) is not None

    def cached(self, topic: str) -> list[NewsItem] | None:
        """The items ``get(topic)`` would answer from the cache; None when it would fetch."""
        entry = self._entries.get(topic)
        return entry[1] if entry is not None and time.monotonic() - entry[0] < self._ttl else None

    async def get(self, topic: str) -> list[NewsItem]:
        """Items for ``topic``; concurrent callers for the same topic share one fetch."""
        items = self.cached(topic)
        if items is not None:
            return items
        lock = self._locks.setdefault(topic, anyio.Lock())
        async with lock:
            items = self.cached(topic)
            if items is not None:
                return items
            items = await self._source.trends(topic, self._limit)
            self.fetches += 1
            self._entries[topic] = (time.monotonic(), items)
            return items


class AnalyzeTrends:
    """Summarises the current headlines of a task's topic."""

    task_type = TaskType.ANALYZE_TRENDS

    def __init__(self, cache: TrendCache, permissions: ToolPermissions | None = None) -> None:
        self._cache = cache
        self._permissions = permissions
        #: per topic: the items last summarised, and their summary (each result gets copies of its own)
        self._summaries: dict[str, tuple[list[NewsItem], dict[str, Any], str]] = {}

    async def run_batch(self, tasks: list[Task], done: Done) -> None:
        """Fetch (or reuse) each topic's trends once, concurrently, and report every task's top headlines."""
        wanted: dict[str, list[Task]] = {}  # the tasks whose agents may ask, by topic
        for task in tasks:
            try:
                if self._permissions is not None:  # the cache is shared; the allow-list is the asking agent's
                    self._permissions.check(task.agent_id, "news", "fetch_trends")
            except PermissionRefused as exc:
                await done(task, exc)
                continue
            wanted.setdefault(str(task.payload.get("topic", "")), []).append(task)
        stale: list[str] = []
        for topic, asking in wanted.items():
            items = self._cache.cached(topic)
            if items is None:
                stale.append(topic)
                continue
            for task in asking:
                await done(task, self._report(task, topic, items))

        async def fetched(i: int, found: list[NewsItem] | Exception) -> None:
            for task in wanted[stale[i]]:  # a failed fetch is the error of every task that asked for it
                await done(task, found if isinstance(found, Exception) else self._report(task, stale[i], found))

        if stale:
            await each(self._cache.get, stale, fetched)

    def _report(self, task: Task, topic: str, items: list[NewsItem]) -> Result:
        output, reason = self._summary(topic, items)
        return Result(
            task=task,
            ok=True,
            output={**output, "headlines": list(output["headlines"]), "sources": list(output["sources"])},
            confidence=1.0 if items else 0.0,
            reasoning=[reason],
            produced_by=self._cache.source_name,
        )

    def _summary(self, topic: str, items: list[NewsItem]) -> tuple[dict[str, Any], str]:
        """The topic's summary of these items: made once per fetch, as every agent on the topic asks for it."""
        known = self._summaries.get(topic)
        if known is not None and known[0] is items:
            return known[1], known[2]
        headlines = [i.title for i in items[:5]]
        sources = sorted({i.source for i in items if i.source})
        output = {
            "topic": topic,
            "count": len(items),
            "on_topic": sum(1 for i in items if i.topic == topic or topic in i.tags),
            "headlines": headlines,
            "sources": sources,
            "top_trend": items[0].trend if items else 0.0,
            "velocity": max((i.velocity for i in items), default=0),
            "via": self._cache.source_name,
        }
        reason = f"{len(items)} items on '{topic}' from {len(sources)} sources"
        self._summaries[topic] = (items, output, reason)
        return output, reason
