"""One-shot answers: the waiter gets the first value or error, and a cancelled waiter leaves nothing behind."""

from __future__ import annotations

import anyio
import pytest

from chimera.answer import Answer


async def _value_then_second_value_ignored() -> int:
    answer: Answer[int] = Answer()
    answer.set(1)
    answer.set(2)
    answer.fail(RuntimeError("late"))
    return await answer.wait()


def test_the_first_value_wins() -> None:
    assert anyio.run(_value_then_second_value_ignored) == 1


async def _failed() -> None:
    answer: Answer[int] = Answer()
    answer.fail(LookupError("no such memory"))
    answer.set(3)
    await answer.wait()


def test_a_failed_answer_raises_its_error() -> None:
    with pytest.raises(LookupError, match="no such memory"):
        anyio.run(_failed)


async def _settled_by_another_task() -> tuple[int, bool]:
    answer: Answer[int] = Answer()
    got: list[int] = []

    async def waiter() -> None:
        got.append(await answer.wait())

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)
        await anyio.sleep(0.01)
        assert not answer.settled
        answer.set(42)
    return got[0], answer.settled


def test_a_waiting_task_wakes_with_the_value() -> None:
    assert anyio.run(_settled_by_another_task) == (42, True)


async def _cancelled_waiter_then_settle() -> bool:
    answer: Answer[int] = Answer()
    with anyio.move_on_after(0.01) as scope:
        await answer.wait()
    answer.set(5)  # the waiter is gone: settling must neither raise nor be seen
    answer.fail(RuntimeError("nobody listens"))
    return scope.cancelled_caught and answer.settled


def test_settling_after_the_waiter_was_cancelled_is_harmless() -> None:
    assert anyio.run(_cancelled_waiter_then_settle) is True
