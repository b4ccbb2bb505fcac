"""Batches whose items succeed or fail one by one: each item's value, or the exception it met.

The worker hands a skill all ready tasks of one type at once; each task must
still get its own result or its own error, as if it had run alone. A list of
``value | Exception`` in the batch's order carries that: a failure is one
item's outcome, never the batch's. Cancellation is not an outcome: it is a
``BaseException`` and ends the whole batch, as it should.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")
R = TypeVar("R")


async def each(fn: Callable[[T], Awaitable[R]], items: Sequence[T]) -> list[R | Exception]:
    """``fn`` on every item, concurrently; each item's exception is its own outcome."""
    out: list[R | Exception] = [Exception("no outcome")] * len(items)

    async def one(i: int, item: T) -> None:
        try:
            out[i] = await fn(item)
        except Exception as exc:
            out[i] = exc

    if len(items) == 1:  # the common case at low load: no task group
        await one(0, items[0])
        return out
    async with anyio.create_task_group() as tg:
        for i, item in enumerate(items):
            tg.start_soon(one, i, item)
    return out


def value_of(outcome: R | Exception) -> R:
    """The value, or raise the exception the item met."""
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
