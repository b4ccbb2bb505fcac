"""The hot modules run compiled only all together and only while their sources match what was compiled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chimera import native


def _state_in_child(**env: str) -> dict[str, str]:
    """The build a fresh interpreter chooses, and where it loaded two of the hot modules from."""
    code = (
        "import json, chimera.native as n, chimera.roles.judge as j, chimera.text as t;"
        "print(json.dumps({'state': n.STATE, 'judge': j.__file__, 'text': t.__file__}))"
    )
    child_env = {k: v for k, v in os.environ.items() if k != native.PURE_ENV} | env
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env, check=True)
    return dict(json.loads(out.stdout))


def test_every_listed_module_exists_as_source() -> None:
    for module in native.COMPILED:
        assert native.source_of(module).is_file(), module


def test_the_state_says_what_was_loaded() -> None:
    seen = _state_in_child()
    compiled = seen["state"].startswith("compiled")
    modules = native.read_manifest().get("modules")
    fresh = bool(modules) and not native.stale(modules)
    assert compiled == fresh, seen["state"]
    for module in ("judge", "text"):
        assert seen[module].endswith(".py") != compiled, seen
    if compiled:
        assert seen["state"] == f"compiled ({len(native.COMPILED)} modules)"
    elif not modules:  # nothing compiled: the state says why, as the build recorded it
        assert seen["state"] == f"pure Python ({native.read_manifest()['not_compiled']})"


def test_the_environment_chooses_the_sources() -> None:
    seen = _state_in_child(CHIMERA_PURE_PYTHON="1")
    assert seen["judge"].endswith("judge.py") and seen["text"].endswith("text.py")
    built = native.read_manifest()
    expected = "CHIMERA_PURE_PYTHON is set" if built.get("modules") else built["not_compiled"]
    assert seen["state"] == f"pure Python ({expected})"


def test_an_edited_source_is_stale_and_loads_from_its_file() -> None:
    current = {m: native.source_hash(native.source_of(m)) for m in native.COMPILED}
    assert native.stale(current) == []
    edited = current | {"chimera.text": "0" * 64}
    assert native.stale(edited) == ["chimera.text"]
    spec = native._Sources(["chimera.text"]).find_spec("chimera.text", None)
    assert spec is not None and spec.origin == str(native.source_of("chimera.text"))
    assert native._Sources(["chimera.text"]).find_spec("chimera.json_text", None) is None


def test_a_missing_or_broken_manifest_is_a_reason_not_a_silence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(native, "MANIFEST", tmp_path / "_compiled.json")
    assert native.read_manifest() == {"not_compiled": "not compiled"}
    native.MANIFEST.write_text("{not json")
    assert native.read_manifest()["not_compiled"].startswith("unreadable _compiled.json: ")
    native.MANIFEST.write_text("[1, 2]")
    assert native.read_manifest() == {"not_compiled": "_compiled.json records neither modules nor a reason"}
    native.MANIFEST.write_text('{"modules": {"chimera.text": "00"}}')
    assert native.read_manifest() == {"modules": {"chimera.text": "00"}}


def test_without_a_usable_manifest_no_extension_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extensions left without a manifest (an interrupted build) never load: every listed module comes from source."""
    monkeypatch.setattr(native, "MANIFEST", tmp_path / "_compiled.json")
    monkeypatch.setattr(native, "STATE", native.STATE)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    native.MANIFEST.write_text("{not json")
    assert native.activate().startswith("pure Python (unreadable _compiled.json")
    finder = sys.meta_path[0]
    for module in native.COMPILED:
        spec = finder.find_spec(module, None)
        assert spec is not None and spec.origin == str(native.source_of(module)), module
