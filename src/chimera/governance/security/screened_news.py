"""A NewsSource whose every item has passed the security gateway (MCP tool results are outside input too)."""

from __future__ import annotations

from chimera.governance.security.gateway import SecurityGateway
from chimera.mcp.news_client import NewsSource
from chimera.models.news import NewsItem


class ScreenedNews:
    """Wraps a NewsSource; blocked items never reach a skill or a model."""

    def __init__(self, source: NewsSource, gateway: SecurityGateway) -> None:
        self._source = source
        self._gateway = gateway
        self.name = source.name

    async def latest(self) -> list[NewsItem]:
        """The source's latest items that pass."""
        return await self._gateway.screen_items(await self._source.latest(), self.name)

    async def trends(self, topic: str, limit: int) -> list[NewsItem]:
        """The source's trend items that pass."""
        return await self._gateway.screen_items(await self._source.trends(topic, limit), f"{self.name}:fetch_trends")
