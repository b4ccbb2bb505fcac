"""Posting to a remote platform exactly once, across lost answers, rate limits and crashes.

The delivery row is committed as ``sending`` before the network call and
marked ``sent`` after it. A row found ``sending`` later means the outcome is
unknown: it is reconciled with the platform (found: marked sent; provably
absent: sent again under the same key, which the platform deduplicates;
cannot tell: held for a human) and never blindly re-sent. A 429 or the
account's pacing postpones the post; it is never dropped.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace

from chimera.errors import Postponed, Refusal
from chimera.net.http import ApiError, AuthRejected, OutcomeUnknown, RateLimited, RequestRefused
from chimera.pipeline.crashpoints import CrashPoints
from chimera.platforms.base import Absent, DuplicateStatus, PostRequest, Receipt, RemotePlatform
from chimera.platforms.pacing import Pacer
from chimera.store import deliveries
from chimera.store.scope import TenantScope

#: Wait used when a 429 does not say how long.
DEFAULT_BACKOFF_S = 60.0


def _at(when: float) -> str:
    return dt.datetime.fromtimestamp(when, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class ExactlyOnce:
    """A Platform that sends through a RemotePlatform with a durable send state and the account's pacing."""

    def __init__(
        self,
        remote: RemotePlatform,
        scope: TenantScope,
        pacer: Pacer,
        crash: CrashPoints | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.remote = remote
        self.name = remote.name
        self.max_chars = remote.max_chars
        self._scope = scope
        self._pacer = pacer
        self._crash = crash or CrashPoints()
        self._clock = clock

    def length(self, text: str) -> int:
        """As the remote platform counts."""
        return self.remote.length(text)

    @property
    def pacer(self) -> Pacer:
        """The account's pacer."""
        return self._pacer

    async def publish(self, post: PostRequest) -> Receipt:
        """Publish once per post task; see the module docstring for every path."""
        key = post.idempotency_key
        row = await deliveries.get(self._scope, key)
        now = self._clock()
        if row is None:
            slot = self._pacer.next_slot(now)
            state = "pending" if slot > now else "sending"
            created = await deliveries.start(
                self._scope, task_id=key, platform=self.name, agent_id=post.agent_id, key=key, text=post.text,
                reply_to=post.reply_to, state=state, not_before=slot if slot > now else 0.0,
            )  # fmt: skip
            if slot > now:
                raise Postponed(f"{self.name}: pacing; next post at {_at(slot)}", slot)
            return await self._send(replace(post, created_at=created))
        post = replace(post, created_at=float(row["created_at"]), text=str(row["text"]))
        state = str(row["state"])
        if state == "sent":
            return Receipt(self.name, str(row["remote_id"]), post.text, str(row["remote_url"] or ""))
        if state == "held":
            raise Refusal(f"{self.name}: held for a human: {row['last_error']}")
        if state == "sending":  # an earlier try's outcome is unknown: find out, never guess
            found = await self.remote.find(post)
            if isinstance(found, Receipt):
                await self._sent(post, found)
                return found
            if found is Absent.UNKNOWN:
                why = "an earlier send may have gone out and the platform cannot tell; check the account"
                await deliveries.move(self._scope, key, "held", last_error=why)
                raise Refusal(f"{self.name}: held for a human: {why}")
        else:
            slot = max(float(row["not_before"]), self._pacer.next_slot(now))
            if slot > now:
                await deliveries.move(self._scope, key, "pending", not_before=slot)
                raise Postponed(f"{self.name}: waiting until {_at(slot)}", slot)
        await deliveries.move(self._scope, key, "sending")
        return await self._send(post)

    async def _send(self, post: PostRequest) -> Receipt:
        key = post.idempotency_key
        self._crash.reach("before_remote_send")
        try:
            receipt = await self.remote.publish(post)
        except RateLimited as exc:
            until = self._clock() + (exc.retry_after_s if exc.retry_after_s is not None else DEFAULT_BACKOFF_S)
            await deliveries.move(self._scope, key, "pending", not_before=until, last_error=str(exc))
            raise Postponed(f"{exc}; postponed to {_at(until)}", until) from None
        except DuplicateStatus as exc:
            found = await self.remote.find(post)
            if isinstance(found, Receipt):
                await self._sent(post, found)
                return found
            await deliveries.move(self._scope, key, "held", last_error=str(exc))
            raise Refusal(f"{self.name}: held for a human: {exc}") from None
        except (AuthRejected, RequestRefused) as exc:  # nothing was published; a fix is needed first
            await deliveries.move(self._scope, key, "failed", last_error=str(exc))
            raise
        except (OutcomeUnknown, ApiError):
            raise  # the row stays 'sending': the next try reconciles before anything is sent again
        self._crash.reach("after_remote_send")
        await self._sent(post, receipt)
        return receipt

    async def _sent(self, post: PostRequest, receipt: Receipt) -> None:
        await deliveries.move(self._scope, post.idempotency_key, "sent", remote_id=receipt.ref,
                              remote_url=receipt.url, last_error=None)  # fmt: skip
        self._pacer.sent(self._clock())
