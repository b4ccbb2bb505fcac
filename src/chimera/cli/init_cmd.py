"""``chimera init``: write a sample fleet into a new directory."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from chimera.errors import ConfigError

SAMPLE_FILES = ("fleet.toml", "campaigns.toml", "personas/nova.md", "personas/byte.md", "personas/vita.md")


def _sample(name: str) -> Traversable:
    node: Traversable = resources.files("chimera.cli").joinpath("samples")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node


def holds_fleet(target: Path) -> bool:
    """Whether ``target`` already has fleet files."""
    return any((target / n).exists() for n in SAMPLE_FILES)


def write_sample_fleet(target: Path, *, force: bool = False) -> list[Path]:
    """Create ``target`` with the sample fleet; refuse to overwrite unless ``force``."""
    if holds_fleet(target) and not force:
        raise ConfigError(str(target), "already holds a fleet (use --force to overwrite the sample files)")
    written = []
    for name in SAMPLE_FILES:
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_sample(name).read_text("utf-8"), encoding="utf-8")
        written.append(path)
    (target / ".gitignore").write_text("data/\n", encoding="utf-8")
    return written
