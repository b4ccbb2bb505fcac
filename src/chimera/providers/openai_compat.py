"""Any OpenAI-compatible chat-completions endpoint: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from chimera.net.http import BadReply
from chimera.providers.http_llm import Completion, HttpLLM


class _Message(BaseModel):
    content: str | None = None


class _Choice(BaseModel):
    message: _Message


class _Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Reply(BaseModel):
    choices: list[_Choice]
    usage: _Usage = _Usage()


class OpenAICompatible(HttpLLM):
    """``POST {base_url}/chat/completions`` asking for a JSON object."""

    async def complete(self, system: str, user: str) -> Completion:
        """One chat completion."""
        body: dict[str, Any] = {
            "model": self._config.model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "max_tokens": self._config.max_tokens,
            "response_format": {"type": "json_object"},
        }
        response = await self._client.request("POST", "/chat/completions", json=body)
        self._client.raise_for(response, "a chat completion")
        try:
            reply = _Reply.model_validate_json(response.content)
        except ValidationError:
            raise BadReply(f"{self.name}: the chat-completions answer is not in the OpenAI format", 200) from None
        if not reply.choices or reply.choices[0].message.content is None:
            raise BadReply(f"{self.name}: the chat-completions answer has no message content", 200)
        return Completion(reply.choices[0].message.content, reply.usage.prompt_tokens, reply.usage.completion_tokens)
