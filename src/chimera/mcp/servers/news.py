"""The bundled news MCP server.

Serves headlines from RSS/Atom/JSON feeds (``--feeds-json``, cached in
SQLite with ``--cache``) or, with no feeds or none readable, from an offline
snapshot written for this project (or a JSON file named with
``--snapshot``): resources ``news://latest`` and ``news://status``, tools
``fetch_trends(topic, limit)`` (ranked by trend: recency and how many
sources carry the story) and ``search_news(query, limit)``.

Run it alone with ``chimera mcp serve news`` or
``python -m chimera.mcp.servers.news``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from importlib import resources
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from pydantic import TypeAdapter, ValidationError

from chimera.mcp.servers.news_service import NewsCache, NewsService, feeds_from_json
from chimera.models.news import NewsItem
from chimera.runtime.interpreter import run_as_process
from chimera.text import keywords

_ITEMS = TypeAdapter(list[NewsItem])
MAX_LIMIT = 100


def load_snapshot(path: Path | None = None) -> list[NewsItem]:
    """Read and validate a snapshot file; the bundled one when ``path`` is None."""
    if path is None:
        raw = resources.files("chimera.mcp.servers").joinpath("news_snapshot.json").read_text("utf-8")
    else:
        raw = path.read_text("utf-8")
    items = _ITEMS.validate_json(raw)
    return sorted(items, key=lambda item: item.published_at, reverse=True)


def _dump(items: list[NewsItem], limit: int) -> list[dict[str, object]]:
    return [i.model_dump() for i in items[: max(0, min(limit, MAX_LIMIT))]]


def build_server(service: NewsService | list[NewsItem]) -> MCPServer:
    """An MCP server over a news service (or a fixed list of items, newest first)."""
    news = service if isinstance(service, NewsService) else NewsService(snapshot=service)
    server = MCPServer(
        name="chimera-news",
        instructions="News headlines for Chimera agents: live feeds when configured, else an offline snapshot.",
    )

    @server.resource("news://latest", mime_type="application/json")
    async def latest() -> str:
        """The newest headlines, newest first, as a JSON array (with trend and velocity)."""
        return json.dumps([item.model_dump() for item in await news.items()])

    @server.resource("news://status", mime_type="application/json")
    async def status() -> str:
        """Where the items come from (live, cache or snapshot) and how each feed fared."""
        await news.items()
        return json.dumps(news.status())

    @server.tool()
    async def fetch_trends(topic: str, limit: int = 10) -> list[dict[str, object]]:
        """Headlines on one topic (by topic or tag), best trend first (recency and how many sources carry it)."""
        wanted = topic.strip().lower()
        hits = [i for i in await news.items() if i.topic == wanted or wanted in (t.lower() for t in i.tags)]
        return _dump(sorted(hits, key=lambda i: (-i.trend, i.published_at)), limit)

    @server.tool()
    async def search_news(query: str, limit: int = 10) -> list[dict[str, object]]:
        """Headlines ranked by how many of the query's words they contain, then by trend."""
        terms = keywords(query)
        scored = [(len(terms & keywords(i.title, i.summary, i.tags, i.topic)), i) for i in await news.items()]
        ranked = [i for score, i in sorted(scored, key=lambda p: (-p[0], -p[1].trend)) if score > 0]
        return _dump(ranked, limit)

    return server


def main(argv: list[str] | None = None) -> None:
    """Entry point: serve over stdio until stdin closes."""
    parser = argparse.ArgumentParser(prog="chimera-news", description=__doc__)
    parser.add_argument("--snapshot", type=Path, help="JSON file of news items to serve when no feed is readable")
    parser.add_argument("--feeds-json", help='feeds as JSON: [{"url": ..., "topic": ..., "name": ...}]')
    parser.add_argument("--cache", type=Path, help="SQLite file caching fetched feeds")
    parser.add_argument("--refresh-s", type=float, default=900.0, help="seconds before feeds are fetched again")
    parser.add_argument("--fetch-timeout-s", type=float, default=10.0, help="seconds one feed may take")
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # stderr is the client's log; one line per fetch is noise
    try:
        snapshot = load_snapshot(args.snapshot)
        feeds = feeds_from_json(args.feeds_json) if args.feeds_json else []
        cache = NewsCache(args.cache) if feeds and args.cache else None
    except (OSError, ValidationError, ValueError, KeyError, TypeError) as exc:
        print(f"chimera-news: cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if feeds and cache is None:
        print("chimera-news: --feeds-json needs --cache", file=sys.stderr)
        raise SystemExit(2)
    service = NewsService(snapshot, feeds, cache, args.refresh_s, args.fetch_timeout_s)
    try:
        build_server(service).run("stdio")
    finally:
        if cache is not None:
            cache.close()


if __name__ == "__main__":
    run_as_process(main)
