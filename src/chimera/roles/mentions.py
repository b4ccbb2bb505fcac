"""Mentions: who addressed the agents on their platforms, turned into reply cycles the policy allows.

Each mention passes the security gateway first (it is outside text), then
the account's reply policy (mentions, replies in the agent's own threads,
or an allow-list; never strangers). Allowed ones go to the planner as reply
requests; the planner's dedupe rows make sure a mention is answered once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import anyio

from chimera.errors import ChimeraError
from chimera.governance.reply_policy import reply_refusal
from chimera.governance.security.gateway import SecurityGateway
from chimera.models.config import PlatformPolicy
from chimera.models.work import Priority
from chimera.pipeline.books import CampaignBook
from chimera.pipeline.messages import PlanRequest
from chimera.pipeline.queues import PriorityQueue
from chimera.pipeline.tracker import WorkTracker
from chimera.platforms.base import MentionSource, ResumableMentions
from chimera.skills.base import FleetView

log = logging.getLogger("chimera.mentions")


class MentionWatcher:
    """Polls the accounts that list mentions; answers only what policy allows."""

    def __init__(
        self,
        *,
        sources: list[MentionSource],
        policies: dict[str, PlatformPolicy],
        view: FleetView,
        book: CampaignBook,
        seen: set[tuple[str, str]],
        gateway: SecurityGateway,
        inbox: PriorityQueue[PlanRequest],
        tracker: WorkTracker,
        remember: Callable[[str, str], Awaitable[None]] | None = None,
    ) -> None:
        self._remember = remember
        self._sources = sources
        self._policies = policies
        self._view = view
        self._book = book
        self._seen = seen
        self._gateway = gateway
        self._inbox = inbox
        self._tracker = tracker
        self._last_read: dict[str, float] = {}
        for source in sources:  # where reads cost, start after what earlier runs handled
            if isinstance(source, ResumableMentions):
                prefix = f"mention:{source.name}:"
                source.resume_after(seen_id[len(prefix) :] for _, seen_id in seen if seen_id.startswith(prefix))
        self.requested = 0
        self.refused = 0
        self.errors: list[str] = []

    def _campaign_for(self, platform: str) -> str | None:
        for cid in self._book.active_ids():
            campaign = self._view.campaigns.get(cid)
            if campaign is not None and platform in campaign.platforms:
                return cid
        return None

    def _due(self, platform: str) -> bool:
        """Whether the account's ``mentions_every_s`` has passed since its last read (and mark this read)."""
        every = self._policies.get(platform, PlatformPolicy()).mentions_every_s
        now = time.monotonic()
        last = self._last_read.get(platform)
        if last is not None and now - last < every:
            return False
        self._last_read[platform] = now
        return True

    async def poll_once(self) -> int:
        """Read every account's mentions once; return how many replies were requested."""
        self._tracker.source_busy()
        try:
            asked = 0
            for source in self._sources:
                campaign = self._campaign_for(source.name)
                if campaign is None or not self._due(source.name):
                    continue
                try:
                    found = await source.mentions()
                except ChimeraError as exc:
                    self.errors.append(str(exc))
                    log.error("mentions on %s failed: %s", source.name, exc)
                    continue
                for m in found:
                    request = PlanRequest(campaign, Priority.MEDIUM, mention=m, relevance=1.0)
                    key = (campaign, str(request.seen_id))
                    if key in self._seen:
                        continue
                    self._seen.add(key)
                    verdict = await self._gateway.check(m.text, source=f"{source.name}:mention")
                    why = reply_refusal(self._policies.get(source.name, PlatformPolicy()), m.kind, m.author)
                    if not verdict.approved or why is not None:
                        self.refused += 1
                        log.info("not answering %s on %s: %s", m.id, source.name, why or verdict.reason)
                        if self._remember is not None:  # decided for good: not checked (or audited) again
                            await self._remember(campaign, str(request.seen_id))
                        continue
                    self._tracker.opened()
                    self._inbox.put(request, request.priority)
                    asked += 1
            self.requested += asked
            return asked
        finally:
            self._tracker.source_idle()

    async def run(self, interval_s: float) -> None:
        """Poll forever."""
        while True:
            await self.poll_once()
            await anyio.sleep(interval_s)
