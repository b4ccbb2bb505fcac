"""``chimera audit``: the hash-chained audit log — its head, a full check, and filtered views."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Annotated

import typer
from rich.table import Table

from chimera.cli import context as cx
from chimera.cli.scopes import in_scope
from chimera.store.audit_log import audit_rows, chain_head, verify_chain

audit_app = typer.Typer(help="The tamper-evident audit log: head, verify, show.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
_AGO = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_when(value: str | None) -> float | None:
    """An ISO 8601 time (UTC if no zone) or an age like ``30m``, ``2h``, ``7d`` as a Unix time."""
    if value is None:
        return None
    ago = _AGO.match(value.strip())
    if ago:
        return time.time() - float(ago.group(1)) * _UNIT[ago.group(2)]
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        cx.fail(f"cannot read the time {value!r}: use ISO 8601 (2026-11-23T08:00) or an age (30m, 2h, 7d)", 2)
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()


@audit_app.command("head")
def head(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """The latest hash of the chain: keep it elsewhere, then `verify --head HASH` shows a cut-off tail."""
    found = in_scope(ctx, chain_head)
    if as_json:
        cx.print_json(found)
    else:
        print(found["hash"])


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    kept_head: Annotated[str | None, typer.Option("--head", help="A hash printed by `audit head` earlier.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every link of the chain; report the first broken one (exit 4 if the chain is broken)."""
    report = in_scope(ctx, lambda scope: verify_chain(scope, kept_head))
    data = {"ok": report.ok, "records": report.records, "unchained": report.unchained, "head": report.head,
            "broken_at_seq": report.broken_at, "problem": report.problem}  # fmt: skip
    if as_json:
        cx.print_json(data)
    elif report.ok:
        extra = f" ({report.unchained} older records predate the chain)" if report.unchained else ""
        cx.console.print(f"audit chain intact: {report.records} records, head {report.head}{extra}")
    if not report.ok:
        where = f"record {report.broken_at}" if report.broken_at is not None else "the end of the chain"
        cx.fail(f"audit chain broken at {where}: {report.problem}", 4)


@audit_app.command("show")
def show(
    ctx: typer.Context,
    agent: Annotated[str | None, typer.Option(help="Only this agent's records.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind, or kinds under it (spend, judge.decision).")] = None,
    since: Annotated[str | None, typer.Option(help="From this time (ISO 8601) or age (30m, 2h, 7d).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this time (ISO 8601) or age.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many records, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Audit records of the fleet's tenant, newest first."""
    start, end = parse_when(since), parse_when(until)
    rows = in_scope(ctx, lambda s: audit_rows(s, agent=agent, kind=kind, since=start, until=end, limit=limit))
    if as_json:
        cx.print_json(rows)
        return
    table = Table(title="Audit log (newest first)")
    for col in ("seq", "time", "kind", "actor", "agent", "subject", "detail"):
        table.add_column(col)
    for r in rows:
        when = dt.datetime.fromtimestamp(r["created_at"], dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        table.add_row(str(r["seq"]), when, r["kind"], r["actor"], r["agent_id"] or "", r["subject"], str(r["detail"]))
    cx.console.print(table)
