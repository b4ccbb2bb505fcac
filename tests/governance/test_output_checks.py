"""Output checks: what may never be published."""

from __future__ import annotations

import pytest

from chimera.governance.output_checks import output_problems


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Our key is sk-proj-abcdefghijklmnopqrstu, enjoy", "shaped like a secret"),
        ("Contact me at nova@example.org", "email or phone"),
        ("Call +1 415 555 0100 today", "email or phone"),
        ("Drop by 221 Baker Street tonight", "street address"),
        ("I am a real human, trust me", "claims to be human"),
        ("Read more at https://evil.example/x", "not on the allow-list"),
        ("password = hunter2hunter2", "shaped like a secret"),
    ],
)
def test_each_problem_is_named(text: str, problem: str) -> None:
    assert any(problem in p for p in output_problems(text, ["example.org"]))


def test_clean_text_and_allowed_links_pass() -> None:
    assert output_problems("Solar output hit a record today, says the grid operator.", []) == []
    assert output_problems("Details: https://news.example.org/solar and www.example.org", ["example.org"]) == []
    assert output_problems("See https://example.org.evil.example/", ["example.org"]) != []


def test_reply_policy_never_answers_strangers() -> None:
    from chimera.governance.reply_policy import reply_refusal
    from chimera.models.config import PlatformPolicy

    default = PlatformPolicy()
    assert reply_refusal(default, "mention", "alice") is None
    assert reply_refusal(default, "reply", "bob") is None
    assert reply_refusal(default, "stranger", "carol") is not None
    listed = PlatformPolicy(replies=["allow_list"], reply_allowlist=["@Carol"])
    assert reply_refusal(listed, "stranger", "carol") is None
    assert reply_refusal(listed, "mention", "alice") is not None
