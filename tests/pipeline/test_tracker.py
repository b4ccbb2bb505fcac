"""The work tracker says idle exactly when nothing is open, and wakes whoever waits for that."""

from __future__ import annotations

import anyio
from hypothesis import given
from hypothesis import strategies as st

from chimera.pipeline.tracker import WorkTracker

_OPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["opened", "closed", "deferred"]), st.integers(1, 3)),
        st.tuples(st.just("deferred"), st.integers(-3, -1)),
        st.tuples(st.sampled_from(["source_busy", "source_idle"]), st.just(0)),
    ),
    max_size=60,
)


def _checks(name: str, n: int) -> bool:
    """Whether the operation can only make the tracker more idle (and so sets the event if it is idle)."""
    return name in ("closed", "source_idle") or (name == "deferred" and n > 0)


@given(_OPS)
def test_the_idle_event_is_set_exactly_while_idle_since_the_last_check(ops: list[tuple[str, int]]) -> None:
    tracker = WorkTracker()
    for name, n in ops:
        method = getattr(tracker, name)
        method(n) if n else method()
        is_set = tracker._idle.is_set  # its event's state (tests/pipeline/test_signal.py)
        assert not is_set or tracker.is_idle  # never set while work is open
        if _checks(name, n):
            assert is_set == tracker.is_idle
        else:  # new work or a busy source: whoever waits must wait again
            assert not is_set


def test_a_waiter_wakes_when_the_last_open_work_closes() -> None:
    async def main() -> list[str]:
        tracker, seen = WorkTracker(), []
        tracker.opened(2)

        async def waiter() -> None:
            await tracker.wait_idle()
            seen.append("idle")

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await anyio.wait_all_tasks_blocked()
            tracker.closed()
            await anyio.wait_all_tasks_blocked()
            seen.append("one left")
            tracker.opened()  # more work arrives before the last closes
            tracker.closed()
            await anyio.wait_all_tasks_blocked()
            seen.append("still one left")
            tracker.closed()
            await anyio.wait_all_tasks_blocked()
            tg.cancel_scope.cancel()  # a waiter that was not woken fails the test instead of hanging it
        return seen

    assert anyio.run(main) == ["one left", "still one left", "idle"]
