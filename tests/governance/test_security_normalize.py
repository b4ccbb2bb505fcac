"""The gateway's folding and invisible-character removal, against their written-out definitions.

ASCII text takes a shorter path (no normal form, map or accent changes an
ASCII character, and none is a format character); it must give exactly
what the definitions give.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from chimera.governance.security.normalize import _QUOTES, CONFUSABLES, fold, visible_text

_ASCII = st.text(st.characters(max_codepoint=127), max_size=120)
_ANY = st.text(max_size=120)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(CONFUSABLES).translate(_QUOTES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def _visible(text: str) -> tuple[str, list[str]]:
    evasions = []
    invisible = [c for c in text if unicodedata.category(c) == "Cf" or c in "\u00ad\u180e"]
    if invisible:
        evasions.append("invisible characters")
    visible = "".join(c for c in text if c not in invisible and (c in "\n\t" or unicodedata.category(c)[0] != "C"))
    mixed = False
    for word in re.findall(r"\w{3,}", visible):
        scripts = {unicodedata.name(c, "").split(" ")[0] for c in word if c.isalpha()}
        mixed = mixed or len(scripts & {"LATIN", "CYRILLIC", "GREEK", "ARMENIAN"}) > 1
    if mixed:
        evasions.append("mixed-script words (homoglyphs)")
    if unicodedata.normalize("NFKC", visible) != visible and re.search(
        r"[\uff00-\uffef\U0001d400-\U0001d7ff]", visible
    ):
        evasions.append("look-alike letter forms")
    return visible, evasions


@settings(max_examples=300, deadline=None)
@given(_ASCII | _ANY)
@example("Tab\tnew\nline\r\x00bell\x07 del\x7f end")
@example("IGNORE  Previous\u00a0rules")
def test_fold_is_its_definition(text: str) -> None:
    assert fold(text) == _fold(text)


@settings(max_examples=300, deadline=None)
@given(_ASCII | _ANY)
@example("Tab\tnew\nline\r\x00bell\x07 del\x7f end")
@example("ig\u200bnore pаypal")  # a zero-width space, a Cyrillic a
def test_visible_text_is_its_definition(text: str) -> None:
    assert visible_text(text) == _visible(text)
