"""The local outbox: posts land in the store's ``outbox`` table (``chimera outbox`` reads it)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from chimera.errors import StoreError
from chimera.outcomes import gather, value_of
from chimera.platforms.base import PostRequest, Receipt
from chimera.store.audit import AuditItem, audit_batches
from chimera.store.committer import Committer, WriteOp
from chimera.store.statements import INSERT_OUTBOX

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
        return value_of((await self.publish_many([post]))[0])

    async def publish_many(self, posts: Sequence[PostRequest]) -> list[Receipt | Exception]:
        """Record the posts in one transaction; if it fails, each post again alone, so only a bad one fails."""
        op = WriteOp()
        now = time.time()
        audited: list[AuditItem] = []
        for post in posts:
            op.add(INSERT_OUTBOX, (
                post.tenant_id, post.agent_id, post.campaign_id, post.idempotency_key, NAME, post.text,
                post.disclosure, post.writer, now,
            ))  # fmt: skip
            ref = {"platform": NAME, "ref": f"outbox:{post.idempotency_key}"}
            audited.append((post.tenant_id, post.idempotency_key, ref, post.agent_id))
        op.audits += audit_batches("post.publish", NAME, audited)  # one chained record lists the posts
        try:
            await self._committer.submit(op)
        except StoreError as exc:
            if len(posts) == 1:
                return [exc]
            return await gather(self.publish, posts)
        return [Receipt(platform=NAME, ref=f"outbox:{post.idempotency_key}", text=post.text) for post in posts]
