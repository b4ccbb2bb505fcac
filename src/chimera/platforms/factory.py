"""Building the configured remote platforms: adapters with their credentials, wrapped for exactly-once posting.

Nothing here calls a platform: start-up spends no API quota. Missing
credentials are a configuration error naming the secret.
"""

from __future__ import annotations

import time
from contextlib import AsyncExitStack

from chimera.errors import ConfigError
from chimera.models.config import FleetPolicy, PlatformPolicy
from chimera.net.http import ApiClient
from chimera.pipeline.crashpoints import CrashPoints
from chimera.platforms.base import RemotePlatform
from chimera.platforms.bluesky import DEFAULT_URL as BLUESKY_URL
from chimera.platforms.bluesky import Bluesky
from chimera.platforms.exactly_once import ExactlyOnce
from chimera.platforms.mastodon import Mastodon
from chimera.platforms.pacing import DAY, Pacer, month_start
from chimera.platforms.x import X
from chimera.secret_store import SecretStore
from chimera.settings import Secret
from chimera.store import deliveries
from chimera.store.scope import TenantScope

X_URL = "https://api.x.com"
#: The secret each kind reads when ``credentials`` names none.
DEFAULT_SECRETS = {
    "mastodon": {"token": "MASTODON_ACCESS_TOKEN"},
    "x": {"token": "X_ACCESS_TOKEN"},
    "bluesky": {"password": "BLUESKY_APP_PASSWORD"},
}


def _secret(name: str, policy: PlatformPolicy, kind: str, field: str, secrets: SecretStore) -> Secret:
    env = policy.credentials.get(field, DEFAULT_SECRETS[kind][field])
    found = secrets.get(env)
    if found is None:
        raise ConfigError("fleet.toml", f"the secret {env} is not set (environment or keyring)",
                          f"platforms.{name}.credentials.{field}")  # fmt: skip
    return found


async def open_remote(name: str, policy: PlatformPolicy, secrets: SecretStore, stack: AsyncExitStack
                      ) -> RemotePlatform:  # fmt: skip
    """The adapter for one configured account; its HTTP client lives as long as ``stack``."""
    kind = policy.kind_for(name)
    label = f"{kind} '{name}'"
    if kind == "mastodon":
        if policy.base_url is None:
            raise ConfigError("fleet.toml", "a Mastodon account needs base_url (its server)", f"platforms.{name}")
        token = _secret(name, policy, kind, "token", secrets)
        client = ApiClient(label, policy.base_url, headers={"Authorization": f"Bearer {token.reveal()}"},
                           timeout_s=policy.timeout_s, max_retries=3)  # fmt: skip
        await stack.enter_async_context(client)
        return Mastodon(name, client, policy.max_chars)
    if kind == "x":
        token = _secret(name, policy, kind, "token", secrets)
        client = ApiClient(label, policy.base_url or X_URL, headers={"Authorization": f"Bearer {token.reveal()}"},
                           timeout_s=policy.timeout_s, max_retries=3)  # fmt: skip
        await stack.enter_async_context(client)
        return X(name, client, policy.max_chars)
    if kind == "bluesky":
        if not policy.handle:
            raise ConfigError("fleet.toml", "a Bluesky account needs handle", f"platforms.{name}.handle")
        password = _secret(name, policy, kind, "password", secrets)
        client = ApiClient(label, policy.base_url or BLUESKY_URL, timeout_s=policy.timeout_s, max_retries=3)
        await stack.enter_async_context(client)
        return Bluesky(name, client, policy.handle, password, policy.max_chars)
    raise ConfigError("fleet.toml", f"platform kind '{kind}' is not a remote platform", f"platforms.{name}.kind")


async def open_remote_platforms(
    policy: FleetPolicy,
    scope: TenantScope,
    secrets: SecretStore,
    stack: AsyncExitStack,
    crash: CrashPoints | None = None,
) -> dict[str, ExactlyOnce]:
    """Every configured remote account, paced from the sends the store remembers."""
    out: dict[str, ExactlyOnce] = {}
    now = time.time()
    for name, platform in sorted(policy.platforms.items()):
        if platform.kind_for(name) == "outbox":
            continue
        remote = await open_remote(name, platform, secrets, stack)
        sent = await deliveries.sent_times(scope, name, since=min(month_start(now), now - DAY))
        out[name] = ExactlyOnce(remote, scope, Pacer(platform, sent), crash)
    return out
