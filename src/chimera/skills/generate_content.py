"""generate_content: a draft post in the persona's voice, from an LLM provider.

Before writing, the agent recalls its own earlier posts closest to the story
(memory MCP server), so the writer can avoid repeating itself and the Judge
can check that it did.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from chimera.errors import ToolError
from chimera.mcp.memory_client import Recalled
from chimera.models.records import Result, Task
from chimera.models.work import TaskType
from chimera.providers.base import ContentRequest, Draft, LLMProvider
from chimera.skills.base import AgentMemory, Done, FleetView

log = logging.getLogger("chimera.skills")


class GenerateContent:
    """Asks the provider for a draft about the task's trend."""

    task_type = TaskType.GENERATE_CONTENT

    def __init__(
        self, provider: LLMProvider, view: FleetView, max_chars: int, memory: AgentMemory | None = None, recall: int = 3
    ) -> None:
        self._provider = provider
        self._view = view
        self._max_chars = max_chars
        self._memory = memory
        self._recall_limit = recall

    async def run_batch(self, tasks: list[Task], done: Done) -> None:
        """Write a draft for each task (recalled together, written at once, each handed on when it is in)."""
        recalls = await self._recall(tasks)
        asked: list[tuple[Task, ContentRequest, list[dict[str, object]], list[str]]] = []
        for task, recall in zip(tasks, recalls, strict=True):
            try:
                recalled, notes = self._recalled(task, recall)
                asked.append((task, self._request(task, recalled), recalled, notes))
            except Exception as exc:  # e.g. a refused memory search: that task's error
                await done(task, exc)

        async def drafted(i: int, draft: Draft | Exception) -> None:
            task, _, recalled, notes = asked[i]
            await done(task, draft if isinstance(draft, Exception) else _result(task, draft, recalled, notes))

        if asked:
            await self._provider.write_each([request for _, request, _, _ in asked], drafted)

    async def _recall(self, tasks: list[Task]) -> Sequence[list[Recalled] | Exception | None]:
        """Each task's earlier posts closest to its story (None: no memory to ask)."""
        if self._memory is None or self._recall_limit <= 0:
            return [None] * len(tasks)
        return await self._memory.recall_many(
            [(t.agent_id, str(t.payload.get("headline", "")), self._recall_limit) for t in tasks]
        )

    def _recalled(
        self, task: Task, recall: list[Recalled] | Exception | None
    ) -> tuple[list[dict[str, object]], list[str]]:
        if recall is None:
            return [], []
        assert self._memory is not None
        if isinstance(recall, ToolError):  # a memory outage must not stop writing; the trace says so
            log.warning("task %s: memory unavailable: %s", task.task_id, recall)
            return [], [f"memory unavailable: {recall}"]
        if isinstance(recall, Exception):
            raise recall
        recalled: list[dict[str, object]] = [{"memory_id": m.memory_id, "content": m.content} for m in recall]
        return recalled, [f"recalled {len(recall)} earlier posts from {self._memory.name}"]

    def _request(self, task: Task, recalled: list[dict[str, object]]) -> ContentRequest:
        campaign = self._view.campaign(task.campaign_id)
        p = task.payload
        return ContentRequest(
            persona=self._view.persona(task.agent_id),
            goal=campaign.goal,
            topic=str(p.get("topic", "")),
            headline=str(p.get("headline", "")),
            summary=str(p.get("summary", "")),
            attempt=task.attempt,
            max_chars=self._max_chars,
            recent=tuple(str(m["content"]) for m in recalled),
        )


def _result(task: Task, draft: Draft, recalled: list[dict[str, object]], notes: list[str]) -> Result:
    return Result(
        task=task,
        ok=True,
        output={
            "text": draft.text,
            "hashtags": draft.hashtags,
            "provider": draft.provider,
            "model": draft.model,
            "tokens_in": draft.tokens_in,
            "tokens_out": draft.tokens_out,
            "recalled": recalled,
        },
        confidence=draft.self_confidence,
        reasoning=[f"writer {draft.provider}/{draft.model}: {draft.reasoning}", *notes],
        produced_by=draft.provider,
    )
