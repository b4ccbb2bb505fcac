"""What every command needs: the home directory, settings, and error handling."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import anyio
import typer
from rich.console import Console
from rich.markup import escape

from chimera.config.home import Home
from chimera.errors import ChimeraError, first_chimera_error
from chimera.secret_store import SecretStore, redact_shapes
from chimera.settings import Settings

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


@dataclass(frozen=True, slots=True)
class CliContext:
    """Resolved global options."""

    home: Home
    settings: Settings
    secrets: SecretStore


def get(ctx: typer.Context) -> CliContext:
    """The CliContext the root callback stored."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliContext)
    return obj


def fail(message: str, code: int) -> NoReturn:
    """Print an error (anything shaped like a credential masked) and exit with ``code``."""
    # the message is escaped, not printed without markup: that would show the prefix's own tags
    err_console.print(f"[bold red]error:[/] {escape(redact_shapes(message))}", highlight=False)
    raise typer.Exit(code)


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine function; map Chimera errors to a message and their exit code."""
    try:
        return anyio.run(fn)
    except (ChimeraError, BaseExceptionGroup) as exc:
        found = first_chimera_error(exc)
        if found is None:
            raise
        fail(str(found), found.exit_code)


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=2) + "\n")


def resolve_home(option: Path | None, settings: Settings) -> Home:
    """--home, else CHIMERA_HOME, else the current directory."""
    return Home((option or settings.home or Path.cwd()).resolve())
