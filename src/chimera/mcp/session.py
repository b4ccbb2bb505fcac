"""A generic MCP stdio session with a start-up timeout and errors that name the server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from chimera.errors import ToolError, first_chimera_error
from chimera.mcp.command import ServerCommand


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
                raise ToolError(f"MCP server '{name}' did not finish starting within {timeout_s}s") from None
            except Exception as exc:  # garbage on stdout, early exit, protocol mismatch
                raise ToolError(f"MCP server '{name}' failed to start: {exc}") from exc
            yield session
    except OSError as exc:
        raise ToolError(f"cannot start MCP server '{name}' ({command.command}): {exc}") from exc
    except BaseExceptionGroup as group:
        # The SDK's task groups wrap what went wrong; surface our own error plainly.
        found = first_chimera_error(group)
        if found is None:
            raise
        raise found from None


async def call_tool(
    session: ClientSession, name: str, tool: str, args: dict[str, Any], timeout_s: float = 20.0
) -> mcp_types.CallToolResult:
    """Call a tool with a timeout; a tool error or a failed call is a ToolError naming the server."""
    try:
        with anyio.fail_after(timeout_s):
            result = await session.call_tool(tool, args)
    except TimeoutError:
        raise ToolError(f"MCP server '{name}' did not answer {tool} within {timeout_s}s") from None
    except Exception as exc:  # the SDK raises McpError and transport errors alike
        raise ToolError(f"MCP server '{name}' failed on {tool}: {exc}") from exc
    if result.is_error:
        detail = " ".join(c.text for c in result.content if isinstance(c, mcp_types.TextContent))
        raise ToolError(f"MCP server '{name}' tool {tool} reported an error: {detail[:300]}")
    return result
