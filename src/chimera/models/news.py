"""A news item as the news MCP server serves it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NewsItem(BaseModel):
    """One headline with its topic, tags and source."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    """Stable id; perception never emits the same id twice for a campaign."""
    title: str = Field(min_length=1, max_length=500)
    """Headline."""
    summary: str = Field(default="", max_length=4000)
    """A sentence or two."""
    topic: str = Field(min_length=1, max_length=64)
    """Main topic."""
    tags: list[str] = Field(default_factory=list)
    """Further topics or keywords."""
    source: str = ""
    """Who published it."""
    published_at: str = ""
    """ISO 8601 time of publication."""
    link: str = ""
    """Where the story is, when the source gave one."""
    trend: float = Field(default=0.0, ge=0, le=1)
    """Trend score from recency and velocity (set by the news server; 0 when unknown)."""
    velocity: int = Field(default=1, ge=1)
    """How many sources carry this story (set by the news server)."""
