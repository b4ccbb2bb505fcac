"""post_content: publish approved text with the AI disclosure, exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import anyio

from chimera.errors import Refusal, ToolError
from chimera.governance.disclosure import with_disclosure
from chimera.governance.output_checks import output_problems
from chimera.governance.permissions import RoleBook
from chimera.governance.reply_policy import reply_refusal
from chimera.models.config import PlatformPolicy
from chimera.models.records import Result, Task
from chimera.models.work import TaskType
from chimera.outcomes import each
from chimera.pipeline.books import KillSwitch
from chimera.pipeline.crashpoints import CrashPoints
from chimera.platforms.base import BatchPlatform, Platform, PostRequest, Receipt
from chimera.skills.base import AgentMemory, Done, FleetView

log = logging.getLogger("chimera.skills")


@dataclass
class Publishing:
    """What both publishing skills work with: where posts go, the disclosure, and the guards."""

    platforms: dict[str, Platform]
    view: FleetView
    disclosure: str
    crash: CrashPoints
    kill: KillSwitch | None = None
    memory: AgentMemory | None = None
    roles: RoleBook | None = None
    link_allowlist: list[str] | None = None


class PostContent:
    """Adds the disclosure, fits the platform's limit and publishes with the task id as key."""

    task_type = TaskType.POST_CONTENT

    def __init__(self, publishing: Publishing) -> None:
        self._kill = publishing.kill or KillSwitch()
        self._memory = publishing.memory
        self._roles = publishing.roles
        self._links = publishing.link_allowlist or []
        self._platforms = platforms = publishing.platforms
        # a Protocol isinstance walks the protocol's attributes each time: once per platform here, not per batch
        self._batched = {name: p for name, p in platforms.items() if isinstance(p, BatchPlatform)}
        self._view = publishing.view
        self._disclosure = publishing.disclosure
        self._crash = publishing.crash

    async def run_batch(self, tasks: list[Task], done: Done) -> None:
        """Publish each task to its campaign's first configured platform (never while the kill switch is on).

        The local outbox records a batch's posts in one transaction; on other
        platforms each post is sent on its own, all at once, and handed on as
        soon as it is out (a slow or paced post never holds back the rest).
        """
        by_platform: dict[str, list[tuple[Task, PostRequest]]] = {}
        for task in tasks:
            try:
                prepared = self._prepare(task)
            except Exception as exc:
                await done(task, exc)
                continue
            if isinstance(prepared, Result):
                await done(task, prepared)
                continue
            name, post = prepared
            by_platform.setdefault(name, []).append((task, post))

        async def publish(name: str) -> None:
            platform, items = self._platforms[name], by_platform[name]
            batched = self._batched.get(name)
            if batched is not None:
                for _ in items:
                    self._crash.reach("before_post_record")
                receipts = await batched.publish_many([post for _, post in items])
                await self._finish([(task, r) for (task, _), r in zip(items, receipts, strict=True)], done)
                return

            async def one(item: tuple[Task, PostRequest]) -> Receipt:
                self._crash.reach("before_post_record")
                return await platform.publish(item[1])

            async def sent(i: int, receipt: Receipt | Exception) -> None:
                await self._finish([(items[i][0], receipt)], done)

            await each(one, items, sent)

        if len(by_platform) == 1:
            await publish(next(iter(by_platform)))
        elif by_platform:
            async with anyio.create_task_group() as tg:
                for name in by_platform:
                    tg.start_soon(publish, name)

    async def _finish(self, sent: list[tuple[Task, Receipt | Exception]], done: Done) -> None:
        """Remember what went out and hand each post's outcome on."""
        published: list[tuple[Task, Receipt]] = []
        for task, receipt in sent:
            if isinstance(receipt, Exception):
                await done(task, receipt)
            else:
                self._crash.reach("after_post_record")
                published.append((task, receipt))
        for (task, receipt), reasoning in zip(published, await self._remember(published), strict=True):
            await done(task, reasoning if isinstance(reasoning, Exception) else _result(task, receipt, reasoning))

    def _prepare(self, task: Task) -> tuple[str, PostRequest] | Result:
        """The platform and the post for a task, or the failed result of a platform that is not configured."""
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
        return name, PostRequest(
            idempotency_key=task.task_id,
            tenant_id=task.tenant_id,
            agent_id=task.agent_id,
            campaign_id=task.campaign_id,
            text=text,
            disclosure=self._disclosure,
            writer=str(task.payload.get("provider", "unknown")),
            reply_to=task.payload.get("reply_to"),
        )

    async def _remember(self, published: list[tuple[Task, Receipt]]) -> list[list[str] | Exception]:
        """The reasoning for each published post, with what became of its memory (its error if refused)."""
        notes = [[f"published to {r.platform} as {r.ref}"] for _, r in published]
        if self._memory is None or not published:
            return list(notes)
        # keyed by the task, so a retried post is remembered once
        ids = await self._memory.remember_many([
            (t.agent_id, r.text, [r.platform, *(str(h) for h in t.payload.get("hashtags", []))], t.task_id)
            for t, r in published
        ])  # fmt: skip
        out: list[list[str] | Exception] = []
        for (task, _), note, memory_id in zip(published, notes, ids, strict=True):
            if isinstance(memory_id, ToolError):  # the post is out; losing its memory must not undo that
                log.warning("task %s: published but not remembered: %s", task.task_id, memory_id)
                out.append([*note, f"not remembered: {memory_id}"])
            elif isinstance(memory_id, Exception):
                out.append(memory_id)
            else:
                out.append([*note, f"remembered as memory #{memory_id}"])
        return out


def _result(task: Task, receipt: Receipt, reasoning: list[str]) -> Result:
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

    def __init__(self, publishing: Publishing, policies: dict[str, PlatformPolicy]) -> None:
        super().__init__(publishing)
        self._policies = policies

    def _prepare(self, task: Task) -> tuple[str, PostRequest] | Result:
        """Refuse a reply the policy does not allow; otherwise prepare it as an answer."""
        p = task.payload
        platform = str(p.get("platform", ""))
        why = reply_refusal(self._policies.get(platform, PlatformPolicy()), str(p.get("kind", "")),
                            str(p.get("author", "")))  # fmt: skip
        if why is not None:
            raise Refusal(f"no reply: {why}")
        if not p.get("reply_to"):
            raise Refusal("no reply: the task does not say what it answers")
        return super()._prepare(task)
