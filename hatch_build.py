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

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PURE_ENV = "CHIMERA_PURE_PYTHON"


def _compiled_modules(src: Path) -> list[str]:
    """``COMPILED`` from ``chimera/native.py``, loaded on its own (it needs only the standard library)."""
    spec = importlib.util.spec_from_file_location("_chimera_native", src / "chimera" / "native.py")
    assert spec is not None and spec.loader is not None
    native = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(native)
    return list(native.COMPILED)


def _record(src: Path, manifest: dict[str, Any]) -> None:
    """What the build did, for ``chimera.native`` to read at import."""
    (src / "chimera" / "_compiled.json").write_text(json.dumps(manifest, indent=1) + "\n")


def _artifacts(src: Path) -> list[Path]:
    """What an earlier build left in the source tree: extensions and the manifest."""
    found = [*(src / "chimera").rglob("*.so"), *src.glob("*__mypyc*.so")]
    manifest = src / "chimera" / "_compiled.json"
    return found + ([manifest] if manifest.exists() else [])


class CustomBuildHook(BuildHookInterface):
    """Compiles in place, so an editable install and a wheel both carry the extensions."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        src = Path(self.root) / "src"
        for stale in _artifacts(src):
            stale.unlink()
        if os.environ.get(PURE_ENV, "").strip() not in ("", "0"):
            print(f"chimera: {PURE_ENV} is set: installing pure Python", file=sys.stderr)
            _record(src, {"not_compiled": f"{PURE_ENV} was set at install"})
            return
        modules = _compiled_modules(src)
        files = [str(Path(*m.split("."))) + ".py" for m in modules]
        with tempfile.TemporaryDirectory() as work:
            try:
                subprocess.run(
                    [sys.executable, "-m", "mypyc", "--config-file", str(Path(self.root) / "pyproject.toml"), *files],
                    cwd=src, check=True, capture_output=True, text=True,
                    env={**os.environ, "MYPYC_OPT_LEVEL": "3", "MYPY_CACHE_DIR": str(Path(work) / "cache")},
                )  # fmt: skip
            except (OSError, subprocess.CalledProcessError) as exc:
                detail = getattr(exc, "stderr", "") or getattr(exc, "stdout", "") or str(exc)
                print(f"chimera: compiling the hot modules failed, installing pure Python:\n{detail[-3000:]}",
                      file=sys.stderr)  # fmt: skip
                for partial in _artifacts(src):
                    partial.unlink()
                last = detail.strip().splitlines()[-1:] or ["no output"]
                _record(src, {"not_compiled": f"compiling failed at install: {last[0][:200]}"})
                return
            finally:
                shutil.rmtree(src / "build", ignore_errors=True)
        hashes = {m: hashlib.sha256((src / f).read_bytes()).hexdigest() for m, f in zip(modules, files, strict=True)}
        _record(src, {"modules": hashes})
        built = _artifacts(src)
        if version == "standard":  # a wheel: ship the extensions and tag it for this platform
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"].update({str(p): str(p.relative_to(src)) for p in built})
        print(f"chimera: compiled {len(modules)} modules with mypyc", file=sys.stderr)
