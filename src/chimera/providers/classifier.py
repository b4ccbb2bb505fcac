"""An optional injection classifier behind an HTTP endpoint: POST {"text": ...} answers {"score": 0..1}."""

from __future__ import annotations

from types import TracebackType

import httpx
from pydantic import BaseModel, Field, ValidationError

from chimera.errors import ToolError
from chimera.settings import Secret


class _Score(BaseModel):
    score: float = Field(ge=0, le=1)


class HttpClassifier:
    """The gateway's classifier hook over HTTP; an async context manager that owns its connection pool."""

    def __init__(self, url: str, key: Secret | None = None, timeout_s: float = 5.0) -> None:
        headers = {"Authorization": f"Bearer {key.reveal()}"} if key is not None else {}
        self._url = url
        self._client = httpx.AsyncClient(headers=headers, timeout=timeout_s)

    async def __aenter__(self) -> HttpClassifier:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._client.aclose()

    async def __call__(self, text: str) -> float:
        """The endpoint's score for ``text``; a ToolError if it cannot give one."""
        try:
            reply = await self._client.post(self._url, json={"text": text})
        except httpx.HTTPError as exc:
            raise ToolError(f"classifier at {self._url} failed: {type(exc).__name__}") from None
        if reply.status_code != 200:
            raise ToolError(f"classifier at {self._url} answered HTTP {reply.status_code}")
        try:
            return _Score.model_validate_json(reply.content).score
        except ValidationError:
            raise ToolError(f"classifier at {self._url} answered without a score in [0, 1]") from None
