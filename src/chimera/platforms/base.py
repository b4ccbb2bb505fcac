"""The seam between post_content and a publishing platform."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol, runtime_checkable

from chimera.errors import ChimeraError
from chimera.platforms.posts import PostRequest, Receipt

# the seam's values live in a compiled module of their own (platforms/posts.py)
__all__ = [
    "Absent",
    "BatchPlatform",
    "DuplicateStatus",
    "Mention",
    "MentionSource",
    "Platform",
    "PostRequest",
    "Receipt",
    "RemotePlatform",
    "ResumableMentions",
]


class Absent(Enum):
    """What a platform can say about a post it cannot find."""

    PROVEN = "proven"
    """It was not published: sending again (with the same key) cannot make a second copy."""
    UNKNOWN = "unknown"
    """The platform cannot tell; a human must look before anything is sent again."""


@dataclass(frozen=True, slots=True)
class Mention:
    """Someone addressed the agent: a mention of it, or a reply in one of its threads."""

    platform: str
    id: str
    author: str
    text: str
    kind: str
    """'mention' or 'reply' (to one of the agent's own posts)."""
    reply_ref: str
    """What to answer to (a status id, a post id, or an AT URI and CID joined by '|')."""


class DuplicateStatus(ChimeraError):
    """The platform refused the post as a duplicate of one it already has."""


class Platform(Protocol):
    """Publishes posts exactly once per idempotency key."""

    name: str
    max_chars: int

    def length(self, text: str) -> int:
        """The text's length as this platform counts it."""
        ...

    async def publish(self, post: PostRequest) -> Receipt:
        """Publish, or return the receipt of the earlier publication with the same key."""
        ...


@runtime_checkable
class BatchPlatform(Platform, Protocol):
    """A platform that records many posts in one step (the local outbox: one transaction)."""

    async def publish_many(self, posts: Sequence[PostRequest]) -> list[Receipt | Exception]:
        """``publish`` for each post at once; a post's error is its own outcome."""
        ...


class RemotePlatform(Platform, Protocol):
    """A platform reached over the network, where an answer can be lost."""

    kind: str

    async def find(self, post: PostRequest) -> Receipt | Absent:
        """Look for a post whose outcome is unknown."""
        ...

    async def verify(self) -> str:
        """One cheap authenticated call (``chimera doctor``); say what it saw."""
        ...


@runtime_checkable
class MentionSource(Protocol):
    """A platform that can list who addressed the account."""

    name: str

    async def mentions(self) -> list[Mention]:
        """Recent mentions and replies addressed to the account."""
        ...


@runtime_checkable
class ResumableMentions(Protocol):
    """A mention source whose reads cost (X's): told at start which mentions earlier runs handled."""

    def resume_after(self, handled: Iterable[str]) -> None:
        """Start the next read after the newest of these mention ids."""
        ...
