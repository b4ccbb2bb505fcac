"""The planner starts each topic's cycles as soon as that topic's trends are in."""

from __future__ import annotations

from pathlib import Path

import anyio

from chimera.cli.init_cmd import write_sample_fleet
from chimera.config.home import Home
from chimera.config.loader import load_fleet
from chimera.models.news import NewsItem
from chimera.models.work import Priority
from chimera.pipeline.messages import PlanRequest
from chimera.runtime.runner import build_pipeline
from chimera.store import open_database
from tests.helpers import ListNews


class _OneTopicHeld(ListNews):
    """Answers at once, except for the first topic asked for: that one waits for ``release``."""

    def __init__(self) -> None:
        super().__init__()
        self.held: str | None = None
        self.release = anyio.Event()

    async def trends(self, topic: str, limit: int) -> list[NewsItem]:
        if self.held is None:
            self.held = topic
        if topic == self.held:
            await self.release.wait()
        return await super().trends(topic, limit)


async def _plan_with_a_slow_topic(root: Path) -> tuple[int, list[str], int, int]:
    home = Home(root)
    write_sample_fleet(root)
    fleet = load_fleet(home)
    news = _OneTopicHeld()
    async with open_database(home.db_path) as db:
        p = await build_pipeline(fleet, db, news, workers=1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(p.committer.run)
            requests = [PlanRequest(c.campaign_id, Priority.HIGH) for c in fleet.campaigns]
            async with anyio.create_task_group() as planning:
                planning.start_soon(p.planner.plan, requests)
                with anyio.fail_after(10):  # a planner that fetched every topic first never got here
                    taken = [(await p.work.get()).task_id for _ in range(4)]
                held_cycles = p.planner.cycles
                news.release.set()
            tg.cancel_scope.cancel()
        return held_cycles, taken, p.planner.cycles, len(p.work)


def test_cycles_of_topics_already_fetched_start_while_another_topic_is_fetched(tmp_path: Path) -> None:
    held_cycles, taken, cycles, left = anyio.run(_plan_with_a_slow_topic, tmp_path / "fleet")
    # three sample campaigns on three topics: two cycles planned (analysis and draft queued, the
    # post waiting for its draft) while the third topic's trends were still out, then the third
    assert held_cycles == 2
    assert sorted(t[-1] for t in taken) == ["a", "a", "c", "c"]
    assert (cycles, left) == (3, 2)
