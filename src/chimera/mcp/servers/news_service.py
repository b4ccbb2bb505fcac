"""What the news server serves: live feeds cached in SQLite, or the offline snapshot.

With feeds configured, items are fetched when the cache is older than
``refresh_s`` (all feeds at once, each with its own deadline) and kept in an
SQLite cache, so a restart or a network outage still serves what was read.
With no feeds, or with feeds that failed and an empty cache, the bundled
offline snapshot is served, and ``news://status`` says which one it is.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx

from chimera.mcp.servers.feeds import FeedError, FeedSpec, fetch_feed
from chimera.mcp.servers.trending import newest_time, score_items
from chimera.models.news import NewsItem

#: Items kept in the cache (newest first).
CACHE_ITEMS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS news_items (
    id            TEXT PRIMARY KEY,
    feed_url      TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    item          TEXT NOT NULL,
    fetched_at    REAL NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS news_items_newest ON news_items(published_at);
CREATE TABLE IF NOT EXISTS news_feeds (
    url         TEXT PRIMARY KEY,
    fetched_at  REAL NOT NULL,
    ok          INTEGER NOT NULL,
    items       INTEGER NOT NULL,
    error       TEXT
) STRICT;
"""


class NewsCache:
    """Fetched items and each feed's last outcome, in one SQLite file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 10000")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def save(self, url: str, items: list[NewsItem] | None, error: str | None) -> None:
        """Record one feed's fetch: its items (upserted) or its error."""
        now = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for item in items or []:
                self._conn.execute(
                    "INSERT INTO news_items (id, feed_url, published_at, item, fetched_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (id) DO UPDATE SET item = excluded.item, fetched_at = excluded.fetched_at",
                    (item.id, url, item.published_at, item.model_dump_json(), now),
                )
            self._conn.execute(
                "INSERT OR REPLACE INTO news_feeds (url, fetched_at, ok, items, error) VALUES (?, ?, ?, ?, ?)",
                (url, now, int(error is None), len(items or []), error),
            )
            self._conn.execute(
                "DELETE FROM news_items WHERE id NOT IN (SELECT id FROM news_items ORDER BY published_at DESC LIMIT ?)",
                (CACHE_ITEMS,),
            )
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def items(self) -> list[NewsItem]:
        """Cached items, newest first."""
        rows = self._conn.execute("SELECT item FROM news_items ORDER BY published_at DESC").fetchall()
        return [NewsItem.model_validate_json(r[0]) for r in rows]

    def last_fetch(self) -> float:
        """When the least recently fetched feed was fetched (0 if any never was)."""
        row = self._conn.execute("SELECT COUNT(*), MIN(fetched_at) FROM news_feeds").fetchone()
        return float(row[1]) if row and row[1] is not None else 0.0

    def feeds(self) -> dict[str, dict[str, Any]]:
        """Each feed's last outcome."""
        rows = self._conn.execute("SELECT url, fetched_at, ok, items, error FROM news_feeds").fetchall()
        return {r[0]: {"fetched_at": r[1], "ok": bool(r[2]), "items": r[3], "error": r[4]} for r in rows}


@dataclass(slots=True)
class NewsService:
    """Items for the news server's resource and tools, with their trend scores."""

    snapshot: list[NewsItem]
    feeds: list[FeedSpec] = field(default_factory=list)
    cache: NewsCache | None = None
    refresh_s: float = 900.0
    fetch_timeout_s: float = 10.0
    mode: str = "snapshot"
    _scored_snapshot: list[NewsItem] = field(default_factory=list)
    _lock: anyio.Lock = field(default_factory=anyio.Lock)

    def __post_init__(self) -> None:
        # A snapshot is a frozen moment: its recency is measured from its own newest item.
        self._scored_snapshot = score_items(self.snapshot, newest_time(self.snapshot))

    async def items(self) -> list[NewsItem]:
        """Newest first: cached live items when there are any, else the snapshot."""
        if not self.feeds or self.cache is None:
            self.mode = "snapshot"
            return self._scored_snapshot
        async with self._lock:
            if time.time() - self.cache.last_fetch() >= self.refresh_s or len(self.cache.feeds()) < len(self.feeds):
                await self.refresh()
        cached = self.cache.items()
        if not cached:
            self.mode = "snapshot (no feed could be read)"
            return self._scored_snapshot
        ok = any(f["ok"] for f in self.cache.feeds().values())
        self.mode = "live" if ok else "cache (feeds failing)"
        return score_items(cached, dt.datetime.now(dt.UTC))

    async def refresh(self) -> None:
        """Fetch every feed at once; record items or errors per feed."""
        assert self.cache is not None
        cache = self.cache
        fetched_at = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")

        async def one(client: httpx.AsyncClient, spec: FeedSpec) -> None:
            try:
                items = await fetch_feed(client, spec, self.fetch_timeout_s, fetched_at)
            except FeedError as exc:
                cache.save(spec.url, None, str(exc))
                return
            cache.save(spec.url, items, None)

        async with (
            httpx.AsyncClient(headers={"User-Agent": "chimera-news/1"}) as client,
            anyio.create_task_group() as tg,
        ):
            for spec in self.feeds:
                tg.start_soon(one, client, spec)

    def status(self) -> dict[str, Any]:
        """Which items are served and how each feed fared."""
        return {
            "mode": self.mode,
            "feeds": [{"url": f.url, **(self.cache.feeds().get(f.url, {}) if self.cache else {})} for f in self.feeds],
            "snapshot_items": len(self.snapshot),
        }


def feeds_from_json(text: str) -> list[FeedSpec]:
    """Feed specs from ``--feeds-json`` (a JSON list of {url, topic, name})."""
    return [FeedSpec(str(f["url"]), f.get("topic"), f.get("name")) for f in json.loads(text)]
