"""The exception vocabulary: configuration errors, refusals and failures.

The CLI maps each family to its own exit code, so scripts can tell a file the
user must fix from a policy that said no from something that broke.
"""

from __future__ import annotations

__all__ = [
    "ChimeraError",
    "ConfigError",
    "Failure",
    "PermissionRefused",
    "Postponed",
    "Refusal",
    "ServerUnavailable",
    "StoreError",
    "ToolError",
    "first_chimera_error",
]


class ChimeraError(Exception):
    """Root of every error Chimera raises on purpose."""

    exit_code = 1


class ConfigError(ChimeraError):
    """A file or option the user must fix; names the file, the field and the problem."""

    exit_code = 2

    def __init__(self, source: str, problem: str, field: str | None = None) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


class Refusal(ChimeraError):
    """Policy said no (budget, permission, gateway, review state); nothing broke."""

    exit_code = 3


class Failure(ChimeraError):
    """Something broke at run time: a subprocess, the disk, a remote service."""

    exit_code = 4


class StoreError(Failure):
    """The SQLite store could not do what was asked (corrupt, locked, wrong schema)."""


class ToolError(Failure):
    """An MCP server or other tool failed, hung, or answered with garbage."""


class ServerUnavailable(ToolError):
    """An MCP server crashed, hung, or is marked down; unlike a tool's own error, a restart may help."""


class Postponed(ChimeraError):
    """Not now: the work is fine but must wait until ``until`` (a rate limit, pacing, a quota); nothing failed."""

    def __init__(self, message: str, until: float) -> None:
        super().__init__(message)
        self.until = until


class PermissionRefused(Refusal):
    """An agent's role does not allow the skill, tool, platform or spend it asked for."""


def first_chimera_error(exc: BaseException) -> ChimeraError | None:
    """The first ChimeraError in ``exc`` or, depth first, in its exception groups."""
    if isinstance(exc, ChimeraError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = first_chimera_error(inner)
            if found is not None:
                return found
    return None
