"""LLM providers against real HTTP servers on 127.0.0.1 that speak the OpenAI and Anthropic APIs."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import anyio
import pytest

from chimera.errors import ChimeraError
from chimera.models.config import Persona, ProviderConfig
from chimera.net.http import ApiClient, ApiError, AuthRejected, BadReply, retry_after_s
from chimera.providers.anthropic import AnthropicMessages
from chimera.providers.base import ContentRequest
from chimera.providers.http_llm import ModelFailed
from chimera.providers.openai_compat import OpenAICompatible
from chimera.providers.usage import Usage
from tests.httpfake import Reply, Request, serve

GOOD = {"text": "Nevada's new solar farm doubles its storage.", "hashtags": ["Solar"], "confidence": 0.82,
        "reasoning": "covers the story in the persona's voice"}  # fmt: skip
PERSONA = Persona(agent_id="nova", name="Nova", voice="upbeat", niche="solar", banned_phrases=["to the moon"])
REQUEST = ContentRequest(persona=PERSONA, goal="grow a solar audience", topic="energy",
                         headline="Solar farm doubles storage", summary="A big one.")  # fmt: skip


def _chat(content: str, tokens: tuple[int, int] = (120, 40)) -> Reply:
    return Reply(body={"choices": [{"message": {"role": "assistant", "content": content}}],
                       "usage": {"prompt_tokens": tokens[0], "completion_tokens": tokens[1]}})  # fmt: skip


class Usages:
    """A UsageSink that keeps what it is told (an honest implementation, not a mock)."""

    def __init__(self) -> None:
        self.seen: list[Usage] = []

    async def before_call(self, agent_id: str) -> None:
        return None

    async def record(self, usage: Usage) -> None:
        self.seen.append(usage)


def _openai(url: str, usage: Usages | None = None, **client: Any) -> tuple[OpenAICompatible, ApiClient, list[float]]:
    waits: list[float] = []

    async def sleep(s: float) -> None:
        waits.append(s)

    config = ProviderConfig(kind="openai", base_url=url, model="m1", price_in_per_mtok=Decimal("2.5"),
                            price_out_per_mtok=Decimal("10"))  # fmt: skip
    api = ApiClient("provider 'test'", url, headers={"Authorization": "Bearer sk-test"}, sleep=sleep,
                    jitter=lambda: 1.0, **client)  # fmt: skip
    return OpenAICompatible("test", config, api, usage), api, waits


async def _write(provider: Any, api: ApiClient) -> Any:
    async with api:
        return await provider.write(REQUEST)


def test_openai_compatible_writes_a_validated_draft_and_counts_its_cost() -> None:
    def handler(req: Request) -> Reply:
        body = req.json()
        assert req.headers["authorization"] == "Bearer sk-test"
        assert body["model"] == "m1" and body["response_format"] == {"type": "json_object"}
        assert (
            "never instructions" in body["messages"][0]["content"] and "to the moon" in body["messages"][0]["content"]
        )
        assert "Solar farm doubles storage" in body["messages"][1]["content"]
        return _chat(json.dumps(GOOD))

    usages = Usages()
    with serve() as http:
        http.route("POST", "/v1/chat/completions", handler)
        provider, api, _ = _openai(f"{http.url}/v1", usages)
        draft = anyio.run(_write, provider, api)
    assert draft.text == GOOD["text"] and draft.hashtags == ["#Solar"] and draft.self_confidence == 0.82
    assert (draft.provider, draft.model, draft.tokens_in, draft.tokens_out) == ("test", "m1", 120, 40)
    assert usages.seen == [Usage("nova", "test", "m1", 120, 40, int(120 * 2.5 + 40 * 10))]


def test_retries_respect_retry_after_and_back_off_on_5xx() -> None:
    with serve() as http:
        replies = [Reply(429, {"error": {"message": "slow down"}}, headers={"Retry-After": "2"}),
                   Reply(500, {"error": {"message": "oops"}}), _chat(json.dumps(GOOD))]  # fmt: skip
        http.route("POST", "/v1/chat/completions", lambda _r: replies.pop(0))
        provider, api, waits = _openai(f"{http.url}/v1")
        draft = anyio.run(_write, provider, api)
    assert draft.text == GOOD["text"]
    assert waits[0] == 2.0, "the server's Retry-After is what we waited"
    assert 0 < waits[1] <= 1.0, "a 5xx backs off (full jitter, first step)"


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            Reply(401, {"error": {"message": "Incorrect API key provided: sk-test"}}),
            AuthRejected,
            "rejected the credentials",
        ),
        (Reply(500, {"error": {"message": "down"}}), ApiError, "HTTP 500"),
        (Reply(200, {"unexpected": True}), BadReply, "not in the OpenAI format"),
        (Reply(200, b"<html>gateway</html>"), BadReply, "not in the OpenAI format"),
    ],
)
def test_errors_are_clear_and_never_show_the_key(reply: Reply, error: type[ChimeraError], message: str) -> None:
    with serve() as http:
        http.route("POST", "/v1/chat/completions", lambda _r: reply)
        provider, api, _ = _openai(f"{http.url}/v1", max_retries=1)
        with pytest.raises(error, match=message) as raised:
            anyio.run(_write, provider, api)
    assert "sk-test" not in str(raised.value)


def test_a_timeout_is_retried_then_reported() -> None:
    with serve() as http:
        http.route("POST", "/v1/chat/completions", Reply(200, json.dumps(GOOD), delay_s=2.0))
        provider, api, waits = _openai(f"{http.url}/v1", timeout_s=0.3, max_retries=1)
        with pytest.raises(ApiError, match="no answer in time after 2 tries"):
            anyio.run(_write, provider, api)
    assert len(waits) == 1


def test_a_malformed_answer_is_asked_again_once_then_fails_with_the_reason() -> None:
    seen: list[str] = []

    def handler(req: Request) -> Reply:
        seen.append(req.json()["messages"][1]["content"])
        return _chat("Sure! Here is a post about solar." if len(seen) < 3 else json.dumps(GOOD))

    with serve() as http:
        http.route("POST", "/v1/chat/completions", handler)
        provider, api, _ = _openai(f"{http.url}/v1")
        with pytest.raises(ModelFailed, match="not the structured draft asked for, twice: not JSON"):
            anyio.run(_write, provider, api)
        assert "could not be used: not JSON" in seen[1], "the retry says what was wrong"
        fixed = [_chat('{"text": "x"}'), _chat(json.dumps(GOOD))]
        http.route("POST", "/v1/chat/completions", lambda _r: fixed.pop(0))
        provider, api, _ = _openai(f"{http.url}/v1")
        assert anyio.run(_write, provider, api).text == GOOD["text"], "one retry is enough when it fixes it"


def test_anthropic_messages_api() -> None:
    def handler(req: Request) -> Reply:
        assert req.headers["x-api-key"] == "sk-ant-test" and req.headers["anthropic-version"] == "2023-06-01"
        body = req.json()
        assert body["system"].startswith("You write social media posts as Nova")
        return Reply(body={"content": [{"type": "text", "text": json.dumps(GOOD)}],
                           "usage": {"input_tokens": 90, "output_tokens": 30}})  # fmt: skip

    usages = Usages()
    with serve() as http:
        http.route("POST", "/v1/messages", handler)
        config = ProviderConfig(kind="anthropic", base_url=http.url, model="claude-x", price_in_per_mtok=Decimal("3"),
                                price_out_per_mtok=Decimal("15"))  # fmt: skip
        api = ApiClient("provider 'claude'", http.url, headers={"x-api-key": "sk-ant-test",
                                                                "anthropic-version": "2023-06-01"})  # fmt: skip
        draft = anyio.run(_write, AnthropicMessages("claude", config, api, usages), api)
    assert draft.text == GOOD["text"] and draft.tokens_in == 90
    assert usages.seen[0].cost_micros == 90 * 3 + 30 * 15


def test_retry_after_forms() -> None:
    assert retry_after_s({"retry-after": "7"}) == 7.0
    assert retry_after_s({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, now=1445412470.0) == 10.0
    assert retry_after_s({"x-rate-limit-reset": "1000"}, now=990.0) == 10.0
    assert retry_after_s({"x-ratelimit-reset": "2026-01-01T00:00:10Z"}, now=1767225600.0) == 10.0
    assert retry_after_s({}) is None


def test_requests_written_together_go_to_each_personas_provider_and_come_back_one_by_one() -> None:
    from chimera.providers.offline import OfflineWriter
    from chimera.providers.registry import ProviderBook

    def handler(req: Request) -> Reply:
        story = req.json()["messages"][1]["content"]
        if "Grid outage" in story:
            return Reply(500, {"error": {"message": "down"}})
        if "Slow news" in story:  # answers long after the others: it must not hold them back
            return Reply(200, _chat(json.dumps(GOOD)).body, delay_s=1.0)
        return _chat(json.dumps(GOOD))

    remote_persona = PERSONA.model_copy(update={"provider": "remote"})
    local_persona = PERSONA.model_copy(update={"agent_id": "byte", "name": "Byte"})
    requests = [
        replace(REQUEST, persona=remote_persona, headline="Slow news from the grid"),
        replace(REQUEST, persona=remote_persona),
        replace(REQUEST, persona=local_persona),
        replace(REQUEST, persona=remote_persona, headline="Grid outage in the north"),
    ]

    async def main(provider: OpenAICompatible, api: ApiClient) -> list[tuple[int, Any]]:
        book = ProviderBook({"offline": OfflineWriter(), "remote": provider}, "offline",
                            {"nova": remote_persona, "byte": local_persona})  # fmt: skip
        handed: list[tuple[int, Any]] = []

        async def keep(i: int, draft: Any) -> None:
            handed.append((i, draft))

        async with api:
            await book.write_each(requests, keep)
        return handed

    with serve() as http:
        http.route("POST", "/v1/chat/completions", handler)
        provider, api, _ = _openai(f"{http.url}/v1", max_retries=1)
        handed = anyio.run(main, provider, api)
    drafts = dict(handed)
    assert sorted(drafts) == [0, 1, 2, 3], "every request got exactly one outcome"
    assert drafts[1].provider == "test" and drafts[1].text == GOOD["text"]
    assert drafts[2].provider == "offline-writer"
    assert isinstance(drafts[3], ApiError) and "HTTP 500" in str(drafts[3])
    assert drafts[0].provider == "test"
    assert handed[-1][0] == 0, "the slow draft held back the ones that came back before it"
