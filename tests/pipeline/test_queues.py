"""The priority queue serves priority first, FIFO within a priority, and loses nothing."""

from __future__ import annotations

import asyncio

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


_SEQS = st.one_of(st.integers(0, 20), st.integers(0, 2**64), st.sampled_from([0, 2**32, 2**63, 2**64]))


@given(st.lists(st.tuples(st.integers(-3, 3), _SEQS), max_size=100))
def test_explicit_sequence_numbers_order_within_a_priority(items: list[tuple[int, int]]) -> None:
    """(priority, seq), then insertion order for equal ones: small and wide numbers, with repeats."""

    async def main() -> list[tuple[int, int, int]]:
        queue: PriorityQueue[tuple[int, int, int]] = PriorityQueue()
        for n, (priority, seq) in enumerate(items):
            queue.put((priority, seq, n), priority, seq)
        return queue.drain(len(items) + 1)

    assert anyio.run(main) == sorted((priority, seq, n) for n, (priority, seq) in enumerate(items))


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


# Consumers cancelled at random points, in the middle of puts: a cancelled
# consumer may have been woken for an item it never took; the wake-up must
# pass on, so no item waits while a live consumer sleeps.
steps = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.integers(0, 2)),
        st.tuples(st.just("start"), st.just(0)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("step"), st.just(0)),
    ),
    max_size=120,
)


async def _settle() -> None:
    for _ in range(4):
        await asyncio.sleep(0)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_cancelled_consumers_lose_nothing_and_leave_no_item_waiting(script: list[tuple[str, int]]) -> None:
    async def main() -> None:
        queue: PriorityQueue[int] = PriorityQueue()
        taken: list[int] = []
        consumers: list[asyncio.Task[None]] = []
        put = 0

        async def consume() -> None:
            while True:
                taken.append(await queue.get())

        for op, arg in script:
            if op == "put":
                queue.put(put, arg)
                put += 1
            elif op == "start":
                consumers.append(asyncio.create_task(consume()))
            elif op == "cancel" and consumers:
                consumers[arg % len(consumers)].cancel()
            else:
                for _ in range(1000):  # live consumers take every item within a few turns each
                    if not queue or all(c.done() for c in consumers):
                        break
                    await asyncio.sleep(0)
                else:
                    raise AssertionError("an item waits while a consumer sleeps")
        for c in consumers:
            c.cancel()
        await _settle()
        rest = queue.drain(put + 1)
        assert sorted(taken + rest) == list(range(put)), "an item was lost or taken twice"

    asyncio.run(main())


def test_a_consumer_woken_then_cancelled_passes_the_item_on() -> None:
    async def main() -> list[str]:
        queue: PriorityQueue[str] = PriorityQueue()
        got: list[str] = []

        async def take() -> None:
            got.append(await queue.get())

        first, second = asyncio.create_task(take()), asyncio.create_task(take())
        await _settle()  # both wait, first in line
        queue.put("x", 1)  # wakes the first ...
        first.cancel()  # ... which is cancelled before it runs
        await asyncio.wait_for(second, 5)
        return got

    assert asyncio.run(main()) == ["x"]


def test_cancelled_waiters_are_swept_from_the_line() -> None:
    async def main() -> tuple[int, list[int]]:
        queue: PriorityQueue[int] = PriorityQueue()
        idle = [asyncio.create_task(queue.get()) for _ in range(1000)]
        await _settle()
        for t in idle:
            t.cancel()
        await _settle()
        line = len(queue._waiters)
        live = asyncio.create_task(queue.get())
        await _settle()
        queue.put(7, 0)
        return line, [await asyncio.wait_for(live, 5)]

    line, got = asyncio.run(main())
    assert line < 100, f"{line} cancelled waiters still in line"
    assert got == [7]


# get_many: consumers taking runs of one kind, concurrently with puts. Items are
# (priority, kind, id); the kind is what a worker batches by (the task type).
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1)), min_size=1, max_size=80),
    st.integers(1, 6),
    st.integers(1, 8),
)
def test_batches_are_of_one_kind_in_priority_order_and_take_every_item_once(
    items: list[tuple[int, int]], consumers: int, limit: int
) -> None:
    async def main() -> list[list[tuple[int, int, int]]]:
        queue: PriorityQueue[tuple[int, int, int]] = PriorityQueue()
        batches: list[list[tuple[int, int, int]]] = []

        async def consume() -> None:
            while True:
                batches.append(await queue.get_many(limit, key=lambda item: item[1]))
                await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as tg:
            for _ in range(consumers):
                tg.start_soon(consume)
            for i, (priority, kind) in enumerate(items):
                queue.put((priority, kind, i), priority, i)
                if i % 4 == 0:
                    await anyio.lowlevel.checkpoint()
            for _ in range(10_000):
                if sum(map(len, batches)) == len(items):
                    break
                await anyio.lowlevel.checkpoint()
            tg.cancel_scope.cancel()
        return batches

    batches = anyio.run(main)
    taken = [item for batch in batches for item in batch]
    assert sorted(i for _, _, i in taken) == list(range(len(items))), "an item was lost or taken twice"
    for batch in batches:
        assert 1 <= len(batch) <= limit
        assert len({kind for _, kind, _ in batch}) == 1, "a batch mixed kinds"
        assert batch == sorted(batch, key=lambda item: (item[0], item[2])), "a batch out of priority order"


def test_a_burst_of_puts_wakes_one_consumer_which_takes_the_burst() -> None:
    async def main() -> list[list[int]]:
        queue: PriorityQueue[int] = PriorityQueue()
        batches: list[list[int]] = []

        async def consume() -> None:
            batches.append(await queue.get_many(100, key=lambda _: "same"))

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(consume)
            await _settle()  # all five wait
            for i in range(50):
                queue.put(i, 1)
            await _settle()
            taken = list(batches)
            tg.cancel_scope.cancel()
        return taken

    # one woken consumer, one batch of all 50 in order; the other four still wait
    assert anyio.run(main) == [list(range(50))]


def test_a_run_of_one_kind_wakes_the_next_consumer_for_the_rest() -> None:
    async def main() -> list[list[str]]:
        queue: PriorityQueue[str] = PriorityQueue()
        batches: list[list[str]] = []

        async def consume() -> None:
            batches.append(await queue.get_many(100, key=lambda item: item[0]))

        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(consume)
            await _settle()
            for item in ("a1", "a2", "b1", "b2", "a3"):
                queue.put(item, 0 if item.startswith("a") else 1)
            with anyio.fail_after(5):
                while len(batches) < 2:
                    await anyio.lowlevel.checkpoint()
            taken = list(batches)
            tg.cancel_scope.cancel()
        return taken

    # priority 0 first: the a-run (a3 included), then the next consumer takes the b-run
    assert anyio.run(main) == [["a1", "a2", "a3"], ["b1", "b2"]]
