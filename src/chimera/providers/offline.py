"""The offline writer: deterministic, persona-aware templates, no model at all.

It is the embedded default so a fleet runs with no account and no network.
It is labelled wherever its text shows (``provider = "offline-writer"``),
and it never pretends to be a model. Its templates are deliberately uneven:
some quote the story closely, one is generic filler, so the Judge's checks
have real work to do and retries pick the next template.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache

from chimera.outcomes import OnEach
from chimera.providers.base import ContentRequest, Draft, UnusableRequest
from chimera.text import similarity

#: A template this close to one of the agent's recalled posts is skipped.
REPEAT_AT = 0.6

NAME = "offline-writer"
MODEL = "templates-v1"


@lru_cache(maxsize=4_096)
def _clause(text: str, limit: int = 160) -> str:
    """``text`` on one line, without its final full stop, cut to ``limit`` (memoised: a story's agents share it)."""
    text = " ".join(text.split()).rstrip(".")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


class OfflineWriter:
    """An LLMProvider made of templates; ``latency_ms`` stands in for a model call."""

    name = NAME

    def __init__(self, latency_ms: int = 0) -> None:
        self._latency_s = latency_ms / 1000

    def _candidates(self, r: ContentRequest) -> list[tuple[Callable[[], str], float, str]]:
        """The templates in order, each as (its text when asked for, confidence, why): a draft needs one or two."""
        p = r.persona
        head = _clause(r.headline)
        if not head:  # e.g. a feed item titled "..."; the task fails with this, retried then shown to a human
            raise UnusableRequest(f"the offline writer needs a headline to write about, not {r.headline!r}")
        summary = _clause(r.summary) if r.summary else head
        lead = head[0].lower() + head[1:]
        return [
            (
                lambda: f"{head}. {summary}. For anyone following {p.niche}, this one is worth a closer look.",
                0.9,
                "quotes the headline and summary, then ties them to the persona's niche",
            ),
            (
                lambda: f"Worth your time today: {lead}. {summary}.",
                0.85,
                "leads with the headline and backs it with the summary",
            ),
            (
                lambda: (
                    f"Some days the feed is all noise. {p.name} is keeping an eye on {r.topic} so you do not have to."
                ),
                0.5,
                "generic filler that does not say what happened",
            ),
            (
                lambda: f"{p.name} on {r.topic}: {head}. What would you ask the people behind it?",
                0.8,
                "headline plus a question to the audience",
            ),
        ]

    async def write(self, request: ContentRequest) -> Draft:
        """Pick a template by (agent, headline, attempt), skipping ones that repeat a recalled post."""
        if self._latency_s:
            await asyncio.sleep(self._latency_s)  # the runtime runs on asyncio; anyio.sleep adds ~2 us a call
        return self._draft(request)

    async def write_each(self, requests: Sequence[ContentRequest], on_draft: OnEach[Draft]) -> None:
        """Drafts for requests asked at once: like concurrent model calls, they wait out the latency together."""
        if self._latency_s:
            await asyncio.sleep(self._latency_s)
        for i, request in enumerate(requests):
            try:
                draft: Draft | Exception = self._draft(request)
            except Exception as exc:  # a request the templates cannot serve fails alone
                draft = exc
            await on_draft(i, draft)

    def _draft(self, request: ContentRequest) -> Draft:
        options = self._candidates(request)
        start = zlib.crc32(f"{request.persona.agent_id}|{request.headline}".encode()) + request.attempt
        index = start % len(options)
        for step in range(len(options)):  # the first template that does not repeat an earlier post
            candidate = (start + step) % len(options)
            text = options[candidate][0]()
            if not any(similarity(text, old) >= REPEAT_AT for old in request.recent):
                index = candidate
                break
        else:  # every template repeats one: the first in turn
            text = options[index][0]()
        _, confidence, why = options[index]
        tags = [t if t.startswith("#") else f"#{t}" for t in request.persona.hashtags[:2]]
        body = text
        if tags and len(body) + 1 + len(" ".join(tags)) <= request.max_chars:
            body = f"{body} {' '.join(tags)}"
        if len(body) > request.max_chars:
            body = body[: request.max_chars - 1].rstrip() + "…"
        return Draft(
            text=body,
            hashtags=tags,
            self_confidence=confidence,
            reasoning=f"template {index}: {why}",
            provider=NAME,
            model=MODEL,
            tokens_in=0,
            tokens_out=0,
        )
