"""What literal text every match of a regular expression contains: a cheap test that rules a pattern out.

The gateway runs every rule over every view of every outside text, and
nearly all of that text is news that matches none of them. Python's regular
expressions try a pattern at every position of the text, and a pattern
that starts with ``\\b`` or a look-behind gets no first-character shortcut:
the 55 rules cost ~190 µs per 150-character view. Most rules cannot match
without one of a few words (``ignore``, ``disregard``, ... or ``verbatim``),
so a substring test for those words, done first, skips the pattern for text
that holds none of them. The test is derived from the parsed pattern, never
written by hand, so it cannot fall out of step with the pattern it guards:

* a run of literal characters must appear as written;
* an alternation needs one of its branches' literals;
* a group, or a repeat of at least once, needs what its body needs;
* a sequence needs what any one of its parts needs (the most selective
  part is chosen);
* anything else (a character class, ``.``, an assertion, a back-reference,
  an optional part) tells nothing.

A pattern that is case-insensitive, anywhere, gets no test (its literals
could appear in any case), and neither does one the parser's structure is
not understood for: such a pattern always runs.
"""

from __future__ import annotations

import re
from re import _constants as sre  # type: ignore[attr-defined]  # the stdlib's own parser: private, stable since 3.11
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

from chimera.text import contains_any

#: Literals this long or longer count as equally selective (then fewer of them is better).
_LONG_ENOUGH = 5


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings of which every text ``pattern`` matches contains at least one; None if it cannot tell."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        needed = _sequence(sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # a parser this code does not know: no test, the pattern always runs
        return None
    if not needed or "" in needed:
        return None
    return tuple(sorted(needed, key=lambda s: (len(s), s)))


def could_match(literals: tuple[str, ...] | None, text: str) -> bool:
    """False only if ``text`` holds none of ``literals`` (so the pattern they came from cannot match it)."""
    return literals is None or contains_any(text, literals)


def _sequence(items: Any) -> set[str] | None:
    """What a sequence needs: the most selective need of its parts (runs of literals joined)."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            run.append(chr(arg))
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        needed = _item(op, arg)
        if needed is not None:
            candidates.append(needed)
    if run:
        candidates.append({"".join(run)})
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


def _selectivity(literals: set[str]) -> tuple[int, int]:
    """Longer literals first (up to a point), then fewer of them."""
    return min(_LONG_ENOUGH, *(len(s) for s in literals)), -len(literals)


def _item(op: Any, arg: Any) -> set[str] | None:
    if op is sre.LITERAL:
        return {chr(arg)}
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, body = arg
        if (add_flags | del_flags) & sre.SRE_FLAG_IGNORECASE:
            return None
        return _sequence(body)
    if op is sre.ATOMIC_GROUP:
        return _sequence(arg)
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            needed = _sequence(branch)
            if needed is None:
                return None
            union |= needed
        return union
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, _most, body = arg
        return _sequence(body) if least >= 1 else None
    return None
