"""A store with the sample fleet's agents and their spend limits, for money tests."""

from __future__ import annotations

from pathlib import Path

import anyio

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import Fleet, load_fleet
from chimera.store import open_database
from chimera.store.fleet import sync_fleet
from chimera.store.ledger import sync_limits
from chimera.store.scope import TenantScope


def money_home(root: Path) -> tuple[Home, Fleet]:
    """Write the sample fleet, sync it and its limits into a fresh store."""
    write_sample_fleet(root)
    home = Home(root)
    fleet = load_fleet(home)

    async def main() -> None:
        async with open_database(home.db_path) as db:
            scope = TenantScope(db, fleet.tenant_id)
            await sync_fleet(scope, fleet)
            await sync_limits(scope, fleet)

    anyio.run(main)
    return home, fleet
