"""What a provider is asked to write and what it answers: one of each per generate_content task.

Both were NamedTuples, made on the event loop through a Python-level
``__new__`` (~3,100 instructions each); now they follow the rule for objects
made per task (``specs/technical.md``, Build): a compiled module, classes
with written-out ``__init__``s, native once compiled. ``@dataclass`` gives
``repr`` and ``==``; ``dataclasses.replace`` makes a changed copy. Nothing
changes one after it is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from chimera.models.config import Persona


@dataclass(init=False)
class ContentRequest:
    """What a post should be about and who writes it."""

    persona: Persona
    goal: str
    topic: str
    headline: str
    summary: str
    attempt: int
    max_chars: int
    recent: tuple[str, ...]
    """The agent's earlier posts closest to this story; a draft should not repeat them."""

    def __init__(
        self,
        persona: Persona,
        goal: str,
        topic: str,
        headline: str,
        summary: str,
        attempt: int = 0,
        max_chars: int = 280,
        recent: tuple[str, ...] = (),
    ) -> None:
        self.persona = persona
        self.goal = goal
        self.topic = topic
        self.headline = headline
        self.summary = summary
        self.attempt = attempt
        self.max_chars = max_chars
        self.recent = recent


@dataclass(init=False)
class Draft:
    """A provider's answer: the text plus its own view of it."""

    text: str
    hashtags: list[str]
    self_confidence: float
    reasoning: str
    provider: str
    model: str
    tokens_in: int
    tokens_out: int

    def __init__(
        self,
        text: str,
        hashtags: list[str],
        self_confidence: float,
        reasoning: str,
        provider: str,
        model: str,
        tokens_in: int = 0,
        tokens_out: int = 0,
    ) -> None:
        self.text = text
        self.hashtags = hashtags
        self.self_confidence = self_confidence
        self.reasoning = reasoning
        self.provider = provider
        self.model = model
        self.tokens_in = tokens_in
        self.tokens_out = tokens_out
