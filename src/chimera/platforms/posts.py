"""A post to publish and the platform's receipt for it: one of each per post_content task.

Compiled, with written-out ``__init__``s, as every object made per task is
(``specs/technical.md``, Build). A changed copy is ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(init=False)
class PostRequest:
    """One post to publish; ``idempotency_key`` makes a resend harmless."""

    idempotency_key: str
    tenant_id: str
    agent_id: str
    campaign_id: str
    text: str
    disclosure: str
    writer: str
    reply_to: str | None
    created_at: float
    """When the post was first attempted (platforms derive stable record keys from it)."""

    def __init__(
        self,
        idempotency_key: str,
        tenant_id: str,
        agent_id: str,
        campaign_id: str,
        text: str,
        disclosure: str,
        writer: str,
        reply_to: str | None = None,
        created_at: float = 0.0,
    ) -> None:
        self.idempotency_key = idempotency_key
        self.tenant_id = tenant_id
        self.agent_id = agent_id
        self.campaign_id = campaign_id
        self.text = text
        self.disclosure = disclosure
        self.writer = writer
        self.reply_to = reply_to
        self.created_at = created_at


@dataclass(init=False)
class Receipt:
    """Proof of publication."""

    platform: str
    ref: str
    text: str
    url: str

    def __init__(self, platform: str, ref: str, text: str, url: str = "") -> None:
        self.platform = platform
        self.ref = ref
        self.text = text
        self.url = url
