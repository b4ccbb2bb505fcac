"""How each platform counts a post's length."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_URL = re.compile(r"https?://\S+")
#: X counts these code points as 1; everything else (CJK, emoji) as 2.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL_LENGTH = 23


def chars(text: str) -> int:
    """Plain code points (the outbox, Mastodon)."""
    return len(text)


def _x_char(c: str) -> int:
    cp = ord(c)
    return 1 if any(lo <= cp <= hi for lo, hi in _X_LIGHT) else 2


def x_weighted(text: str) -> int:
    """X's weighted length: most Latin text 1 per character, CJK and emoji 2, any URL 23."""
    total = 0
    last = 0
    for m in _URL.finditer(text):
        total += sum(_x_char(c) for c in text[last : m.start()]) + X_URL_LENGTH
        last = m.end()
    return total + sum(_x_char(c) for c in text[last:])


def graphemes(text: str) -> int:
    """User-perceived characters (Bluesky's limit): combining marks, joiners and modifiers join the one before."""
    count = 0
    joined = False
    for c in text:
        cp = ord(c)
        extends = (
            unicodedata.combining(c) != 0
            or unicodedata.category(c) in ("Mn", "Me", "Mc")
            or 0xFE00 <= cp <= 0xFE0F
            or 0x1F3FB <= cp <= 0x1F3FF
            or 0xE0020 <= cp <= 0xE007F
        )
        if c == "\u200d":
            joined = True
            continue
        if extends or joined:
            joined = False
            continue
        count += 1
    return count


_COUNTERS: dict[str, Callable[[str], int]] = {"x": x_weighted, "bluesky": graphemes}


def length_for(kind: str) -> Callable[[str], int]:
    """The counting rule of a platform kind."""
    return _COUNTERS.get(kind, chars)
