"""Fixtures that build real things: a sample fleet on disk, a SQLite file, the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home

# No timing assertions in tests: hypothesis's per-example deadline is one, and the suite runs on
# several workers at once (pytest-xdist), so a slow example only means a busy machine.
settings.register_profile("chimera", deadline=None)
settings.load_profile("chimera")


@dataclass
class Cli:
    """Runs ``python -m chimera --home HOME ...`` and parses JSON output."""

    home: Home
    env: dict[str, str]

    def run(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:  # fmt: skip
        return subprocess.run(
            [sys.executable, "-m", "chimera", "--home", str(self.home.root), *args],
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            timeout=timeout,
            check=False,
        )

    def json(self, *args: str, **kw: Any) -> Any:
        proc = self.run(*args, "--json", **kw)
        assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        return json.loads(proc.stdout)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A fresh home with the sample fleet."""
    root = tmp_path / "fleet"
    write_sample_fleet(root)
    return Home(root)


def cli_for(home: Home) -> Cli:
    """The CLI on ``home``, with none of this shell's ``CHIMERA_`` settings and a wide terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHIMERA_")}
    env["CHIMERA_REVIEWER"] = "tester"
    env["COLUMNS"] = "200"
    return Cli(home, env)


@pytest.fixture
def cli(home: Home) -> Iterator[Cli]:
    yield cli_for(home)


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A plain read of the store file, independent of Chimera's code."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
