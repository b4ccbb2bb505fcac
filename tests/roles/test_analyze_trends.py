"""analyze_trends: one summary per topic and fetch, each result with its own copy."""

from __future__ import annotations

import anyio

from chimera.models.records import Result, Task
from chimera.models.work import Priority
from chimera.skills.analyze_trends import AnalyzeTrends, TrendCache
from chimera.skills.base import Outcome
from tests.helpers import ListNews


def _tasks(topic: str, n: int) -> list[Task]:
    return [Task(f"t{k}", "demo", f"agent{k}", f"c{k}", "analyze_trends", Priority.HIGH, k, {"topic": topic})
            for k in range(n)]  # fmt: skip


async def _outputs(skill: AnalyzeTrends, tasks: list[Task]) -> list[Result]:
    got: dict[str, Outcome] = {}

    async def done(task: Task, outcome: Outcome) -> None:
        got[task.task_id] = outcome

    await skill.run_batch(tasks, done)
    results = [got[t.task_id] for t in tasks]
    assert all(isinstance(r, Result) for r in results)
    return [r for r in results if isinstance(r, Result)]


def test_the_agents_of_a_topic_get_equal_summaries_that_they_own() -> None:
    news = ListNews()
    skill = AnalyzeTrends(TrendCache(news))
    first, second = anyio.run(_outputs, skill, _tasks("energy", 2))
    assert first.output == second.output and first.reasoning == second.reasoning
    assert first.output["count"] > 0 and first.output["headlines"]
    assert first.output is not second.output
    first.output["headlines"].append("changed by one reader")
    first.output["sources"].clear()
    assert "changed by one reader" not in second.output["headlines"] and second.output["sources"]
    (third,) = anyio.run(_outputs, skill, _tasks("energy", 1))
    assert third.output == second.output


def test_a_fresh_fetch_is_summarised_again() -> None:
    news = ListNews()
    skill = AnalyzeTrends(TrendCache(news, ttl_s=0.0))  # every ask fetches
    (before,) = anyio.run(_outputs, skill, _tasks("energy", 1))
    news.items = [i for i in news.items if i.topic != "energy" and "energy" not in i.tags]
    (after,) = anyio.run(_outputs, skill, _tasks("energy", 1))
    assert before.output["count"] > 0
    assert after.output["count"] == 0 and after.output["headlines"] == [] and after.confidence == 0.0
