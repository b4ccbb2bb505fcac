"""News through MCP: the NewsSource seam and its implementation over a supervised server.

Every failure (a server that will not start, crashes, hangs or answers with
something that is not news) is a ToolError that names the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from pydantic import TypeAdapter, ValidationError

from chimera.errors import ToolError
from chimera.mcp.command import ServerCommand
from chimera.mcp.pool import McpPool, ServerSpec, SupervisedServer, open_pool
from chimera.mcp.session import structured
from chimera.models.config import McpPolicy
from chimera.models.news import NewsItem

_ITEMS = TypeAdapter(list[NewsItem])


class NewsSource(Protocol):
    """Where perception and analyze_trends get headlines."""

    name: str

    async def latest(self) -> list[NewsItem]:
        """The newest items."""
        ...

    async def trends(self, topic: str, limit: int) -> list[NewsItem]:
        """Items on one topic, best trend first."""
        ...


def parse_items(server: str, data: Any, what: str) -> list[NewsItem]:
    """Validate news items (a JSON text or already-decoded data) or raise a ToolError naming the server."""
    try:
        return _ITEMS.validate_json(data) if isinstance(data, str) else _ITEMS.validate_python(data)
    except (ValueError, ValidationError) as exc:
        raise ToolError(f"MCP server '{server}' returned {what} that is not news: {exc}") from None


class McpNewsSource:
    """A NewsSource over a supervised MCP server: one resource for the latest items, its tools for trends."""

    def __init__(self, server: SupervisedServer, uri: str = "news://latest") -> None:
        self._server = server
        self.uri = uri
        self.name = f"mcp:{server.name}" if uri == "news://latest" else f"mcp:{server.name}:{uri}"

    async def latest(self) -> list[NewsItem]:
        """Read the resource."""
        return parse_items(self._server.name, await self._server.read_resource(self.uri), self.uri)

    async def trends(self, topic: str, limit: int = 10) -> list[NewsItem]:
        """Call ``fetch_trends``."""
        result = await self._server.call_tool("fetch_trends", {"topic": topic, "limit": limit})
        return parse_items(self._server.name, structured(result), "fetch_trends")

    async def search(self, query: str, limit: int = 10) -> list[NewsItem]:
        """Call ``search_news``."""
        result = await self._server.call_tool("search_news", {"query": query, "limit": limit})
        return parse_items(self._server.name, structured(result), "search_news")


def news_sources(pool: McpPool, refs: list[tuple[str, str]]) -> list[McpNewsSource]:
    """One source per (server, uri) perception reads."""
    return [McpNewsSource(pool.server(server), uri) for server, uri in refs]


@asynccontextmanager
async def open_news_source(
    command: ServerCommand, *, name: str = "news", timeout_s: float = 20.0
) -> AsyncIterator[McpNewsSource]:
    """One supervised news server on its own (for tools and tests); a failed start is a ToolError."""
    policy = McpPolicy(max_restarts=0, call_timeout_s=timeout_s)
    async with open_pool([ServerSpec(name, command, timeout_s, start_timeout_s=timeout_s)], policy) as pool:
        server = pool.server(name)
        if server.status.last_error is not None and server.status.state != "up":
            raise ToolError(server.status.last_error)
        yield McpNewsSource(server)


__all__ = ["McpNewsSource", "NewsSource", "news_sources", "open_news_source", "parse_items"]
