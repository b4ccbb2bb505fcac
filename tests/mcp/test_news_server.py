"""The bundled news server over real stdio, and clear errors from broken servers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import anyio
import pytest

from chimera.errors import ToolError
from chimera.mcp.command import ServerCommand
from chimera.mcp.news_client import open_news_source

SERVERS = Path(__file__).parent / "servers"


async def _use_bundled(snapshot: str | None = None) -> dict[str, object]:
    async with open_news_source(ServerCommand.bundled_news(snapshot)) as news:
        latest = await news.latest()
        energy = await news.trends("energy", 3)
        tagged = await news.trends("solar", 10)
        found = await news.search("battery storage grid", 2)
        return {"latest": latest, "energy": energy, "tagged": tagged, "found": found, "name": news.name}


def test_bundled_server_serves_resource_and_tools() -> None:
    got = anyio.run(_use_bundled)
    latest = got["latest"]
    assert isinstance(latest, list) and len(latest) >= 20
    assert [i.published_at for i in latest] == sorted((i.published_at for i in latest), reverse=True)
    energy = got["energy"]
    assert isinstance(energy, list) and len(energy) == 3 and all(i.topic == "energy" for i in energy)
    tagged = got["tagged"]
    assert isinstance(tagged, list) and tagged and all("solar" in i.tags for i in tagged)
    found = got["found"]
    assert isinstance(found, list) and len(found) == 2 and "battery" in found[0].summary.lower()
    assert got["name"] == "mcp:news"


def test_a_custom_snapshot_is_served(tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps([{"id": "x1", "title": "Hello", "topic": "energy"}]))
    got = anyio.run(_use_bundled, str(snap))
    assert [i.id for i in got["latest"]] == ["x1"]  # type: ignore[union-attr]


async def _open(script: str, timeout_s: float) -> None:
    # a hang would surface as TimeoutError here, not as the ToolError the test expects
    with anyio.fail_after(30):
        await _open_inner(script, timeout_s)


async def _open_inner(script: str, timeout_s: float) -> None:
    async with open_news_source(ServerCommand(sys.executable, [str(SERVERS / script)]), name=script,
                                timeout_s=timeout_s) as news:  # fmt: skip
        await news.latest()


@pytest.mark.parametrize("script", ["garbage.py", "silent.py", "crash.py"])
def test_broken_servers_give_a_clear_error_not_a_hang(script: str) -> None:
    with pytest.raises(ToolError, match=f"MCP server '{script}'"):
        anyio.run(_open, script, 2.0)


def test_a_missing_executable_is_a_clear_error() -> None:
    async def main() -> None:
        async with open_news_source(ServerCommand("/nonexistent/server")):
            pass

    with pytest.raises(ToolError, match="cannot start MCP server"):
        anyio.run(main)
