"""Agent memory on SQLite with FTS5: what the memory MCP server serves.

Memories belong to one tenant and one agent; every query filters on both,
so an agent never sees another's memories. Ranking is BM25 over the content
and tags.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from chimera.text import words

MEMORY_TYPES = ("episodic", "semantic")
MAX_LIMIT = 50

SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    memory_id    INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    memory_type  TEXT NOT NULL CHECK (memory_type IN ('episodic', 'semantic')),
    content      TEXT NOT NULL CHECK (length(content) > 0),
    tags         TEXT NOT NULL,
    created_at   REAL NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS memories_owner ON memories(tenant_id, agent_id);
CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(
    content, tags, content='memories', content_rowid='memory_id', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS memories_ai AFTER INSERT ON memories BEGIN
    INSERT INTO memories_fts(rowid, content, tags) VALUES (new.memory_id, new.content, new.tags);
END;
CREATE TRIGGER IF NOT EXISTS memories_ad AFTER DELETE ON memories BEGIN
    INSERT INTO memories_fts(memories_fts, rowid, content, tags)
    VALUES ('delete', old.memory_id, old.content, old.tags);
END;
"""


@dataclass(frozen=True, slots=True)
class Memory:
    """One remembered thing."""

    memory_id: int
    agent_id: str
    memory_type: str
    content: str
    tags: list[str]
    created_at: float
    score: float = 0.0


def fts_query(text: str) -> str:
    """A free-text query as a safe FTS5 expression: every word quoted, any may match."""
    terms = sorted({w for w in words(text) if len(w) > 1})
    return " OR ".join(f'"{t}"' for t in terms)


class MemoryStore:
    """Memories of one tenant in one SQLite file (WAL, synchronous=FULL)."""

    def __init__(self, path: Path, tenant_id: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 10000")  # before WAL: switching modes needs a lock
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.executescript(SCHEMA)
        self.tenant_id = tenant_id

    def close(self) -> None:
        """Close the file."""
        self._conn.close()

    def store(self, agent_id: str, content: str, memory_type: str = "episodic", tags: list[str] | None = None) -> int:
        """Remember ``content`` for an agent; return its id."""
        if memory_type not in MEMORY_TYPES:
            raise ValueError(f"memory_type must be one of {', '.join(MEMORY_TYPES)}")
        if not agent_id.strip() or not content.strip():
            raise ValueError("agent_id and content must not be empty")
        cur = self._conn.execute(
            "INSERT INTO memories (tenant_id, agent_id, memory_type, content, tags, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (self.tenant_id, agent_id, memory_type, content.strip(), json.dumps(tags or []), time.time()),
        )
        return int(cur.lastrowid or 0)

    def search(self, agent_id: str, query: str, limit: int = 5) -> list[Memory]:
        """The agent's memories best matching ``query`` by BM25, best first."""
        expression = fts_query(query)
        if not expression:
            return []
        rows = self._conn.execute(
            "SELECT m.memory_id, m.agent_id, m.memory_type, m.content, m.tags, m.created_at,"
            " bm25(memories_fts) AS score FROM memories_fts JOIN memories m ON m.memory_id = memories_fts.rowid"
            " WHERE memories_fts MATCH ? AND m.tenant_id = ? AND m.agent_id = ? ORDER BY score LIMIT ?",
            (expression, self.tenant_id, agent_id, max(1, min(limit, MAX_LIMIT))),
        ).fetchall()
        return [Memory(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], -float(r[6])) for r in rows]

    def forget(self, agent_id: str, memory_id: int) -> bool:
        """Delete one of the agent's memories; False if it has no such memory."""
        cur = self._conn.execute(
            "DELETE FROM memories WHERE memory_id = ? AND tenant_id = ? AND agent_id = ?",
            (memory_id, self.tenant_id, agent_id),
        )
        return cur.rowcount == 1
