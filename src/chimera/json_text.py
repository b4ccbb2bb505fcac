"""JSON text for the columns the pipeline writes per task: payloads, outputs, reasons, audit details.

Each task's payload, output, reasons and audit detail are encoded on the
event loop, several times per task. The standard library's encoder spends
~3.5 µs on a 300-byte dict, most of it setting itself up; orjson takes
~0.6 µs. The text is compact (no spaces) and keeps non-ASCII characters as
they are. Every reader parses it (``json.loads``, SQLite's JSON functions);
none compares it as text.

What orjson refuses (integers beyond 64 bits, strings with lone surrogates)
is written by the standard library instead, so nothing is lost; a value no
encoder knows is written as its ``str()`` rather than failing the batch it is
in. Not-a-number and infinities are written as ``null`` (JSON has no such
numbers).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final

import orjson

# Final names, not orjson.dumps per call (specs/technical.md, Build): a plain module global is a
# dictionary look-up per call too.
_OPTIONS: Final = orjson.OPT_NON_STR_KEYS
_ENCODE: Final[Callable[..., bytes]] = orjson.dumps
_TEXT_OF: Final[Callable[[Any], str]] = str


def dumps(value: object) -> str:
    """``value`` as JSON text."""
    try:
        return _ENCODE(value, default=_TEXT_OF, option=_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError: a value only the standard library can write
        return json.dumps(value, default=str)
