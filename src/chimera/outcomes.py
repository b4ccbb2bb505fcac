"""Batches whose items succeed or fail one by one: each item's value, or the exception it met.

The worker hands a skill all ready tasks of one type at once; each task must
still get its own result or its own error, as if it had run alone, and as
soon as it is known: a slow model call must not hold back the drafts that
came back before it. ``each`` runs a call per item concurrently and hands
over each item's outcome (``value | Exception``) the moment it is in.
Cancellation is not an outcome: it is a ``BaseException`` and ends the whole
batch, as it should.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")
R = TypeVar("R")

OnEach = Callable[[int, R | Exception], Awaitable[None]]
"""Receives item ``i``'s outcome, once per item."""


async def each(fn: Callable[[T], Awaitable[R]], items: Sequence[T], on_each: OnEach[R]) -> None:
    """``fn`` on every item, concurrently; ``on_each(i, outcome)`` as soon as item ``i`` is done."""

    async def one(i: int, item: T) -> None:
        try:
            outcome: R | Exception = await fn(item)
        except Exception as exc:
            outcome = exc
        await on_each(i, outcome)

    if len(items) == 1:  # the common case at low load: no task group
        await one(0, items[0])
        return
    async with anyio.create_task_group() as tg:
        for i, item in enumerate(items):
            tg.start_soon(one, i, item)


async def gather(fn: Callable[[T], Awaitable[R]], items: Sequence[T]) -> list[R | Exception]:
    """``fn`` on every item, concurrently; every item's outcome, in order."""
    out: list[R | Exception] = [Exception("no outcome")] * len(items)

    async def keep(i: int, outcome: R | Exception) -> None:
        out[i] = outcome

    await each(fn, items, keep)
    return out


def value_of(outcome: R | Exception) -> R:
    """The value, or raise the exception the item met."""
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
