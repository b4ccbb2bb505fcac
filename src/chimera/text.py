"""Word-level text features shared by perception scoring and the Judge's checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import cast

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "new",
        "now",
        "says",
        "said",
        "one",
        "two",
        "first",
    ]
)


def contains_any(text: str, needles: tuple[str, ...]) -> bool:
    """Whether any of ``needles`` occurs in ``text`` (a plain loop: half the cost of any() over a generator)."""
    for needle in needles:  # noqa: SIM110
        if needle in text:
            return True
    return False


def stem(word: str) -> str:
    """A tiny suffix stripper: enough to match 'batteries' with 'battery' and 'agents' with 'agent'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


#: For ASCII text, as bytes: every character that cannot be part of a word (all but a-z, 0-9, ' and -) to a space.
_APART = bytes(c if re.fullmatch(r"[a-z0-9'-]", chr(c)) else 0x20 for c in range(256))


def words(text: str) -> list[str]:
    """Lower-cased word tokens, hyphenated words split into their parts too."""
    lowered = text.lower()
    if not lowered.isascii():
        return _split_hyphenated(_WORD.findall(lowered))
    # Every character but a-z, 0-9, ' and - parts words, so the text splits (in C) into runs, and no
    # word spans two runs. A run without ' or - is one word; only the others need the expression.
    runs = lowered.encode().translate(_APART).decode().split()
    if "'" not in lowered and "-" not in lowered:
        return runs
    out: list[str] = []
    for run in runs:
        if "'" in run or "-" in run:
            out += _split_hyphenated(_WORD.findall(run))
        else:
            out.append(run)
    return out


def _split_hyphenated(tokens: list[str]) -> list[str]:
    """The tokens, each hyphenated one followed by its parts."""
    out: list[str] = []
    for token in tokens:
        out.append(token)
        if "-" in token:
            out.extend(token.split("-"))
    return out


#: The keyword each word seen so far stands for ("" for a stopword or a single letter): most of a
#: new text's words are not new, and a lookup costs a fifth of the stemming it saves.
_KEYWORD_OF: dict[str, str] = {}
#: Distinct words remembered before the memo starts afresh (it only ever saves work).
KEYWORD_MEMO_LIMIT = 200_000


def _keyword_of(word: str) -> str:
    if len(_KEYWORD_OF) >= KEYWORD_MEMO_LIMIT:
        _KEYWORD_OF.clear()
    keyword = _KEYWORD_OF[word] = stem(word) if len(word) > 1 and word not in STOPWORDS else ""
    return keyword


@lru_cache(maxsize=32_768)
def text_keywords(text: str) -> frozenset[str]:
    """Stemmed content words (no stopwords, no single letters) of one text; memoised.

    Headlines, goals and templates repeat across thousands of agents, so the
    Judge and perception mostly hit the cache; a new text's words mostly
    have been seen, and their keywords are looked up rather than stemmed again.
    """
    tokens = words(text)
    memo = _KEYWORD_OF
    # looked up in C, None for a word not seen before (two texts in three have one: a raised KeyError
    # and a second pass over every word cost more than this pass over the new ones)
    seen: set[str | None] = set(map(memo.get, tokens))
    if None in seen:
        seen.discard(None)
        seen.update([_keyword_of(word) for word in tokens if word not in memo])
    seen.discard("")
    return frozenset(cast("set[str]", seen))


def keywords(*texts: str | Iterable[str]) -> frozenset[str]:
    """Stemmed content words of the given texts (strings or iterables of strings)."""
    found: set[str] = set()
    for text in texts:
        for part in [text] if isinstance(text, str) else text:
            found |= text_keywords(part)
    return frozenset(found)


def similarity(a: str, b: str) -> float:
    """Share of content words two texts have in common (Jaccard over stemmed keywords), in [0, 1]."""
    ka, kb = text_keywords(a), text_keywords(b)
    return len(ka & kb) / len(ka | kb) if ka and kb else 0.0
