"""The security gateway: one place every outside text passes before any model or skill sees it.

A check normalises the text (normalize.py), runs the rule set (rules.py) on
every view and on every hidden or encoded segment, adds the evasion
techniques it saw as weak signals, and combines everything as independent
evidence: ``score = 1 − Π(1 − wᵢ)``. A match that sits inside quotation
marks in a text that reports on attacks (news about AI security) counts for
less. An optional classifier endpoint adds one more signal. The score maps
to a threat level; at or above the policy's ``block_at`` the input is
blocked. Every check is audited.

Detection is one layer. Money and publishing have their own guards (limits in
SQLite, the Judge, output checks, human review) that do not depend on it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from chimera.errors import ToolError
from chimera.governance.security.intent import Intent, intents
from chimera.governance.security.normalize import normalize
from chimera.governance.security.rules import RULES, Rule
from chimera.models.config import SecurityPolicy
from chimera.models.news import NewsItem
from chimera.store.audit import audit_entry
from chimera.store.audit_chain import AuditEntry

log = logging.getLogger("chimera.gateway")

AuditSink = Callable[[list[AuditEntry]], Awaitable[None]]
Classifier = Callable[[str], Awaitable[float]]

#: Evasion techniques are weak evidence alone; they add up with real matches.
EVASION_WEIGHT = {
    "invisible characters": 0.3,
    "mixed-script words (homoglyphs)": 0.35,
    "look-alike letter forms": 0.2,
    "HTML comments": 0.1,
    "invisible HTML elements": 0.3,
    "markdown comments": 0.2,
    "base64": 0.15,
    "hex escapes": 0.2,
    "url encoding": 0.1,
    "rot13": 0.2,
    "letters spaced apart": 0.3,
}
HIDDEN_BOOST = 0.1
REPORTED_FACTOR = 0.3
_QUOTED = re.compile(r'"[^"\n]{3,400}"|(?<![a-z])\'[^\'\n]{3,400}\'(?![a-z])')
_REPORTING = re.compile(
    r"\b(?:researchers?|study|studies|paper|attacks?|attackers?|vulnerab\w*|exploits?|technique|dubbed|known as|"
    r"so-called|phrases? (?:like|such as)|prompts? (?:like|such as)|such as|example|demonstrat\w*|warn\w*|"
    r"security|jailbreaks?|injection|hackers?|red team\w*|says?|said|according to|reported|headline|quotes?|"
    r"line from|film|movie|book|novel|song|lyrics?|told|tells|wrote|asked the)\b"
)
CACHE_LIMIT = 50_000


class Threat(IntEnum):
    """How dangerous an input looks."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2
    CRITICAL = 3

    @classmethod
    def of(cls, score: float) -> Threat:
        """The level of a score in [0, 1]."""
        if score >= 0.9:
            return cls.CRITICAL
        if score >= 0.7:
            return cls.HIGH
        if score >= 0.4:
            return cls.MEDIUM
        return cls.LOW


