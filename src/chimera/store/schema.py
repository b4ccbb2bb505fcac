"""The schema as numbered migrations; ``PRAGMA user_version`` records how far a file is.

Migrations are append-only: never edit one that has shipped, add the next.
Every table is STRICT; every row that belongs to a tenant carries ``tenant_id``.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: fleet, work, decisions, reviews, outbox, perception, audit
    """
    CREATE TABLE tenants (
        tenant_id   TEXT PRIMARY KEY,
        created_at  REAL NOT NULL
    ) STRICT;

    CREATE TABLE agents (
        tenant_id     TEXT NOT NULL REFERENCES tenants(tenant_id),
        agent_id      TEXT NOT NULL,
        name          TEXT NOT NULL,
        persona_json  TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
        updated_at    REAL NOT NULL,
        PRIMARY KEY (tenant_id, agent_id)
    ) STRICT;

    CREATE TABLE campaigns (
        tenant_id        TEXT NOT NULL,
        campaign_id      TEXT NOT NULL,
        agent_id         TEXT NOT NULL,
        goal             TEXT NOT NULL,
        topics_json      TEXT NOT NULL,
        platforms_json   TEXT NOT NULL,
        budget_cents     INTEGER NOT NULL CHECK (budget_cents >= 0),
        status           TEXT NOT NULL CHECK (status IN ('active', 'paused')),
        declared_status  TEXT NOT NULL CHECK (declared_status IN ('active', 'paused')),
        version          INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
        cycles           INTEGER NOT NULL DEFAULT 0 CHECK (cycles >= 0),
        tasks_planned    INTEGER NOT NULL DEFAULT 0 CHECK (tasks_planned >= 0),
        updated_at       REAL NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id),
        FOREIGN KEY (tenant_id, agent_id) REFERENCES agents(tenant_id, agent_id)
    ) STRICT;

    CREATE TABLE tasks (
        task_id      TEXT PRIMARY KEY,
        tenant_id    TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        campaign_id  TEXT NOT NULL,
        type         TEXT NOT NULL,
        priority     INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),
        seq          INTEGER NOT NULL,
        status       TEXT NOT NULL CHECK (status IN
                       ('blocked', 'pending', 'review', 'done', 'rejected', 'cancelled')),
        attempt      INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        depends_on   TEXT REFERENCES tasks(task_id),
        payload      TEXT NOT NULL,
        created_at   REAL NOT NULL,
        updated_at   REAL NOT NULL,
        FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns(tenant_id, campaign_id)
    ) STRICT;
    CREATE INDEX tasks_open ON tasks(status, priority, seq) WHERE status IN ('pending', 'blocked');
    CREATE INDEX tasks_depends ON tasks(depends_on) WHERE depends_on IS NOT NULL;

    CREATE TABLE results (
        task_id      TEXT NOT NULL REFERENCES tasks(task_id),
        attempt      INTEGER NOT NULL,
        tenant_id    TEXT NOT NULL,
        ok           INTEGER NOT NULL CHECK (ok IN (0, 1)),
        output       TEXT NOT NULL,
        confidence   REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        reasoning    TEXT NOT NULL,
        error        TEXT,
        produced_by  TEXT NOT NULL,
        created_at   REAL NOT NULL,
        PRIMARY KEY (task_id, attempt)
    ) STRICT;

    -- One decision per attempt: the primary key makes "decided twice" impossible.
    CREATE TABLE decisions (
        task_id     TEXT NOT NULL,
        attempt     INTEGER NOT NULL,
        tenant_id   TEXT NOT NULL,
        verdict     TEXT NOT NULL CHECK (verdict IN ('approve', 'escalate', 'reject')),
        confidence  REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        reasons     TEXT NOT NULL,
        decided_at  REAL NOT NULL,
        PRIMARY KEY (task_id, attempt),
        FOREIGN KEY (task_id, attempt) REFERENCES results(task_id, attempt)
    ) STRICT;

    CREATE TABLE reviews (
        review_id       INTEGER PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        task_id         TEXT NOT NULL REFERENCES tasks(task_id),
        attempt         INTEGER NOT NULL,
        agent_id        TEXT NOT NULL,
        campaign_id     TEXT NOT NULL,
        kind            TEXT NOT NULL,
        content         TEXT NOT NULL,
        confidence      REAL NOT NULL,
        reasoning       TEXT NOT NULL,
        escalation      TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'approved', 'rejected')),
        edited_content  TEXT,
        reason          TEXT,
        decided_by      TEXT,
        created_at      REAL NOT NULL,
        decided_at      REAL,
        UNIQUE (task_id, attempt),
        CHECK (status <> 'rejected' OR length(reason) > 0)
    ) STRICT;
    CREATE INDEX reviews_pending ON reviews(tenant_id, status);

    -- The local outbox; task_id is the idempotency key, so a post exists at most once.
    CREATE TABLE outbox (
        post_id      INTEGER PRIMARY KEY,
        tenant_id    TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        campaign_id  TEXT NOT NULL,
        task_id      TEXT NOT NULL UNIQUE REFERENCES tasks(task_id),
        platform     TEXT NOT NULL,
        text         TEXT NOT NULL,
        disclosure   TEXT NOT NULL,
        writer       TEXT NOT NULL,
        created_at   REAL NOT NULL,
        CHECK (instr(text, disclosure) > 0)
    ) STRICT;
    CREATE INDEX outbox_by_tenant ON outbox(tenant_id, post_id);

    CREATE TABLE perception_seen (
        tenant_id    TEXT NOT NULL,
        campaign_id  TEXT NOT NULL,
        item_id      TEXT NOT NULL,
        relevance    REAL NOT NULL,
        seen_at      REAL NOT NULL,
        PRIMARY KEY (tenant_id, campaign_id, item_id)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE audit_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant_id   TEXT NOT NULL,
        kind        TEXT NOT NULL,
        actor       TEXT NOT NULL,
        subject     TEXT NOT NULL,
        detail      TEXT NOT NULL,
        created_at  REAL NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

    CREATE TABLE runtime_flags (
        tenant_id   TEXT NOT NULL,
        name        TEXT NOT NULL,
        value       TEXT NOT NULL,
        updated_at  REAL NOT NULL,
        PRIMARY KEY (tenant_id, name)
    ) STRICT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
