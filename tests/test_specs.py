"""specs/technical.md and the code agree: models, the news server's tools, and the database schema."""

from __future__ import annotations

import json

import pytest

from chimera.models.contracts import TaskModel
from chimera.models.records import Task
from chimera.models.work import Priority, TaskStatus, TaskType
from tests import specgen

SPEC_TEXT = specgen.SPEC.read_text()
WRITTEN = specgen.current(SPEC_TEXT)
EXPECTED = specgen.expected()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_spec_block_matches_the_code(name: str) -> None:
    assert name in WRITTEN, f"specs/technical.md lacks the {name} block"
    assert WRITTEN[name] == EXPECTED[name], f"{name} changed: run `uv run python -m tests.specgen` and review the diff"


def test_every_task_type_and_status_is_described_in_the_prose() -> None:
    for value in [*TaskType, *TaskStatus]:
        assert value.value in SPEC_TEXT


def test_in_process_task_converts_to_the_contract() -> None:
    task = Task("c1-a", "demo", "nova", "nova-solar", TaskType.ANALYZE_TRENDS, Priority.HIGH, 7, {"topic": "energy"})
    model = TaskModel.from_task(task)
    assert json.loads(model.model_dump_json())["priority"] == 0
    assert TaskModel.model_validate_json(model.model_dump_json()) == model
