"""JSON text of payloads, outputs, reasons and audit details: whatever goes in comes back out."""

from __future__ import annotations

import json
import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chimera.json_text import dumps

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_values)
def test_every_json_value_reads_back_as_it_was_written(value: object) -> None:
    text = dumps(value)
    assert json.loads(text) == value


@given(st.lists(st.text()))
def test_reason_lists_read_back_unchanged_including_surrogates_and_controls(items: list[str]) -> None:
    assert json.loads(dumps(items)) == items


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    big = {"n": 2**80, "s": "\ud800 lone", "tags": ["\x00\x1f\x7f", "caf\u00e9 \u2028"]}
    assert json.loads(dumps(big)) == big


def test_a_value_no_encoder_knows_is_written_as_its_text_and_keys_become_strings() -> None:
    assert json.loads(dumps({"amount": Decimal("1.50"), 7: "seven"})) == {"amount": "1.50", "7": "seven"}


def test_text_is_compact_keeps_non_ascii_and_has_no_nan() -> None:
    assert dumps({"a": [1, "é"]}) == '{"a":[1,"é"]}'
    assert dumps([math.nan, math.inf]) == "[null,null]"
