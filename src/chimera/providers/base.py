"""The seam between content generation and whatever model writes the text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from chimera.errors import ChimeraError
from chimera.models.config import Persona
from chimera.outcomes import OnEach


class UnusableRequest(ChimeraError):
    """A content request a provider cannot write from (an empty headline); that task fails alone."""


class ContentRequest(NamedTuple):
    """What a post should be about and who writes it (a NamedTuple: immutable, and cheap to make)."""

    persona: Persona
    goal: str
    topic: str
    headline: str
    summary: str
    attempt: int = 0
    max_chars: int = 280
    recent: tuple[str, ...] = ()
    """The agent's earlier posts closest to this story; a draft should not repeat them."""


class Draft(NamedTuple):
    """A provider's answer: the text plus its own view of it."""

    text: str
    hashtags: list[str]
    self_confidence: float
    reasoning: str
    provider: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0


class LLMProvider(Protocol):
    """Writes a draft post for a request."""

    name: str

    async def write(self, request: ContentRequest) -> Draft:
        """Produce one draft."""
        ...

    async def write_each(self, requests: Sequence[ContentRequest], on_draft: OnEach[Draft]) -> None:
        """Ask for a draft for each request at once; ``on_draft(i, draft or error)`` as soon as each is in."""
        ...