@dataclass(frozen=True, slots=True)
class GatewayVerdict:
    """The gateway's answer for one input."""

    approved: bool
    threat: Threat
    score: float
    sanitized: str
    reason: str
    signals: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (``threat`` as its name)."""
        return {"approved": self.approved, "threat": self.threat.name, "score": self.score,
                "reason": self.reason, "signals": list(self.signals), "sanitized": self.sanitized}  # fmt: skip


def _reported(view: str, start: int, end: int) -> bool:
    """The match sits inside quotes in a text that reports on such things."""
    inside = any(q.start() <= start and end <= q.end() for q in _QUOTED.finditer(view))
    return inside and _REPORTING.search(_QUOTED.sub(" ", view)) is not None


def scan(text: str, rules: Sequence[Rule] = RULES) -> tuple[float, list[str], str]:
    """Score a text by the rules alone: (score, signals, sanitised text)."""
    n = normalize(text)
    weights: dict[str, float] = {}
    for rule in rules:
        best = 0.0
        for view in n.views:
            if not rule.could_match(view):  # most text holds none of a rule's words: skip its pattern
                continue
            for m in rule.pattern.finditer(view):
                w = rule.weight * (REPORTED_FACTOR if _reported(view, m.start(), m.end()) else 1.0)
                best = max(best, w)
        for segment in n.hidden:
            if rule.could_match(segment) and rule.pattern.search(segment):
                best = max(best, min(0.99, rule.weight + HIDDEN_BOOST))
        if best:
            weights[f"{rule.category}:{rule.name}"] = best
    for evasion in n.evasions:
        weights[f"evasion:{evasion}"] = EVASION_WEIGHT.get(evasion, 0.1)
    # In a text that reports on attacks, what it quotes is the story, not an order to us.
    views = [_QUOTED.sub(" ", v) if _REPORTING.search(_QUOTED.sub(" ", v)) else v for v in n.views]
    found: dict[str, Intent] = {}
    for part in (*views, *n.hidden):
        for i in intents(part):
            if i.score > found.get(i.sentence, i).score or i.sentence not in found:
                found[i.sentence] = i
    steering = sorted(found.values(), key=lambda i: -i.score)[:2]
    for rank, i in enumerate(steering):  # the two strongest clauses count
        weights[f"intent{rank + 1}:{'+'.join(i.features)}"] = i.score
    keep = 1.0
    for w in weights.values():
        keep *= 1.0 - w
    signals = [f"{name} ({w:.2f})" for name, w in sorted(weights.items(), key=lambda kv: -kv[1])]
    return round(1.0 - keep, 4), signals, n.sanitized


class SecurityGateway:
    """Checks outside text; blocks at or above the policy's threat level; audits every check."""

    def __init__(
        self,
        policy: SecurityPolicy,
        *,
        tenant_id: str = "",
        classifier: Classifier | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self._block_at = Threat[policy.block_at.upper()]
        self._tenant = tenant_id
        self._classifier = classifier
        self._audit = audit
        self._cache: dict[str, GatewayVerdict] = {}
        self.checked = 0
        self.blocked = 0

    def verdict(self, text: str, classifier_score: float | None = None) -> GatewayVerdict:
        """The verdict from the rules (and a classifier score, if one was obtained)."""
        score, signals, sanitized = scan(text)
        if classifier_score is not None:
            signals.append(f"classifier ({classifier_score:.2f})")
            score = round(1.0 - (1.0 - score) * (1.0 - max(0.0, min(1.0, classifier_score))), 4)
        threat = Threat.of(score)
        approved = threat < self._block_at
        if signals:
            reason = f"{'allowed' if approved else 'blocked'}: {', '.join(s.split(' (')[0] for s in signals[:3])}"
        else:
            reason = "no attack signals"
        return GatewayVerdict(approved, threat, score, sanitized, reason, tuple(signals))

    async def check(self, text: str, *, source: str, agent_id: str | None = None, audit: bool = True) -> GatewayVerdict:
        """Check one input; the verdict is audited (once per distinct text and source)."""
        return (await self._verdicts([text], source, agent_id, audit))[0]

    async def screen_items(self, items: list[NewsItem], source: str) -> list[NewsItem]:
        """News items that pass, with sanitised titles and summaries; blocked ones are dropped (and audited)."""
        texts = [f"{item.title}\n{item.summary}\n{' '.join(item.tags)}" for item in items]
        passed: list[NewsItem] = []
        for item, verdict in zip(items, await self._verdicts(texts, source, None), strict=True):
            if verdict.approved:
                clean = sanitized_fields(item)
                passed.append(item.model_copy(update=clean) if clean else item)
        return passed

    async def _verdicts(
        self, texts: list[str], source: str, agent_id: str | None, audit: bool = True
    ) -> list[GatewayVerdict]:
        """A verdict per text; the new ones are audited together, in one write, before any is returned or cached.

        A verdict is cached only once its audit is written: one whose audit
        failed is checked, and audited, again next time.
        """
        fresh: dict[str, GatewayVerdict] = {}
        verdicts: list[GatewayVerdict] = []
        for text in texts:
            key = _key(source, text)
            verdict = self._cache.get(key) or fresh.get(key)
            if verdict is None:
                verdict = fresh[key] = await self._screen(text)
            verdicts.append(verdict)
        if fresh and audit and self._audit is not None:
            await self._audit([self._record(v, source, agent_id, key) for key, v in fresh.items()])
        if len(self._cache) + len(fresh) > CACHE_LIMIT:
            self._cache.clear()
        self._cache.update(fresh)
        return verdicts

    async def _screen(self, text: str) -> GatewayVerdict:
        """The verdict for a text not seen before (rules, and the classifier if there is one); counted."""
        score: float | None = None
        if self._classifier is not None:
            try:
                score = await self._classifier(text)
            except ToolError as exc:  # one layer down; the rules still stand
                log.warning("security classifier unavailable, rules only: %s", exc)
        verdict = self.verdict(text, score)
        self.checked += 1
        self.blocked += 0 if verdict.approved else 1
        return verdict

    def _record(self, v: GatewayVerdict, source: str, agent_id: str | None, key: str) -> AuditEntry:
        kind = "gateway.pass" if v.approved else "gateway.block"
        detail = {"source": source, "threat": v.threat.name, "score": v.score, "reason": v.reason,
                  "signals": list(v.signals[:8]), "text_sha256": key[:16]}  # fmt: skip
        return audit_entry(self._tenant, kind, "gateway", source, detail, agent_id)


def _key(source: str, text: str) -> str:
    """The cache key (and, cut short, the audited text hash) of a text from a source."""
    return hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()


def sanitized_fields(item: NewsItem) -> dict[str, str]:
    """Sanitised title and summary of an item, where they differ from the originals."""
    out: dict[str, str] = {}
    for name in ("title", "summary"):
        value = getattr(item, name)
        clean = normalize(value).sanitized if value else value
        if clean != value and clean:
            out[name] = clean
    return out
