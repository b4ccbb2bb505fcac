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


@given(st.one_of(st.integers(1, 2**56 - 1), st.sampled_from([1, 2**55, 2**56 - 1, 2**56, 2**60])))
def test_an_id_is_its_microseconds_then_its_random_bits_in_fixed_width_hex(us: int) -> None:
    """A new generator's first id carries its clock's microseconds (1 at least) in the fixed width."""
    make = CycleIds(lambda: us * 1000)
    made = make()
    assert made[:-4] == f"{us:014x}"
    assert re.fullmatch(r"[0-9a-f]{4}", made[-4:])
    assert len(made) == (18 if us < 2**56 else len(f"{us:x}") + 4)
