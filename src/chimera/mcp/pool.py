"""The MCP client pool: every configured server started once and supervised.

Each server runs under a supervisor task owned by the pool's task group. The
supervisor holds the stdio session open, pings it while idle, and when the
server crashes or hangs (a call or a ping finds it gone) it restarts it with
exponential backoff and jitter. More than ``max_restarts`` failures within
``restart_window_s`` mark the server down: calls to it fail at once with a
clear error while the rest of the fleet carries on, and it is tried again
after ``down_retry_s``. A call that finds its server gone is retried once on
the restarted server when the caller says the call is safe to repeat.
"""

from __future__ import annotations

import importlib
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

import anyio
import mcp_types
from mcp.client.session import ClientSession

from chimera.errors import ServerUnavailable, ToolError
from chimera.mcp.command import ServerCommand
from chimera.mcp.session import guarded, open_session
from chimera.models.config import McpPolicy

log = logging.getLogger("chimera.mcp")

T = TypeVar("T")


def load_schema_validation(tools: list[mcp_types.Tool]) -> None:
    """Import what the SDK validates structured tool results with, now, if any tool declares an output schema.

    The SDK imports it (jsonschema, ~0.1 s) inside the first call of such a
    tool; at start-up the runtime is not yet serving, while that first call
    is on the first cycle's path.
    """
    if any(t.output_schema is not None for t in tools):
        importlib.import_module("jsonschema")
        importlib.import_module("referencing.exceptions")


class ServerState(StrEnum):
    """Where a supervised server stands."""

    STARTING = "starting"
    UP = "up"
    RESTARTING = "restarting"
    DOWN = "down"


@dataclass(slots=True)
class ServerStatus:
    """What the pool knows of one server (shown by ``chimera status`` and ``chimera mcp list``)."""

    name: str
    state: ServerState = ServerState.STARTING
    restarts: int = 0
    last_error: str | None = None
    tools: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    since: float = field(default_factory=time.time)


StatusListener = Callable[[ServerStatus], None]


@dataclass(frozen=True, slots=True)
class ServerSpec:
    """A server to supervise: how to start it and how long its requests may take."""

    name: str
    command: ServerCommand
    timeout_s: float
    """Seconds one request may take."""
    start_timeout_s: float = 30.0
    """Seconds a start (spawn, initialise, list tools) may take; interpreters can be slow to import."""


