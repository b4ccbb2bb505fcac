"""Which MCP tools an agent may call: its role's allow-list, enforced in the client."""

from __future__ import annotations

from collections.abc import Callable

from chimera.errors import PermissionRefused
from chimera.governance.permissions import RoleBook
from chimera.models.config import Persona, Role

RefusalListener = Callable[[str, str], None]


class ToolPermissions:
    """Checks ``server.tool`` against the role of the agent asking."""

    def __init__(
        self, roles: dict[str, Role], personas: dict[str, Persona], on_refusal: RefusalListener | None = None
    ) -> None:
        self._book = RoleBook(roles, personas)
        self._on_refusal = on_refusal
        self._names: dict[str, dict[str, str]] = {}
        """``server.tool`` by server and tool, made once: the role book looks it up by its kept hash."""

    def allowed(self, agent_id: str, server: str, tool: str) -> bool:
        """Whether the agent's role lists the tool."""
        tools = self._names.get(server)
        if tools is None:
            tools = self._names[server] = {}
        name = tools.get(tool)
        if name is None:
            name = tools[tool] = f"{server}.{tool}"
        return self._book.allows(agent_id, "mcp_tools", name)

    def check(self, agent_id: str, server: str, tool: str) -> None:
        """Raise PermissionRefused (and report it) unless the agent may call the tool."""
        if self.allowed(agent_id, server, tool):
            return
        what = f"{server}.{tool}"
        if self._on_refusal is not None:
            self._on_refusal(agent_id, what)
        role = self._book.role_of(agent_id)
        raise PermissionRefused(f"agent '{agent_id}' (role '{role}') may not call MCP tool {what}")
