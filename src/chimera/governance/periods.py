"""Calendar period keys (day, ISO week, month) in the policy's timezone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chimera.errors import ConfigError
from chimera.models.money import PeriodKeys


def zone(name: str) -> ZoneInfo:
    """The timezone, or a ConfigError naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("fleet.toml", f"unknown timezone '{name}'", "money.timezone") from None


def period_keys(at: float, tz: ZoneInfo) -> PeriodKeys:
    """Keys for the moment ``at`` (epoch seconds)."""
    local = dt.datetime.fromtimestamp(at, tz)
    iso = local.isocalendar()
    return PeriodKeys(local.strftime("%Y-%m-%d"), f"{iso.year}-W{iso.week:02d}", local.strftime("%Y-%m"))
