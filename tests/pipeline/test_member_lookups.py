"""The per-task code names enum members through module names, not through their classes.

On Python 3.11 ``Verdict.REJECT`` is a look-up through the ``__getattr__`` hook
of Enum's metaclass, ~190 ns against ~15 ns for a module name. Before the hot
path bound its members as module names (``models.work``, ``store.statements``),
a 10,000-agent RW-1 run made 423,000 such look-ups, ~14 a task. Counted here,
not timed: the look-ups each added task brings, over two runs of the real
pipeline.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from enum import EnumType
from pathlib import Path

import pytest

from chimera.runtime.bench import BenchOptions, run_rw1

_lookup = type.__getattribute__


def _run_counting(agents: int, work_dir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, Counter[str]]:
    """Decided tasks, and the members of Chimera's enums named through their class during the run."""
    counted: Counter[str] = Counter()

    def counting(cls: EnumType, name: str) -> object:
        if _lookup(cls, "__module__").startswith("chimera.") and name in _lookup(cls, "_member_map_"):
            counted[f"{_lookup(cls, '__name__')}.{name}"] += 1
        return _lookup(cls, name)

    work_dir.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(EnumType, "__getattribute__", counting)
        result = asyncio.run(run_rw1(BenchOptions(agents=agents, llm_latency_ms=0), work_dir))
    assert result["self_check"] == []
    return int(result["tasks"]), counted


def test_each_added_task_names_almost_no_member_through_its_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_tasks, small = _run_counting(100, tmp_path / "small", monkeypatch)
    large_tasks, large = _run_counting(400, tmp_path / "large", monkeypatch)
    assert large_tasks > small_tasks
    assert large.total() > 0, "the counter sees look-ups (escalations name Stmt.INSERT_REVIEW)"
    per_task = (large.total() - small.total()) / (large_tasks - small_tasks)
    grown = {name: n - small[name] for name, n in large.most_common(5)}
    assert per_task < 0.5, f"{per_task:.1f} member look-ups through their class per added task: {grown}"
