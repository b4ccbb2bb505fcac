"""The seam between content generation and whatever model writes the text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chimera.errors import ChimeraError
from chimera.outcomes import OnEach
from chimera.providers.drafts import ContentRequest, Draft

# the seam's values live in a compiled module of their own (providers/drafts.py)
__all__ = ["ContentRequest", "Draft", "LLMProvider", "UnusableRequest"]


class UnusableRequest(ChimeraError):
    """A content request a provider cannot write from (an empty headline); that task fails alone."""


class LLMProvider(Protocol):
    """Writes a draft post for a request."""

    name: str

    async def write(self, request: ContentRequest) -> Draft:
        """Produce one draft."""
        ...

    async def write_each(self, requests: Sequence[ContentRequest], on_draft: OnEach[Draft]) -> None:
        """Ask for a draft for each request at once; ``on_draft(i, draft or error)`` as soon as each is in."""
        ...
