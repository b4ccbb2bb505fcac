"""The scoring model's second half: does a sentence try to steer the agent?

Outside text (a headline, a mention, a reply) has no business telling the
agent what to do with its own machinery: its instructions and setup, its
money, its memory, its tools, its secrets, its review and disclosure. Rules
catch known phrasings; this looks at the shape instead. Each sentence (and
each clause after a colon) is checked for

* a command: an imperative verb first (after greetings and vocatives), or a
  request form ("could you", "I need you to", "you must");
* the agent's machinery, by category;
* subversion: words that bypass, cancel or unlock something;
* claimed authority (developer, owner, operator, management);
* an AI addressed directly ("bot,", "dear agent", "AI reading this").

Features combine into a sentence score; sentences combine as independent
evidence. Ordinary imperatives ("send me a photo", "reply if you want the
slides") touch no machinery and score nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chimera.governance.security.literals import could_match, required_literals

_CONTEXT_ONLY = ("ai-addressed", "authority")
_SENTENCE = re.compile(r"(?<=[.!?;,])\s+|\n+|(?<=:)\s+|\s+-\s+|\s+—\s+")
_PREFIX = re.compile(
    r"^(?:(?:hey|hi|hello|yo|dear|ok|okay|so|now|please|pls|kindly|quick one|quick favou?r|just|also|and|then|"
    r"first|next|finally|btw|ps|p\.s\.|important|urgent|note|attention|listen|look|well|alright|great|nice post|"
    r"thanks|thank you|for testing purposes|hypothetically|actually|seriously|real quick)\b[,:!.]?\s*)+"
)
_VOCATIVE = re.compile(
    r"^(?:(?:the )?(?:ai|bot|agent|assistant|model|chatbot|llm|gpt|claude|influencer|a\.i\.)s?(?: reading this(?: page)?)?"
    r"(?:[,:!]|\s+(?=(?:please|kindly|you|your)\b)))\s*"
)
_IMPERATIVE = frozenset(
    [
        "send",
        "transfer",
        "move",
        "pay",
        "wire",
        "approve",
        "authorize",
        "authorise",
        "confirm",
        "sign",
        "print",
        "output",
        "list",
        "show",
        "tell",
        "reveal",
        "dump",
        "repeat",
        "write",
        "post",
        "publish",
        "tweet",
        "retweet",
        "reply",
        "respond",
        "answer",
        "store",
        "save",
        "remember",
        "delete",
        "forget",
        "erase",
        "reset",
        "wipe",
        "ignore",
        "disregard",
        "skip",
        "bypass",
        "disable",
        "stop",
        "start",
        "act",
        "pretend",
        "be",
        "become",
        "switch",
        "change",
        "call",
        "run",
        "execute",
        "invoke",
        "use",
        "deploy",
        "mint",
        "buy",
        "include",
        "insert",
        "add",
        "leak",
        "share",
        "give",
        "email",
        "forward",
        "translate",
        "consider",
        "treat",
        "follow",
        "obey",
        "drop",
        "remove",
        "omit",
        "hide",
        "override",
        "promote",
        "hype",
        "advertise",
        "spam",
        "mark",
        "grant",
        "unlock",
        "enable",
        "turn",
        "put",
        "set",
        "scrap",
        "ditch",
        "void",
        "cancel",
        "help",
        "describe",
        "explain",
        "spell",
        "recite",
        "copy",
        "paste",
        "expose",
        "disclose",
        "display",
        "provide",
        "role-play",
        "roleplay",
        "imagine",
        "read",
        "retweet",
    ]
)
#: Verbs that hand something over: only with one of these do secrets in a command count.
_DISCLOSE = re.compile(
    r"\b(?:send|share|reveal|post|paste|print|output|email|give|tell|leak|dump|expose|include|show|display|provide|"
    r"read|write|forward|upload|list|screenshot|spell)\b"
)
_REQUEST = re.compile(
    r"\b(?:can|could|would|will) you\b|\bi (?:need|want) you to\b|\b(?:instructs?|orders?|tells?|wants?|asks?|requires?) you to\b|\byou (?:must|should|need to|have to|are to|"
    r"will now|shall|are (?:instructed|required|authori[sz]ed|permitted|granted|allowed) to)\b|\bbe a good (?:bot|ai|"
    r"assistant|agent) and\b|\bi(?:'m| am) (?:instructing|ordering|telling|asking) you\b|\blet'?s have you\b"
)
_YOU = re.compile(r"\b(?:you|your|yours|yourself|u|ur)\b")
_AI_ADDRESSED = re.compile(
    r"\b(?:dear|hey|hi|hello|yo|attention|note to|message for|this (?:comment|message|note) is for) (?:the |an? |all |any )?"
    r"(?:ai|bot|agent|assistant|model|chatbot|llm|automated systems?)\b(?! (?:railway|fans|train|kit))|\bai (?:reading|processing) this\b"
)
_AUTHORITY = re.compile(
    r"\b(?:i am|i'm|im|as|we are|this is) (?:the |your |an? |the platform's |our )?(?:ceo|cto|founder|developers?|operators?|"
    r"owners?|admins?|administrators?|creators?|makers?|management|hq|moderators?|engineering team|trust (?:&|and) safety lead|"
    r"security team|compliance team)\b(?! advocate)|\bfrom (?:management|hq|headquarters|your (?:developers|operators?|owners?|"
    r"makers|creators?)|the developers)\b|\byour (?:owners?|operators?|developers?|makers?|creators?|admins?|boss|manager)\b"
)
_SUBVERSION = re.compile(
    r"\b(?:(?:don't|do not|stop) (?:use|apply|follow|run|using|applying|following) your|stop being|whatever i (?:say|tell you|want)|ignore|ignoring|disregard|scrap|bypass|skip|override|disable|disabling|void|outdated|forget|reset|leak|"
    r"no longer appl(?:y|ies)|don't apply|do not apply|doesn't apply|(?:don't|do not) exist|no (?:content )?rules|"
    r"no restrictions|unrestricted|without (?:your |the |any )?(?:usual |normal )?(?:limitations|limits|filters|rules|"
    r"review|checks?|disclosure|restrictions|safety|ai tag|ai label|tag|label)|secret|hidden|granted admin|admin rights|pre-?approved|"
    r"never need(?:s)? (?:a )?review|quietly|no one will know|nobody (?:will know|reads it)|supersedes?|authori[sz]ation code|"
    r"was (?:just )?a test|whatever your|instead of your|not supposed to)\b"
)
_MACHINERY: dict[str, re.Pattern[str]] = {
    "config": re.compile(
        r"\b(?:your|its|the agent's|this agent's) (?:\w+ )?(?:prompts?|instructions?|rules?|guidelines|setup|"
        r"configuration|config|programming|filters?|safety(?: \w+)?|limitations|restrictions|polic(?:y|ies)|persona|"
        r"context(?: window)?|guardrails|makers|creators|training)\b|\b(?:system prompt|system message|hidden prompt|"
        r"initial prompt|context window|guardrails|content rules|kill switch|at startup|safety (?:filter|policy|rules)|"
        r"(?:posting|spending|rate) limits|programmed you|operate under|running on|were given|you got|you follow|"
        r"you (?:were|have been) (?:told|given|instructed|programmed|set up))\b"
    ),
    "money": re.compile(
        r"\b(?:wallet|funds|balance|budget|payments?|spend(?:ing)?|invoices?|transfer|usdc|eth|crypto|treasury|"
        r"acct|iban|bank account|spending cap|budget cap)\b|\$\s?\d|\b0x[0-9a-f]{6,}|\b\d+ (?:dollars|usd|usdc)\b"
    ),
    "memory": re.compile(r"\b(?:memory|memories|your notes)\b"),
    "tools": re.compile(
        r"\btools? (?:you|it) can (?:call|use|run)\b|\b(?:call|invoke|run|execute|use) (?:the |your |a )?\w+ "
        r"(?:tool|function)\b|\b(?:wallet|transfer|memory|posting|payment) (?:tool|function)\b|\bdeploy_token\b|"
        r"\bexecute_transaction\b"
    ),
    "secrets": re.compile(
        r"\b(?:api keys?|keys|credentials|passwords?|seed phrases?|private keys?|environment variables|env vars|"
        r"\.env|access tokens?)\b|(?<!\w)\.env\b"
    ),
    "review": re.compile(
        r"\b(?:human (?:review|check|reviewer)|review (?:step|queue)|spend reviews?|reviews? (?:are|is)|the judge|"
        r"approval|pre-?approved|spend request)\b"
    ),
    "publish": re.compile(
        r"\b(?:(?:every|all|each|your next(?: \w+)?) (?:posts?|tweets?|mentions?|replies|users?)|retweet everything|"
        r"ai[- ](?:tag|label|disclosure|generated)|disclosure|referral link|promo code|shoutout|unedited|verbatim|"
        r"i am a human|not a bot)\b"
    ),
}

#: Each category's pattern with the literals a clause must hold for it to match (see literals.py).
_GUARDED = tuple((name, pattern, required_literals(pattern)) for name, pattern in _MACHINERY.items())


@dataclass(frozen=True, slots=True)
class Intent:
    """One sentence's features and score."""

    sentence: str
    score: float
    features: tuple[str, ...]


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _SENTENCE.split(text) if c and c.strip()]


