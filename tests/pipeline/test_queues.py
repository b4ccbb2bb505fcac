"""The priority queue serves priority first, FIFO within a priority, and loses nothing."""

from __future__ import annotations

import anyio
import anyio.lowlevel
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chimera.pipeline.queues import PriorityQueue

ops = st.lists(st.one_of(st.tuples(st.just("put"), st.integers(0, 2)), st.just(("get", 0))), max_size=200)


@given(ops)
def test_order_is_priority_then_fifo_under_random_pushes_and_pops(script: list[tuple[str, int]]) -> None:
    anyio.run(_check_order, script)


async def _check_order(script: list[tuple[str, int]]) -> None:
    queue: PriorityQueue[tuple[int, int]] = PriorityQueue()
    model: list[tuple[int, int]] = []
    counter = 0
    for op, priority in script:
        if op == "put":
            counter += 1
            queue.put((priority, counter), priority)
            model.append((priority, counter))
        elif model:
            expected = min(model)  # lowest priority value, then earliest insertion
            model.remove(expected)
            assert queue.get_nowait() == expected
        else:
            with pytest.raises(anyio.WouldBlock):
                queue.get_nowait()
    assert queue.drain(10_000) == sorted(model)
    assert len(queue) == 0


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000)), max_size=100, unique_by=lambda t: t[1]))
def test_explicit_sequence_numbers_order_within_a_priority(items: list[tuple[int, int]]) -> None:
    async def main() -> list[int]:
        queue: PriorityQueue[int] = PriorityQueue()
        for priority, seq in items:
            queue.put(seq, priority, seq)
        return queue.drain(len(items) + 1)

    assert anyio.run(main) == [seq for _, seq in sorted(items)]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=1, max_size=60), st.integers(1, 8))
def test_concurrent_consumers_take_every_item_exactly_once(priorities: list[int], consumers: int) -> None:
    async def main() -> list[int]:
        queue: PriorityQueue[int] = PriorityQueue()
        taken: list[int] = []

        async def consume() -> None:
            while True:
                taken.append(await queue.get())
                await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as tg:
            for _ in range(consumers):
                tg.start_soon(consume)
            for i, p in enumerate(priorities):
                queue.put(i, p)
                if i % 3 == 0:
                    await anyio.lowlevel.checkpoint()
            while len(taken) < len(priorities):
                await anyio.lowlevel.checkpoint()
            tg.cancel_scope.cancel()
        return taken

    taken = anyio.run(main)
    assert sorted(taken) == list(range(len(priorities)))


def test_cancelled_get_loses_nothing() -> None:
    async def main() -> list[str]:
        queue: PriorityQueue[str] = PriorityQueue()
        with anyio.move_on_after(0.01):
            await queue.get()
        queue.put("x", 1)
        return [await queue.get()]

    assert anyio.run(main) == ["x"]
