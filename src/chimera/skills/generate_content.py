"""generate_content: a draft post in the persona's voice, from an LLM provider.

Before writing, the agent recalls its own earlier posts closest to the story
(memory MCP server), so the writer can avoid repeating itself and the Judge
can check that it did.
"""

from __future__ import annotations

import logging

from chimera.errors import ToolError
from chimera.models.work import Result, Task, TaskType
from chimera.providers.base import ContentRequest, LLMProvider
from chimera.skills.base import AgentMemory, FleetView

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
        self._recall = recall

    async def run(self, task: Task) -> Result:
        """Write one draft; the attempt number lets a retry come out differently."""
        campaign = self._view.campaign(task.campaign_id)
        persona = self._view.persona(task.agent_id)
        p = task.payload
        headline = str(p.get("headline", ""))
        recalled: list[dict[str, object]] = []
        notes: list[str] = []
        if self._memory is not None and self._recall > 0:
            try:
                found = await self._memory.recall(task.agent_id, headline, self._recall)
                recalled = [{"memory_id": m.memory_id, "content": m.content} for m in found]
                notes.append(f"recalled {len(found)} earlier posts from {self._memory.name}")
            except ToolError as exc:  # a memory outage must not stop writing; the trace says so
                log.warning("task %s: memory unavailable: %s", task.task_id, exc)
                notes.append(f"memory unavailable: {exc}")
        draft = await self._provider.write(
            ContentRequest(
                persona=persona,
                goal=campaign.goal,
                topic=str(p.get("topic", "")),
                headline=headline,
                summary=str(p.get("summary", "")),
                attempt=task.attempt,
                max_chars=self._max_chars,
                recent=tuple(str(m["content"]) for m in recalled),
            )
        )
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