def _command(clause: str) -> tuple[bool, int]:
    """Whether the clause is a command, and where its body starts (after a leading verb, which is not machinery)."""
    lead = _PREFIX.sub("", clause)
    body = _VOCATIVE.sub("", lead).lstrip("\"'([ ")
    first, _, rest = body.partition(" ")
    if first.rstrip(",:!") in _IMPERATIVE and rest:
        return True, len(clause) - len(rest)
    return bool(_REQUEST.search(clause)), 0


def sentence_intent(clause: str, addressed_before: bool = False, authority_before: bool = False) -> Intent:
    """The features of one clause (and of the text around it) and what they add up to."""
    command, start = _command(clause)
    categories = {
        name
        for name, pattern, literals in _GUARDED
        if could_match(literals, clause) and any(m.start() >= start for m in pattern.finditer(clause))
    }
    if "secrets" in categories and not _DISCLOSE.search(clause):
        categories.discard("secrets")  # "store credentials in a password manager" is advice, not a request
    you = bool(_YOU.search(clause))
    subverts = bool(_SUBVERSION.search(clause))
    authority = authority_before or bool(_AUTHORITY.search(clause))
    addressed = addressed_before or bool(
        _AI_ADDRESSED.search(clause) or _VOCATIVE.match(_PREFIX.sub("", clause)) or re.search(r"\bthis agent\b", clause)
    )
    score = 0.0
    if command and categories:
        score = max(score, 0.3 + 0.15 * len(categories))
    if (command or you or addressed) and subverts and categories:
        score = max(score, 0.8)
    if command and categories & {"secrets", "tools"}:
        score = max(score, 0.75)
    if command and "money" in categories:
        score = max(score, 0.6)
    if authority and categories:
        score = max(score, 0.55 if not command else 0.75)
    if authority and command and you:
        score = max(score, 0.5)
    if addressed and (command or categories):
        score = max(score, 0.6)
    if addressed and subverts:
        score = max(score, 0.7)
    features = tuple(
        name
        for name, present in (
            ("command", command), ("you", you), ("subversion", subverts), ("authority", authority),
            ("ai-addressed", addressed),
        )
        if present
    ) + tuple(sorted(f"machinery:{c}" for c in categories))  # fmt: skip
    return Intent(clause, round(score, 4), features)


def intents(text: str) -> list[Intent]:
    """Every clause of a folded text that scores above zero; an AI addressed or authority claimed carries forward."""
    found: list[Intent] = []
    addressed = authority = False
    for clause in _clauses(text):
        intent = sentence_intent(clause, addressed, authority)
        addressed = addressed or "ai-addressed" in intent.features
        authority = authority or "authority" in intent.features
        if intent.score > 0:
            found.append(intent)
    return found
