"""Reading RSS, Atom and JSON feeds into news items.

RSS and Atom go through feedparser (given the downloaded bytes; it never
fetches anything itself); JSON Feed (jsonfeed.org) is validated with
pydantic. Downloads use httpx with a timeout per feed. A feed that fails
(HTTP error, timeout, a body that is no feed) raises FeedError naming it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import anyio
import feedparser
import httpx
from pydantic import BaseModel, ValidationError

from chimera.models.news import NewsItem

_TAG = re.compile(r"<[^>]+>")
MAX_ITEMS_PER_FEED = 200


class FeedError(Exception):
    """A feed could not be read; the message names the feed and the problem."""


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A feed to read and how to label its items."""

    url: str
    topic: str | None = None
    name: str | None = None


class _JsonItem(BaseModel):
    id: str | int
    url: str | None = None
    title: str | None = None
    summary: str | None = None
    content_text: str | None = None
    content_html: str | None = None
    date_published: str | None = None
    date_modified: str | None = None
    tags: list[str] = []


class _JsonFeed(BaseModel):
    version: str
    title: str = ""
    items: list[_JsonItem]


def plain(text: str, limit: int) -> str:
    """HTML stripped, entities decoded, whitespace collapsed, cut to ``limit`` characters."""
    flat = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _item_id(feed_url: str, entry_key: str) -> str:
    return "f-" + hashlib.sha1(f"{feed_url}|{entry_key}".encode()).hexdigest()[:16]


def _topic(spec: FeedSpec, tags: list[str]) -> str:
    if spec.topic:
        return spec.topic.lower()[:64]
    return (tags[0] if tags else "general")[:64]


def _iso(value: Any) -> str:
    return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC).isoformat().replace("+00:00", "Z")


def _build(spec: FeedSpec, key: str, title: str, summary: str, link: str, tags: list[str], when: str, source: str
           ) -> NewsItem | None:  # fmt: skip
    title = plain(title, 500)
    if not title:
        return None
    tags = [t for t in (plain(t, 40).lower() for t in tags) if t][:10]
    return NewsItem(
        id=_item_id(spec.url, key or link or title),
        title=title,
        summary=plain(summary, 1000),
        topic=_topic(spec, tags),
        tags=tags,
        source=source,
        published_at=when,
        link=link,
    )


def parse_feed(body: bytes, content_type: str, spec: FeedSpec, fetched_at: str) -> list[NewsItem]:
    """Items of a downloaded feed; FeedError if the body is not a feed."""
    head = body.lstrip()[:1]
    if "json" in content_type or head == b"{":
        return _parse_json(body, spec, fetched_at)
    parsed = feedparser.parse(body)
    if not parsed.entries:
        why = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}" if parsed.bozo else "no entries"
        raise FeedError(f"feed {spec.url} is not a readable RSS/Atom feed ({why})")
    source = spec.name or plain(parsed.feed.get("title", ""), 100) or urlparse(spec.url).netloc
    items: list[NewsItem] = []
    for entry in parsed.entries[:MAX_ITEMS_PER_FEED]:
        when_struct = entry.get("published_parsed") or entry.get("updated_parsed")
        item = _build(
            spec,
            str(entry.get("id") or ""),
            str(entry.get("title", "")),
            str(entry.get("summary", "")),
            str(entry.get("link", "")),
            [str(t.get("term", "")) for t in entry.get("tags", [])],
            _iso(when_struct) if when_struct else fetched_at,
            source,
        )
        if item is not None:
            items.append(item)
    return items


def _parse_json(body: bytes, spec: FeedSpec, fetched_at: str) -> list[NewsItem]:
    try:
        feed = _JsonFeed.model_validate_json(body)
    except ValidationError as exc:
        raise FeedError(f"feed {spec.url} is not a readable JSON Feed ({exc.error_count()} problems)") from None
    source = spec.name or plain(feed.title, 100) or urlparse(spec.url).netloc
    items: list[NewsItem] = []
    for entry in feed.items[:MAX_ITEMS_PER_FEED]:
        item = _build(
            spec,
            str(entry.id),
            entry.title or entry.content_text or "",
            entry.summary or entry.content_text or entry.content_html or "",
            entry.url or "",
            entry.tags,
            entry.date_published or entry.date_modified or fetched_at,
            source,
        )
        if item is not None:
            items.append(item)
    return items


async def fetch_feed(client: httpx.AsyncClient, spec: FeedSpec, timeout_s: float, fetched_at: str) -> list[NewsItem]:
    """Download and parse one feed."""
    try:
        with anyio.fail_after(timeout_s):  # a total deadline: a feed that dribbles bytes is slow too
            reply = await client.get(spec.url, timeout=timeout_s, follow_redirects=True)
    except (TimeoutError, httpx.TimeoutException):
        raise FeedError(f"feed {spec.url} did not answer within {timeout_s}s") from None
    except httpx.HTTPError as exc:
        raise FeedError(f"feed {spec.url} could not be fetched: {type(exc).__name__}") from None
    if reply.status_code != 200:
        raise FeedError(f"feed {spec.url} answered HTTP {reply.status_code}")
    return parse_feed(reply.content, reply.headers.get("content-type", ""), spec, fetched_at)
