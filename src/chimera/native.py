"""Which build of the hot modules runs: compiled (mypyc) or the Python sources.

Installing the project compiles the modules the event loop spends its time
in (``COMPILED`` below, the build hook in ``hatch_build.py``) and records
each one's source hash in ``_compiled.json`` (or why it compiled nothing). Compiled modules call each
other directly, so they are used only all together and only while every
source still matches its hash: once any of them is edited, every one of
them is loaded from its ``.py`` again until the next ``uv sync
--reinstall-package chimera``. ``CHIMERA_PURE_PYTHON=1`` chooses the
sources outright. ``chimera bench`` and ``chimera run`` report ``STATE``.

This module must stay pure Python with the standard library only:
``chimera/__init__.py`` calls ``activate`` before any compiled module can be
imported, and the build hook loads it on its own for the list, the paths
and the hashes.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

#: The modules the build compiles, by import name: the event loop's hot path and the writer thread's Python
#: (``specs/performance.md``).
COMPILED = (
    "chimera.text",
    "chimera.json_text",
    "chimera.governance.banding",
    "chimera.governance.checks",
    "chimera.governance.disclosure",
    "chimera.governance.output_checks",
    "chimera.governance.permissions",
    "chimera.governance.security.literals",
    "chimera.governance.sensitivity",
    "chimera.mcp.memory_client",
    "chimera.mcp.permissions",
    "chimera.models.records",
    "chimera.pipeline.books",
    "chimera.pipeline.crashpoints",
    "chimera.pipeline.cycle_ids",
    "chimera.pipeline.messages",
    "chimera.pipeline.queues",
    "chimera.pipeline.signal",
    "chimera.pipeline.tracker",
    "chimera.pipeline.window",
    "chimera.platforms.outbox",
    "chimera.platforms.posts",
    "chimera.providers.drafts",
    "chimera.providers.offline",
    "chimera.roles.judge",
    "chimera.roles.planner",
    "chimera.roles.worker",
    "chimera.skills.analyze_trends",
    "chimera.skills.base",
    "chimera.skills.generate_content",
    "chimera.skills.post_content",
    "chimera.store.audit",
    "chimera.store.audit_chain",
    "chimera.store.bulk",
    "chimera.store.committer",
)

#: Where the build records the source hashes of what it compiled.
MANIFEST = Path(__file__).with_name("_compiled.json")
PURE_ENV = "CHIMERA_PURE_PYTHON"

STATE = "pure Python (not compiled)"
"""What runs, in words: ``compiled (N modules)`` or ``pure Python (why)``."""


def pure_requested() -> bool:
    """Whether ``CHIMERA_PURE_PYTHON`` asks for the sources (any value but empty or ``0``)."""
    return os.environ.get(PURE_ENV, "").strip() not in ("", "0")


def read_manifest() -> dict[str, Any]:
    """What the build recorded: ``{"modules": {name: source hash}}``, or ``{"not_compiled": why}``."""
    if not MANIFEST.is_file():
        return {"not_compiled": "not compiled"}
    try:
        found = json.loads(MANIFEST.read_text())
    except (OSError, ValueError) as exc:
        return {"not_compiled": f"unreadable {MANIFEST.name}: {exc}"}
    if not isinstance(found, dict) or not (found.get("modules") or found.get("not_compiled")):
        return {"not_compiled": f"{MANIFEST.name} records neither modules nor a reason"}
    return found


def source_of(module: str) -> Path:
    """The ``.py`` file of one of the package's modules."""
    return Path(__file__).parent.joinpath(*module.split(".")[1:]).with_suffix(".py")


def source_hash(path: Path) -> str:
    """The hash the manifest records for a source file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stale(manifest: dict[str, str]) -> list[str]:
    """The modules whose source no longer matches the hash recorded when they were compiled."""
    out = []
    for module, digest in manifest.items():
        path = source_of(module)
        if not path.is_file() or source_hash(path) != digest:
            out.append(module)
    return out


class _Sources(importlib.abc.MetaPathFinder):
    """Loads the listed modules from their ``.py`` files even where a compiled one lies beside them."""

    def __init__(self, modules: Sequence[str]) -> None:
        self._modules = frozenset(modules)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self._modules:
            return None
        return importlib.util.spec_from_file_location(fullname, source_of(fullname))


def activate() -> str:
    """Choose the build for this process (before any of ``COMPILED`` is imported) and return ``STATE``."""
    global STATE  # noqa: PLW0603 (set once per process, before the modules it governs load)
    built = read_manifest()
    manifest: dict[str, str] = built.get("modules") or {}
    if not manifest:
        why = str(built.get("not_compiled"))
    elif pure_requested():
        why = f"{PURE_ENV} is set"
    elif changed := stale(manifest):
        why = f"edited since compiled: {', '.join(changed)}; `uv sync --reinstall-package chimera` compiles again"
    else:
        STATE = f"compiled ({len(manifest)} modules)"
        return STATE
    # whatever extension files lie about (left by an interrupted build, say), none of them loads now
    sys.meta_path.insert(0, _Sources([*COMPILED, *manifest]))
    STATE = f"pure Python ({why})"
    return STATE
