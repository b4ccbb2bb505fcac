"""Role-based permissions: which skills, platforms and spend categories an agent may use."""

from __future__ import annotations

from chimera.errors import PermissionRefused
from chimera.models.config import Persona, Role

#: What a role lists, by kind: the names PermissionRefused messages use.
KINDS = {"skills": "skill", "platforms": "platform", "spend_categories": "spend category", "mcp_tools": "MCP tool"}


class RoleBook:
    """Each agent's role, from its persona and the fleet's ``[roles]``."""

    def __init__(self, roles: dict[str, Role], personas: dict[str, Persona]) -> None:
        self._roles = roles
        self._role_of = {agent: p.role for agent, p in personas.items()}
        self._answers: dict[str, dict[str, dict[str, bool]]] = {}
        """Answers by role, then kind, then name: three lookups of strings whose hashes are kept, where a
        (role, kind, name) key was a tuple to build, hash and compare element by element on every ask."""

    def role_of(self, agent_id: str) -> str:
        """The agent's role name ("none" for an unknown agent)."""
        return self._role_of.get(agent_id, "none")

    def allows(self, agent_id: str, kind: str, name: str) -> bool:
        """Whether the agent's role lists ``name`` under ``kind``; an unknown agent may do nothing.

        Answers are kept per (role, kind, name): roles are fixed for a run and
        every agent of a role asks the same few questions.
        """
        role_name = self._role_of.get(agent_id, "")
        kinds = self._answers.get(role_name)
        if kinds is None:
            kinds = self._answers[role_name] = {}
        names = kinds.get(kind)
        if names is None:
            names = kinds[kind] = {}
        answer = names.get(name)
        if answer is None:
            role = self._roles.get(role_name)
            answer = names[name] = role is not None and role.allows(kind, name)
        return answer

    def require(self, agent_id: str, kind: str, name: str) -> None:
        """Raise PermissionRefused unless the agent may use ``name``."""
        if not self.allows(agent_id, kind, name):
            raise PermissionRefused(
                f"agent '{agent_id}' (role '{self.role_of(agent_id)}') may not use {KINDS[kind]} '{name}'"
            )
