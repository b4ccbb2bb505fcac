"""One SQLite file through aiosqlite: pragmas, migrations, transactions.

Durability settings are the same for every caller (``chimera run``, the CLI,
the bench): WAL with ``synchronous=FULL`` so an acknowledged commit survives
power loss, foreign keys on, and every write transaction opened with
``BEGIN IMMEDIATE`` so a writer takes the lock up front instead of failing
when a read upgrades to a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite
import anyio

from chimera.errors import StoreError
from chimera.store.audit_chain import AuditSigner, key_file
from chimera.store.schema import MIGRATIONS, SCHEMA_VERSION

#: The audit key file used when no key comes from the environment or the keyring.
AUDIT_KEY_FILE = "audit.key"

BUSY_TIMEOUT_MS = 10_000

T = TypeVar("T")

# busy_timeout comes first: switching to WAL needs a lock, and without a
# timeout a connection opened while another holds one fails at once.
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -32768",
)


#: Answers the sqlite3 module's adapter lookup for None with None (bound as NULL, as without it).
_NONE_AS_NULL = {None: None}.get


def bind_none_directly() -> None:
    """Let ``None`` parameters reach SQLite without a thrown-away exception each.

    The sqlite3 module looks for an adapter for every value that is not an
    exact int, float, str or bytearray. For None it finds none, and its last
    look-up (an attribute of its protocol type) formats an AttributeError
    and discards it: ~0.3 µs with the GIL held, for each of the ~50,000
    NULLs a 10,000-agent run binds (an attempt's missing error, a task
    without a dependency). A registered adapter answers at the first look-up.
    It applies to the whole process, and changes no value: None is NULL.
    """
    sqlite3.register_adapter(type(None), _NONE_AS_NULL)


async def connect(path: Path, *, readonly: bool) -> aiosqlite.Connection:
    """A connection to the store with the store's pragmas (``readonly``: no writes through it)."""
    bind_none_directly()
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
    try:
        for pragma in PRAGMAS:
            await _execute_waiting_for_lock(conn, pragma)
        if readonly:
            await conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        await conn.close()
        raise StoreError(f"{path} is not a usable SQLite store: {exc}") from exc
    return conn


async def _execute_waiting_for_lock(conn: aiosqlite.Connection, sql: str) -> None:
    """Run ``sql``, retrying while the file is locked, for up to the busy timeout.

    SQLite answers "database is locked" at once, without waiting, when waiting
    could deadlock: two processes switching a new file to WAL together, each
    holding the shared lock the other must see released. One of them goes on;
    the other tries again a moment later and finds WAL already on.
    """
    with anyio.move_on_after(BUSY_TIMEOUT_MS / 1000):
        while True:
            try:
                await conn.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            await anyio.sleep(0.01)
    raise sqlite3.OperationalError(f"database is locked (still, after {BUSY_TIMEOUT_MS} ms)")


def split_statements(script: str) -> list[str]:
    """A migration script as single statements (trigger bodies kept whole)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        raise StoreError(f"migration has an incomplete statement: {buf.strip()[:80]}")
    return out


async def _user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def _migrate(conn: aiosqlite.Connection, path: Path) -> None:
    """Bring the file to SCHEMA_VERSION in one BEGIN IMMEDIATE transaction (foreign keys checked at its end).

    The version is read after the write lock is taken, so two processes
    opening a new file at once cannot both apply the same migration.
    """
    if await _user_version(conn) == SCHEMA_VERSION:
        return
    # Foreign keys are off while migrating (the pragma cannot change inside a transaction): rebuilding a
    # table drops the old one from under its children's references. ``foreign_key_check`` proves every
    # reference whole again before the commit, as SQLite's own procedure for table changes does.
    await conn.execute("PRAGMA foreign_keys = OFF")
    try:
        await _migrate_in_one_transaction(conn, path)
    finally:
        with anyio.CancelScope(shield=True):
            await conn.execute("PRAGMA foreign_keys = ON")


async def _migrate_in_one_transaction(conn: aiosqlite.Connection, path: Path) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    try:
        version = await _user_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path} has schema version {version}, newer than this Chimera ({SCHEMA_VERSION}); upgrade Chimera"
            )
        for number in range(version + 1, SCHEMA_VERSION + 1):
            try:
                for statement in split_statements(MIGRATIONS[number - 1]):
                    await conn.execute(statement)
            except sqlite3.Error as exc:
                raise StoreError(f"migration {number} failed on {path}: {exc}") from exc
        async with conn.execute("PRAGMA foreign_key_check") as cur:
            broken = [tuple(row) for row in await cur.fetchmany(3)]
        if broken:
            raise StoreError(f"migrating {path} would leave rows without their parents, e.g. {broken}")
        await conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        await conn.commit()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await conn.rollback()
        raise


class Database:
    """The store's two connections (one writer serialised by a lock, one reader) and the audit signer.

    While the runtime runs, the checkpointer (``store/checkpointer.py``) opens a third of its own.
    """

    def __init__(
        self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection, signer: AuditSigner
    ) -> None:
        self.path = path
        self.writer = writer
        self.reader = reader
        self.signer = signer
        self.write_lock = anyio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction on the writer; commits on success, rolls back on error."""
        async with self.write_lock:
            await self.writer.execute("BEGIN IMMEDIATE")
            try:
                yield self.writer
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await self.writer.rollback()
                raise
            with anyio.CancelScope(shield=True):
                await self.writer.commit()

    async def on_writer(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` with the writer's sqlite3 connection on the writer's own thread.

        A whole group commit is one hop to that thread instead of one per
        statement, so it never waits for the event loop between statements.
        aiosqlite keeps each connection on one thread; ``_execute`` is how it
        runs a call there (the version is pinned in ``uv.lock``).
        """
        conn = self.writer
        raw = conn._conn
        return cast(T, await conn._execute(fn, raw))  # type: ignore[no-untyped-call]

    async def fetchall(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        """Run a read on the reader connection."""
        async with self.reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Row | None:
        """Run a read and return its first row, if any."""
        async with self.reader.execute(sql, params) as cur:
            return await cur.fetchone()

    async def integrity_problems(self) -> list[str]:
        """What ``integrity_check`` and ``foreign_key_check`` report; empty when clean."""
        problems: list[str] = []
        for row in await self.fetchall("PRAGMA integrity_check"):
            if row[0] != "ok":
                problems.append(str(row[0]))
        for row in await self.fetchall("PRAGMA foreign_key_check"):
            problems.append(f"foreign key: {tuple(row)}")
        return problems


@asynccontextmanager
async def open_database(path: Path, audit_key: bytes | None = None) -> AsyncIterator[Database]:
    """Open (creating and migrating if needed) the store at ``path``; close it on exit.

    ``audit_key`` signs the audit chain; without one, the key file beside the
    store (``audit.key``, created on first use, mode 0600) is used.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        signer = AuditSigner(audit_key if audit_key is not None else key_file(path.parent / AUDIT_KEY_FILE))
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot read the audit key for {path}: {exc}") from exc
    writer = await connect(path, readonly=False)
    reader: aiosqlite.Connection | None = None
    try:
        await _migrate(writer, path)
        reader = await connect(path, readonly=True)
        reader.row_factory = sqlite3.Row
        yield Database(path, writer, reader, signer)
    finally:
        with anyio.CancelScope(shield=True):
            if reader is not None:
                await reader.close()
            await writer.close()
