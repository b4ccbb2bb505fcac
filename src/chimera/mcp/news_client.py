"""Client for a news MCP server run as a stdio subprocess.

The subprocess is owned by ``open_news_source``: it starts with the context
and is terminated when the context exits. Every call has a timeout, and
every failure (a server that will not start, crashes, hangs or answers with
something that is not news) becomes a ToolError that names the server.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio
import mcp_types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from pydantic import TypeAdapter, ValidationError

from chimera.errors import ToolError, first_chimera_error
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


@dataclass(frozen=True, slots=True)
class ServerCommand:
    """How to start an MCP server."""

    command: str
    """Executable."""
    args: list[str] = field(default_factory=list)
    """Arguments."""
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the subprocess (it gets nothing else but PATH and the like)."""

    @classmethod
    def bundled_news(cls, snapshot: str | None = None) -> ServerCommand:
        """The news server that ships with Chimera, run with this Python."""
        args = ["-m", "chimera.mcp.servers.news"]
        if snapshot:
            args += ["--snapshot", snapshot]
        return cls(sys.executable, args)


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
        try:
            with anyio.fail_after(self._timeout):
                result = await self._session.call_tool(tool, args)
        except TimeoutError:
            raise ToolError(f"MCP server '{self.server}' did not answer {tool} within {self._timeout}s") from None
        except Exception as exc:  # the SDK raises McpError and transport errors alike
            raise ToolError(f"MCP server '{self.server}' failed on {tool}: {exc}") from exc
        if result.is_error:
            detail = " ".join(c.text for c in result.content if isinstance(c, mcp_types.TextContent))
            raise ToolError(f"MCP server '{self.server}' tool {tool} reported an error: {detail[:300]}")
        return result

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
    """Start the server, initialise a session, and stop the server on exit."""
    params = StdioServerParameters(command=command.command, args=command.args, env=command.env or None)
    try:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            try:
                with anyio.fail_after(timeout_s):
                    await session.initialize()
            except TimeoutError:
                raise ToolError(f"MCP server '{name}' did not finish starting within {timeout_s}s") from None
            except Exception as exc:  # garbage on stdout, early exit, protocol mismatch
                raise ToolError(f"MCP server '{name}' failed to start: {exc}") from exc
            yield McpNewsSource(session, name, timeout_s)
    except OSError as exc:
        raise ToolError(f"cannot start MCP server '{name}' ({command.command}): {exc}") from exc
    except BaseExceptionGroup as group:
        # The SDK's task groups wrap what went wrong; surface our own error plainly.
        found = first_chimera_error(group)
        if found is None:
            raise
        raise found from None
