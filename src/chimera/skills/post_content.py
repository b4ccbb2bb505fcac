"""post_content: publish approved text with the AI disclosure, exactly once."""

from __future__ import annotations

import logging
from typing import Any

from chimera.errors import Refusal, ToolError
from chimera.governance.disclosure import with_disclosure
from chimera.governance.output_checks import output_problems
from chimera.governance.permissions import RoleBook
from chimera.governance.reply_policy import reply_refusal
from chimera.models.config import PlatformPolicy
from chimera.models.work import Result, Task, TaskType
from chimera.pipeline.books import KillSwitch
from chimera.pipeline.crashpoints import CrashPoints
from chimera.platforms.base import Platform, PostRequest
from chimera.skills.base import AgentMemory, FleetView

log = logging.getLogger("chimera.skills")


class PostContent:
    """Adds the disclosure, fits the platform's limit and publishes with the task id as key."""

    task_type = TaskType.POST_CONTENT

    def __init__(
        self,
        platforms: dict[str, Platform],
        view: FleetView,
        disclosure: str,
        crash: CrashPoints,
        kill: KillSwitch | None = None,
        memory: AgentMemory | None = None,
        roles: RoleBook | None = None,
        link_allowlist: list[str] | None = None,
    ) -> None:
        self._kill = kill or KillSwitch()
        self._memory = memory
        self._roles = roles
        self._links = link_allowlist or []
        self._platforms = platforms
        self._view = view
        self._disclosure = disclosure
        self._crash = crash

    async def run(self, task: Task) -> Result:
        """Publish to the campaign's first configured platform (never while the kill switch is on)."""
        if self._kill.on:
            raise Refusal("publishing stopped: the kill switch is on")
        campaign = self._view.campaign(task.campaign_id)
        name = str(task.payload.get("platform") or campaign.platforms[0])
        platform = self._platforms.get(name)
        if platform is None:
            return Result(
                task=task,
                ok=False,
                output={"platform": name},
                confidence=0.0,
                error=f"platform '{name}' is not configured (configured: {', '.join(sorted(self._platforms))})",
                produced_by="post_content",
            )
        if self._roles is not None:
            self._roles.require(task.agent_id, "platforms", name)
        text = with_disclosure(str(task.payload.get("text", "")), self._disclosure, platform.max_chars, platform.length)
        problems = output_problems(text, self._links)
        if problems:  # the last guard: a human's edit or a model's slip is stopped here too
            raise Refusal(f"not published: {'; '.join(problems)}")
        self._crash.reach("before_post_record")
        receipt = await platform.publish(
            PostRequest(
                idempotency_key=task.task_id,
                tenant_id=task.tenant_id,
                agent_id=task.agent_id,
                campaign_id=task.campaign_id,
                text=text,
                disclosure=self._disclosure,
                writer=str(task.payload.get("provider", "unknown")),
                reply_to=task.payload.get("reply_to"),
            )
        )
        self._crash.reach("after_post_record")
        reasoning = [f"published to {receipt.platform} as {receipt.ref}"]
        if self._memory is not None:
            tags = [receipt.platform, *(str(t) for t in task.payload.get("hashtags", []))]
            try:  # keyed by the task, so a retried post is remembered once
                memory_id = await self._memory.remember(task.agent_id, receipt.text, tags, task.task_id)
                reasoning.append(f"remembered as memory #{memory_id}")
            except ToolError as exc:  # the post is out; losing its memory must not undo that
                log.warning("task %s: published but not remembered: %s", task.task_id, exc)
                reasoning.append(f"not remembered: {exc}")
        return Result(
            task=task,
            ok=True,
            output={"platform": receipt.platform, "ref": receipt.ref, "url": receipt.url, "text": receipt.text},
            confidence=1.0,
            reasoning=reasoning,
            produced_by=receipt.platform,
        )


class ReplyComment(PostContent):
    """Publishes an approved reply, only where the account's reply policy allows it (checked again here)."""

    task_type = TaskType.REPLY_COMMENT

    def __init__(self, *args: Any, policies: dict[str, PlatformPolicy], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._policies = policies

    async def run(self, task: Task) -> Result:
        """Refuse a reply the policy does not allow; otherwise publish it as an answer."""
        p = task.payload
        platform = str(p.get("platform", ""))
        why = reply_refusal(self._policies.get(platform, PlatformPolicy()), str(p.get("kind", "")),
                            str(p.get("author", "")))  # fmt: skip
        if why is not None:
            raise Refusal(f"no reply: {why}")
        if not p.get("reply_to"):
            raise Refusal("no reply: the task does not say what it answers")
        return await super().run(task)
