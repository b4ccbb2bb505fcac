"""The AI disclosure every published post carries."""

from __future__ import annotations

ELLIPSIS = "…"


def with_disclosure(text: str, disclosure: str, max_chars: int) -> str:
    """``text`` followed by the disclosure, cut so the whole fits ``max_chars``.

    The disclosure is never cut; the text is shortened (on a word boundary
    where one is near) and marked with an ellipsis.
    """
    if len(disclosure) + 1 > max_chars:
        raise ValueError(f"disclosure of {len(disclosure)} chars does not fit a {max_chars}-char post")
    text = text.strip()
    if disclosure in text:
        text = text.replace(disclosure, "").strip()
    room = max_chars - len(disclosure) - 1
    if len(text) > room:
        cut = text[: max(0, room - len(ELLIPSIS))]
        space = cut.rfind(" ")
        if space > room * 0.6:
            cut = cut[:space]
        text = cut.rstrip() + ELLIPSIS
    return f"{text}\n{disclosure}" if text else disclosure
