"""Read fleet.toml, campaigns.toml and personas/*.md into validated models.

Every problem is a ConfigError naming the file, the field and what is wrong;
nothing is written anywhere until the whole fleet has loaded cleanly.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from chimera.config.home import Home
from chimera.errors import ConfigError
from chimera.models.config import Campaign, FleetPolicy, Persona

M = TypeVar("M", bound=BaseModel)

FRONT_MATTER = "+++"


@dataclass(frozen=True, slots=True)
class Fleet:
    """A whole fleet as loaded from a home directory."""

    policy: FleetPolicy
    personas: dict[str, Persona]
    campaigns: list[Campaign]

    @property
    def tenant_id(self) -> str:
        """The tenant every row of this fleet belongs to."""
        return self.policy.tenant_id


def _validate(model: type[M], data: Any, source: Path, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        parts = [prefix] if prefix else []
        parts += [str(p) for p in first["loc"]]
        field = ".".join(parts) or None
        raise ConfigError(str(source), first["msg"], field) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found (run `chimera init` to create a fleet)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "not UTF-8 text") from None


def parse_persona(path: Path) -> Persona:
    """Parse a SOUL.md-style file: TOML front matter between ``+++`` lines, then a free-text bio."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(str(path), "not UTF-8 text") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER:
        raise ConfigError(str(path), f"must start with a '{FRONT_MATTER}' front-matter line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER)
    except StopIteration:
        raise ConfigError(str(path), f"front matter is not closed by a '{FRONT_MATTER}' line") from None
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"front matter is not valid TOML: {exc}") from None
    data.setdefault("bio", "\n".join(lines[end + 1 :]).strip())
    return _validate(Persona, data, path)


def load_fleet(home: Home) -> Fleet:
    """Load and cross-check every file of a fleet; raise ConfigError on the first problem."""
    policy = _validate(FleetPolicy, _read_toml(home.fleet_file), home.fleet_file)

    if not home.personas_dir.is_dir():
        raise ConfigError(str(home.personas_dir), "directory not found")
    personas: dict[str, Persona] = {}
    for path in sorted(home.personas_dir.glob("*.md")):
        persona = parse_persona(path)
        if persona.agent_id in personas:
            raise ConfigError(str(path), f"agent '{persona.agent_id}' is defined twice", "agent_id")
        if persona.role not in policy.roles:
            raise ConfigError(
                str(path),
                f"role '{persona.role}' is not defined in fleet.toml (roles: {', '.join(sorted(policy.roles))})",
                "role",
            )
        if persona.provider is not None and persona.provider not in (*policy.llm.providers, "offline"):
            raise ConfigError(str(path), f"provider '{persona.provider}' is not in [llm.providers]", "provider")
        personas[persona.agent_id] = persona
    if not personas:
        raise ConfigError(str(home.personas_dir), "no persona files (*.md)")

    raw = _read_toml(home.campaigns_file)
    entries = raw.get("campaign", [])
    if not isinstance(entries, list):
        raise ConfigError(str(home.campaigns_file), "must hold [[campaign]] tables", "campaign")
    campaigns: list[Campaign] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = home.campaigns_file
        campaign = _validate(Campaign, entry, where, f"campaign[{i}]")
        if campaign.campaign_id in seen:
            raise ConfigError(str(where), "duplicate campaign id", f"campaign[{i}].campaign_id")
        if campaign.agent_id not in personas:
            raise ConfigError(
                str(where),
                f"agent '{campaign.agent_id}' has no persona in {home.personas_dir}",
                f"campaign[{i}].agent_id",
            )
        for platform in campaign.platforms:
            if platform != "outbox" and platform not in policy.platforms:
                raise ConfigError(str(where), f"platform '{platform}' is not in fleet.toml [platforms]",
                                  f"campaign[{i}].platforms")  # fmt: skip
        seen.add(campaign.campaign_id)
        campaigns.append(campaign)
    return Fleet(policy=policy, personas=personas, campaigns=campaigns)
