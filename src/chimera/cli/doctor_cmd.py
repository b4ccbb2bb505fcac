"""``chimera doctor``: is every configured part usable? One cheap authenticated call each; no secret is printed."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Annotated, Any

import typer
from rich.table import Table

from chimera.cli import context as cx
from chimera.cli.scopes import fleet_of, open_store
from chimera.errors import ChimeraError
from chimera.store.schema import SCHEMA_VERSION

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


def _row(part: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"part": part, "ok": ok, "detail": detail}


def doctor(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Check configuration, credentials and every configured provider, platform and MCP server (exit 4 if any fails)."""
    from chimera.mcp.fleet_servers import fleet_server_specs
    from chimera.mcp.pool import open_pool
    from chimera.platforms.factory import DEFAULT_SECRETS, open_remote
    from chimera.providers.registry import open_provider

    c = cx.get(ctx)
    fleet = fleet_of(c)
    policy = fleet.policy
    secrets = c.secrets

    async def main() -> list[dict[str, Any]]:
        rows = [_row("fleet files", True, f"{len(fleet.personas)} personas, {len(fleet.campaigns)} campaigns")]
        try:
            async with open_store(c) as db:
                rows.append(_row("store", True, f"{db.path} (schema {SCHEMA_VERSION})"))
        except ChimeraError as exc:
            rows.append(_row("store", False, str(exc)))
        where = secrets.where("CHIMERA_AUDIT_KEY")
        rows.append(
            _row("audit key", True, f"from the {where}" if where else f"key file {c.home.data_dir / 'audit.key'}")
        )
        rows.append(_row("keyring", True, secrets.keyring_status))
        async with AsyncExitStack() as stack:
            for name, config in sorted(policy.llm.providers.items()):
                if config.kind == "offline":
                    rows.append(_row(f"provider {name}", True, "offline writer (no account needed)"))
                    continue
                try:
                    provider = await open_provider(name, config, secrets, stack)
                    rows.append(_row(f"provider {name}", True, await provider.verify()))
                except ChimeraError as exc:
                    rows.append(_row(f"provider {name}", False, str(exc)))
            for name, platform in sorted(policy.platforms.items()):
                kind = platform.kind_for(name)
                if kind == "outbox":
                    rows.append(_row(f"platform {name}", True, "local outbox (the store)"))
                    continue
                try:
                    remote = await open_remote(name, platform, secrets, stack)
                    rows.append(_row(f"platform {name}", True, f"{kind}: {await remote.verify()}"))
                except ChimeraError as exc:
                    needed = ", ".join(platform.credentials.get(f, env) for f, env in DEFAULT_SECRETS[kind].items())
                    rows.append(_row(f"platform {name}", False, f"{exc} (needs {needed})"))
        mcp_policy = policy.mcp.model_copy(update={"max_restarts": 0})
        async with open_pool(fleet_server_specs(policy, c.home.data_dir), mcp_policy) as pool:
            for s in pool.statuses():
                ok = s.state.value == "up"
                rows.append(_row(f"mcp {s.name}", ok, f"{len(s.tools)} tools" if ok else str(s.last_error)))
        return rows

    rows = cx.run_async(main)
    if as_json:
        cx.print_json(rows)
    else:
        table = Table(title="chimera doctor")
        for col in ("part", "status", "detail"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["part"], "[green]ok[/]" if r["ok"] else "[red]FAIL[/]", r["detail"])
        cx.console.print(table)
    if not all(r["ok"] for r in rows):
        raise typer.Exit(4)
