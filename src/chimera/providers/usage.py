"""What a model call cost, and the seam that counts it against an agent's budget."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and cost of one model call (cost in millionths of a US dollar)."""

    agent_id: str
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    cost_micros: int


def cost_micros(tokens_in: int, tokens_out: int, price_in_per_mtok: Decimal, price_out_per_mtok: Decimal) -> int:
    """Dollars per million tokens are micro-dollars per token."""
    return int(tokens_in * price_in_per_mtok + tokens_out * price_out_per_mtok)


class UsageSink(Protocol):
    """Counts model spend: may refuse a call before it is made, records it after."""

    async def before_call(self, agent_id: str) -> None:
        """Raise a Refusal if the agent may not spend on models now."""
        ...

    async def record(self, usage: Usage) -> None:
        """Count one call."""
        ...
