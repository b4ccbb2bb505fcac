"""The audit chain as a user checks it: head, verify, show — and tampering a user did not do is caught."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import Cli


def _tamper(db: Path, *statements: str) -> None:
    """Edit the file as someone with write access would: drop the append-only triggers first."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def test_chain_verifies_and_every_edit_cut_or_removal_is_found(cli: Cli) -> None:
    run = cli.json("run", "--until-idle")
    decided = sum(run["decisions"].values())
    assert cli.json("audit", "verify")["ok"] is True
    head = cli.run("audit", "head").stdout.strip()
    assert len(head) == 64

    decisions = cli.json("audit", "show", "--kind", "judge.decision", "--limit", "10000")
    assert len(decisions) == decided, "every Judge decision is audited"
    posts = cli.json("audit", "show", "--kind", "post", "--limit", "10000")
    assert len(posts) == cli.json("status")["posts"] and all(p["kind"] == "post.publish" for p in posts)
    nova = cli.json("audit", "show", "--agent", "nova", "--since", "1h")
    assert nova and all(r["agent_id"] == "nova" for r in nova)
    assert cli.json("audit", "show", "--until", "2000-01-01T00:00") == []
    bad_time = cli.run("audit", "show", "--since", "yesterday-ish")
    assert bad_time.returncode == 2 and "cannot read the time" in bad_time.stderr
    # errors read "error: ...", and square brackets in what the user typed are shown, not taken as markup
    bracketed = cli.run("audit", "show", "--since", "[bold]soon[/]")
    assert bracketed.returncode == 2 and bracketed.stderr.startswith("error: cannot read the time '[bold]soon[/]'")

    pending = cli.json("review", "list")
    cli.json("review", "reject", str(pending[0]["review_id"]), "--reason", "off-brand")
    assert cli.json("audit", "verify", "--head", head)["ok"] is True, "records after the kept head are fine"

    db = cli.home.db_path
    last = sqlite3.connect(db).execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]

    _tamper(db, f"DELETE FROM audit_log WHERE seq = {last}")  # cut the tail: the chain alone cannot tell
    assert cli.json("audit", "verify")["ok"] is True
    newest = cli.run("audit", "head").stdout.strip()
    _tamper(db, f"DELETE FROM audit_log WHERE seq = {last - 1}")
    cut = cli.run("audit", "verify", "--head", newest)
    assert cut.returncode == 4 and "cut off its end" in cut.stderr

    _tamper(db, "UPDATE audit_log SET detail = replace(detail, '}', ', \"forged\": true}') WHERE seq = 3")
    edited = cli.run("audit", "verify", "--json")
    assert edited.returncode == 4
    assert '"broken_at_seq": 3' in edited.stdout and "it was edited" in edited.stdout


def test_a_removed_record_and_a_wrong_key_are_found(cli: Cli) -> None:
    cli.json("run", "--until-idle")
    _tamper(cli.home.db_path, "DELETE FROM audit_log WHERE seq = 5")
    gone = cli.run("audit", "verify")
    assert gone.returncode == 4 and "record 6" in gone.stderr and "removed or reordered" in gone.stderr

    other_key = cli.run("audit", "verify", env={"CHIMERA_AUDIT_KEY": "ab" * 32})
    assert other_key.returncode == 4 and "record 1" in other_key.stderr and "edited" in other_key.stderr


def test_the_key_can_come_from_the_environment_and_is_not_written_beside_the_store(cli: Cli) -> None:
    env = {"CHIMERA_AUDIT_KEY": "cd" * 32}
    cli.json("run", "--until-idle", env=env)
    assert cli.json("audit", "verify", env=env)["ok"] is True
    assert not (cli.home.data_dir / "audit.key").exists()
    assert cli.run("audit", "verify").returncode == 4, "without the key the chain does not verify"
