"""Embeddings from an OpenAI-compatible ``/embeddings`` endpoint (optional vector ranking for memory)."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from pydantic import BaseModel, ValidationError

from chimera.errors import ToolError
from chimera.settings import Secret


class _Vector(BaseModel):
    index: int
    embedding: list[float]


class _Reply(BaseModel):
    data: list[_Vector]


class HttpEmbedder:
    """Calls ``POST {base_url}/embeddings``; every failure is a ToolError saying what the endpoint did."""

    def __init__(self, base_url: str, model: str, key: Secret | None, timeout_s: float = 20.0) -> None:
        headers = {"Authorization": f"Bearer {key.reveal()}"} if key is not None else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s)
        self._model = model

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order."""
        try:
            reply = self._client.post("/embeddings", json={"model": self._model, "input": list(texts)})
        except httpx.HTTPError as exc:
            raise ToolError(f"embeddings endpoint failed: {type(exc).__name__}") from None
        if reply.status_code != 200:
            raise ToolError(f"embeddings endpoint answered HTTP {reply.status_code}")
        try:
            vectors = sorted(_Reply.model_validate_json(reply.content).data, key=lambda v: v.index)
        except ValidationError:
            raise ToolError("embeddings endpoint answered with a body that is not an embeddings list") from None
        if len(vectors) != len(texts):
            raise ToolError(f"embeddings endpoint returned {len(vectors)} vectors for {len(texts)} texts")
        return [v.embedding for v in vectors]
