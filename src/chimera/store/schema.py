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

    -- One queue for humans: an escalated task attempt, or a spend the CFO may not approve.
    CREATE TABLE reviews (
        review_id       INTEGER PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        task_id         TEXT REFERENCES tasks(task_id),
        attempt         INTEGER NOT NULL,
        spend_key       TEXT UNIQUE,
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
        CHECK ((task_id IS NULL) <> (spend_key IS NULL)),
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
    # 2: money: limits, budget counters and the ledger, enforced by SQLite itself
    """
    CREATE TABLE spend_limits (
        tenant_id          TEXT NOT NULL,
        agent_id           TEXT NOT NULL,
        per_tx_cents       INTEGER NOT NULL CHECK (per_tx_cents >= 0),
        cfo_max_cents      INTEGER NOT NULL CHECK (cfo_max_cents >= per_tx_cents),
        day_cents          INTEGER NOT NULL CHECK (day_cents >= 0),
        week_cents         INTEGER NOT NULL CHECK (week_cents >= 0),
        month_cents        INTEGER NOT NULL CHECK (month_cents >= 0),
        updated_at         REAL NOT NULL,
        PRIMARY KEY (tenant_id, agent_id),
        FOREIGN KEY (tenant_id, agent_id) REFERENCES agents(tenant_id, agent_id)
    ) STRICT;

    -- Reserved plus posted spend per period; the CHECK is the hard cap.
    CREATE TABLE budget_counters (
        tenant_id    TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        period       TEXT NOT NULL CHECK (period IN ('day', 'week', 'month')),
        period_key   TEXT NOT NULL,
        limit_cents  INTEGER NOT NULL CHECK (limit_cents >= 0),
        spent_cents  INTEGER NOT NULL DEFAULT 0 CHECK (spent_cents >= 0),
        CHECK (spent_cents <= limit_cents),
        PRIMARY KEY (tenant_id, agent_id, period, period_key)
    ) STRICT;

    CREATE TABLE ledger (
        entry_id         INTEGER PRIMARY KEY,
        tenant_id        TEXT NOT NULL,
        agent_id         TEXT NOT NULL,
        idempotency_key  TEXT NOT NULL UNIQUE,
        kind             TEXT NOT NULL CHECK (kind IN ('transfer', 'deploy_token')),
        category         TEXT NOT NULL CHECK (category IN ('compute', 'storage', 'api', 'content', 'other')),
        recipient        TEXT NOT NULL CHECK (length(recipient) > 0),
        purpose          TEXT NOT NULL CHECK (length(purpose) > 0),
        amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
        state            TEXT NOT NULL CHECK (state IN ('reserved', 'posted', 'voided')),
        approval         TEXT NOT NULL CHECK (approval IN ('auto', 'cfo', 'human')),
        approved_by      TEXT NOT NULL,
        risk             REAL NOT NULL CHECK (risk BETWEEN 0 AND 1),
        reason           TEXT NOT NULL CHECK (length(reason) > 0),
        day_key          TEXT NOT NULL,
        week_key         TEXT NOT NULL,
        month_key        TEXT NOT NULL,
        wallet           TEXT NOT NULL,
        details          TEXT NOT NULL DEFAULT '{}',
        tx_ref           TEXT,
        error            TEXT,
        created_at       REAL NOT NULL,
        updated_at       REAL NOT NULL,
        FOREIGN KEY (tenant_id, agent_id) REFERENCES agents(tenant_id, agent_id)
    ) STRICT;
    CREATE INDEX ledger_by_agent ON ledger(tenant_id, agent_id, entry_id);
    CREATE INDEX ledger_in_flight ON ledger(state) WHERE state = 'reserved';

    CREATE TRIGGER ledger_limits BEFORE INSERT ON ledger
    BEGIN
        SELECT RAISE(ABORT, 'no spend limits for this agent')
         WHERE NOT EXISTS (SELECT 1 FROM spend_limits l
                            WHERE l.tenant_id = NEW.tenant_id AND l.agent_id = NEW.agent_id);
        SELECT RAISE(ABORT, 'a ledger entry starts reserved') WHERE NEW.state <> 'reserved';
        SELECT RAISE(ABORT, 'over the per-transaction limit without CFO or human approval')
         WHERE NEW.approval = 'auto' AND NEW.amount_cents >
               (SELECT per_tx_cents FROM spend_limits l WHERE l.tenant_id = NEW.tenant_id AND l.agent_id = NEW.agent_id);
        SELECT RAISE(ABORT, 'over the CFO limit without human approval')
         WHERE NEW.approval <> 'human' AND NEW.amount_cents >
               (SELECT cfo_max_cents FROM spend_limits l WHERE l.tenant_id = NEW.tenant_id AND l.agent_id = NEW.agent_id);
        SELECT RAISE(ABORT, 'token deployment needs human approval')
         WHERE NEW.kind = 'deploy_token' AND NEW.approval <> 'human';
    END;

    -- Counting happens in the database, so ledger and counters cannot disagree.
    CREATE TRIGGER ledger_count AFTER INSERT ON ledger
    BEGIN
        INSERT INTO budget_counters (tenant_id, agent_id, period, period_key, limit_cents, spent_cents)
        SELECT NEW.tenant_id, NEW.agent_id, 'day', NEW.day_key, day_cents, NEW.amount_cents FROM spend_limits l
         WHERE l.tenant_id = NEW.tenant_id AND l.agent_id = NEW.agent_id
        ON CONFLICT (tenant_id, agent_id, period, period_key) DO UPDATE SET spent_cents = spent_cents + excluded.spent_cents;
        INSERT INTO budget_counters (tenant_id, agent_id, period, period_key, limit_cents, spent_cents)
        SELECT NEW.tenant_id, NEW.agent_id, 'week', NEW.week_key, week_cents, NEW.amount_cents FROM spend_limits l
         WHERE l.tenant_id = NEW.tenant_id AND l.agent_id = NEW.agent_id
        ON CONFLICT (tenant_id, agent_id, period, period_key) DO UPDATE SET spent_cents = spent_cents + excluded.spent_cents;
        INSERT INTO budget_counters (tenant_id, agent_id, period, period_key, limit_cents, spent_cents)
        SELECT NEW.tenant_id, NEW.agent_id, 'month', NEW.month_key, month_cents, NEW.amount_cents FROM spend_limits l
         WHERE l.tenant_id = NEW.tenant_id AND l.agent_id = NEW.agent_id
        ON CONFLICT (tenant_id, agent_id, period, period_key) DO UPDATE SET spent_cents = spent_cents + excluded.spent_cents;
    END;

    CREATE TRIGGER ledger_transitions BEFORE UPDATE ON ledger
    BEGIN
        SELECT RAISE(ABORT, 'ledger entries only move from reserved to posted or voided')
         WHERE OLD.state <> 'reserved' OR NEW.state NOT IN ('reserved', 'posted', 'voided');
        SELECT RAISE(ABORT, 'ledger amounts, parties and periods are immutable')
         WHERE NEW.amount_cents <> OLD.amount_cents OR NEW.agent_id <> OLD.agent_id
            OR NEW.tenant_id <> OLD.tenant_id OR NEW.recipient <> OLD.recipient
            OR NEW.idempotency_key <> OLD.idempotency_key OR NEW.approval <> OLD.approval
            OR NEW.day_key <> OLD.day_key OR NEW.week_key <> OLD.week_key OR NEW.month_key <> OLD.month_key;
    END;
    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

    CREATE TRIGGER ledger_void AFTER UPDATE OF state ON ledger
    WHEN NEW.state = 'voided' AND OLD.state = 'reserved'
    BEGIN
        UPDATE budget_counters SET spent_cents = spent_cents - OLD.amount_cents
         WHERE tenant_id = OLD.tenant_id AND agent_id = OLD.agent_id
           AND ((period = 'day' AND period_key = OLD.day_key) OR (period = 'week' AND period_key = OLD.week_key)
             OR (period = 'month' AND period_key = OLD.month_key));
    END;

    -- Spends waiting for a human (their review item points here by key).
    CREATE TABLE spend_requests (
        idempotency_key  TEXT PRIMARY KEY,
        tenant_id        TEXT NOT NULL,
        agent_id         TEXT NOT NULL,
        kind             TEXT NOT NULL CHECK (kind IN ('transfer', 'deploy_token')),
        category         TEXT NOT NULL,
        recipient        TEXT NOT NULL,
        amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
        purpose          TEXT NOT NULL,
        risk             REAL NOT NULL,
        reason           TEXT NOT NULL,
        details          TEXT NOT NULL DEFAULT '{}',
        created_at       REAL NOT NULL
    ) STRICT;

    -- What the Coinbase wallet sent: written before the call, so an unanswered
    -- call can be matched to the chain's transfers later instead of resent.
    CREATE TABLE cdp_sends (
        idempotency_key  TEXT PRIMARY KEY,
        tenant_id        TEXT NOT NULL,
        agent_id         TEXT NOT NULL,
        recipient        TEXT NOT NULL,
        amount           TEXT NOT NULL,
        asset_id         TEXT NOT NULL,
        tx_hash          TEXT UNIQUE,
        sent_at          REAL NOT NULL
    ) STRICT;

    -- The simulated wallet: transfers it applied, keyed by the ledger's idempotency key.
    CREATE TABLE sim_wallet (
        transfer_id      INTEGER PRIMARY KEY,
        tenant_id        TEXT NOT NULL,
        agent_id         TEXT NOT NULL,
        idempotency_key  TEXT NOT NULL UNIQUE,
        recipient        TEXT NOT NULL,
        amount_cents     INTEGER NOT NULL CHECK (amount_cents > 0),
        created_at       REAL NOT NULL
    ) STRICT;
    """,
    # 3: the MCP servers a run supervises, as last reported (``chimera status`` reads it)
    """
    CREATE TABLE mcp_servers (
        tenant_id   TEXT NOT NULL,
        name        TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('starting', 'up', 'restarting', 'down', 'stopped')),
        restarts    INTEGER NOT NULL DEFAULT 0 CHECK (restarts >= 0),
        last_error  TEXT,
        tools       TEXT NOT NULL DEFAULT '[]',
        updated_at  REAL NOT NULL,
        PRIMARY KEY (tenant_id, name)
    ) STRICT;
    """,
    # 4: the audit log becomes a hash chain per tenant (HMAC keyed outside the database)
    """
    ALTER TABLE audit_log ADD COLUMN agent_id TEXT;
    ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit_log ADD COLUMN hash TEXT;
    CREATE INDEX audit_by_tenant ON audit_log(tenant_id, seq);
    CREATE INDEX audit_by_agent ON audit_log(tenant_id, agent_id, seq) WHERE agent_id IS NOT NULL;
    """,
    # 5: model usage, and deliveries to remote platforms (written before the network call)
    """
    CREATE TABLE model_usage (
        tenant_id     TEXT NOT NULL,
        agent_id      TEXT NOT NULL,
        provider      TEXT NOT NULL,
        model         TEXT NOT NULL,
        calls         INTEGER NOT NULL DEFAULT 0 CHECK (calls >= 0),
        tokens_in     INTEGER NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
        tokens_out    INTEGER NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
        cost_micros   INTEGER NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
        updated_at    REAL NOT NULL,
        PRIMARY KEY (tenant_id, agent_id, provider, model)
    ) STRICT;

    -- One row per post to a remote platform: 'sending' is committed before the call, so a crash
    -- leaves proof that the outcome must be checked, never blindly re-sent.
    CREATE TABLE deliveries (
        tenant_id        TEXT NOT NULL,
        task_id          TEXT NOT NULL REFERENCES tasks(task_id),
        platform         TEXT NOT NULL,
        agent_id         TEXT NOT NULL,
        idempotency_key  TEXT NOT NULL,
        text             TEXT NOT NULL,
        reply_to         TEXT,
        state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'held', 'failed')),
        remote_id        TEXT,
        remote_url       TEXT,
        attempts         INTEGER NOT NULL DEFAULT 0,
        not_before       REAL NOT NULL DEFAULT 0,
        last_error       TEXT,
        created_at       REAL NOT NULL,
        updated_at       REAL NOT NULL,
        sent_at          REAL,
        PRIMARY KEY (tenant_id, task_id),
        UNIQUE (platform, idempotency_key),
        CHECK (state <> 'sent' OR remote_id IS NOT NULL)
    ) STRICT;
    CREATE INDEX deliveries_sent ON deliveries(tenant_id, platform, sent_at) WHERE state = 'sent';
    """,
    # 6: a judged attempt is one row: the skill's result and the Judge's decision, written together anyway.
    # One row per (task, attempt) still makes "decided twice" impossible; ``results`` and ``decisions``
    # stay as views for readers. A result without its decision (never written) fails the migration.
    """
    CREATE TABLE attempts (
        task_id            TEXT NOT NULL REFERENCES tasks(task_id),
        attempt            INTEGER NOT NULL,
        tenant_id          TEXT NOT NULL,
        ok                 INTEGER NOT NULL CHECK (ok IN (0, 1)),
        output             TEXT NOT NULL,
        confidence         REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        reasoning          TEXT NOT NULL,
        error              TEXT,
        produced_by        TEXT NOT NULL,
        created_at         REAL NOT NULL,
        verdict            TEXT NOT NULL CHECK (verdict IN ('approve', 'escalate', 'reject')),
        judged_confidence  REAL NOT NULL CHECK (judged_confidence BETWEEN 0 AND 1),
        reasons            TEXT NOT NULL,
        decided_at         REAL NOT NULL,
        PRIMARY KEY (task_id, attempt)
    ) STRICT;
    INSERT INTO attempts (task_id, attempt, tenant_id, ok, output, confidence, reasoning, error, produced_by,
                          created_at, verdict, judged_confidence, reasons, decided_at)
        SELECT r.task_id, r.attempt, r.tenant_id, r.ok, r.output, r.confidence, r.reasoning, r.error,
               r.produced_by, r.created_at, d.verdict, d.confidence, d.reasons, d.decided_at
        FROM results r LEFT JOIN decisions d ON d.task_id = r.task_id AND d.attempt = r.attempt;
    DROP TABLE decisions;
    DROP TABLE results;
    CREATE VIEW results AS
        SELECT task_id, attempt, tenant_id, ok, output, confidence, reasoning, error, produced_by, created_at
        FROM attempts;
    CREATE VIEW decisions AS
        SELECT task_id, attempt, tenant_id, verdict, judged_confidence AS confidence, reasons, decided_at
        FROM attempts;
    """,
    # 7: the checks of the tables the Judge and the Planner write, spelled as comparisons. SQLite runs
    # ``x IN (a, b, c)`` (three values or more) in a CHECK by filling a throwaway index with the values
    # for every row written; that was ~12% of the writer's time. The same rules, the same rows (and
    # rowids); the tables are rebuilt because SQLite cannot change a CHECK in place.
    """
    CREATE TABLE tasks_new (
        task_id      TEXT PRIMARY KEY,
        tenant_id    TEXT NOT NULL,
        agent_id     TEXT NOT NULL,
        campaign_id  TEXT NOT NULL,
        type         TEXT NOT NULL,
        priority     INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 2),
        seq          INTEGER NOT NULL,
        status       TEXT NOT NULL CHECK (status = 'blocked' OR status = 'pending' OR status = 'review'
                                          OR status = 'done' OR status = 'rejected' OR status = 'cancelled'),
        attempt      INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
        depends_on   TEXT REFERENCES tasks(task_id),
        payload      TEXT NOT NULL,
        created_at   REAL NOT NULL,
        updated_at   REAL NOT NULL,
        FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns(tenant_id, campaign_id)
    ) STRICT;
    INSERT INTO tasks_new (rowid, task_id, tenant_id, agent_id, campaign_id, type, priority, seq, status, attempt,
                           depends_on, payload, created_at, updated_at)
        SELECT rowid, task_id, tenant_id, agent_id, campaign_id, type, priority, seq, status, attempt,
               depends_on, payload, created_at, updated_at
        FROM tasks;
    DROP TABLE tasks;
    ALTER TABLE tasks_new RENAME TO tasks;
    CREATE INDEX tasks_open ON tasks(status, priority, seq) WHERE status IN ('pending', 'blocked');
    CREATE INDEX tasks_depends ON tasks(depends_on) WHERE depends_on IS NOT NULL;
    DROP VIEW results;
    DROP VIEW decisions;
    CREATE TABLE attempts_new (
        task_id            TEXT NOT NULL REFERENCES tasks(task_id),
        attempt            INTEGER NOT NULL,
        tenant_id          TEXT NOT NULL,
        ok                 INTEGER NOT NULL CHECK (ok IN (0, 1)),
        output             TEXT NOT NULL,
        confidence         REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
        reasoning          TEXT NOT NULL,
        error              TEXT,
        produced_by        TEXT NOT NULL,
        created_at         REAL NOT NULL,
        verdict            TEXT NOT NULL CHECK (verdict = 'approve' OR verdict = 'escalate' OR verdict = 'reject'),
        judged_confidence  REAL NOT NULL CHECK (judged_confidence BETWEEN 0 AND 1),
        reasons            TEXT NOT NULL,
        decided_at         REAL NOT NULL,
        PRIMARY KEY (task_id, attempt)
    ) STRICT;
    INSERT INTO attempts_new (rowid, task_id, attempt, tenant_id, ok, output, confidence, reasoning, error,
                              produced_by, created_at, verdict, judged_confidence, reasons, decided_at)
        SELECT rowid, task_id, attempt, tenant_id, ok, output, confidence, reasoning, error,
               produced_by, created_at, verdict, judged_confidence, reasons, decided_at
        FROM attempts;
    DROP TABLE attempts;
    ALTER TABLE attempts_new RENAME TO attempts;
    CREATE VIEW results AS
        SELECT task_id, attempt, tenant_id, ok, output, confidence, reasoning, error, produced_by, created_at
        FROM attempts;
    CREATE VIEW decisions AS
        SELECT task_id, attempt, tenant_id, verdict, judged_confidence AS confidence, reasons, decided_at
        FROM attempts;
    CREATE TABLE reviews_new (
        review_id       INTEGER PRIMARY KEY,
        tenant_id       TEXT NOT NULL,
        task_id         TEXT REFERENCES tasks(task_id),
        attempt         INTEGER NOT NULL,
        spend_key       TEXT UNIQUE,
        agent_id        TEXT NOT NULL,
        campaign_id     TEXT NOT NULL,
        kind            TEXT NOT NULL,
        content         TEXT NOT NULL,
        confidence      REAL NOT NULL,
        reasoning       TEXT NOT NULL,
        escalation      TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status = 'pending' OR status = 'approved' OR status = 'rejected'),
        edited_content  TEXT,
        reason          TEXT,
        decided_by      TEXT,
        created_at      REAL NOT NULL,
        decided_at      REAL,
        UNIQUE (task_id, attempt),
        CHECK ((task_id IS NULL) <> (spend_key IS NULL)),
        CHECK (status <> 'rejected' OR length(reason) > 0)
    ) STRICT;
    INSERT INTO reviews_new (review_id, tenant_id, task_id, attempt, spend_key, agent_id, campaign_id, kind, content,
                             confidence, reasoning, escalation, status, edited_content, reason, decided_by,
                             created_at, decided_at)
        SELECT review_id, tenant_id, task_id, attempt, spend_key, agent_id, campaign_id, kind, content,
               confidence, reasoning, escalation, status, edited_content, reason, decided_by, created_at, decided_at
        FROM reviews;
    DROP TABLE reviews;
    ALTER TABLE reviews_new RENAME TO reviews;
    CREATE INDEX reviews_pending ON reviews(tenant_id, status);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
