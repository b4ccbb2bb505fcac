"""Output checks: what may never be published."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chimera.governance.output_checks import EMAIL, HUMAN_CLAIM, LINK, PHONE, STREET, link_allowed, output_problems
from chimera.secret_store import SECRET_SHAPES


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


def _every_pattern(text: str, allowlist: list[str]) -> list[str]:
    """The checks with every regular expression run on every text (no cheap pre-tests)."""
    found = []
    if any(shape.search(text) for shape in SECRET_SHAPES):
        found.append("contains something shaped like a secret (key, token or password)")
    if HUMAN_CLAIM.search(text):
        found.append("claims to be human")
    if EMAIL.search(text) or PHONE.search(text):
        found.append("contains personal data (email or phone number)")
    if STREET.search(text):
        found.append("contains personal data (a street address)")
    links = [u for u in LINK.findall(text) if not link_allowed(u, allowlist)]
    if links:
        found.append(f"links to a domain not on the allow-list ({', '.join(sorted(set(links))[:3])})")
    return found


_PIECES = st.sampled_from([
    "sk-", "proj-", "ghp_", "github_pat_", "xoxb-", "AKIA", "Bearer ", "BEARER\t", "-----BEGIN RSA PRIVATE KEY-----",
    "api_key", "API-KEY", "access_token", "Secret", "passwd", "password", " = ", ": ", "I am a ", "I'M ", "real ",
    "human", "Person", "not an ", "AI", "bot", "@", "example.org", ".com", "+1 ", "415", "555 0100", "221 ",
    "Baker ", "Street", "Rd", "https://", "HTTP://", "www.", "evil.example/x", "\u212a", "\u017f", "\u0130",
    "\u0661\u0662\u0663", "abcdefghijklmnopqrstuvwxyz0123", " ", ".", "solar", "news", "\t", "\n", "  ", "7",
    "Agent 12 on topic07",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@example("Write to 221\tBaker Street.")
@example("Write to 221  Baker Street.")
@example("Write to 221\n\x1cBaker Street.")
@example("Write to \u0662\u0662\u0661 Baker Street.")
@example("Call 415 555\t0100 9")
@example("Agent 12 on topic07: not a secret")
@example("key sk-proj-abcdefghijklmnop0123 and xoxb-1234567890ab")
@example("token ghp_abcdefghijklmnopqrstuvwxyz0123")
@example("PASSWORD = hunter2hunter, api-key:abcdefgh")
@example("AKIAABCDEFGHIJKLMNOP and Bearer abcdefghijklmnop")
@example("-----BEGIN RSA PRIVATE KEY-----")
@given(st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=14).map("".join))
def test_the_cheap_pre_tests_never_change_a_verdict(text: str) -> None:
    assert output_problems(text, ["example.org"]) == _every_pattern(text, ["example.org"])