class SupervisedServer:
    """One MCP server kept alive by its supervisor; calls go through ``call_tool`` and ``read_resource``."""

    def __init__(
        self,
        spec: ServerSpec,
        policy: McpPolicy,
        listener: StatusListener | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.name = spec.name
        self._spec = spec
        self._policy = policy
        self._listener = listener
        self._jitter = jitter
        self.status = ServerStatus(spec.name)
        self._session: ClientSession | None = None
        self._changed = anyio.Event()
        self._broken = anyio.Event()
        self._broken_reason = ""
        self._failures: deque[float] = deque()
        self.first_attempt = anyio.Event()

    # -- supervision -------------------------------------------------------

    def _set(self, state: ServerState, error: str | None = None) -> None:
        self.status.state = state
        self.status.since = time.time()
        if error is not None:
            self.status.last_error = error
        self._changed.set()
        self._changed = anyio.Event()
        if self._listener is not None:
            self._listener(self.status)

    async def run(self) -> None:
        """Start, watch and restart the server until cancelled."""
        while True:
            error = await self._serve_once()
            self.first_attempt.set()
            now = time.monotonic()
            self._failures.append(now)
            while self._failures and now - self._failures[0] > self._policy.restart_window_s:
                self._failures.popleft()
            if len(self._failures) > self._policy.max_restarts:
                log.error("MCP server %s marked down after %d failures: %s", self.name, len(self._failures), error)
                self._set(ServerState.DOWN, error)
                await anyio.sleep(self._policy.down_retry_s)
                self._failures.clear()
                self._set(ServerState.RESTARTING)
                continue
            delay = min(self._policy.backoff_max_s, self._policy.backoff_base_s * 2 ** (len(self._failures) - 1))
            delay *= 0.5 + self._jitter()
            log.warning("MCP server %s failed (%s); restarting in %.2fs", self.name, error, delay)
            self.status.restarts += 1
            self._set(ServerState.RESTARTING, error)
            await anyio.sleep(delay)

    async def _serve_once(self) -> str:
        """Run the server until it breaks; return why it stopped."""
        try:
            start = self._spec.start_timeout_s
            async with open_session(self._spec.command, name=self.name, timeout_s=start) as session:
                listed = await guarded(self.name, "tools/list", session.list_tools(), start)
                self.status.tools = [t.name for t in listed.tools]
                load_schema_validation(listed.tools)
                self.status.resources = await self._resources(session)
                self._broken = anyio.Event()
                self._session = session
                self._set(ServerState.UP)
                self.first_attempt.set()
                return await self._watch(session)
        except ToolError as exc:
            return str(exc)
        except Exception as exc:  # whatever the SDK's transport raises must not take the pool down
            return f"MCP server '{self.name}' failed: {type(exc).__name__}: {exc}"
        finally:
            self._session = None

    async def _resources(self, session: ClientSession) -> list[str]:
        try:
            listed = await guarded(self.name, "resources/list", session.list_resources(), self._spec.timeout_s)
        except ServerUnavailable:
            raise
        except ToolError:  # a server without resources says so; that is fine
            return []
        return [str(r.uri) for r in listed.resources]

    async def _watch(self, session: ClientSession) -> str:
        """Wait until a call reports the server broken, pinging it while idle."""
        while True:
            with anyio.move_on_after(self._policy.ping_interval_s):
                await self._broken.wait()
                return self._broken_reason
            try:
                await guarded(self.name, "ping", session.send_ping(), self._spec.timeout_s)
            except ServerUnavailable as exc:
                return str(exc)
            except ToolError:  # a live server that does not implement ping is still alive
                continue

    def _mark_broken(self, session: ClientSession, reason: str) -> None:
        if session is self._session and not self._broken.is_set():
            self._session = None  # no caller may pick the dead session up again
            self._broken_reason = reason
            self._broken.set()

    # -- requests ----------------------------------------------------------

    async def _session_now(self) -> ClientSession:
        """The live session, waiting (up to a start-up's time) for a restart in progress."""
        with anyio.move_on_after(self._spec.start_timeout_s + self._policy.backoff_max_s):
            while self._session is None and self.status.state != ServerState.DOWN:
                await self._changed.wait()
        if self._session is not None:
            return self._session
        state = self.status.state.value
        raise ServerUnavailable(f"MCP server '{self.name}' is {state}: {self.status.last_error or 'not started'}")

    async def request(self, what: str, make: Callable[[ClientSession], Awaitable[T]], *, retry: bool = True) -> T:
        """Send one request; if the server is gone, restart it and (when ``retry``) try once more."""
        attempts = 2 if retry else 1
        for n in range(attempts):
            session = await self._session_now()
            try:
                return await guarded(self.name, what, make(session), self._spec.timeout_s)
            except ServerUnavailable as exc:
                self._mark_broken(session, str(exc))
                if n + 1 == attempts:
                    raise
                log.warning("%s; retrying on the restarted server", exc)
        raise AssertionError("unreachable")

    async def call_tool(self, tool: str, args: dict[str, Any], *, retry: bool = True) -> mcp_types.CallToolResult:
        """Call a tool; a tool that reports an error is a ToolError (the server is not restarted for it)."""
        result = await self.request(tool, lambda s: s.call_tool(tool, args), retry=retry)
        if result.is_error:
            detail = " ".join(c.text for c in result.content if isinstance(c, mcp_types.TextContent))
            raise ToolError(f"MCP server '{self.name}' tool {tool} reported an error: {detail[:300]}")
        return result

    async def read_resource(self, uri: str) -> str:
        """Read a text resource (reads are always safe to retry)."""
        res = await self.request(f"read {uri}", lambda s: s.read_resource(uri))
        texts = [c.text for c in res.contents if isinstance(c, mcp_types.TextResourceContents)]
        if not texts:
            raise ToolError(f"MCP server '{self.name}' returned no text for {uri}")
        return texts[0]


class McpPool:
    """The supervised servers of one process, by name."""

    def __init__(self, servers: dict[str, SupervisedServer]) -> None:
        self._servers = servers

    def server(self, name: str) -> SupervisedServer:
        """A server by name; an unknown name is a ToolError listing the known ones."""
        try:
            return self._servers[name]
        except KeyError:
            known = ", ".join(sorted(self._servers)) or "none"
            raise ToolError(f"no MCP server named '{name}' is configured (configured: {known})") from None

    def statuses(self) -> list[ServerStatus]:
        """Every server's status, by name."""
        return [self._servers[n].status for n in sorted(self._servers)]


@asynccontextmanager
async def open_pool(
    specs: list[ServerSpec], policy: McpPolicy, listener: StatusListener | None = None
) -> AsyncIterator[McpPool]:
    """Start every server under a supervisor; wait for each one's first start (up or failed); stop all on exit.

    An error raised by the caller's body comes out as itself, not wrapped in an exception group.
    """
    try:
        async with anyio.create_task_group() as tg:
            servers = {s.name: SupervisedServer(s, policy, listener) for s in specs}
            for server in servers.values():
                tg.start_soon(server.run)
            for server in servers.values():
                await server.first_attempt.wait()
            try:
                yield McpPool(servers)
            finally:
                tg.cancel_scope.cancel()
    except BaseExceptionGroup as group:
        if len(group.exceptions) == 1:
            raise group.exceptions[0] from None
        raise
