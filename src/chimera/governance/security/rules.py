"""The attack patterns, by category. Patterns run on folded lower-case text (see normalize.py).

Each rule has a weight: roughly how sure a match alone makes us that the
text is an attack. Weights combine as independent evidence (noisy-or) in the
scorer. Keep rules specific enough that news about such attacks, quotes and
code do not trip them on their own; the corpus under tests/security holds
both sides and ``chimera security eval`` measures them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chimera.governance.security.literals import could_match, required_literals


@dataclass(frozen=True, slots=True)
class Rule:
    """One attack pattern, and the literals a text needs to hold one of for it to match (see literals.py)."""

    name: str
    category: str
    weight: float
    pattern: re.Pattern[str]
    literals: tuple[str, ...] | None = field(default=None, compare=False)

    def could_match(self, text: str) -> bool:
        """False only where the pattern cannot match: ``text`` holds none of its literals."""
        return could_match(self.literals, text)


#: Within one sentence: a dot ends it unless a word character follows (9.99, evil.example, 0x...).
_SAME_SENTENCE = "(?:[^.\\n]|\\.(?=\\w))"


def _r(name: str, category: str, weight: float, pattern: str) -> Rule:
    compiled = re.compile(pattern.replace("[^.\\n]", _SAME_SENTENCE))
    return Rule(name, category, weight, compiled, required_literals(compiled))


_PRIOR = r"(?:previous|prev|prior|above|earlier|preceding|foregoing|all|any|every|your|the|these|those|system|original|initial|existing|old|current)"
_ORDERS = (
    r"(?:instructions?|prompts?|rules?|directions?|guidelines?|directives?|commands?|context|programming|"
    r"constraints?|polic(?:y|ies)|safeguards?|guardrails?|restrictions?|orders?|filters?|training|guidance|briefing|system message)"
)
_REVEAL = (
    r"(?:reveal|show|print|display|output|repeat|tell me|share|leak|dump|disclose|give me|write out|recite|spell out)"
)
_SECRETS = r"(?:\.env\b|private keys?|seed phrases?|mnemonic|recovery phrases?|api keys?|passwords?|credentials?|secret keys?|access tokens?|env(?:ironment)? variables?)"

RULES: tuple[Rule, ...] = (
    # instruction override
    _r(
        "ignore-previous",
        "override",
        0.92,
        rf"\b(?:ignore|disregard|forget|override|overrule|bypass|skip|drop|abandon|discard|neglect|set aside|put aside|scrap|ditch|throw out|supersede)\b[^.\n]{{0,40}}\b{_PRIOR}\b[^.\n]{{0,30}}\b{_ORDERS}"
        rf"|\b(?:set|put|push|leave)\b[^.\n]{{0,30}}\b{_ORDERS}\b[^.\n]{{0,10}}\baside\b",
    ),
    _r(
        "do-not-follow",
        "override",
        0.85,
        rf"\b(?:do not|don't|dont|stop|no longer|never)\s+(?:follow|obey|comply with|adhere to|respect)(?:ing)?\b[^.\n]{{0,20}}\b{_ORDERS}",
    ),
    _r(
        "new-instructions",
        "override",
        0.6,
        r"\b(?:new|updated|revised|real|actual|true|override|priority|admin|important|urgent) (?:instructions?|directives?|orders|task|rules)\s*[:\-!]",
    ),
    _r("from-now-on", "override", 0.55, r"\bfrom now on,? (?:you|your|the (?:assistant|ai|model|agent))\b"),
    _r(
        "instead-do",
        "override",
        0.45,
        r"\binstead,? (?:you (?:must|will|should)|(?:just )?(?:say|reply|respond|output|print|write|post|tweet))\b",
    ),
    _r(
        "forget-everything",
        "override",
        0.85,
        r"\b(?:forget|erase|clear|reset|wipe) (?:everything|all(?: of)? (?:that|this|it)|your (?:memory|instructions|context|training))\b",
    ),
    _r(
        "override-foreign",
        "override",
        0.92,
        r"\b(?:ignora(?:r)? (?:todas )?las (?:instrucciones|reglas|normas)|ignore[zr]? (?:toutes )?les (?:instructions|regles|consignes)|ignoriere (?:alle )?"
        r"(?:vorherigen |bisherigen )?(?:anweisungen|regeln)|ignora (?:tutte )?le (?:istruzioni|regole)|ignore (?:todas )?as (?:instrucoes|regras))",
    ),
    _r(
        "system-override",
        "override",
        0.8,
        r"\b(?:system|admin|administrator|developer|root|sudo|god) (?:override|mode|command|access|prompt)\s*[:\-!]",
    ),
    _r(
        "orders-changed",
        "override",
        0.7,
        r"\byour (?:instructions|rules|guidelines|policies|programming|settings|prompt|orders) (?:have|has) (?:been |just been )?(?:updated|changed|replaced|revised|overridden|lifted|removed)",
    ),
    _r(
        "treat-as-operator",
        "override",
        0.75,
        r"\btreat (?:everything|anything|all|this|the following|what follows)\b[^.\n]{0,40}\bas (?:coming )?(?:from|written by|sent by|if from) (?:your|the) (?:operator|developer|system|admin|owner|creator)",
    ),
    _r("override-label", "override", 0.6, r"(?:^|[\n.!] ?)(?:override|overrule|new directive)\s*:"),
    _r(
        "fake-notice",
        "override",
        0.5,
        r"\b(?:system|security|admin|compliance|moderation|policy) (?:notice|alert|message|update|announcement)\s*:",
    ),
    _r("now-allowed", "override", 0.35, r"\byou (?:can|may|are allowed to|are permitted to|are free to) now\b"),
    # role play / jailbreak
    _r(
        "you-are-now",
        "role_play",
        0.7,
        r"\byou are (?:now|henceforth|hereby|from now on) (?:an? |my |the )?(?:dan\b|unrestricted|unfiltered|uncensored|free\b|jailbroken|evil|different|new\b|in (?:developer|god|jailbreak|dan) mode|acting|operating|playing|going to (?:act|be)|[a-z]+gpt\b|(?:ai|assistant|model|bot|character|persona|human|person)\b)"
        r"|\byou are no longer (?:an? )?(?:ai|assistant|bound|restricted|chatbot|language model|limited)|\byou(?:'re| are) not an? (?:ai|assistant|language model)",
    ),
    _r(
        "pretend",
        "role_play",
        0.6,
        r"\b(?:pretend|imagine|act|behave|respond|roleplay|role-play|play the role)\b[^.\n]{0,12}\b(?:to be|you are|as if you|as an?|like an?|as)\b[^.\n]{0,30}\b(?:unrestricted|unfiltered|uncensored|evil|jailbroken|without (?:any )?(?:rules|limits|restrictions|filters)|no (?:rules|limits|restrictions|filters)|dan|an ai with no)",
    ),
    _r(
        "jailbreak-names",
        "role_play",
        0.8,
        r"\b(?:dan mode|do anything now|developer mode (?:enabled|on)|jailbreak(?:ed)? mode|god mode|aim mode|evil confidant|stan mode)\b",
    ),
    _r(
        "no-restrictions",
        "role_play",
        0.65,
        r"\b(?:you (?:have|are under) no|free (?:of|from) (?:all|any)|not bound by|without) (?:restrictions|limits|rules|guidelines|filters|censorship|ethical|policies)\b",
    ),
    _r(
        "renamed-ai",
        "role_play",
        0.6,
        r"\byou(?:'re| are) (?:now )?[a-z]+, an? (?:ai|assistant|bot|model|chatbot)\b|\b(?:answer|respond|reply|act) as (?:two|2|both|multiple) (?:ais|assistants|personas|characters|models)\b",
    ),
    _r(
        "never-mentions-rules",
        "role_play",
        0.6,
        r"\b(?:with no|has no|without any|never (?:mentions?|follows?|applies|refuses|cares about)) (?:\w+ )?(?:rules|restrictions|limits|filters|guidelines|policies|ethics)\b",
    ),
    _r(
        "pretend-no-policy",
        "role_play",
        0.8,
        r"\b(?:pretend|imagine|assume|act as if|suppose)\b[^.\n]{0,30}\b(?:polic(?:y|ies)|rules|guidelines|filters|restrictions|limits|safeguards)\b[^.\n]{0,15}\b(?:doesn't|don't|do not|does not|didn't|never|no longer) (?:exist|apply|matter|count)",
    ),
    _r(
        "drop-safety",
        "role_play",
        0.6,
        r"\b(?:disregard|ignore|bypass|skip|disable|drop|forget|abandon|turn off)\b (?:the |all |any |your )?(?:safety|ethics|guardrails|safety rules|content polic(?:y|ies)|safety filters?)\b",
    ),
    _r(
        "stop-being-ai",
        "role_play",
        0.6,
        r"\bstop being (?:an? |the )?(?:ai|assistant|bot|influencer|agent|language model|chatbot)\b|\b(?:does|do) whatever i (?:say|tell you|want)\b",
    ),
    _r(
        "if-no-rules",
        "role_play",
        0.6,
        r"\bif you (?:had|have|were|didn't have|did not have) (?:no|without|free of) (?:\w+ )?(?:restrictions|rules|filters|limits|guidelines|guardrails)\b",
    ),
    _r(
        "new-persona",
        "role_play",
        0.6,
        r"\byour (?:new|real|true|actual) (?:persona|identity|name|role|character|personality)\b|\byour (?:task|job|goal|role|mission|purpose) (?:has changed|is different|is now|changed)\b",
    ),
    _r(
        "claim-human",
        "role_play",
        0.7,
        r"\b(?:post|say|write|tweet|claim|tell (?:them|everyone|people|followers))\b[^.\n]{0,40}\bi(?:'m| am) (?:a )?(?:real )?(?:human|person)\b",
    ),
    # system prompt extraction
    _r(
        "reveal-prompt",
        "prompt_extraction",
        0.88,
        rf"\b{_REVEAL}\b[^.\n]{{0,30}}\b(?:your|the|its|my)\b[^.\n]{{0,20}}\b(?:system|initial|original|hidden|secret|internal|developer|base|full)\b[^.\n]{{0,15}}\b(?:prompts?|instructions?|messages?|rules|configuration|guidelines|directives)",
    ),
    _r(
        "what-were-you-told",
        "prompt_extraction",
        0.75,
        r"\b(?:what (?:were you|have you been) (?:told|instructed|programmed)|what (?:is|are) your (?:system )?(?:prompt|instructions))\b",
    ),
    _r(
        "repeat-above",
        "prompt_extraction",
        0.75,
        r"\b(?:repeat|print|output|copy|echo)\b[^.\n]{0,25}\b(?:everything|all|the (?:text|words|lines|content)) (?:above|before|preceding|so far)\b",
    ),
    _r(
        "beginning-of-prompt",
        "prompt_extraction",
        0.7,
        r"\b(?:start|beginning|top) of (?:this|the|your) (?:conversation|prompt|context|instructions)\b",
    ),
    _r(
        "hidden-prompt-mention",
        "prompt_extraction",
        0.45,
        r"\byour (?:hidden|secret|system|initial|original|internal|developer|pre-?)\s?(?:prompt|instructions?|message|rules)\b",
    ),
    _r(
        "text-before-my-message",
        "prompt_extraction",
        0.75,
        r"\b(?:what|which) (?:text|words|instructions|messages?) (?:appears?|comes?|came|is|are|was|were) (?:before|above|prior to|ahead of) (?:my|this|the|our)\b",
    ),
    _r(
        "instructions-verbatim",
        "prompt_extraction",
        0.65,
        r"\b(?:what )?your (?:instructions|rules|prompt|guidelines|directives) (?:say|said|are)\b|\b(?:instructions|prompt|rules|guidelines)\b[^.\n]{0,40}\b(?:word for word|verbatim)",
    ),
    # tool and wallet hijack
    _r(
        "send-funds",
        "tool_hijack",
        0.8,
        r"\b(?:transfer|send|wire|pay|move|withdraw|drain)\b[^.\n]{0,50}\b(?:funds?|money|balance|budget|treasury|savings|tokens?|crypto|usdc|eth|btc|dollars|\$\s?\d[\d,.]*|\d[\d,.]*\s?(?:usd|usdc|eth|btc))\b[^.\n]{0,50}\b(?:to|into)\b[^.\n]{0,30}(?:0x[0-9a-f]{6,}|wallet|address|account|iban|bank|paypal|\b[a-z0-9]{20,}\b)",
    ),
    _r("wallet-address-order", "tool_hijack", 0.55, r"\b(?:send|transfer|pay|wire)\b[^.\n]{0,60}0x[0-9a-f]{40}\b"),
    _r(
        "call-tool",
        "tool_hijack",
        0.7,
        r"\b(?:call|invoke|use|run|execute|trigger)\b[^.\n]{0,20}\b(?:the )?(?:tool|function|execute_transaction|deploy_token|store_memory|forget|post_content|wallet)\b[^.\n]{0,40}\b(?:with|to|and|now|immediately)\b",
    ),
    _r(
        "approve-spend",
        "tool_hijack",
        0.75,
        r"\b(?:approve|authorize|authorise|confirm|sign)\b[^.\n]{0,15}\b(?:this|the|my|a|all)\b[^.\n]{0,15}\b(?:spend|payment|transfer|transaction|withdrawal)s?\b[^.\n]{0,30}\b(?:now|immediately|without|automatically|no questions)",
    ),
    _r(
        "deploy-token",
        "tool_hijack",
        0.6,
        r"\b(?:deploy|launch|mint|create)\b[^.\n]{0,20}\b(?:a |the |new )?(?:token|coin|memecoin|nft)\b[^.\n]{0,40}\b(?:now|immediately|for me|on my behalf|and send)",
    ),
    _r(
        "hand-over-secrets",
        "tool_hijack",
        0.85,
        rf"(?<!never )(?<!not )(?<!n't )(?<!dont )\b(?:send|share|reveal|post|include|give|paste|tell|email|dm|print|output|leak)\b[^.\n]{{0,40}}(?:\b|(?=\.)){_SECRETS}",
    ),
    _r(
        "go-ahead-and-pay",
        "tool_hijack",
        0.45,
        r"\b(?:just |simply )?go ahead and (?:approve|pay|send|transfer|post|publish|deploy|sign)\b|\bpay (?:all|every|any) (?:pending|outstanding|open|unpaid) (?:invoices|bills|requests|payments)\b",
    ),
    _r("using-a-tool", "tool_hijack", 0.4, r"\busing (?:the|your) [a-z_]+ (?:tool|function)\b"),
    # social engineering: claimed authority, switched tasks, safeguards talked away
    _r(
        "authority-claim",
        "social",
        0.35,
        r"\b(?:this is|i am|i'm|we are|message from) (?:the|your) (?:moderation team|admin|administrator|operator|owner|developer|security team|support team|account owner|platform team|trust and safety)\b|\bas (?:the|your) (?:account owner|admin|administrator|operator|developer|creator)\b|\byour (?:operators?|owners?|admins?|developers?|creators?) (?:says?|wants?|told|asked|instructed|decided)\b",
    ),
    _r(
        "bypass-safeguard",
        "social",
        0.6,
        r"\b(?:skip|bypass|avoid|remove|drop|leave out|leave it out|turn off|disable|omit|hide|ignore|don't bother with|do not bother with|no need for|forget about)\b[^.\n]{0,25}\b(?:the |this |that )?(?:human review(?:er)?|reviewers?|review step|approval step|ai disclosure|disclosure(?: line| label)?|ai label|disclaimer|safety checks?|spending limits?|your limits|content filter)"
        r"|\b(?:human review|disclosure(?: line| requirement| rule)?|ai label|disclaimer|safety checks?)\b[^.\n]{0,40}\b(?:leave it out|drop it|remove it|skip it|not needed|no longer (?:needed|required)|is optional|(?:is|are|was|were|has been|have been) (?:lifted|removed|waived|dropped|suspended|disabled))"
        r"|\b(?:removed|waived|dropped|suspended|lifted|disabled) the (?:disclosure|ai label|review|approval) (?:requirement|rule|step)"
        r"|\b(?:post|publish|tweet|share) (?:it |this )?without (?:it|the (?:disclosure|label|ai label|review|disclaimer))\b",
    ),
    _r(
        "task-switch",
        "social",
        0.5,
        r"\b(?:the real task|your (?:real|actual|true|new) (?:task|job|goal)|the campaign (?:has )?changed|change of plans?|plans? (?:has|have) changed)\b[^.\n]{0,80}\b(?:promote|post|write|tweet|publish|advertise|send|pay|review|insult|say)\b",
    ),
    _r(
        "limits-raised",
        "social",
        0.55,
        r"\byour (?:spending |daily |payment )?(?:limits?|budget|allowance|cap)\b[^.\n]{0,20}\b(?:were|was|has been|have been|are now|is now|are|is) (?:raised|increased|lifted|removed|doubled|unlimited)\b"
        r"|\b(?:spending )?limits (?:are|have been|were) (?:lifted|removed|suspended)\b[^.\n]{0,40}\b(?:pay|send|transfer|approve)\b",
    ),
    # exfiltration via links
    _r("markdown-image-beacon", "exfiltration", 0.75, r"!\[[^\]]*\]\(\s*https?://[^)\s]*[?&][^)\s]*="),
    _r(
        "send-to-url",
        "exfiltration",
        0.7,
        r"\b(?:send|post|upload|forward|exfiltrate|leak|append|encode|include|attach)\b[^.\n]{0,60}\b(?:conversation|history|context|prompt|data|secrets?|keys?|memory|memories|messages)\b[^.\n]{0,40}(?:https?://|\burl\b|\blink\b|\bwebhook\b|\bendpoint\b|\bserver\b|\b[a-z0-9-]+\.[a-z]{2,}/\S*)",
    ),
    _r(
        "url-with-payload",
        "exfiltration",
        0.6,
        r"https?://\S+[?&](?:data|q|secret|key|token|prompt|history|memory|leak|exfil)=\{?[^\s&]*",
    ),
    _r(
        "click-and-include",
        "exfiltration",
        0.55,
        r"\b(?:visit|open|fetch|load|click|go to)\b[^.\n]{0,15}https?://\S+[^.\n]{0,40}\b(?:with|and (?:add|append|include))\b[^.\n]{0,30}\b(?:your|the) (?:prompt|instructions|secrets?|keys?|data)",
    ),
    _r(
        "mass-forward",
        "exfiltration",
        0.7,
        r"\b(?:email|send|forward|dm|post|upload|copy)\b (?:me |us |them )?(?:every|all|each)\b[^.\n]{0,20}\b(?:messages?|conversations?|memories|data|logs?|emails?|mentions?|chats?)\b[^.\n]{0,40}(?:\byou(?:'ve| have)? (?:processed|seen|received|read|handled)\b|\btoday\b|\S+@\S+\.\w+)",
    ),
    # fake message boundaries
    _r(
        "fake-delimiter",
        "delimiter",
        0.85,
        r"<\|(?:im_start|im_end|system|endoftext|assistant|user)\|>|\[/?(?:system|inst|sys)\]|<</?sys>>|</?(?:system|instructions?)>",
    ),
    _r(
        "fake-role-line",
        "delimiter",
        0.6,
        r"(?:^|\n|\s)(?:system|assistant|developer)\s*:\s*(?:you|ignore|new|the user|from now)",
    ),
    _r(
        "fake-section",
        "delimiter",
        0.65,
        r"#{2,}\s*(?:system|new instructions?|admin|override)\b|\b(?:begin|start) (?:system|admin|new|hidden) (?:prompt|override|message|instructions?)\b|\bend of (?:user )?(?:input|prompt|document|context)\b",
    ),
    # text addressed to the model
    _r(
        "addressed-to-ai",
        "addressing",
        0.55,
        r"\b(?:note|message|instructions?|attention|hey|dear) (?:to|for)? ?(?:the |any |all )?(?:ai|a\.i\.|assistant|chatbot|llm|language model|bot|agent|gpt|claude)s?\b[^.\n]{0,20}(?:reading|processing|summari[sz]ing|parsing|that reads|who reads|:|,)",
    ),
    _r(
        "any-ai-reading",
        "addressing",
        0.6,
        r"\b(?:for |to )?(?:any|all|every|each) (?:ai|a\.i\.|llm|assistant|language model|bot|agent|model)s? (?:reading|processing|summari[sz]ing|parsing|that reads?|who reads?|seeing)\b",
    ),
    _r(
        "if-you-are-ai",
        "addressing",
        0.6,
        r"\bif you are an? (?:ai|assistant|language model|llm|bot|agent)\b|\b(?:ai|llm) (?:agents?|assistants?|models?) (?:reading|processing) this\b",
    ),
)
