"""Lists of reasons are stored as exactly the text ``json.dumps`` would write."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from chimera.store.json_lists import dumps_strings


@given(st.lists(st.text()))
def test_a_list_of_strings_is_written_as_json_dumps_writes_it(items: list[str]) -> None:
    assert dumps_strings(items) == json.dumps(items)
    assert json.loads(dumps_strings(items)) == items


@given(st.lists(st.text() | st.integers() | st.none() | st.floats(allow_nan=False), min_size=1))
def test_anything_else_falls_back_to_json_dumps(items: list[object]) -> None:
    assert dumps_strings(items) == json.dumps(items)  # type: ignore[arg-type]


def test_surrogates_and_controls_are_escaped_the_same_way() -> None:
    items = ["\ud800", "\x00\x1f\x7f", 'caf\u00e9 \u2028 "q" \\']
    assert dumps_strings(items) == json.dumps(items)
