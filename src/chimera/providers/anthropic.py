"""Anthropic's messages API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from chimera.net.http import BadReply
from chimera.providers.http_llm import Completion, HttpLLM

API_VERSION = "2023-06-01"


class _Block(BaseModel):
    type: str
    text: str | None = None


class _Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0


class _Reply(BaseModel):
    content: list[_Block]
    usage: _Usage = _Usage()


class AnthropicMessages(HttpLLM):
    """``POST {base_url}/v1/messages``; the answer is the text blocks joined."""

    async def complete(self, system: str, user: str) -> Completion:
        """One message."""
        body: dict[str, Any] = {
            "model": self._config.model,
            "max_tokens": self._config.max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": user}],
        }
        response = await self._client.request("POST", "/v1/messages", json=body)
        self._client.raise_for(response, "a message")
        try:
            reply = _Reply.model_validate_json(response.content)
        except ValidationError:
            raise BadReply(f"{self.name}: the messages answer is not in Anthropic's format", 200) from None
        text = "".join(b.text or "" for b in reply.content if b.type == "text")
        if not text:
            raise BadReply(f"{self.name}: the messages answer has no text", 200)
        return Completion(text, reply.usage.input_tokens, reply.usage.output_tokens)

    async def verify(self) -> str:
        """List models with the key (a cheap authenticated call)."""
        response = await self._client.request("GET", "/v1/models")
        self._client.raise_for(response, "listing models")
        return f"{self._client.name}: credentials accepted, model {self._config.model}"
