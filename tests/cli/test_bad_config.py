"""A malformed persona, campaign or policy file names the file, the field and the problem; the store is untouched."""

from __future__ import annotations

import pytest

from chimera.config.home import Home
from tests.conftest import Cli


def _break(home: Home, relative: str, old: str, new: str) -> None:
    path = home.root / relative
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


CASES = [
    ("fleet.toml", "approve_at = 0.90", "approve_at = 1.5", "fleet.toml: judge.approve_at", "less than or equal to 1"),
    ("fleet.toml", "review_at = 0.70", "review_at = 0.95", "fleet.toml", "review_at must not be above approve_at"),
    ("fleet.toml", 'tenant_id = "demo"', "tenant_id = demo", "fleet.toml", "not valid TOML"),
    ("fleet.toml", "workers = 16", "workers = 16\nwokers = 3", "fleet.toml: runtime.wokers", "Extra inputs"),
    ("campaigns.toml", 'agent_id = "byte"', 'agent_id = "ghost"', "campaigns.toml: campaign[1].agent_id",
     "has no persona"),
    ("campaigns.toml", 'topics = ["ai", "robotics"]', "topics = []", "campaigns.toml: campaign[1].topics",
     "at least 1 item"),
    ("campaigns.toml", 'budget_usd = "25.00"', 'budget_usd = "-3"', "campaigns.toml: campaign[0].budget_usd",
     "greater than or equal to 0"),
    ("personas/nova.md", 'name = "Nova"\n', "", "nova.md: name", "Field required"),
    ("personas/vita.md", "+++\nagent_id", "agent_id", "vita.md", "must start with a '+++'"),
    ("personas/byte.md", 'agent_id = "byte"', 'agent_id = "Byte Bot"', "byte.md: agent_id", "should match pattern"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "where", "problem"), CASES)
def test_bad_file_is_named_and_nothing_is_written(cli: Cli, file: str, old: str, new: str, where: str,
                                                  problem: str) -> None:  # fmt: skip
    _break(cli.home, file, old, new)
    proc = cli.run("run", "--until-idle")
    assert proc.returncode == 2, proc.stderr
    assert where in proc.stderr and problem in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not cli.home.db_path.exists(), "a bad file must not touch the store"


def test_missing_home_says_how_to_create_one(cli: Cli) -> None:
    (cli.home.root / "fleet.toml").unlink()
    proc = cli.run("status")
    assert proc.returncode == 2 and "file not found" in proc.stderr and "chimera init" in proc.stderr


def test_init_leaves_an_existing_fleet_alone(cli: Cli) -> None:
    persona = cli.home.personas_dir / "nova.md"
    persona.write_text(persona.read_text().replace("Nova", "Nova Prime"))
    proc = cli.run("init", str(cli.home.root))
    assert proc.returncode == 0 and "already holds a fleet; nothing changed" in proc.stdout
    assert "Nova Prime" in persona.read_text()
    forced = cli.run("init", str(cli.home.root), "--force")
    assert forced.returncode == 0 and "Nova Prime" not in persona.read_text()
