"""Agent memory through the memory MCP server, many agents per round trip.

A stdio round trip costs about as much as the rest of a task, so calls are
batched the natural way: whatever was asked while the previous call was in
flight goes out together in the next one (``store_memories`` /
``search_memories``). At low load a request goes out at once; at high load
one round trip serves hundreds. Searches and stores are two lines, each with
one call in flight, so a search never waits behind a store's commit. The
flushers are tasks of the runtime's task group (``run``), so they stop with
the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

import anyio

from chimera.answer import Answer
from chimera.errors import ChimeraError, PermissionRefused, ToolError
from chimera.mcp.permissions import ToolPermissions
from chimera.mcp.pool import SupervisedServer
from chimera.mcp.session import json_document
from chimera.outcomes import value_of

MAX_BATCH = 512

Req = TypeVar("Req")
Res = TypeVar("Res")


class Recalled(NamedTuple):
    """A memory recalled for a draft."""

    memory_id: int
    content: str
    score: float


#: An outcome not given yet.
_UNSET: Any = object()


class _Asked(Generic[Res]):
    """One caller's requests: their outcomes, filled in as batches answer them, and one wait for all of them.

    One wait per call, not per request: a future and an await per request cost the loop ~1 µs each,
    and a worker's batch asks for up to hundreds at once.
    """

    def __init__(self, outcomes: list[Res | Exception], left: int) -> None:
        self.outcomes = outcomes
        self.left = left
        self.done: Answer[None] = Answer()

    def settle(self, index: int, outcome: Res | Exception) -> None:
        """Give request ``index`` its outcome (the first one given counts)."""
        if self.outcomes[index] is _UNSET:
            self.outcomes[index] = outcome
            self.left -= 1
            if not self.left:
                self.done.set(None)


class _Pending(Generic[Req, Res]):
    """One request in a line, and where its outcome goes."""

    def __init__(self, request: Req, asked: _Asked[Res], index: int) -> None:
        self.request = request
        self.asked = asked
        self.index = index

    @property
    def settled(self) -> bool:
        return self.asked.outcomes[self.index] is not _UNSET

    def set(self, outcome: Res | Exception) -> None:
        self.asked.settle(self.index, outcome)


class _Line(Generic[Res]):
    """The requests queued for one batch tool, and the event that wakes its sender."""

    def __init__(self, tool: str, arg: str, parse: Callable[[Any], Res]) -> None:
        self.tool = tool
        self.arg = arg
        self.parse = parse
        self.queued: list[_Pending[dict[str, Any], Res]] = []
        self.wake = anyio.Event()


class MemoryClient:
    """``recall`` and ``remember`` for agents, checked against each agent's role."""

    name = "mcp:memory"

    def __init__(self, server: SupervisedServer, permissions: ToolPermissions) -> None:
        self._server = server
        self._permissions = permissions
        self._searches: _Line[list[Recalled]] = _Line("search_memories", "queries", _recalled)
        self._stores: _Line[int] = _Line("store_memories", "items", _ids)
        self.round_trips = 0

    async def recall(self, agent_id: str, query: str, limit: int) -> list[Recalled]:
        """The agent's memories closest to ``query``, best first."""
        return value_of((await self.recall_many([(agent_id, query, limit)]))[0])

    async def remember(self, agent_id: str, content: str, tags: list[str], key: str) -> int:
        """Store an episodic memory once per ``key``; return its id."""
        return value_of((await self.remember_many([(agent_id, content, tags, key)]))[0])

    async def recall_many(self, queries: Sequence[tuple[str, str, int]]) -> list[list[Recalled] | Exception]:
        """``recall`` for many ``(agent_id, query, limit)`` at once: one wait, an answer or an error each."""
        asked = [{"agent_id": a, "query": q, "limit": n} for a, q, n in queries]
        return await self._ask(self._searches, "search_memory", asked)

    async def remember_many(self, memories: Sequence[tuple[str, str, list[str], str]]) -> list[int | Exception]:
        """``remember`` for many ``(agent_id, content, tags, key)`` at once: one wait, an id or an error each."""
        asked = [{"agent_id": a, "content": c, "tags": t, "key": k} for a, c, t, k in memories]
        return await self._ask(self._stores, "store_memory", asked)

    async def _ask(self, line: _Line[Res], tool: str, requests: list[dict[str, Any]]) -> list[Res | Exception]:
        """Queue the requests the agents may make (a refusal is that request's outcome), then wait once."""
        asked: _Asked[Res] = _Asked([_UNSET] * len(requests), len(requests))
        for index, request in enumerate(requests):
            try:
                self._permissions.check(request["agent_id"], "memory", tool)
            except PermissionRefused as exc:
                asked.settle(index, exc)
                continue
            line.queued.append(_Pending(request, asked, index))
        if asked.left:
            line.wake.set()
            await asked.done.wait()
        return asked.outcomes

    async def run(self) -> None:
        """Send queued requests until cancelled, searches and stores each on their own line."""
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._send, self._stores)
            tg.start_soon(self._send, self._searches)

    async def _send(self, line: _Line[Res]) -> None:
        """One line's calls, one at a time; a batch in flight always delivers its answers."""
        while True:
            if not line.queued:
                line.wake = anyio.Event()
                await line.wake.wait()
            batch, line.queued = line.queued[:MAX_BATCH], line.queued[MAX_BATCH:]
            with anyio.CancelScope(shield=True):
                await self._flush(batch, line)

    async def _flush(self, batch: list[_Pending[dict[str, Any], Res]], line: _Line[Res]) -> None:
        tool, parse = line.tool, line.parse
        try:
            # stores carry keys and searches only read, so a retry after a restart is safe
            result = await self._server.call_tool(tool, {line.arg: [p.request for p in batch]})
            self.round_trips += 1
            name = self._server.name
            answers = json_document(name, tool, result)
            if not isinstance(answers, list):
                raise ToolError(f"MCP server '{name}' answered {tool} with {type(answers).__name__}, not a list")
            if len(answers) != len(batch):
                raise ToolError(f"MCP server '{name}' answered {tool} with {len(answers)} answers for {len(batch)}")
            values = [parse(answer) for answer in answers]
            for p, value in zip(batch, values, strict=True):
                p.set(value)
        except ChimeraError as exc:
            for p in batch:
                p.set(exc)
        except (ArithmeticError, LookupError, TypeError, ValueError) as exc:  # e.g. an id of Infinity
            error = ToolError(f"MCP server '{self._server.name}' answered {tool} with malformed items: {exc!r}")
            for p in batch:
                p.set(error)
        finally:  # whatever else happened, no caller is left waiting
            unanswered = [p for p in batch if not p.settled]
            if unanswered:
                lost = ToolError(f"MCP server '{self._server.name}' gave no answer to {tool}")
                for p in unanswered:
                    p.set(lost)


def _ids(answer: Any) -> int:
    return int(answer)


def _recalled(answer: Any) -> list[Recalled]:
    return [Recalled(int(m["memory_id"]), str(m["content"]), float(m["score"])) for m in answer]
