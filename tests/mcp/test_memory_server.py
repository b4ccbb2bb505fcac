"""The memory server: BM25 search over real stdio, and no agent or tenant ever sees another's memories."""

from __future__ import annotations

import json
import math
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from chimera.mcp.servers.memory_store import MemoryStore, bm25, terms


async def _session_calls(db: Path, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "chimera.mcp.servers.memory", "--db", str(db), "--tenant", "demo"]
    )
    out = []
    with anyio.fail_after(60):
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            for tool, args in calls:
                result = await session.call_tool(tool, args)
                assert not result.is_error, result
                out.append(result.structured_content["result"])
    return out


def test_store_search_forget_over_stdio(tmp_path: Path) -> None:
    db = tmp_path / "memory.db"
    stored = anyio.run(
        _session_calls,
        db,
        [
            (
                "store_memory",
                {"agent_id": "nova", "content": "Posted about the Nevada solar and battery farm", "tags": ["solar"]},
            ),
            ("store_memory", {"agent_id": "nova", "content": "Posted about offshore wind records"}),
            (
                "store_memory",
                {"agent_id": "nova", "content": "Audience likes battery storage explainers", "memory_type": "semantic"},
            ),
            ("store_memory", {"agent_id": "byte", "content": "Posted about solar-powered robots"}),
        ],
    )
    assert stored == [1, 2, 3, 4]
    found, other, gone, after = anyio.run(
        _session_calls,
        db,
        [
            ("search_memory", {"agent_id": "nova", "query": "battery solar", "limit": 5}),
            ("search_memory", {"agent_id": "byte", "query": "battery solar", "limit": 5}),
            ("forget", {"agent_id": "nova", "memory_id": 1}),
            ("search_memory", {"agent_id": "nova", "query": "Nevada", "limit": 5}),
        ],
    )
    assert [m["memory_id"] for m in found] == [1, 3], "both words beat one word (BM25)"
    assert found[0]["score"] >= found[1]["score"] and found[1]["memory_type"] == "semantic"
    assert [m["memory_id"] for m in other] == [4]
    assert gone is True and after == []


def test_queries_are_words_only_and_rank_by_bm25(tmp_path: Path) -> None:
    assert terms('solar" OR *; DROP TABLE') == ("solar", "or", "drop", "table")
    assert terms("!!!") == ()
    store = MemoryStore(tmp_path / "m.db", "t")
    try:
        store.store("nova", "solar farm record")
        store.store("nova", "wind farm record")
        assert [m.content for m in store.search("nova", 'solar" OR *; DROP TABLE memories; --', 5)] == [
            "solar farm record"
        ]
        assert store.search("nova", "!!!", 5) == []
    finally:
        store.close()
    rare, common = bm25("solar farm", ["solar farm", "farm", "farm wind"])[:2]
    assert rare > common > 0, "a rarer word counts more"
    assert bm25("solar", ["wind"]) == [0.0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["t1", "t2"]),
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["solar", "battery", "grid", "robots", "sleep"]),
        ),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from(["t1", "t2"]),
    st.sampled_from(["a", "b", "c", "zz"]),
    st.text(min_size=0, max_size=30),
)
def test_an_agent_only_ever_sees_its_own_tenant_and_agent_memories(
    rows: list[tuple[str, str, str]], tenant: str, agent: str, query: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.db"
        stores = {t: MemoryStore(path, t) for t in ("t1", "t2")}
        try:
            for t, a, word in rows:
                stores[t].store(a, f"{t}:{a} wrote about {word}", tags=[word])
            for word_query in (query, "solar battery grid robots sleep wrote"):
                for memory in stores[tenant].search(agent, word_query, 50):
                    assert memory.agent_id == agent and memory.content.startswith(f"{tenant}:{agent} ")
                    assert not stores[tenant].forget("someone-else", memory.memory_id)
            mine = [r for r in rows if r[0] == tenant and r[1] == agent]
            assert len(stores[tenant].search(agent, "wrote", 50)) == len(mine)
        finally:
            for s in stores.values():
                s.close()


def test_chimera_mcp_serve_memory_uses_the_fleet_home(tmp_path: Path) -> None:
    from chimera.cli.init_cmd import write_sample_fleet

    root = tmp_path / "fleet"
    write_sample_fleet(root)
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "chimera", "--home", str(root), "mcp", "serve", "memory"]
    )

    async def main() -> Any:
        with anyio.fail_after(60):
            async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                await session.call_tool("store_memory", {"agent_id": "vita", "content": "sleep habits thread"})
                result = await session.call_tool("search_memory", {"agent_id": "vita", "query": "sleep"})
                return result.structured_content["result"]

    assert [m["content"] for m in anyio.run(main)] == ["sleep habits thread"]
    assert (root / "data" / "memory.db").exists()


