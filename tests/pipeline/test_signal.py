"""A signal's kept state is always its event's, and a wait ends exactly when it is set."""

from __future__ import annotations

import anyio
from hypothesis import given
from hypothesis import strategies as st

from chimera.pipeline.signal import Signal


@given(st.booleans(), st.lists(st.sampled_from(["set", "clear"]), max_size=40))
def test_the_kept_state_is_the_events(start: bool, ops: list[str]) -> None:
    async def main() -> None:
        signal = Signal(is_set=start)
        assert signal.is_set is start
        for op in ops:
            getattr(signal, op)()
            assert signal.is_set is (op == "set")
            assert signal._event.is_set() is signal.is_set  # what a wait would see

    anyio.run(main)


def test_a_wait_ends_when_set_and_not_before() -> None:
    async def main() -> list[str]:
        signal, seen = Signal(is_set=True), []
        signal.clear()

        async def waiter() -> None:
            await signal.wait()
            seen.append("woken")

        async with anyio.create_task_group() as tg:
            tg.start_soon(waiter)
            await anyio.wait_all_tasks_blocked()
            seen.append("cleared, waiting")
            signal.clear()  # clearing again changes nothing for a waiter
            signal.set()
            await anyio.wait_all_tasks_blocked()
            tg.cancel_scope.cancel()  # a waiter that was not woken fails the test instead of hanging it
        return seen

    assert anyio.run(main) == ["cleared, waiting", "woken"]
