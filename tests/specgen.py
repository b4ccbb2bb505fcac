"""Regenerate the contract blocks of specs/technical.md: ``uv run python -m tests.specgen``.

Each block sits between ``<!-- contract:NAME -->`` and ``<!-- /contract -->``;
tests/test_specs.py fails when a block and the code disagree.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio
from pydantic import BaseModel

from chimera import models
from chimera.models.news import NewsItem
from chimera.store import open_database

SPEC = Path(__file__).resolve().parent.parent / "specs" / "technical.md"
BLOCK = re.compile(r"<!-- contract:(?P<name>[\w.]+) -->\n```(?P<lang>\w+)\n(?P<body>.*?)```\n<!-- /contract -->", re.S)

MODELS: dict[str, type[BaseModel]] = {
    "Persona": models.Persona,
    "Campaign": models.Campaign,
    "FleetPolicy": models.FleetPolicy,
    "Task": models.TaskModel,
    "TaskResult": models.TaskResultModel,
    "JudgeDecision": models.JudgeDecisionModel,
    "ReviewItem": models.ReviewItem,
    "NewsItem": NewsItem,
}


def model_block(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"


def db_schema_block() -> str:
    async def main(path: Path) -> None:
        async with open_database(path):
            pass

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.db"
        anyio.run(main, path)
        conn = sqlite3.connect(path)
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            " ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name"
        ).fetchall()
        conn.close()
    return "".join(f"{' '.join(sql.split())};\n" for _, _, sql in rows)


def _tools_block(server: Any) -> str:
    async def tools() -> list[Any]:
        return await server.list_tools()  # type: ignore[no-any-return]

    listed = anyio.run(tools)
    out = {t.name: {"description": t.description, "input": t.input_schema} for t in listed}
    return json.dumps(out, indent=2, sort_keys=True) + "\n"


def news_tools_block() -> str:
    from chimera.mcp.servers.news import build_server

    return _tools_block(build_server([]))


def memory_tools_block() -> str:
    from chimera.mcp.servers.memory import build_server
    from chimera.mcp.servers.memory_store import MemoryStore

    with tempfile.TemporaryDirectory() as tmp:
        store = MemoryStore(Path(tmp) / "m.db", "spec")
        try:
            return _tools_block(build_server(store))
        finally:
            store.close()


def expected() -> dict[str, str]:
    blocks = {name: model_block(model) for name, model in MODELS.items()}
    blocks["db.schema"] = db_schema_block()
    blocks["mcp.news.tools"] = news_tools_block()
    blocks["mcp.memory.tools"] = memory_tools_block()
    return blocks


def current(text: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in BLOCK.finditer(text)}


def regenerate() -> None:
    text = SPEC.read_text()
    want = expected()

    def sub(m: re.Match[str]) -> str:
        name = m["name"]
        return f"<!-- contract:{name} -->\n```{m['lang']}\n{want[name]}```\n<!-- /contract -->"

    SPEC.write_text(BLOCK.sub(sub, text))
    missing = set(want) - set(current(SPEC.read_text()))
    if missing:
        sys.exit(f"specs/technical.md has no block for: {', '.join(sorted(missing))}")


if __name__ == "__main__":
    regenerate()
