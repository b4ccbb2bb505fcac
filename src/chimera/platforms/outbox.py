"""The local outbox: posts land in the store's ``outbox`` table (``chimera outbox`` reads it)."""

from __future__ import annotations

import time

from chimera.platforms.base import PostRequest, Receipt
from chimera.store.audit import audit_entry
from chimera.store.committer import Committer, WriteOp
from chimera.store.statements import Stmt

NAME = "outbox"


class LocalOutbox:
    """A Platform that writes to SQLite; the task id is the idempotency key (a UNIQUE column)."""

    name = NAME

    def __init__(self, committer: Committer, max_chars: int = 500) -> None:
        self._committer = committer
        self.max_chars = max_chars

    def length(self, text: str) -> int:
        """Code points."""
        return len(text)

    async def publish(self, post: PostRequest) -> Receipt:
        """Record the post durably; a second call with the same key changes nothing."""
        op = WriteOp()
        op.add(
            Stmt.INSERT_OUTBOX,
            (
                post.tenant_id,
                post.agent_id,
                post.campaign_id,
                post.idempotency_key,
                NAME,
                post.text,
                post.disclosure,
                post.writer,
                time.time(),
            ),
        )
        op.audit(audit_entry(post.tenant_id, "post.publish", NAME, post.idempotency_key,
                             {"platform": NAME, "ref": f"outbox:{post.idempotency_key}"}, post.agent_id))  # fmt: skip
        await self._committer.submit(op)
        return Receipt(platform=NAME, ref=f"outbox:{post.idempotency_key}", text=post.text)
