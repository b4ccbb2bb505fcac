"""The news server reading RSS, Atom and JSON feeds from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import anyio

from chimera.mcp.command import ServerCommand
from chimera.mcp.news_client import open_news_source
from chimera.mcp.servers.trending import score_items
from chimera.models.config import NewsFeed, NewsPolicy
from chimera.models.news import NewsItem
from tests.httpfake import Reply, serve

NOW = dt.datetime.now(dt.UTC)
FRESH = NOW - dt.timedelta(hours=1)
OLD = NOW - dt.timedelta(days=3)


def _rfc822(when: dt.datetime) -> str:
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _rss(title: str, when: dt.datetime) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Grid Daily</title>
<item><guid>g1</guid><title>{title}</title><link>https://example.org/a</link>
<description>&lt;p&gt;Storage &amp;amp; solar&lt;/p&gt;</description><category>Solar</category>
<pubDate>{_rfc822(when)}</pubDate></item>
<item><guid>g2</guid><title>Wind farm opens off the coast of Maine</title><pubDate>{_rfc822(OLD)}</pubDate></item>
</channel></rss>"""


def _atom(title: str, when: dt.datetime) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Power Wire</title>
<id>urn:pw</id><updated>{when.isoformat()}</updated>
<entry><id>urn:pw:1</id><title>{title}</title><updated>{when.isoformat()}</updated>
<summary>Same story, another newsroom.</summary><category term="storage"/></entry></feed>"""


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Robot Notes",
    "items": [{"id": "r1", "title": "Open robot arm ships", "content_text": "A cheap arm.", "tags": ["robotics"],
               "date_published": FRESH.isoformat()}],
}  # fmt: skip
STORY = "Record battery storage project switches on in Nevada"


async def _read(policy: NewsPolicy, cache: Path) -> dict[str, Any]:
    with anyio.fail_after(90):
        async with open_news_source(ServerCommand.bundled_news(policy=policy, cache=cache), timeout_s=30) as news:
            server = news._server  # the status resource is read through the same supervised server
            latest = await news.latest()
            energy = await news.trends("energy", 10)
            status = json.loads(await server.read_resource("news://status"))
            return {"latest": latest, "energy": energy, "status": status}


def test_feeds_are_read_scored_cached_and_failures_reported(tmp_path: Path) -> None:
    cache = tmp_path / "news-cache.db"
    with serve() as http:
        http.route("GET", "/rss", Reply(body=_rss(STORY, FRESH), headers={"Content-Type": "application/rss+xml"}))
        http.route("GET", "/atom", Reply(body=_atom(STORY, FRESH), headers={"Content-Type": "application/atom+xml"}))
        http.route("GET", "/json", Reply(body=JSON_FEED, headers={"Content-Type": "application/feed+json"}))
        http.route("GET", "/broken", Reply(body="<<< this is not a feed >>>", headers={"Content-Type": "text/xml"}))
        http.route("GET", "/slow", Reply(body=_rss("Slow news", FRESH), delay_s=5))
        feeds = [
            NewsFeed(url=f"{http.url}/rss", topic="energy"),
            NewsFeed(url=f"{http.url}/atom", topic="energy"),
            NewsFeed(url=f"{http.url}/json"),
            NewsFeed(url=f"{http.url}/broken"),
            NewsFeed(url=f"{http.url}/slow"),
            NewsFeed(url=f"{http.url}/missing"),
        ]
        got = anyio.run(_read, NewsPolicy(feeds=feeds, fetch_timeout_s=1.0), cache)

    titles = {i.title for i in got["latest"]}
    assert {STORY, "Wind farm opens off the coast of Maine", "Open robot arm ships"} <= titles
    assert "Slow news" not in titles
    robot = next(i for i in got["latest"] if i.title == "Open robot arm ships")
    assert robot.topic == "robotics" and robot.source == "Robot Notes"
    rss_story = next(i for i in got["latest"] if i.source == "Grid Daily" and i.title == STORY)
    assert rss_story.summary == "Storage & solar" and rss_story.tags == ["solar"]

    energy = got["energy"]
    assert energy[0].title == STORY and energy[0].velocity == 2, "two sources carry it: it leads the trends"
    wind = next(i for i in energy if i.title.startswith("Wind farm"))
    assert wind.velocity == 1 and wind.trend < energy[0].trend

    status = got["status"]
    assert status["mode"] == "live"
    by_url = {f["url"].rsplit("/", 1)[1]: f for f in status["feeds"]}
    assert by_url["rss"]["ok"] and by_url["json"]["ok"]
    assert "not a readable RSS/Atom feed" in by_url["broken"]["error"]
    assert "did not answer within 1.0s" in by_url["slow"]["error"]
    assert "HTTP 404" in by_url["missing"]["error"]

    # The HTTP server is gone now: a restart serves what the cache holds, and says so.
    later = anyio.run(_read, NewsPolicy(feeds=feeds, fetch_timeout_s=1.0, refresh_s=0.001), cache)
    assert {i.title for i in later["latest"]} == titles
    assert later["status"]["mode"] == "cache (feeds failing)"


def test_no_feeds_serves_the_offline_snapshot(tmp_path: Path) -> None:
    got = anyio.run(_read, NewsPolicy(), tmp_path / "c.db")
    assert got["status"]["mode"] == "snapshot" and len(got["latest"]) >= 20


def test_trend_prefers_fresh_stories_carried_by_many_sources() -> None:
    def item(n: int, title: str, source: str, when: dt.datetime) -> NewsItem:
        return NewsItem(id=str(n), title=title, topic="t", source=source, published_at=when.isoformat())

    items = [
        item(1, "Solar plant breaks output record", "a", FRESH),
        item(2, "Solar plant breaks output record again", "b", FRESH),
        item(3, "Solar plant breaks output record", "c", OLD),
        item(4, "Quiet scoop about turbines", "d", FRESH),
    ]
    scored = {i.id: i for i in score_items(items, NOW)}
    assert scored["1"].velocity == 3 and scored["4"].velocity == 1
    assert scored["1"].trend > scored["4"].trend, "velocity counts"
    assert scored["1"].trend > scored["3"].trend, "recency counts"
    assert all(0 <= i.trend <= 1 for i in scored.values())
