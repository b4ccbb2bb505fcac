"""The seam between post_content and a publishing platform."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PostRequest:
    """One post to publish; ``idempotency_key`` makes a resend harmless."""

    idempotency_key: str
    tenant_id: str
    agent_id: str
    campaign_id: str
    text: str
    disclosure: str
    writer: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof of publication."""

    platform: str
    ref: str
    text: str


class Platform(Protocol):
    """Publishes posts exactly once per idempotency key."""

    name: str
    max_chars: int

    async def publish(self, post: PostRequest) -> Receipt:
        """Publish, or return the receipt of the earlier publication with the same key."""
        ...