def test_mcp_list_and_call_commands(tmp_path: Path) -> None:
    import json
    import subprocess

    from chimera.cli.init_cmd import write_sample_fleet

    root = tmp_path / "fleet"
    write_sample_fleet(root)
    base = [sys.executable, "-m", "chimera", "--home", str(root), "mcp"]
    listed = json.loads(subprocess.run([*base, "list", "--json"], capture_output=True, text=True, check=True).stdout)
    assert {s["server"]: s["state"] for s in listed} == {"news": "up", "memory": "up"}
    news = next(s for s in listed if s["server"] == "news")
    assert news["tools"] == ["fetch_trends", "search_news"] and news["resources"] == ["news://latest", "news://status"]
    called = subprocess.run(
        [*base, "call", "news", "fetch_trends", "--args", '{"topic": "energy", "limit": 2}'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [i["topic"] for i in json.loads(called.stdout)["result"]] == ["energy", "energy"]
    bad = subprocess.run(
        [*base, "call", "news", "fetch_trends", "--args", "{nope"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and "--args is not JSON" in bad.stderr
    missing = subprocess.run([*base, "call", "news", "no_such_tool"], capture_output=True, text=True, check=False)
    assert missing.returncode == 4 and "MCP server 'news'" in missing.stderr


def _reference_bm25(query: str, documents: list[tuple[str, ...]]) -> list[float]:
    """Okapi BM25 written out plainly, document by document (what the server's ranking must equal)."""
    wanted = set(terms(query))
    n = len(documents)
    if not wanted or not n:
        return [0.0] * n
    avgdl = sum(len(d) for d in documents) / n or 1.0
    df = {t: sum(1 for d in documents if t in d) for t in wanted}
    scores = []
    for doc in documents:
        norm = 1.2 * (1.0 - 0.75 + 0.75 * len(doc) / avgdl)
        score = 0.0
        for t in wanted:
            f = doc.count(t)
            if f:
                score += math.log(1.0 + (n - df[t] + 0.5) / (df[t] + 0.5)) * f * 2.2 / (f + norm)
        scores.append(score)
    return scores


_VOCAB = ["solar", "sol", "farm", "farms", "grid", "battery", "wind", "ar", "so"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_VOCAB), max_size=12).map(tuple), max_size=30),
    st.lists(st.sampled_from([*_VOCAB, "robots", "!!"]), max_size=4).map(" ".join),
)
def test_ranking_over_stored_terms_equals_plain_bm25(documents: list[tuple[str, ...]], query: str) -> None:
    # "sol", "ar" and "so" sit inside "solar": a substring is not a term
    got = bm25(query, [" ".join(doc) for doc in documents])
    want = _reference_bm25(query, documents)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert math.isclose(g, w, rel_tol=1e-12, abs_tol=1e-12), (g, w)


def test_a_memory_file_from_before_stored_terms_is_ranked_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE memories (memory_id INTEGER PRIMARY KEY, tenant_id TEXT NOT NULL, agent_id TEXT NOT NULL,"
        " memory_type TEXT NOT NULL CHECK (memory_type IN ('episodic', 'semantic')),"
        " content TEXT NOT NULL CHECK (length(content) > 0), tags TEXT NOT NULL, created_at REAL NOT NULL) STRICT;"
        "INSERT INTO memories VALUES (1, 't', 'nova', 'episodic', 'Nevada solar farm opens', '[\"energy\"]', 1.0);"
        "INSERT INTO memories VALUES (2, 't', 'nova', 'episodic', 'Wind record in the north', '[]', 2.0);"
    )
    conn.commit()
    conn.close()
    store = MemoryStore(path, "t")
    try:
        assert [m.memory_id for m in store.search("nova", "solar energy", 5)] == [1], "old rows ranked from content"
        new_id = store.store("nova", "Solar prices fall again", tags=["energy"])
        assert {m.memory_id for m in store.search("nova", "solar energy", 5)} == {1, new_id}
    finally:
        store.close()
    stored = sqlite3.connect(path).execute("SELECT memory_id, terms FROM memories ORDER BY memory_id").fetchall()
    assert stored == [(1, None), (2, None), (new_id, "solar price fall again energy")]


def test_a_key_stores_once_within_a_batch_across_batches_and_per_agent(tmp_path: Path) -> None:
    from chimera.mcp.servers.memory_store import NewMemory

    store = MemoryStore(tmp_path / "m.db", "demo")
    try:
        first = store.store_many([
            NewMemory("nova", "solar post", key="t1"), NewMemory("byte", "solar post", key="t1"),
            NewMemory("nova", "solar post, sent twice", key="t1"), NewMemory("nova", "no key"),
            NewMemory("nova", "no key"),
        ])  # fmt: skip
        assert first[0] == first[2] and len({first[0], first[1], first[3], first[4]}) == 4
        again = store.store_many([NewMemory("byte", "later", key="t1"), NewMemory("nova", "new", key="t2")])
        assert again[0] == first[1] and again[1] not in first
        assert store.forget("nova", first[0])
        (fresh,) = store.store_many([NewMemory("nova", "stored again", key="t1")])
        assert fresh not in first + again
        assert [m.content for m in store.search("nova", "stored again", 5)][:1] == ["stored again"]
    finally:
        store.close()


async def _concurrent_calls(db: Path, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """All ``calls`` sent at once on one session (the server runs each in a worker thread of its own)."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "chimera.mcp.servers.memory", "--db", str(db), "--tenant", "demo"]
    )
    out: list[Any] = [None] * len(calls)
    with anyio.fail_after(60):
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()

            async def call(i: int, tool: str, args: dict[str, Any]) -> None:
                result = await session.call_tool(tool, args)
                assert not result.is_error, result
                out[i] = result.content[0].text if result.structured_content is None else result.structured_content

            async with anyio.create_task_group() as tg:
                for i, (tool, args) in enumerate(calls):
                    tg.start_soon(call, i, tool, args)
    return out


def test_concurrent_stores_and_searches_each_keep_their_transaction(tmp_path: Path) -> None:
    """Batches stored while others are stored or searched all land, once each, with distinct ids."""
    db = tmp_path / "memory.db"
    calls: list[tuple[str, dict[str, Any]]] = []
    for n in range(24):
        items = [
            {"agent_id": f"a{n % 4}", "content": f"post {n}-{i} about solar", "key": f"k{n}-{i}"} for i in range(30)
        ]
        calls.append(("store_memories", {"items": items}))
        calls.append(("search_memories", {"queries": [{"agent_id": f"a{n % 4}", "query": "solar", "limit": 3}]}))
    answers = anyio.run(_concurrent_calls, db, calls)
    ids = [i for (tool, _), answer in zip(calls, answers, strict=True) if tool == "store_memories"
           for i in json.loads(answer)]  # fmt: skip
    assert len(ids) == 24 * 30 == len(set(ids))
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM memories").fetchone()[0] == 24 * 30
        assert conn.execute("SELECT count(*) FROM memory_keys").fetchone()[0] == 24 * 30
