"""The offline writer's choice of template, against its written-out definition.

It builds only the templates it needs (usually one); the draft must be the
one that building all of them and taking the first that does not repeat a
recalled post, in turn from the request's starting point, would give.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chimera.models.config import Persona
from chimera.providers.base import ContentRequest, Draft, UnusableRequest
from chimera.providers.offline import REPEAT_AT, OfflineWriter
from chimera.text import similarity

_WORDS = st.sampled_from(["Solar", "farm", "grid", "battery", "online", "vote", "court", "the", "Nevada", "."])
_LINE = st.lists(_WORDS, min_size=1, max_size=12).map(" ".join)


def _clause(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _expected_text(r: ContentRequest) -> str:
    p, head = r.persona, _clause(r.headline)
    summary = _clause(r.summary) if r.summary else head
    options = [
        f"{head}. {summary}. For anyone following {p.niche}, this one is worth a closer look.",
        f"Worth your time today: {head[0].lower() + head[1:]}. {summary}.",
        f"Some days the feed is all noise. {p.name} is keeping an eye on {r.topic} so you do not have to.",
        f"{p.name} on {r.topic}: {head}. What would you ask the people behind it?",
    ]
    start = zlib.crc32(f"{p.agent_id}|{r.headline}".encode()) + r.attempt
    for step in range(len(options)):
        text = options[(start + step) % len(options)]
        if not any(similarity(text, old) >= REPEAT_AT for old in r.recent):
            return text
    return options[start % len(options)]


@settings(max_examples=200, deadline=None)
@given(
    agent=st.sampled_from(["nova", "kai", "ada"]),
    headline=_LINE.filter(lambda s: _clause(s) != ""),  # an empty one fails: the test below
    summary=st.just("") | _LINE,
    attempt=st.integers(0, 3),
    recent=st.lists(st.sampled_from(["x"]) | _LINE, max_size=3),
    repeat=st.integers(0, 4),
)
def test_the_draft_is_the_first_template_in_turn_that_repeats_no_recalled_post(
    agent: str, headline: str, summary: str, attempt: int, recent: list[str], repeat: int
) -> None:
    persona = Persona(agent_id=agent, name=agent.title(), voice="plain", niche="solar power")
    request = ContentRequest(persona, "grow", "energy", headline, summary, attempt, max_chars=1000)
    if repeat < 4:  # recall the very post some template would write, so the writer must move on
        request = replace(request, recent=(*recent, _expected_text(request)))
    draft = OfflineWriter()._draft(request)
    assert draft.text == _expected_text(request)


@pytest.mark.parametrize("headline", ["", " ", "...", " ..\n"])
def test_a_request_without_a_headline_fails_with_a_clear_error(headline: str) -> None:
    persona = Persona(agent_id="nova", name="Nova", voice="plain", niche="solar power")
    with pytest.raises(UnusableRequest, match="needs a headline to write about"):
        OfflineWriter()._draft(ContentRequest(persona, "grow", "energy", headline, "A summary."))


def test_in_a_batch_only_the_request_without_a_headline_fails() -> None:
    persona = Persona(agent_id="nova", name="Nova", voice="plain", niche="solar power")
    requests = [ContentRequest(persona, "grow", "energy", h, "") for h in ("Solar farm online", "...", "Grid news")]
    got: dict[int, object] = {}

    async def on_draft(i: int, draft: object) -> None:
        got[i] = draft

    anyio.run(OfflineWriter().write_each, requests, on_draft)
    assert isinstance(got[1], UnusableRequest)
    assert isinstance(got[0], Draft) and isinstance(got[2], Draft)


def test_when_every_template_repeats_the_first_in_turn_is_written() -> None:
    persona = Persona(agent_id="nova", name="Nova", voice="plain", niche="solar power")
    request = ContentRequest(persona, "grow", "energy", "Solar farm online", "Batteries help", max_chars=1000)
    writer = OfflineWriter()
    every = tuple(text() for text, _, _ in writer._candidates(request))
    assert writer._draft(replace(request, recent=every)).text == _expected_text(replace(request, recent=every))
    assert _expected_text(replace(request, recent=every)) == _expected_text(request)  # the first in turn
