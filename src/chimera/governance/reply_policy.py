"""Where an agent may reply: mentions of it, replies in its own threads, or an allow-list. Never strangers."""

from __future__ import annotations

from chimera.models.config import PlatformPolicy


def reply_refusal(policy: PlatformPolicy, kind: str, author: str) -> str | None:
    """Why the agent may not answer this (None when it may)."""
    allowed = set(policy.replies)
    if kind == "mention" and "mentions" in allowed:
        return None
    if kind == "reply" and "own_threads" in allowed:
        return None
    if "allow_list" in allowed and author.lower().lstrip("@") in {
        a.lower().lstrip("@") for a in policy.reply_allowlist
    }:
        return None
    return f"the account's policy does not allow replying to a {kind} from @{author.lstrip('@')}"
