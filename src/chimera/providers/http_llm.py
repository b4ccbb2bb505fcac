"""The shared shape of HTTP model providers: ask, validate, retry a malformed answer once, count the cost."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from chimera.errors import Failure
from chimera.models.config import ProviderConfig
from chimera.net.http import ApiClient
from chimera.outcomes import OnEach, each
from chimera.providers.base import ContentRequest, Draft
from chimera.providers.structured import MalformedReply, parse_reply, system_prompt, user_prompt
from chimera.providers.usage import Usage, UsageSink, cost_micros


class ModelFailed(Failure):
    """The model could not produce a usable draft (after the one retry a malformed answer gets)."""


@dataclass(frozen=True, slots=True)
class Completion:
    """A model's raw answer and its token counts."""

    content: str
    tokens_in: int
    tokens_out: int


class HttpLLM(ABC):
    """An LLMProvider over an HTTP API; subclasses say how to call it."""

    def __init__(self, name: str, config: ProviderConfig, client: ApiClient, usage: UsageSink | None = None) -> None:
        self.name = name
        self._config = config
        self._client = client
        self._usage = usage

    @abstractmethod
    async def complete(self, system: str, user: str) -> Completion:
        """One call to the model."""

    async def write(self, request: ContentRequest) -> Draft:
        """A validated draft; a malformed answer is asked for again once, then the task fails with the reason."""
        agent = request.persona.agent_id
        nudge: str | None = None
        for _ in range(2):
            if self._usage is not None:
                await self._usage.before_call(agent)
            completion = await self.complete(system_prompt(request), user_prompt(request, nudge))
            await self._count(agent, completion)
            try:
                reply = parse_reply(completion.content)
            except MalformedReply as exc:
                nudge = str(exc)
                continue
            tags = [t if t.startswith("#") else f"#{t}" for t in reply.hashtags]
            return Draft(
                text=reply.text,
                hashtags=tags,
                self_confidence=reply.confidence,
                reasoning=reply.reasoning,
                provider=self.name,
                model=self._config.model,
                tokens_in=completion.tokens_in,
                tokens_out=completion.tokens_out,
            )
        raise ModelFailed(f"{self.name}: the model's answer was not the structured draft asked for, twice: {nudge}")

    async def write_each(self, requests: Sequence[ContentRequest], on_draft: OnEach[Draft]) -> None:
        """One call per request, all in flight at once (the client caps how many reach the API)."""
        await each(self.write, requests, on_draft)

    async def _count(self, agent: str, c: Completion) -> None:
        if self._usage is None:
            return
        cost = cost_micros(c.tokens_in, c.tokens_out, self._config.price_in_per_mtok, self._config.price_out_per_mtok)
        await self._usage.record(Usage(agent, self.name, self._config.model, c.tokens_in, c.tokens_out, cost))

    async def verify(self) -> str:
        """A cheap authenticated call (for ``chimera doctor``); returns what it saw."""
        response = await self._client.request("GET", "/models")
        self._client.raise_for(response, "listing models")
        return f"{self._client.name}: credentials accepted, model {self._config.model}"
