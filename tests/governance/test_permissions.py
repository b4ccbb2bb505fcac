"""The role book answers exactly as each agent's role does, however often and in whatever order it is asked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chimera.errors import PermissionRefused
from chimera.governance.permissions import RoleBook
from chimera.mcp.permissions import ToolPermissions
from chimera.models.config import Persona, Role

_NAMES = ["news.fetch_trends", "news.search_news", "memory.remember", "memory.forget", "outbox", "x", "write_post"]
_PATTERNS = st.lists(st.sampled_from(["*", "news.*", "memory.remember", "outbox", "x", "write_*"]), max_size=3)
_ROLES = st.fixed_dictionaries(
    {}, optional={n: st.builds(Role, skills=_PATTERNS, mcp_tools=_PATTERNS, platforms=_PATTERNS) for n in "abc"}
)
_KINDS = ["skills", "mcp_tools", "platforms"]
_ASKS = st.lists(st.tuples(st.sampled_from(["ann", "bob", "cy", "stranger"]), st.sampled_from(_KINDS),
                           st.sampled_from(_NAMES)), max_size=60)  # fmt: skip


def _personas(roles_of: dict[str, str]) -> dict[str, Persona]:
    return {a: Persona(agent_id=a, name=a, voice="v", niche="n", role=r) for a, r in roles_of.items()}


@given(_ROLES, st.fixed_dictionaries({a: st.sampled_from("abcd") for a in ["ann", "bob", "cy"]}), _ASKS)
def test_answers_match_the_roles_asked_directly(roles: dict[str, Role], roles_of: dict[str, str], asks: list) -> None:
    book = RoleBook(roles, _personas(roles_of))
    tools = ToolPermissions(roles, _personas(roles_of))
    for agent, kind, name in asks + asks:  # twice: the second round answers from what the first kept
        role = roles.get(roles_of.get(agent, ""))
        expected = role is not None and role.allows(kind, name)
        assert book.allows(agent, kind, name) is expected
        if kind == "mcp_tools" and "." in name:
            server, tool = name.split(".", 1)
            assert tools.allowed(agent, server, tool) is expected


def test_a_refusal_names_the_agent_its_role_and_what_it_asked_for() -> None:
    roles = {"reader": Role(mcp_tools=["news.*"], platforms=[])}
    book = RoleBook(roles, _personas({"rita": "reader"}))
    with pytest.raises(PermissionRefused, match=r"agent 'rita' \(role 'reader'\) may not use platform 'outbox'"):
        book.require("rita", "platforms", "outbox")
    with pytest.raises(PermissionRefused, match=r"agent 'nobody' \(role 'none'\) may not use platform 'outbox'"):
        book.require("nobody", "platforms", "outbox")
    assert book.allows("rita", "mcp_tools", "news.fetch_trends")
