"""Build hook: compile the event loop's hot modules with mypyc, or leave them pure Python.

The list is ``chimera.native.COMPILED``. Compiling needs a C compiler and
takes about a minute; when it fails for any reason the package installs as
pure Python and says so here and in ``chimera bench`` / ``chimera run``
(``chimera.native.STATE``). ``CHIMERA_PURE_PYTHON=1`` at install time skips
the compiler. The build records what it did in ``src/chimera/_compiled.json``
(each compiled module's source hash, or why nothing was compiled); at import, a module edited since is loaded
from its source, with every other one of the group (``chimera/native.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _native(src: Path) -> ModuleType:
    """``chimera/native.py`` loaded on its own (standard library only): the list, the paths, the hashes."""
    spec = importlib.util.spec_from_file_location("_chimera_native", src / "chimera" / "native.py")
    assert spec is not None and spec.loader is not None
    native = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(native)
    return native


def _record(native: ModuleType, manifest: dict[str, Any]) -> None:
    """What the build did, for ``chimera.native`` to read at import."""
    native.MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n")


def _artifacts(src: Path, native: ModuleType) -> list[Path]:
    """What an earlier build left in the source tree: extensions and the manifest."""
    found = [*(src / "chimera").rglob("*.so"), *src.glob("*__mypyc*.so")]
    return found + ([native.MANIFEST] if native.MANIFEST.exists() else [])


class CustomBuildHook(BuildHookInterface):
    """Compiles in place, so an editable install and a wheel both carry the extensions."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        src = Path(self.root) / "src"
        native = _native(src)
        for stale in _artifacts(src, native):
            stale.unlink()
        if native.pure_requested():
            print(f"chimera: {native.PURE_ENV} is set: installing pure Python", file=sys.stderr)
            _record(native, {"not_compiled": f"{native.PURE_ENV} was set at install"})
            return
        sources = [native.source_of(m) for m in native.COMPILED]
        with tempfile.TemporaryDirectory() as work:
            try:
                subprocess.run(
                    [sys.executable, "-m", "mypyc", "--config-file", str(Path(self.root) / "pyproject.toml"),
                     *(str(p.relative_to(src)) for p in sources)],
                    cwd=src, check=True, capture_output=True, text=True,
                    env={**os.environ, "MYPYC_OPT_LEVEL": "3", "MYPY_CACHE_DIR": str(Path(work) / "cache")},
                )  # fmt: skip
            except (OSError, subprocess.CalledProcessError) as exc:
                detail = getattr(exc, "stderr", "") or getattr(exc, "stdout", "") or str(exc)
                print(f"chimera: compiling the hot modules failed, installing pure Python:\n{detail[-3000:]}",
                      file=sys.stderr)  # fmt: skip
                for partial in _artifacts(src, native):
                    partial.unlink()
                last = detail.strip().splitlines()[-1:] or ["no output"]
                _record(native, {"not_compiled": f"compiling failed at install: {last[0][:200]}"})
                return
            finally:
                shutil.rmtree(src / "build", ignore_errors=True)
        _record(native, {"modules": {m: native.source_hash(p) for m, p in zip(native.COMPILED, sources, strict=True)}})
        if version == "standard":  # a wheel: ship the extensions and tag it for this platform
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"].update({str(p): str(p.relative_to(src)) for p in _artifacts(src, native)})
        print(f"chimera: compiled {len(sources)} modules with mypyc", file=sys.stderr)
