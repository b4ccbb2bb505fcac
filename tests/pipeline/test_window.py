"""The cycle window: never more cycles in flight than the limit, and every finished cycle frees its place."""

from __future__ import annotations

import anyio
from hypothesis import given, settings
from hypothesis import strategies as st

from chimera.models.work import Verdict
from chimera.pipeline.window import CycleWindow


def _cycle(n: int) -> list[str]:
    return [f"c{n}-a", f"c{n}-c", f"c{n}-p"]


def test_a_cycle_leaves_when_all_its_tasks_are_approved_or_one_is_escalated() -> None:
    window = CycleWindow(2)
    window.started(_cycle(1))
    window.started(_cycle(2))
    assert window.room == 0 and window.in_flight == 2
    window.decided("c1-a", Verdict.APPROVE)
    window.decided("c1-c", Verdict.REJECT)  # retried: still in flight
    window.decided("c1-c", Verdict.APPROVE)
    assert window.in_flight == 2
    window.decided("c1-p", Verdict.APPROVE)
    assert window.in_flight == 1 and window.room == 1
    window.decided("c2-c", Verdict.ESCALATE)  # the post waits for a human; the cycle no longer holds a place
    assert window.in_flight == 0 and window.room == 2
    window.decided("c2-a", Verdict.APPROVE)  # late decisions of a finished cycle change nothing
    assert window.in_flight == 0 and window.peak == 2


def test_without_a_limit_nothing_is_counted() -> None:
    window = CycleWindow(0)
    window.started(_cycle(1))
    assert window.in_flight == 0 and window.room > 1_000_000


def test_the_planner_side_waits_for_room() -> None:
    window = CycleWindow(1)
    window.started(_cycle(1))
    order: list[str] = []

    async def planner() -> None:
        await window.wait_for_room()
        order.append("planned")

    async def main() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(planner)
            await anyio.sleep(0.01)
            order.append("decided")
            for task_id in _cycle(1):
                window.decided(task_id, Verdict.APPROVE)
            await anyio.wait_all_tasks_blocked()
            tg.cancel_scope.cancel()  # a planner that was not woken fails the test instead of hanging it

    anyio.run(main)
    assert order == ["decided", "planned"]


_VERDICTS = st.sampled_from([Verdict.APPROVE, Verdict.REJECT, Verdict.ESCALATE])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.lists(st.tuples(st.integers(0, 11), st.integers(0, 2), _VERDICTS), max_size=80))
def test_in_flight_never_exceeds_the_limit_and_matches_unfinished_cycles(
    limit: int, steps: list[tuple[int, int, Verdict]]
) -> None:
    """A planner that starts a cycle only when there is room, and decisions arriving in any order."""
    window = CycleWindow(limit)
    left: dict[int, set[int]] = {}
    for cycle, task, verdict in steps:
        if cycle not in left and window.room > 0:
            window.started(_cycle(cycle))
            left[cycle] = {0, 1, 2}
        if cycle in left and task in left[cycle] and verdict != Verdict.REJECT:
            window.decided(_cycle(cycle)[task], verdict)
            left[cycle].discard(task)
            if verdict == Verdict.ESCALATE or not left[cycle]:
                del left[cycle]
        assert window.in_flight == len(left) <= limit
        assert window.room == limit - len(left)
    assert window.peak <= limit
