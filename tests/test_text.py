"""Word features: the fast paths give exactly what the plain definitions give."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import chimera.text
from chimera.text import STOPWORDS, stem, text_keywords, words

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def _plain_words(text: str) -> list[str]:
    out: list[str] = []
    for token in _WORD.findall(text.lower()):
        out.append(token)
        if "-" in token:
            out.extend(token.split("-"))
    return out


def _plain_keywords(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _plain_words(text) if len(w) > 1 and w not in STOPWORDS)


_PIECES = st.sampled_from([
    "Solar", "batteries", "and", "the", "a", "I", " ", "  ", "\t", "\n", ".", ",", "!", "?", "'", "-", "--",
    "don't", "state-of-the-art", "'quoted'", "x", "42", "topic07", "_", "#tag", "@user", "\u212a", "\u0130",
    "caf\u00e9", "\u00c9T\u00c9", "\u0417\u0435\u043c\u043b\u044f", "\u00a0", "\x00", "\x7f",
])  # fmt: skip
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=16).map("".join)


@settings(max_examples=500, deadline=None)
@example("Worth your time today: solar and battery breakthrough reported in health circles.")
@example("Kelvin: \u212a is lower-cased to an ASCII k")
@example("tabs\tand\nnew lines, under_scores and #hash @tags")
@given(_TEXTS)
def test_words_are_the_regular_expression_tokens(text: str) -> None:
    assert words(text) == _plain_words(text)


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_keywords_are_the_stemmed_content_words(text: str) -> None:
    assert text_keywords.__wrapped__(text) == _plain_keywords(text)


def test_keywords_stay_right_when_the_word_memo_starts_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chimera.text, "KEYWORD_MEMO_LIMIT", 3)
    monkeypatch.setattr(chimera.text, "_KEYWORD_OF", {})
    text = "Batteries and grids: the agents' rivers of solar news, again and again"
    assert text_keywords.__wrapped__(text) == _plain_keywords(text)
    assert len(chimera.text._KEYWORD_OF) <= 3
    assert text_keywords.__wrapped__(text) == _plain_keywords(text)
