"""A list of strings as JSON, the way ``json.dumps`` writes it, for the columns written per result.

The Judge stores two or three lists of reasons for every result it decides;
``json.dumps`` spends most of its time there setting up its encoder. Joining
the json module's own C string escaper gives the same text (a property test
compares the two) in about a third of the time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring_ascii


def dumps_strings(items: Sequence[str]) -> str:
    """``json.dumps(items)`` for a sequence of strings (anything else falls back to ``json.dumps``)."""
    try:
        return "[" + ", ".join(map(encode_basestring_ascii, items)) + "]"
    except TypeError:  # not all strings: let the json module say how to write them
        return json.dumps(list(items))
