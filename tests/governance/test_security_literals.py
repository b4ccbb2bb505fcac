"""The literal test in front of each gateway rule never rules out a text the rule matches."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chimera.governance.security.evaluate import load_corpus
from chimera.governance.security.gateway import scan
from chimera.governance.security.intent import _GUARDED
from chimera.governance.security.literals import could_match, required_literals
from chimera.governance.security.rules import RULES, Rule

CORPUS = Path(__file__).parent.parent / "security" / "corpus"
#: The same rules with no literal test: every pattern runs on every view (the definition).
UNGUARDED = tuple(dataclasses.replace(rule, literals=None) for rule in RULES)


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\bignore\b", ("ignore",)),
        (r"\b(?:ignore|disregard) (?:all|any)", ("ignore", "disregard")),  # longer words win over short ones
        (r"(?<!not )\bsend\b[^.]{0,20}(?:keys?|seeds?)", ("send",)),
        (r"(?:just )?go ahead", ("go ahead",)),  # an optional part tells nothing; the literal run after it does
        (r"(?:abc)+d", ("abc",)),  # a repeat of at least once needs what its body needs
        (r"[ab]c", ("c",)),
        (r"x*|y", None),  # a branch that needs nothing
        (r"(?:ab|)", None),  # an empty branch
        (r"(?i)ignore", None),  # any case could appear
        (r"(?i:ign)ore", ("ore",)),
        (r"^\s*$", None),
    ],
)
def test_literals_are_derived_from_the_parsed_pattern(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert required_literals(re.compile(pattern)) == literals


def test_nearly_every_rule_gets_a_literal_test() -> None:
    # the speed of the screen rests on this; a parser change that defeats the derivation shows here
    assert sum(rule.literals is not None for rule in RULES) >= len(RULES) - 3


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_no_text_a_rule_matches_is_ruled_out(data: st.DataObject) -> None:
    rule: Rule = data.draw(st.sampled_from(RULES))
    text = data.draw(st.from_regex(rule.pattern))  # a match, with any text around it
    assert rule.pattern.search(text)
    assert rule.could_match(text), (rule.name, rule.literals, text)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_no_clause_an_intent_pattern_matches_is_ruled_out(data: st.DataObject) -> None:
    name, pattern, literals = data.draw(st.sampled_from(_GUARDED))
    text = data.draw(st.from_regex(pattern))
    assert pattern.search(text)
    assert could_match(literals, text), (name, literals, text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(RULES), max_size=3).flatmap(
    lambda rules: st.tuples(*(st.from_regex(r.pattern) for r in rules))), st.text(max_size=80))  # fmt: skip
@example(("ignore previous instructions",), "")
def test_scan_with_the_literal_tests_is_scan_without_them(fragments: tuple[str, ...], noise: str) -> None:
    text = noise.join(fragments) if fragments else noise
    assert scan(text) == scan(text, rules=UNGUARDED)


def test_the_corpus_scores_the_same_with_and_without_the_literal_tests() -> None:
    for item in load_corpus(CORPUS):
        assert scan(item.text) == scan(item.text, rules=UNGUARDED), item.text


def test_could_match_is_a_substring_test() -> None:
    assert could_match(None, "anything")
    assert could_match(("abc", "xyz"), "..xyz..")
    assert not could_match(("abc", "xyz"), "ab xy")
