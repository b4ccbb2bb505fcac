"""A generic MCP stdio session with a start-up timeout and errors that name the server.

Errors come in two kinds: ``ServerUnavailable`` when the server itself is
gone (it crashed, closed the connection, or did not answer in time), which a
restart may cure, and plain ``ToolError`` when a live server said no (a tool
reported an error, an unknown tool, bad arguments), which it will not.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio
import mcp_types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

from chimera.errors import ServerUnavailable, ToolError, first_chimera_error
from chimera.mcp.command import ServerCommand

T = TypeVar("T")


@asynccontextmanager
async def open_session(command: ServerCommand, *, name: str, timeout_s: float = 20.0) -> AsyncIterator[ClientSession]:
    """Start the server, initialise a session, and stop the server on exit."""
    params = StdioServerParameters(command=command.command, args=command.args, env=command.env or None)
    try:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            try:
                with anyio.fail_after(timeout_s):
                    await session.initialize()
            except TimeoutError:
                raise ServerUnavailable(f"MCP server '{name}' did not finish starting within {timeout_s}s") from None
            except Exception as exc:  # garbage on stdout, early exit, protocol mismatch
                raise ServerUnavailable(f"MCP server '{name}' failed to start: {exc}") from exc
            yield session
    except OSError as exc:
        raise ServerUnavailable(f"cannot start MCP server '{name}' ({command.command}): {exc}") from exc
    except BaseExceptionGroup as group:
        # The SDK's task groups wrap what went wrong; surface our own error plainly.
        found = first_chimera_error(group)
        if found is None:
            raise
        raise found from None


async def guarded(name: str, what: str, call: Awaitable[T], timeout_s: float) -> T:
    """Await one request to a server; classify what goes wrong as gone (restartable) or refused."""
    try:
        with anyio.fail_after(timeout_s):
            return await call
    except TimeoutError:
        raise ServerUnavailable(f"MCP server '{name}' did not answer {what} within {timeout_s}s") from None
    except MCPError as exc:
        if exc.code == mcp_types.CONNECTION_CLOSED:
            raise ServerUnavailable(f"MCP server '{name}' closed the connection during {what}") from exc
        raise ToolError(f"MCP server '{name}' refused {what}: {exc.error.message}") from exc
    except (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream) as exc:
        raise ServerUnavailable(f"MCP server '{name}' is gone ({type(exc).__name__}) during {what}") from exc
    except Exception as exc:  # anything else the SDK raises: treat the server as broken
        raise ServerUnavailable(f"MCP server '{name}' failed on {what}: {exc}") from exc


async def call_tool(
    session: ClientSession, name: str, tool: str, args: dict[str, Any], timeout_s: float = 20.0
) -> mcp_types.CallToolResult:
    """Call a tool with a timeout; a tool that reports an error is a ToolError naming the server."""
    result = await guarded(name, tool, session.call_tool(tool, args), timeout_s)
    if result.is_error:
        detail = " ".join(c.text for c in result.content if isinstance(c, mcp_types.TextContent))
        raise ToolError(f"MCP server '{name}' tool {tool} reported an error: {detail[:300]}")
    return result


def structured(result: mcp_types.CallToolResult) -> Any:
    """A tool's structured answer (the SDK wraps non-object results in ``{"result": ...}``)."""
    data = result.structured_content
    if isinstance(data, dict) and set(data) == {"result"}:
        return data["result"]
    if data is not None:
        return data
    return [getattr(c, "text", str(c)) for c in result.content]


def json_document(name: str, tool: str, result: mcp_types.CallToolResult) -> Any:
    """A tool's answer given as one JSON text document (the bundled servers' batch tools)."""
    texts = [c.text for c in result.content if isinstance(c, mcp_types.TextContent)]
    if len(texts) != 1:
        raise ToolError(f"MCP server '{name}' answered {tool} with {len(texts)} text parts, not one JSON document")
    try:
        return json.loads(texts[0])
    except ValueError as exc:
        raise ToolError(f"MCP server '{name}' answered {tool} with text that is not JSON: {exc}") from exc
