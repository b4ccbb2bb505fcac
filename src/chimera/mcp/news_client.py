"""Client for a news MCP server run as a stdio subprocess.

The subprocess is owned by ``open_news_source``: it starts with the context
and is terminated when the context exits. Every call has a timeout, and
every failure (a server that will not start, crashes, hangs or answers with
something that is not news) becomes a ToolError that names the server.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio
import mcp_types
from mcp.client.session import ClientSession
from pydantic import TypeAdapter, ValidationError

from chimera.errors import ToolError
from chimera.mcp.command import ServerCommand
from chimera.mcp.session import call_tool, open_session
from chimera.models.news import NewsItem

_ITEMS = TypeAdapter(list[NewsItem])


class NewsSource(Protocol):
    """Where perception and analyze_trends get headlines."""

    name: str

    async def latest(self) -> list[NewsItem]:
        """The newest items."""
        ...

    async def trends(self, topic: str, limit: int) -> list[NewsItem]:
        """Items on one topic, newest first."""
        ...


class McpNewsSource:
    """A NewsSource backed by an MCP session."""

    def __init__(self, session: ClientSession, name: str, timeout_s: float) -> None:
        self._session = session
        self.server = name
        self.name = f"mcp:{name}"
        self._timeout = timeout_s

    async def latest(self, uri: str = "news://latest") -> list[NewsItem]:
        """Read the news resource."""
        try:
            with anyio.fail_after(self._timeout):
                res = await self._session.read_resource(uri)
        except TimeoutError:
            raise ToolError(
                f"MCP server '{self.server}' did not answer reading {uri} within {self._timeout}s"
            ) from None
        except Exception as exc:  # the SDK raises McpError and transport errors alike
            raise ToolError(f"MCP server '{self.server}' failed reading {uri}: {exc}") from exc
        texts = [c.text for c in res.contents if isinstance(c, mcp_types.TextResourceContents)]
        if not texts:
            raise ToolError(f"MCP server '{self.server}' returned no text for {uri}")
        return self._parse(texts[0], uri)

    async def trends(self, topic: str, limit: int = 10) -> list[NewsItem]:
        """Call ``fetch_trends``."""
        return self._parse_tool(await self._call("fetch_trends", {"topic": topic, "limit": limit}))

    async def search(self, query: str, limit: int = 10) -> list[NewsItem]:
        """Call ``search_news``."""
        return self._parse_tool(await self._call("search_news", {"query": query, "limit": limit}))

    async def _call(self, tool: str, args: dict[str, Any]) -> mcp_types.CallToolResult:
        return await call_tool(self._session, self.server, tool, args, self._timeout)

    def _parse_tool(self, result: mcp_types.CallToolResult) -> list[NewsItem]:
        data = result.structured_content
        if isinstance(data, dict) and "result" in data:
            data = data["result"]
        try:
            return _ITEMS.validate_python(data)
        except ValidationError as exc:
            raise ToolError(f"MCP server '{self.server}' returned items that are not news: {exc}") from None

    def _parse(self, text: str, what: str) -> list[NewsItem]:
        try:
            return _ITEMS.validate_python(json.loads(text))
        except (ValueError, ValidationError) as exc:
            raise ToolError(f"MCP server '{self.server}' returned {what} that is not news: {exc}") from None


@asynccontextmanager
async def open_news_source(
    command: ServerCommand, *, name: str = "news", timeout_s: float = 20.0
) -> AsyncIterator[McpNewsSource]:
    """Start the news server and wrap its session as a NewsSource."""
    async with open_session(command, name=name, timeout_s=timeout_s) as session:
        yield McpNewsSource(session, name, timeout_s)
