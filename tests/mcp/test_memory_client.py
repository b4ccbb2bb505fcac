"""Agent memory as the runtime uses it: batched calls to the real server, vector ranking, no repeats."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from chimera.errors import PermissionRefused, ToolError
from chimera.governance.checks import assess_content
from chimera.mcp.command import ServerCommand
from chimera.mcp.memory_client import MAX_BATCH, MemoryClient
from chimera.mcp.permissions import ToolPermissions
from chimera.mcp.pool import ServerSpec, open_pool
from chimera.mcp.servers.memory_store import MemoryStore, NewMemory
from chimera.models.config import McpPolicy, Persona, Role
from chimera.outcomes import gather, value_of
from chimera.providers.base import ContentRequest
from chimera.providers.embeddings import HttpEmbedder
from chimera.providers.offline import OfflineWriter
from chimera.settings import Secret
from chimera.text import similarity
from tests.httpfake import Reply, Request, serve

PERSONAS = {
    "nova": Persona(agent_id="nova", name="Nova", voice="v", niche="solar"),
    "mute": Persona(agent_id="mute", name="Mute", voice="v", niche="n", role="silent"),
}
ROLES = {"influencer": Role(), "silent": Role(mcp_tools=[])}


def test_concurrent_agents_share_round_trips_and_keys_store_once(tmp_path: Path) -> None:
    spec = ServerSpec("memory", ServerCommand.bundled_memory(tmp_path / "m.db", "demo"), 30.0)

    async def main() -> tuple[list[int], list[int], list[Any], int]:
        with anyio.fail_after(90):
            async with open_pool([spec], McpPolicy()) as pool, anyio.create_task_group() as tg:
                client = MemoryClient(pool.server("memory"), ToolPermissions(ROLES, PERSONAS))
                tg.start_soon(client.run)
                ids: list[int] = [0] * 40
                again: list[int] = [0] * 40

                async def store(n: int) -> None:
                    ids[n] = await client.remember("nova", f"post {n} about solar farm {n}", ["outbox"], f"task-{n}")

                async def store_again(n: int) -> None:
                    again[n] = await client.remember("nova", "changed text", [], f"task-{n}")

                for fn in (store, store_again):
                    async with anyio.create_task_group() as inner:
                        for n in range(40):
                            inner.start_soon(fn, n)
                found = await client.recall("nova", "solar farm 17", 3)
                with pytest.raises(PermissionRefused):
                    await client.recall("mute", "anything", 3)
                trips = client.round_trips
                tg.cancel_scope.cancel()
                return ids, again, found, trips

    ids, again, found, trips = anyio.run(main)
    assert sorted(ids) == list(range(1, 41)) and again == ids, "a repeated key returns the first memory"
    assert found[0].content == "post 17 about solar farm 17"
    assert trips < 20, f"40 + 40 + 1 calls took {trips} round trips"


def _embed(req: Request) -> Reply:
    """A toy embedding: one dimension per concept, so 'kitten' lands near 'cats' with no shared word."""
    concepts = [("cat", "cats", "kitten", "purr"), ("stock", "market", "shares"), ("sun", "solar")]
    data = []
    for n, text in enumerate(req.json()["input"]):
        words = text.lower().split()
        data.append({"index": n, "embedding": [float(sum(w in c for w in words)) + 0.01 for c in concepts]})
    assert req.headers["authorization"] == "Bearer sk-test-embed"
    return Reply(body={"data": data})


def test_vector_ranking_finds_what_bm25_cannot(tmp_path: Path) -> None:
    with serve() as http:
        http.route("POST", "/v1/embeddings", _embed)
        embedder = HttpEmbedder(f"{http.url}/v1", "toy", Secret("sk-test-embed"))
        store = MemoryStore(tmp_path / "m.db", "demo", embedder)
        try:
            store.store_many([NewMemory("nova", "cats purr softly"), NewMemory("nova", "stock market rallies")])
            lexical = MemoryStore(tmp_path / "m.db", "demo").search("nova", "kitten", 5)
            fused = store.search("nova", "kitten", 1)
            assert store.ranking == "bm25+vector"
        finally:
            store.close()
            embedder.close()
    assert lexical == []
    assert [m.content for m in fused] == ["cats purr softly"]


def test_a_failing_embeddings_endpoint_is_a_clear_error(tmp_path: Path) -> None:
    with serve() as http:
        http.route("POST", "/embeddings", Reply(500, {"error": "boom"}))
        embedder = HttpEmbedder(http.url, "toy", None)
        store = MemoryStore(tmp_path / "m.db", "demo", embedder)
        try:
            with pytest.raises(ToolError, match="embeddings endpoint answered HTTP 500"):
                store.store("nova", "anything")
            assert MemoryStore(tmp_path / "m.db", "demo").search("nova", "anything", 5) == [], "nothing half-stored"
        finally:
            store.close()
            embedder.close()


def _request(recent: tuple[str, ...]) -> ContentRequest:
    persona = Persona(agent_id="nova", name="Nova", voice="v", niche="solar power")
    return ContentRequest(persona=persona, goal="g", topic="energy", headline="Solar farm opens in Nevada desert",
                          summary="A big one.", recent=recent)  # fmt: skip


def test_the_writer_avoids_what_it_posted_and_the_judge_catches_a_repeat() -> None:
    writer = OfflineWriter()
    first = anyio.run(writer.write, _request(()))
    second = anyio.run(writer.write, _request((first.text,)))
    assert similarity(first.text, second.text) < 0.6, "a recalled post is not written again"

    persona = _request(()).persona
    kwargs: dict[str, Any] = {"headline": "Solar farm opens", "goal": "solar", "topics": ["energy"],
                              "persona": persona, "max_chars": 400, "self_confidence": 0.9}  # fmt: skip
    repeat = assess_content(first.text, recalled=[{"memory_id": 7, "content": first.text}], **kwargs)
    fresh = assess_content(second.text, recalled=[{"memory_id": 7, "content": first.text}], **kwargs)
    assert any("repeats earlier post #7" in f for f in repeat.failures) and repeat.confidence <= 0.3
    assert not any("repeats" in f for f in fresh.failures)


def test_the_memory_server_refuses_an_unknown_memory_type(tmp_path: Path) -> None:
    store = MemoryStore(tmp_path / "m.db", "demo")
    try:
        with pytest.raises(ValueError, match="memory_type must be one of"):
            store.store_many([NewMemory("nova", "x", "dreams")])
    finally:
        store.close()


def test_a_memory_server_that_answers_badly_is_a_clear_error_for_each_caller() -> None:
    script = Path(__file__).parent / "servers" / "odd_memory.py"
    spec = ServerSpec("memory-t1", ServerCommand(sys.executable, [str(script)]), 30.0)

    async def main() -> tuple[list[str], str]:
        with anyio.fail_after(60):
            async with open_pool([spec], McpPolicy()) as pool, anyio.create_task_group() as tg:
                client = MemoryClient(pool.server("memory-t1"), ToolPermissions(ROLES, PERSONAS))
                tg.start_soon(client.run)
                errors: list[str] = []

                async def store(n: int) -> None:
                    try:
                        await client.remember("nova", f"post {n}", [], f"task-{n}")
                    except ToolError as exc:
                        errors.append(str(exc))

                async with anyio.create_task_group() as inner:
                    for n in range(3):
                        inner.start_soon(store, n)
                with pytest.raises(ToolError) as search_error:
                    await client.recall("nova", "anything", 3)
                tg.cancel_scope.cancel()
                return errors, str(search_error.value)

    store_errors, search_error = anyio.run(main)
    assert len(store_errors) == 3
    for error in store_errors:
        counts = re.search(r"answered store_memories with (\d+) answers for (\d+)", error)
        assert counts is not None, error
        assert int(counts[1]) == int(counts[2]) - 1
        assert "MCP server 'memory-t1'" in error, "the error names the server that answered"
    assert "MCP server 'memory-t1' answered search_memories with text that is not JSON" in search_error


def test_a_memory_server_answering_ids_no_integer_holds_fails_the_callers_not_the_client() -> None:
    script = Path(__file__).parent / "servers" / "odd_memory.py"
    spec = ServerSpec("memory-t1", ServerCommand(sys.executable, [str(script), "infinite-ids"]), 30.0)

    async def main() -> list[str]:
        with anyio.fail_after(60):
            async with open_pool([spec], McpPolicy()) as pool, anyio.create_task_group() as tg:
                client = MemoryClient(pool.server("memory-t1"), ToolPermissions(ROLES, PERSONAS))
                tg.start_soon(client.run)
                errors: list[str] = []
                for _ in range(2):  # the client still serves after the first bad answer
                    with pytest.raises(ToolError) as caught:
                        await client.recall("nova", "anything", 3)
                    errors.append(str(caught.value))
                tg.cancel_scope.cancel()
                return errors

    errors = anyio.run(main)
    assert len(errors) == 2
    for error in errors:
        assert "MCP server 'memory-t1' answered search_memories with malformed items" in error
        assert "OverflowError" in error


def test_many_requests_at_once_take_one_round_trip_and_a_refusal_is_only_its_own(tmp_path: Path) -> None:
    spec = ServerSpec("memory", ServerCommand.bundled_memory(tmp_path / "m.db", "demo"), 30.0)

    async def main() -> tuple[list[Any], list[Any], int]:
        with anyio.fail_after(90):
            async with open_pool([spec], McpPolicy()) as pool, anyio.create_task_group() as tg:
                client = MemoryClient(pool.server("memory"), ToolPermissions(ROLES, PERSONAS))
                tg.start_soon(client.run)
                stored = await client.remember_many([
                    ("nova", "wind farms beat forecasts", ["outbox"], "k1"),
                    ("mute", "not allowed to remember", [], "k2"),
                    ("nova", "solar panels on every school", ["outbox"], "k3"),
                ])  # fmt: skip
                found = await client.recall_many([("nova", "solar school", 1), ("mute", "anything", 1)])
                trips = client.round_trips
                tg.cancel_scope.cancel()
                return stored, found, trips

    stored, found, trips = anyio.run(main)
    assert isinstance(stored[0], int) and isinstance(stored[2], int) and stored[0] != stored[2]
    assert isinstance(stored[1], PermissionRefused)
    assert [m.content for m in found[0]] == ["solar panels on every school"]
    assert isinstance(found[1], PermissionRefused)
    assert trips == 2, "three memories took more than one store, or two searches more than one search"


def test_one_call_split_over_several_round_trips_gets_every_outcome_in_its_place(tmp_path: Path) -> None:
    spec = ServerSpec("memory", ServerCommand.bundled_memory(tmp_path / "m.db", "demo"), 30.0)
    topics = ["wind farms beat forecasts", "solar panels on every school", "ferries go electric"]
    asks = 2 * MAX_BATCH + 10  # more than two round trips' worth, from one caller

    async def main() -> tuple[list[Any], list[Any], int]:
        with anyio.fail_after(90):
            async with open_pool([spec], McpPolicy()) as pool, anyio.create_task_group() as tg:
                client = MemoryClient(pool.server("memory"), ToolPermissions(ROLES, PERSONAS))
                tg.start_soon(client.run)
                await client.remember_many([("nova", t, [], f"k{n}") for n, t in enumerate(topics)])
                before = client.round_trips
                queries = [("mute" if n % 100 == 7 else "nova", topics[n % 3], 1) for n in range(asks)]
                # two callers at once: the long call and a short one
                found, other = map(value_of, await gather(client.recall_many, [queries, queries[:5]]))
                trips = client.round_trips - before
                tg.cancel_scope.cancel()
                return found, other, trips

    found, other, trips = anyio.run(main)
    assert len(found) == asks and trips == 3
    for n, outcome in enumerate(found):
        if n % 100 == 7:
            assert isinstance(outcome, PermissionRefused), n
        else:
            assert [m.content for m in outcome] == [topics[n % 3]], n
    assert [[m.content for m in o] for o in other] == [[topics[n % 3]] for n in range(5)]


def test_a_search_is_not_held_behind_a_store_in_flight() -> None:
    """The gated server finishes a store only once a search was served: searches go out on their own line."""
    script = Path(__file__).parent / "servers" / "gated_memory.py"
    spec = ServerSpec("memory-t1", ServerCommand(sys.executable, [str(script)]), 60.0)

    async def main() -> tuple[int, list[Any]]:
        with anyio.fail_after(60):
            async with open_pool([spec], McpPolicy()) as pool, anyio.create_task_group() as tg:
                client = MemoryClient(pool.server("memory-t1"), ToolPermissions(ROLES, PERSONAS))
                tg.start_soon(client.run)
                stored: list[int] = []
                back = anyio.Event()

                async def store() -> None:
                    stored.append(await client.remember("nova", "a post about solar", [], "task-1"))
                    back.set()

                tg.start_soon(store)
                await anyio.sleep(0.2)  # the store is out (and held by the server)
                found = await client.recall("nova", "solar", 3)
                with anyio.fail_after(10):  # the store comes back as soon as the search was served
                    await back.wait()
                tg.cancel_scope.cancel()
                return stored[0], found

    memory_id, found = anyio.run(main)
    assert (memory_id, found) == (1, [])
