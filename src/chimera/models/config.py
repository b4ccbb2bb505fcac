"""Configuration models: persona, campaign and fleet policy, validated at load."""

from __future__ import annotations

import fnmatch
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEND_CATEGORIES = ("compute", "storage", "api", "content", "other")

Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$"),
]

#: Rules every persona carries whatever its file says; the Judge enforces them.
BASE_RULES: tuple[str, ...] = (
    "never claims to be human",
    "never shares personal data",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Persona(_Strict):
    """Who an agent is: its voice, niche, and what it must never do."""

    agent_id: Identifier
    """Stable id of the agent that wears this persona."""
    name: str = Field(min_length=1, max_length=80)
    """Display name."""
    voice: str = Field(min_length=1, max_length=400)
    """How it writes, in a sentence or two."""
    niche: str = Field(min_length=1, max_length=200)
    """What it is known for."""
    topics: list[str] = Field(default_factory=list)
    """Topics it likes to talk about."""
    avoid_topics: list[str] = Field(default_factory=list)
    """Topics it must not post about without a human."""
    banned_phrases: list[str] = Field(default_factory=list)
    """Phrases that must never appear in its posts."""
    hashtags: list[str] = Field(default_factory=list)
    """Hashtags it may add."""
    rules: list[str] = Field(default_factory=list)
    """Extra behavioural rules; the base rules always apply too."""
    bio: str = ""
    """Free text from the body of the persona file."""
    role: Identifier = "influencer"
    """The role (fleet.toml ``[roles.NAME]``) that says which skills, MCP tools, platforms and spends it may use."""
    provider: str | None = None
    """The LLM provider that writes for it (``[llm.providers]``); default: the fleet's."""

    def all_rules(self) -> list[str]:
        """The base rules followed by the persona's own."""
        return [*BASE_RULES, *(r for r in self.rules if r not in BASE_RULES)]


class CampaignStatus(StrEnum):
    """Whether the planner works on a campaign."""

    ACTIVE = "active"
    PAUSED = "paused"


class Campaign(_Strict):
    """A goal an agent pursues on some platforms with a budget."""

    campaign_id: Identifier
    """Stable id."""
    agent_id: Identifier
    """The agent (persona) that runs it."""
    goal: str = Field(min_length=3, max_length=500)
    """What the campaign is for, in plain words; perception scores news against it."""
    topics: list[str] = Field(min_length=1)
    """News topics it follows."""
    platforms: list[str] = Field(default_factory=lambda: ["outbox"])
    """Where its posts go."""
    budget_usd: Decimal = Field(default=Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    """Money the campaign may spend, in US dollars."""
    status: CampaignStatus = CampaignStatus.ACTIVE
    """Active campaigns are planned; paused ones are not."""


class JudgePolicy(_Strict):
    """Confidence bands and the topics that always go to a human."""

    approve_at: float = Field(default=0.90, ge=0, le=1)
    """Confidence at or above which a result is approved."""
    review_at: float = Field(default=0.70, ge=0, le=1)
    """Confidence at or above which (and below approve_at) a human reviews."""
    max_retries: int = Field(default=2, ge=0, le=10)
    """Rejected results are retried this many times, then go to a human."""
    sensitive_topics: list[str] = Field(default_factory=lambda: ["politics", "health", "finance", "legal", "religion"])
    """Topics whose results always go to a human."""

    @model_validator(mode="after")
    def _bands_ordered(self) -> JudgePolicy:
        if self.review_at > self.approve_at:
            raise ValueError("review_at must not be above approve_at")
        return self


class ResourceRef(_Strict):
    """One MCP resource perception reads."""

    server: Identifier = "news"
    """Name of the MCP server (``news``, ``memory`` or one of ``[mcp.servers]``)."""
    uri: str = Field(default="news://latest", min_length=1)
    """Resource URI on that server."""


class PerceptionPolicy(_Strict):
    """How news is polled and scored."""

    threshold: float = Field(default=0.75, ge=0, le=1)
    """Relevance at or above which an item becomes a trend task."""
    high_priority_at: float = Field(default=0.90, ge=0, le=1)
    """Relevance at or above which the trend task is high priority."""
    poll_interval_s: float = Field(default=60.0, gt=0)
    """Seconds between polls in a continuous run."""
    sources: list[ResourceRef] = Field(default_factory=lambda: [ResourceRef()], min_length=1)
    """The MCP resources polled for news (each must serve a JSON array of news items)."""


PlatformKind = Literal["outbox", "x", "bluesky", "mastodon"]
ReplyScope = Literal["mentions", "own_threads", "allow_list"]
_DEFAULT_REPLIES: list[ReplyScope] = ["mentions", "own_threads"]


class PlatformPolicy(_Strict):
    """One publishing account (``[platforms.NAME]``): where, with which credentials, how fast."""

    kind: PlatformKind | None = None
    """outbox, x, bluesky or mastodon (default: the table's name when it is one of these)."""
    max_chars: int = Field(default=500, ge=40)
    """Longest post the account accepts, disclosure included (X counts weighted characters, Bluesky graphemes)."""
    base_url: str | None = Field(default=None, pattern=r"^https?://")
    """API address (defaults: api.x.com, bsky.social; required for Mastodon)."""
    credentials: dict[str, str] = Field(default_factory=dict)
    """Names of the secrets to use, e.g. ``{token = "MASTODON_TOKEN"}`` (environment or keyring)."""
    handle: str | None = None
    """The account's handle (Bluesky identifier; shown in status)."""
    min_interval_s: float = Field(default=0.0, ge=0)
    """Least time between two posts of this account."""
    jitter_s: float = Field(default=0.0, ge=0)
    """Random extra wait added to ``min_interval_s`` so posts do not come like clockwork."""
    per_hour: int | None = Field(default=None, ge=0)
    """Most posts per rolling hour."""
    per_day: int | None = Field(default=None, ge=0)
    """Most posts per rolling day."""
    monthly_quota: int | None = Field(default=None, ge=0)
    """Most posts per calendar month (API tiers with a monthly cap)."""
    replies: list[ReplyScope] = Field(default_factory=_DEFAULT_REPLIES.copy)
    """Where the agent may reply: mentions of it, replies in its own threads, the allow-list. Never strangers."""
    reply_allowlist: list[str] = Field(default_factory=list)
    """Handles it may reply to even unprompted (needs ``allow_list`` in ``replies``)."""
    read_mentions: bool | None = None
    """Read the account's mentions to answer them (default: yes, except on X, where every post read counts
    against the API tier's monthly cap, so it is opt-in there)."""
    mentions_every_s: float = Field(default=0.0, ge=0)
    """Least seconds between two reads of the account's mentions (0: at every poll)."""
    timeout_s: float = Field(default=20.0, gt=0, le=300)
    """Seconds one API call may take."""

    def reads_mentions(self, name: str) -> bool:
        """Whether the account called ``name`` has its mentions read (and answered as ``replies`` allow)."""
        if not self.replies:
            return False
        if self.read_mentions is not None:
            return self.read_mentions
        return self.kind_for(name) != "x"

    def kind_for(self, name: str) -> PlatformKind:
        """The platform kind of the table called ``name``."""
        if self.kind is not None:
            return self.kind
        if name in ("outbox", "x", "bluesky", "mastodon"):
            return name  # type: ignore[return-value]
        raise ValueError(f"platform '{name}' needs a kind (outbox, x, bluesky or mastodon)")


class RuntimePolicy(_Strict):
    """Sizes of the in-process pools."""

    workers: int = Field(default=16, ge=1, le=100_000)
    """Concurrent worker coroutines."""
    llm_latency_ms: int = Field(default=0, ge=0, le=60_000)
    """Simulated model latency inside the offline writer."""
    max_cycles_in_flight: int = Field(default=0, ge=0, le=1_000_000)
    """Planned cycles that may be unfinished at once; more wait to be planned (0: no limit)."""


class McpServerConfig(_Strict):
    """A third-party MCP server, started as a stdio subprocess."""

    command: str = Field(min_length=1)
    """Executable."""
    args: list[str] = Field(default_factory=list)
    """Arguments."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment; a value ``$NAME`` is taken from Chimera's own environment (for keys)."""
    timeout_s: float = Field(default=20.0, gt=0, le=600)
    """Seconds a start-up or a call may take."""


class McpPolicy(_Strict):
    """The MCP client pool: third-party servers and how crashes are handled (``[mcp]``)."""

    servers: dict[str, McpServerConfig] = Field(default_factory=dict)
    """Third-party servers by name (``news`` and ``memory`` are bundled and always present)."""
    call_timeout_s: float = Field(default=20.0, gt=0, le=600)
    """Seconds a call to a bundled server may take."""
    max_restarts: int = Field(default=5, ge=0, le=1000)
    """Restarts allowed within ``restart_window_s`` before a server is marked down."""
    restart_window_s: float = Field(default=300.0, gt=0)
    """Window for counting restarts."""
    backoff_base_s: float = Field(default=0.5, ge=0)
    """First restart delay; it doubles per failure (with jitter) up to ``backoff_max_s``."""
    backoff_max_s: float = Field(default=30.0, ge=0)
    """Longest restart delay."""
    ping_interval_s: float = Field(default=15.0, gt=0)
    """How often an idle server is pinged to notice a crash or a hang."""
    down_retry_s: float = Field(default=300.0, gt=0)
    """How long a server marked down waits before it is tried again."""

    @model_validator(mode="after")
    def _no_bundled_names(self) -> McpPolicy:
        taken = set(self.servers) & set(BUNDLED_SERVERS)
        if taken:
            raise ValueError(f"server names {sorted(taken)} are taken by the bundled servers")
        return self


#: Servers Chimera ships and always starts.
BUNDLED_SERVERS = ("news", "memory")


class NewsFeed(_Strict):
    """An RSS, Atom or JSON feed the bundled news server reads."""

    url: str = Field(pattern=r"^https?://", max_length=2000)
    """Feed address."""
    topic: str | None = Field(default=None, max_length=64)
    """Topic given to its items (else the item's first category, else 'general')."""
    name: str | None = Field(default=None, max_length=100)
    """Source name shown with its items (else the feed's own title)."""


class NewsPolicy(_Strict):
    """The bundled news server (``[news]``): feeds, refresh, and the offline snapshot as fallback."""

    feeds: list[NewsFeed] = Field(default_factory=list)
    """Feeds to read; with none (or no network and an empty cache) the offline snapshot is served."""
    refresh_s: float = Field(default=900.0, gt=0)
    """Seconds before cached feeds are fetched again."""
    fetch_timeout_s: float = Field(default=10.0, gt=0, le=120)
    """Seconds one feed may take to download."""


class ProviderConfig(_Strict):
    """One LLM endpoint (``[llm.providers.NAME]``)."""

    kind: Literal["offline", "openai", "anthropic"]
    """offline (the template writer), openai (any OpenAI-compatible chat-completions API) or anthropic."""
    base_url: str | None = Field(default=None, pattern=r"^https?://")
    """API base (openai: e.g. http://127.0.0.1:11434/v1; anthropic default https://api.anthropic.com)."""
    model: str = "offline"
    """Model name sent to the endpoint."""
    api_key: str | None = None
    """Name of the secret holding the key (environment or keyring), e.g. OPENAI_API_KEY; none for local servers."""
    price_in_per_mtok: Decimal = Field(default=Decimal("0"), ge=0)
    """US dollars per million input tokens."""
    price_out_per_mtok: Decimal = Field(default=Decimal("0"), ge=0)
    """US dollars per million output tokens."""
    max_concurrency: int = Field(default=4, ge=1, le=1000)
    """Calls in flight at once."""
    timeout_s: float = Field(default=60.0, gt=0, le=600)
    """Seconds one call may take."""
    max_retries: int = Field(default=4, ge=0, le=10)
    """Retries on 429, 5xx and timeouts (exponential backoff with jitter; Retry-After respected)."""
    max_tokens: int = Field(default=400, ge=16, le=8192)
    """Longest reply asked for."""


class LlmPolicy(_Strict):
    """Which model writes (``[llm]``); a persona may name its own provider."""

    default: str = "offline"
    """Provider used by personas that name none."""
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    """Configured providers; ``offline`` is always there."""

    @model_validator(mode="after")
    def _default_exists(self) -> LlmPolicy:
        if self.default != "offline" and self.default not in self.providers:
            raise ValueError(f"default provider '{self.default}' is not in [llm.providers]")
        return self


class MemoryPolicy(_Strict):
    """Agent memory (``[memory]``): recall before writing, and optional vector ranking."""

    recall: int = Field(default=3, ge=0, le=20)
    """Earlier posts recalled before a draft is written (0: memory is not consulted)."""
    repeat_similarity: float = Field(default=0.6, gt=0, le=1)
    """Word overlap with a recalled post at or above which a draft counts as a repeat."""
    embeddings_url: str | None = Field(default=None, pattern=r"^https?://")
    """OpenAI-compatible embeddings endpoint base URL (adds vector ranking); key from CHIMERA_EMBEDDINGS_API_KEY."""
    embeddings_model: str = "text-embedding-3-small"
    """Embedding model name."""


class SecurityPolicy(_Strict):
    """The security gateway and output checks (``[security]``)."""

    block_at: Literal["medium", "high", "critical"] = "medium"
    """Lowest threat level at which an outside input is blocked."""
    link_allowlist: list[str] = Field(default_factory=list)
    """Domains a published post may link to (subdomains included); any other link blocks the post."""
    classifier_url: str | None = Field(default=None, pattern=r"^https?://")
    """Optional classifier endpoint: POST {"text": ...} answers {"score": 0..1}; one more signal for the gateway."""


class Role(_Strict):
    """What an agent of this role may use; patterns are shell-style (``*``, ``news.*``)."""

    skills: list[str] = Field(default_factory=lambda: ["*"])
    """Task types it may run."""
    mcp_tools: list[str] = Field(default_factory=lambda: ["news.*", "memory.*"])
    """MCP tools as ``server.tool``."""
    platforms: list[str] = Field(default_factory=lambda: ["*"])
    """Platforms it may publish to."""
    spend_categories: list[str] = Field(default_factory=lambda: list(SPEND_CATEGORIES))
    """Spend categories it may use."""

    def allows(self, kind: str, name: str) -> bool:
        """Whether ``name`` matches one of the patterns of ``kind`` (skills, mcp_tools, platforms, spend_categories)."""
        patterns: list[str] = getattr(self, kind)
        return any(fnmatch.fnmatchcase(name, p) for p in patterns)


Usd = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class SpendLimits(_Strict):
    """Money limits of one agent, in US dollars (exact decimals)."""

    per_tx_usd: Usd = Decimal("10")
    """Largest spend allowed without CFO approval."""
    cfo_max_usd: Usd = Decimal("50")
    """Largest spend the CFO may approve; above it a human must."""
    day_usd: Usd = Decimal("50")
    """Cap per calendar day."""
    week_usd: Usd = Decimal("200")
    """Cap per ISO week."""
    month_usd: Usd = Decimal("500")
    """Cap per calendar month."""

    @model_validator(mode="after")
    def _tiers_ordered(self) -> SpendLimits:
        if self.cfo_max_usd < self.per_tx_usd:
            raise ValueError("cfo_max_usd must not be below per_tx_usd")
        return self


class MoneyPolicy(_Strict):
    """Budgets, CFO thresholds and the wallet (the ``[money]`` table of fleet.toml)."""

    limits: SpendLimits = SpendLimits()
    """Default limits for every agent."""
    agents: dict[str, SpendLimits] = Field(default_factory=dict)
    """Per-agent overrides, keyed by agent id."""
    category_day_usd: dict[str, Usd] = Field(
        default_factory=lambda: {
            "compute": Decimal("20"),
            "storage": Decimal("10"),
            "api": Decimal("20"),
            "content": Decimal("20"),
            "other": Decimal("10"),
        }
    )
    """Cap per spend category per day."""
    deny_recipients: list[str] = Field(default_factory=list)
    """Recipients no spend may go to."""
    high_risk_at: float = Field(default=0.7, ge=0, le=1)
    """CFO risk at or above which a human must approve."""
    timezone: str = "UTC"
    """Timezone of the calendar periods."""
    starting_balance_usd: Usd = Decimal("100")
    """Balance of each agent's simulated wallet."""
    wallet: Literal["simulated", "coinbase"] = "simulated"
    """Which wallet pays: the offline simulated one, or Coinbase (needs CDP credentials in the environment)."""
    asset_id: str = "usdc"
    """Asset the Coinbase wallet pays in (one unit per US dollar)."""
    recovery_grace_s: float = Field(default=120.0, ge=0)
    """A reservation older than this with no settlement is resolved by key; younger ones may still be in flight."""

    def limits_for(self, agent_id: str) -> SpendLimits:
        """The agent's limits (its override, else the defaults)."""
        return self.agents.get(agent_id, self.limits)


#: The settings of a platform without its own table (models are frozen, so one instance serves all).
_DEFAULT_PLATFORM = PlatformPolicy()


class FleetPolicy(_Strict):
    """Fleet-wide policy for one tenant (the `fleet.toml` file)."""

    tenant_id: Identifier = "default"
    """Tenant that owns every agent, campaign and row of this fleet."""
    disclosure: str = Field(default="[AI-generated]", min_length=3, max_length=80)
    """Text added to every published post."""
    judge: JudgePolicy = JudgePolicy()
    """Judge bands."""
    perception: PerceptionPolicy = PerceptionPolicy()
    """News polling."""
    runtime: RuntimePolicy = RuntimePolicy()
    """Pool sizes."""
    money: MoneyPolicy = MoneyPolicy()
    """Budgets, CFO and wallet."""
    platforms: dict[str, PlatformPolicy] = Field(default_factory=lambda: {"outbox": PlatformPolicy(max_chars=500)})
    """Per-platform limits, keyed by platform name."""
    news: NewsPolicy = NewsPolicy()
    """The bundled news server's feeds."""
    mcp: McpPolicy = McpPolicy()
    """Third-party MCP servers and crash handling."""
    memory: MemoryPolicy = MemoryPolicy()
    """Agent memory."""
    security: SecurityPolicy = SecurityPolicy()
    """Security gateway and output checks."""
    llm: LlmPolicy = LlmPolicy()
    """LLM providers."""
    roles: dict[str, Role] = Field(default_factory=lambda: {"influencer": Role()})
    """Roles by name; every persona names one (default ``influencer``)."""

    def platform(self, name: str) -> PlatformPolicy:
        """The limits for a platform, falling back to the defaults."""
        return self.platforms.get(name) or _DEFAULT_PLATFORM

    @model_validator(mode="after")
    def _platform_kinds(self) -> FleetPolicy:
        for name, platform in self.platforms.items():
            platform.kind_for(name)
        return self
