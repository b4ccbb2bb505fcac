"""Syncing the fleet files into the store: definitions upsert, versions move only on change, pauses stick."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import Fleet, load_fleet
from chimera.models.config import CampaignStatus
from chimera.store import open_database
from chimera.store.fleet import set_campaign_status, sync_fleet
from chimera.store.scope import TenantScope


def _campaigns(db_path: Path) -> dict[str, tuple[str, str, int, str]]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT campaign_id, status, declared_status, version, goal FROM campaigns").fetchall()
    finally:
        conn.close()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def test_resync_changes_only_what_changed_and_keeps_a_cli_pause(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    write_sample_fleet(home.root)
    fleet = load_fleet(home)
    first, second, third = fleet.campaigns
    db_path = tmp_path / "chimera.db"

    async def sync(f: Fleet) -> None:
        async with open_database(db_path, audit_key=b"k" * 32) as db:
            await sync_fleet(TenantScope(db, f.tenant_id), f)

    async def pause(campaign_id: str) -> None:
        async with open_database(db_path, audit_key=b"k" * 32) as db:
            await set_campaign_status(TenantScope(db, fleet.tenant_id), campaign_id, CampaignStatus.PAUSED)

    anyio.run(sync, fleet)
    synced = _campaigns(db_path)
    assert set(synced) == {c.campaign_id for c in fleet.campaigns}
    assert all(version == 1 for _, _, version, _ in synced.values())

    anyio.run(pause, first.campaign_id)
    anyio.run(sync, fleet)  # unchanged files: nothing moves, the pause from the CLI stays
    after = _campaigns(db_path)
    assert after[first.campaign_id][:3] == ("paused", "active", 2)
    assert {k: v for k, v in after.items() if k != first.campaign_id} == {
        k: v for k, v in synced.items() if k != first.campaign_id
    }

    edited = second.model_copy(update={"goal": second.goal + " (and more)"})
    anyio.run(sync, Fleet(fleet.policy, fleet.personas, [first, edited]))  # `third` left the files
    final = _campaigns(db_path)
    assert final[second.campaign_id] == ("active", "active", 2, edited.goal)
    assert final[third.campaign_id][:3] == ("paused", "paused", 2), "a campaign gone from the files is retired"
    assert final[first.campaign_id] == after[first.campaign_id]
