"""Agent memory on SQLite: what the memory MCP server serves.

Memories belong to one tenant and one agent; every query filters on both,
so an agent never sees another's memories. Ranking is BM25 over the content
and tags of the agent's own most recent memories (term statistics from
those memories only, so other agents' writing never shifts an agent's
ranking, and a search costs what the agent has, not what the fleet has: a
full-text index over every agent made each search read the postings of
words all agents use). When an embedder is configured, each memory also
gets a vector and search fuses the BM25 ranking with cosine similarity
(reciprocal rank fusion).
A memory stored with a ``key`` is stored once: storing the same key again
returns the first memory's id.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chimera.text import stem, words

MEMORY_TYPES = ("episodic", "semantic")
MAX_LIMIT = 50
#: BM25 candidates and vector candidates considered before fusion.
CANDIDATES = 50
#: Most recent memories of an agent a search ranks (lexically and by vector).
SCAN = 2000
#: BM25 parameters (the usual Okapi values).
BM25_K1 = 1.2
BM25_B = 0.75
RRF_K = 60

Embedder = Callable[[Sequence[str]], list[list[float]]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS memories (
    memory_id    INTEGER PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    agent_id     TEXT NOT NULL,
    memory_type  TEXT NOT NULL CHECK (memory_type IN ('episodic', 'semantic')),
    content      TEXT NOT NULL CHECK (length(content) > 0),
    tags         TEXT NOT NULL,
    created_at   REAL NOT NULL,
    terms        TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS memories_owner ON memories(tenant_id, agent_id);
CREATE TABLE IF NOT EXISTS memory_keys (
    tenant_id  TEXT NOT NULL,
    agent_id   TEXT NOT NULL,
    key        TEXT NOT NULL,
    memory_id  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, agent_id, key)
) STRICT;
CREATE TABLE IF NOT EXISTS memory_vectors (
    memory_id  INTEGER PRIMARY KEY REFERENCES memories(memory_id) ON DELETE CASCADE,
    vector     BLOB NOT NULL
) STRICT;
"""

