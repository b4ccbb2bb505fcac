"""generate_content: a draft post in the persona's voice, from an LLM provider."""

from __future__ import annotations

from chimera.models.work import Result, Task, TaskType
from chimera.providers.base import ContentRequest, LLMProvider
from chimera.skills.base import FleetView


class GenerateContent:
    """Asks the provider for a draft about the task's trend."""

    task_type = TaskType.GENERATE_CONTENT

    def __init__(self, provider: LLMProvider, view: FleetView, max_chars: int) -> None:
        self._provider = provider
        self._view = view
        self._max_chars = max_chars

    async def run(self, task: Task) -> Result:
        """Write one draft; the attempt number lets a retry come out differently."""
        campaign = self._view.campaign(task.campaign_id)
        persona = self._view.persona(task.agent_id)
        p = task.payload
        draft = await self._provider.write(
            ContentRequest(
                persona=persona,
                goal=campaign.goal,
                topic=str(p.get("topic", "")),
                headline=str(p.get("headline", "")),
                summary=str(p.get("summary", "")),
                attempt=task.attempt,
                max_chars=self._max_chars,
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
            },
            confidence=draft.self_confidence,
            reasoning=[f"writer {draft.provider}/{draft.model}: {draft.reasoning}"],
            produced_by=draft.provider,
        )
