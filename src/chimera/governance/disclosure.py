"""The AI disclosure every published post carries."""

from __future__ import annotations

from collections.abc import Callable

ELLIPSIS = "…"


def with_disclosure(text: str, disclosure: str, max_chars: int, length: Callable[[str], int] = len) -> str:
    """``text`` followed by the disclosure, cut so the whole fits ``max_chars`` as the platform counts (``length``).

    The disclosure is never cut; the text is shortened (on a word boundary
    where one is near) and marked with an ellipsis.
    """
    if length(disclosure) + 1 > max_chars:
        raise ValueError(f"disclosure of {length(disclosure)} chars does not fit a {max_chars}-char post")
    text = text.strip()
    if disclosure in text:
        text = text.replace(disclosure, "").strip()
    room = max_chars - length(disclosure) - 1
    if length(text) > room:
        cut = text[: max(0, room - length(ELLIPSIS))]
        while cut and length(cut) + length(ELLIPSIS) > room:  # wide characters: shorten until it fits
            excess = length(cut) + length(ELLIPSIS) - room
            cut = cut[: len(cut) - max(1, excess // 2)]
        space = cut.rfind(" ")
        if space > len(cut) * 0.6:
            cut = cut[:space]
        text = cut.rstrip() + ELLIPSIS
    return f"{text}\n{disclosure}" if text else disclosure
