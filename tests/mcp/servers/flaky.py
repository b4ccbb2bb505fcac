"""A small MCP server for pool tests: tells its pid, echoes, hangs on demand, or dies on demand."""

import os
import time

from mcp.server.mcpserver import MCPServer

server = MCPServer(name="flaky")


@server.tool()
def pid() -> int:
    """This process's id."""
    return os.getpid()


@server.tool()
def echo(text: str) -> str:
    """The text back."""
    return text


@server.tool()
def hang() -> str:
    """Never answers in time."""
    time.sleep(3600)
    return "late"


@server.tool()
def die() -> str:
    """Exits at once, mid-call."""
    os._exit(1)


if __name__ == "__main__":
    server.run("stdio")