#: Tables of the full-text index earlier versions kept; dropped on open.
_OLD_INDEX = """
DROP TRIGGER IF EXISTS memories_ai;
DROP TRIGGER IF EXISTS memories_ad;
DROP TABLE IF EXISTS memories_fts;
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


@dataclass(frozen=True, slots=True)
class NewMemory:
    """A memory to store."""

    agent_id: str
    content: str
    memory_type: str = "episodic"
    tags: tuple[str, ...] = ()
    key: str | None = None


@lru_cache(maxsize=65_536)
def terms(text: str) -> tuple[str, ...]:
    """The words BM25 counts: lower-cased, stemmed, two letters or more (memoised per text)."""
    return _terms(text)


def _terms(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in words(text) if len(w) > 1)


#: Stems by word: texts are mostly new, their words mostly not.
_stem = lru_cache(maxsize=65_536)(stem)


def doc_terms(content: str, tags: Sequence[str]) -> str:
    """What a memory is ranked by: the terms of its content and tags, space-separated (stored with it).

    Not memoised per text: a stored memory's text is new, and would only push queries out of the cache.
    """
    return " ".join(_terms(content) + _terms(" ".join(tags)))


def bm25(query: str, documents: Sequence[str]) -> list[float]:
    """Okapi BM25 for ``query`` of documents given as their space-separated terms, as stored (0.0 where no
    query term occurs).

    Worked a query term at a time over the documents that hold one, with
    counting and splitting done by ``str`` and ``list`` methods: a search
    reads up to ``SCAN`` of the agent's memories, and most of an agent's
    posts share words with its next story.
    """
    wanted = sorted(set(terms(query)))
    n = len(documents)
    if not wanted or not n:
        return [0.0] * n
    lengths = [doc.count(" ") + 1 if doc else 0 for doc in documents]
    avgdl = sum(lengths) / n or 1.0
    hits = [i for i, doc in enumerate(documents) if any(t in doc for t in wanted)]
    tokens = [documents[i].split(" ") for i in hits]
    norms = [BM25_K1 * (1.0 - BM25_B + BM25_B * lengths[i] / avgdl) for i in hits]
    scores = [0.0] * n
    for t in wanted:  # sorted, so every score adds its terms in the same order
        counts = [doc.count(t) for doc in tokens]
        df = len(counts) - counts.count(0)
        if not df:
            continue
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        for j, f in enumerate(counts):
            if f:
                scores[hits[j]] += idf * f * (BM25_K1 + 1.0) / (f + norms[j])
    return scores


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


class MemoryStore:
    """Memories of one tenant in one SQLite file (WAL, synchronous=FULL).

    Safe to share between threads: the MCP server runs each tool call in a worker thread of its own, and
    calls that arrive together would otherwise interleave on the one connection (a second ``BEGIN`` inside
    the first's transaction fails, and its ``ROLLBACK`` would undo the first's rows). Each operation
    holds a lock while it uses the connection; an embedder's HTTP call is made outside it.
    """

    def __init__(self, path: Path, tenant_id: str, embedder: Embedder | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA busy_timeout = 10000")  # before WAL: switching modes needs a lock
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.executescript(SCHEMA + _OLD_INDEX)
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(memories)")}
        if "terms" not in columns:  # files from before terms were stored: ranked from content until rewritten
            self._conn.execute("ALTER TABLE memories ADD COLUMN terms TEXT")
        self.tenant_id = tenant_id
        self._embedder = embedder
        self._lock = threading.Lock()

    @property
    def ranking(self) -> str:
        """How search ranks: ``bm25`` or ``bm25+vector``."""
        return "bm25+vector" if self._embedder is not None else "bm25"

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

    def store(self, agent_id: str, content: str, memory_type: str = "episodic", tags: list[str] | None = None) -> int:
        """Remember ``content`` for an agent; return its id."""
        return self.store_many([NewMemory(agent_id, content, memory_type, tuple(tags or ()))])[0]

    def store_many(self, items: Sequence[NewMemory]) -> list[int]:
        """Remember several things in one transaction; a repeated key returns the earlier id."""
        for m in items:
            if m.memory_type not in MEMORY_TYPES:
                raise ValueError(f"memory_type must be one of {', '.join(MEMORY_TYPES)}")
            if not m.agent_id.strip() or not m.content.strip():
                raise ValueError("agent_id and content must not be empty")
        vectors = self._embedder([m.content.strip() for m in items]) if self._embedder and items else None
        with self._lock:
            return self._store_locked(items, vectors)

    def _store_locked(self, items: Sequence[NewMemory], vectors: list[list[float]] | None) -> list[int]:
        ids: list[int] = []
        now = time.time()
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for n, m in enumerate(items):
                if m.key is not None:
                    row = self._conn.execute(
                        "SELECT memory_id FROM memory_keys WHERE tenant_id = ? AND agent_id = ? AND key = ?",
                        (self.tenant_id, m.agent_id, m.key),
                    ).fetchone()
                    if row is not None:
                        ids.append(int(row[0]))
                        continue
                content = m.content.strip()
                cur = self._conn.execute(
                    "INSERT INTO memories (tenant_id, agent_id, memory_type, content, tags, created_at, terms)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (self.tenant_id, m.agent_id, m.memory_type, content, json.dumps(list(m.tags)), now,
                     doc_terms(content, m.tags)),
                )  # fmt: skip
                memory_id = int(cur.lastrowid or 0)
                if m.key is not None:
                    self._conn.execute(
                        "INSERT INTO memory_keys (tenant_id, agent_id, key, memory_id) VALUES (?, ?, ?, ?)",
                        (self.tenant_id, m.agent_id, m.key, memory_id),
                    )
                if vectors is not None:
                    self._conn.execute(
                        "INSERT INTO memory_vectors (memory_id, vector) VALUES (?, ?)",
                        (memory_id, array("f", vectors[n]).tobytes()),
                    )
                ids.append(memory_id)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return ids

    def search(self, agent_id: str, query: str, limit: int = 5) -> list[Memory]:
        """The agent's memories best matching ``query``, best first (BM25, fused with vectors if configured)."""
        limit = max(1, min(limit, MAX_LIMIT))
        with self._lock:
            lexical = self._bm25(agent_id, query, max(limit, CANDIDATES) if self._embedder else limit)
        if self._embedder is None or not query.strip():
            return lexical[:limit]
        vector = self._embedder([query])[0]
        with self._lock:
            semantic = self._nearest(agent_id, vector, CANDIDATES)
        fused: dict[int, float] = {}
        by_id: dict[int, Memory] = {}
        for ranking in (lexical, semantic):
            for rank, m in enumerate(ranking):
                fused[m.memory_id] = fused.get(m.memory_id, 0.0) + 1.0 / (RRF_K + rank + 1)
                by_id.setdefault(m.memory_id, m)
        best = sorted(fused, key=lambda i: -fused[i])[:limit]
        return [_with_score(by_id[i], round(fused[i], 6)) for i in best]

    def _bm25(self, agent_id: str, query: str, limit: int) -> list[Memory]:
        if not terms(query):
            return []
        # the terms of the agent's recent memories (content and tags only where terms were never stored)
        rows = self._conn.execute(
            "SELECT memory_id, terms, iif(terms IS NULL, content, NULL), iif(terms IS NULL, tags, NULL)"
            " FROM memories WHERE tenant_id = ? AND agent_id = ? ORDER BY memory_id DESC LIMIT ?",
            (self.tenant_id, agent_id, SCAN),
        ).fetchall()
        texts = [r[1] if r[1] is not None else doc_terms(r[2], json.loads(r[3])) for r in rows]
        scores = bm25(query, texts)
        # rows come newest first and the sort is stable: equal scores stay newest first
        ranked = sorted((p for p in zip(scores, [r[0] for r in rows], strict=True) if p[0] > 0), key=lambda p: -p[0])
        best = ranked[:limit]
        if not best:
            return []
        full = {
            r[0]: r
            for r in self._conn.execute(
                "SELECT memory_id, agent_id, memory_type, content, tags, created_at FROM memories"
                f" WHERE tenant_id = ? AND agent_id = ? AND memory_id IN ({', '.join('?' * len(best))})",
                (self.tenant_id, agent_id, *(memory_id for _, memory_id in best)),
            )
        }
        found = []
        for score, memory_id in best:
            r = full[memory_id]
            found.append(Memory(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], round(score, 6)))
        return found

    def _nearest(self, agent_id: str, query: list[float], limit: int) -> list[Memory]:
        rows = self._conn.execute(
            "SELECT m.memory_id, m.agent_id, m.memory_type, m.content, m.tags, m.created_at, v.vector"
            " FROM memories m JOIN memory_vectors v USING (memory_id)"
            " WHERE m.tenant_id = ? AND m.agent_id = ? ORDER BY m.memory_id DESC LIMIT ?",
            (self.tenant_id, agent_id, SCAN),
        ).fetchall()
        scored = []
        for r in rows:
            vec = array("f")
            vec.frombytes(r[6])
            scored.append(Memory(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], _cosine(query, vec)))
        scored.sort(key=lambda m: -m.score)
        return scored[:limit]

    def forget(self, agent_id: str, memory_id: int) -> bool:
        """Delete one of the agent's memories and its key together; False if it has no such memory."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                cur = self._conn.execute(
                    "DELETE FROM memories WHERE memory_id = ? AND tenant_id = ? AND agent_id = ?",
                    (memory_id, self.tenant_id, agent_id),
                )
                if cur.rowcount == 1:
                    self._conn.execute(
                        "DELETE FROM memory_keys WHERE tenant_id = ? AND agent_id = ? AND memory_id = ?",
                        (self.tenant_id, agent_id, memory_id),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            return cur.rowcount == 1


def _with_score(m: Memory, score: float) -> Memory:
    return Memory(m.memory_id, m.agent_id, m.memory_type, m.content, m.tags, m.created_at, score)
