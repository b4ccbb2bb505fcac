"""Building the configured providers and choosing one per persona."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack

import anyio

from chimera.errors import ConfigError
from chimera.models.config import LlmPolicy, Persona, ProviderConfig
from chimera.net.http import ApiClient
from chimera.outcomes import OnEach
from chimera.providers.anthropic import API_VERSION, AnthropicMessages
from chimera.providers.base import ContentRequest, Draft, LLMProvider
from chimera.providers.http_llm import HttpLLM
from chimera.providers.offline import OfflineWriter
from chimera.providers.openai_compat import OpenAICompatible
from chimera.providers.usage import UsageSink
from chimera.secret_store import SecretStore

ANTHROPIC_URL = "https://api.anthropic.com"


async def open_provider(
    name: str, config: ProviderConfig, secrets: SecretStore, stack: AsyncExitStack, usage: UsageSink | None = None
) -> HttpLLM:
    """An HTTP provider whose client lives as long as ``stack``."""
    key = secrets.get(config.api_key) if config.api_key else None
    if config.api_key and key is None:
        raise ConfigError("fleet.toml", f"the secret {config.api_key} is not set (environment or keyring)",
                          f"llm.providers.{name}.api_key")  # fmt: skip
    if config.kind == "anthropic":
        headers = {"anthropic-version": API_VERSION, **({"x-api-key": key.reveal()} if key else {})}
        base = config.base_url or ANTHROPIC_URL
    elif config.base_url is None:
        raise ConfigError("fleet.toml", "an openai-compatible provider needs base_url", f"llm.providers.{name}")
    else:
        headers = {"Authorization": f"Bearer {key.reveal()}"} if key else {}
        base = config.base_url
    client = ApiClient(
        f"provider '{name}'", base, headers=headers, timeout_s=config.timeout_s, max_retries=config.max_retries,
        max_concurrency=config.max_concurrency,
    )  # fmt: skip
    await stack.enter_async_context(client)
    kind = AnthropicMessages if config.kind == "anthropic" else OpenAICompatible
    return kind(name, config, client, usage)


class ProviderBook:
    """An LLMProvider that hands each request to its persona's provider (or the fleet's default)."""

    name = "per-persona"

    def __init__(self, providers: dict[str, LLMProvider], default: str, personas: dict[str, Persona]) -> None:
        self._providers = providers
        self._default = default
        self._choice = {a: p.provider or default for a, p in personas.items()}

    def provider_for(self, agent_id: str) -> LLMProvider:
        """The provider that writes for ``agent_id``."""
        return self._providers[self._name_for(agent_id)]

    def _name_for(self, agent_id: str) -> str:
        return self._choice.get(agent_id, self._default)

    async def write(self, request: ContentRequest) -> Draft:
        """Write with the persona's provider."""
        return await self.provider_for(request.persona.agent_id).write(request)

    async def write_each(self, requests: Sequence[ContentRequest], on_draft: OnEach[Draft]) -> None:
        """Each request with its persona's provider: the providers at once, each draft handed on when it is in."""
        groups: dict[str, list[int]] = {}
        for i, request in enumerate(requests):
            groups.setdefault(self._name_for(request.persona.agent_id), []).append(i)

        async def write_group(name: str) -> None:
            indexes = groups[name]
            handed: set[int] = set()

            async def hand_on(j: int, draft: Draft | Exception) -> None:
                handed.add(j)
                await on_draft(indexes[j], draft)

            try:
                await self._providers[name].write_each([requests[i] for i in indexes], hand_on)
            except Exception as exc:  # the provider failed as a whole: each request it still owed says so
                for j in range(len(indexes)):
                    if j not in handed:
                        await on_draft(indexes[j], exc)

        if len(groups) == 1:  # one provider for the whole batch: no task group
            await write_group(next(iter(groups)))
            return
        async with anyio.create_task_group() as tg:
            for name in groups:
                tg.start_soon(write_group, name)

    @property
    def names(self) -> list[str]:
        """Providers in use, by name."""
        return sorted({self._choice[a] for a in self._choice} | {self._default})


async def open_providers(
    policy: LlmPolicy, personas: dict[str, Persona], secrets: SecretStore, stack: AsyncExitStack,
    offline: OfflineWriter, usage: UsageSink | None = None,
) -> ProviderBook:  # fmt: skip
    """Every provider some persona (or the default) uses, opened; unused ones are not touched."""
    wanted = {p.provider or policy.default for p in personas.values()} | {policy.default}
    providers: dict[str, LLMProvider] = {"offline": offline}
    for name in sorted(wanted - {"offline"}):
        config = policy.providers[name]
        providers[name] = offline if config.kind == "offline" else await open_provider(
            name, config, secrets, stack, usage
        )  # fmt: skip
    return ProviderBook(providers, policy.default, personas)
