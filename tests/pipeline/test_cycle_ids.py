"""Cycle ids sort in the order they were made, never repeat, and survive a clock that stalls or steps back."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from chimera.pipeline.cycle_ids import CycleIds

SHAPE = re.compile(r"[0-9a-f]{18}")


def test_ids_from_the_real_clock_sort_in_order_of_making() -> None:
    make = CycleIds()
    ids = [make() for _ in range(20_000)]
    assert all(SHAPE.fullmatch(i) for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


@given(st.lists(st.integers(min_value=0, max_value=2**62), min_size=1, max_size=200))
def test_any_clock_still_gives_increasing_ids(readings_ns: list[int]) -> None:
    clock = iter(readings_ns)
    make = CycleIds(lambda: next(clock))
    ids = [make() for _ in readings_ns]
    assert all(a < b for a, b in pairwise(ids))
    # the time part follows the clock whenever the clock moves forward past the last id
    assert int(ids[-1][:14], 16) >= max(readings_ns) // 1000


def test_two_generators_on_one_stalled_clock_stay_apart_by_their_random_bits() -> None:
    a, b = CycleIds(lambda: 0), CycleIds(lambda: 0)
    ids_a, ids_b = [a() for _ in range(500)], [b() for _ in range(500)]
    # same time parts, so only the random suffix separates them; a fixed suffix would collide 500 times
    assert [i[:14] for i in ids_a] == [i[:14] for i in ids_b]
    assert len(set(ids_a) & set(ids_b)) < 5
