"""The memory server: BM25 search over real stdio, and no agent or tenant ever sees another's memories."""

from __future__ import annotations

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
    rare, common = bm25("solar farm", [("solar", "farm"), ("farm",), ("farm", "wind")])[:2]
    assert rare > common > 0, "a rarer word counts more"
    assert bm25("solar", [("wind",)]) == [0.0]


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
