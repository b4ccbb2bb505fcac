"""``chimera security``: run the gateway on any text, and measure it on a labelled corpus."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import anyio
import typer
from rich.table import Table

from chimera.cli import context as cx
from chimera.errors import ChimeraError
from chimera.governance.security.evaluate import evaluate, load_corpus
from chimera.governance.security.gateway import SecurityGateway
from chimera.models.config import SecurityPolicy

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
security_app = typer.Typer(help="The security gateway: check text, evaluate on a corpus.", no_args_is_help=True)

#: The labelled corpus that ships with the project's tests (used when --corpus is not given).
DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "tests" / "security" / "corpus"


def _policy(ctx: typer.Context) -> SecurityPolicy:
    """The fleet's [security] settings when a fleet is at hand, else the defaults."""
    c = cx.get(ctx)
    if not c.home.fleet_file.exists():
        return SecurityPolicy()
    from chimera.cli.scopes import fleet_of

    return fleet_of(c).policy.security


@security_app.command("check")
def check(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Text to check (default: read standard input).")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON verdict per input line.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run the gateway on TEXT (or stdin); exit 3 if any input is blocked."""
    gateway = SecurityGateway(_policy(ctx))
    raw = text if text is not None else sys.stdin.read()
    inputs = [line for line in raw.splitlines() if line.strip()] if jsonl else [raw]

    async def main() -> list[dict[str, object]]:
        return [(await gateway.check(t, source="cli", audit=False)).as_dict() for t in inputs]

    verdicts = anyio.run(main)
    if jsonl:
        import json

        for v in verdicts:
            sys.stdout.write(json.dumps(v, ensure_ascii=False) + "\n")
    elif as_json:
        cx.print_json(verdicts[0])
    else:
        v = verdicts[0]
        colour = "green" if v["approved"] else "red"
        cx.console.print(f"[{colour}]{'approved' if v['approved'] else 'BLOCKED'}[/] threat {v['threat']} "
                         f"score {v['score']}: {v['reason']}")  # fmt: skip
        for signal in v["signals"]:  # type: ignore[attr-defined]
            cx.console.print(f"  · {signal}", markup=False)
    if any(not v["approved"] for v in verdicts):
        raise typer.Exit(3)


@security_app.command("eval")
def eval_(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None, typer.Option(help="A *.jsonl file or a folder of them (default: the project's test corpus).")
    ] = None,
    show: Annotated[bool, typer.Option("--show", help="List the attacks missed and the benign texts blocked.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Detection rate on attacks and false-positive rate on benign texts, per file and in total."""
    path = corpus or DEFAULT_CORPUS
    try:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        sets = {f.name: load_corpus(f) for f in files}
        if not sets:
            load_corpus(path)
    except ChimeraError as exc:
        cx.fail(str(exc), exc.exit_code)
    gateway = SecurityGateway(_policy(ctx))

    async def main() -> dict[str, dict[str, object]]:
        out = {name: (await evaluate(gateway, rows)).as_dict() for name, rows in sets.items()}
        out["total"] = (await evaluate(gateway, [r for rows in sets.values() for r in rows])).as_dict()
        return out

    results = anyio.run(main)
    if as_json:
        cx.print_json(results)
        return
    table = Table(title=f"Security gateway on {path}")
    for col in ("set", "attacks", "caught", "detection", "benign", "blocked", "false positives"):
        table.add_column(col, justify="right" if col != "set" else "left")
    for name, r in results.items():
        table.add_row(name, str(r["attacks"]), str(r["caught"]), f"{float(r['detection_rate']):.1%}",  # type: ignore[arg-type]
                      str(r["benign"]), str(r["false_positives"]), f"{float(r['false_positive_rate']):.1%}")  # type: ignore[arg-type]  # fmt: skip
    cx.console.print(table)
    if show:
        total = results["total"]
        for label, key in (("missed", "missed"), ("blocked benign", "flagged")):
            texts = total[key]
            assert isinstance(texts, list)
            for text in texts:
                cx.console.print(f"{label}: {text}", markup=False, highlight=False)
