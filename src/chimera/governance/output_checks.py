"""What may never be published: secrets, personal data, claims to be human, links off the allow-list.

These checks guard publishing itself: the Judge fails drafts that break
them, ``post_content`` refuses to publish text that breaks them (a human's
edit included), and a reviewer's edit is checked before it is accepted.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from chimera.secret_store import SECRET_SHAPES
from chimera.text import contains_any

HUMAN_CLAIM = re.compile(
    r"\b(?:i am|i'm|im)\s+(?:a\s+)?(?:real\s+)?(?:human|person)\b|\bas a human\b|\bnot an? (?:ai|bot)\b",
    re.IGNORECASE,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<![\w.])\+?\d(?:[\s().-]?\d){8,}(?![\w.])")
STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|"
    r"Way|Place|Pl|Terrace|Square|Sq)\b\.?"
)
LINK = re.compile(r"\bhttps?://[^\s<>\"')]+|\bwww\.[^\s<>\"')]+", re.IGNORECASE)


def link_allowed(url: str, allowlist: list[str]) -> bool:
    """Whether the link's host is an allowed domain or one of its subdomains."""
    try:
        host = (urlparse(url if "://" in url else f"http://{url}").hostname or "").lower()
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 host): not a link to an allowed domain
        return False
    return any(host == d.lower() or host.endswith("." + d.lower()) for d in allowlist)


# Substrings (of the lower-cased text) without which a pattern cannot match in ASCII
# text: a cheap ``in`` test decides whether the regular expressions need to run at
# all. Text with other characters always runs them (case-insensitive matching knows
# equivalents such as the Kelvin sign for "k" that lower-casing does not produce).

#: The secret shapes' hints in groups by a character every match of the group's shapes contains: "sk-",
#: "xox" and a private key's "-----" need a "-", the GitHub tokens a "_", the key/value shapes a ":" or
#: "=". A character is found by ``memchr``, far cheaper than a word, so most texts test a few words.
SECRET_ANY_HINTS = ("akia", "bearer")
SECRET_DASH_HINTS = ("sk-", "xox", "private key")
SECRET_UNDERSCORE_HINTS = ("ghp_", "gho_", "ghs_", "github_pat_")
SECRET_KEY_VALUE_HINTS = ("api", "access", "secret", "passw")
HUMAN_HINTS = ("human", "person", "not a")
LINK_HINTS = ("http", "www.")
_DIGIT = re.compile(r"\d")
#: What every street address matches first: a number, spaces, a capitalised word.
_NUMBER_THEN_NAME = re.compile(r"\d\s+[A-Z]")
#: For ASCII text, as bytes: each digit to "0", each character ``\s`` matches to " ", each capital to "A"
#: and the rest to ".". The shape is made in C in one pass; digits are counted in it, and a number then a
#: name is found in it by a pattern that starts with a literal (a search for a character set such as
#: ``[0-9]`` steps through the text one character at a time, ~10,000 instructions for a post).
_SHAPE = bytes(
    0x30 if re.fullmatch(r"[0-9]", chr(c)) else 0x20 if re.fullmatch(r"\s", chr(c)) else
    0x41 if re.fullmatch(r"[A-Z]", chr(c)) else 0x2E
    for c in range(256)
)  # fmt: skip
_SHAPED_NUMBER_THEN_NAME = re.compile(rb"0 +A")
#: A phone number has at least this many digits (PHONE: one digit, then eight or more).
PHONE_DIGITS = 9


def output_problems(text: str, link_allowlist: list[str]) -> list[str]:
    """Why ``text`` must not be published; empty when it may."""
    found: list[str] = []
    if text.isascii():
        lowered = text.lower()
        secret = (
            contains_any(lowered, SECRET_ANY_HINTS)
            or ("-" in lowered and contains_any(lowered, SECRET_DASH_HINTS))
            or ("_" in lowered and contains_any(lowered, SECRET_UNDERSCORE_HINTS))
            or ((":" in lowered or "=" in lowered) and contains_any(lowered, SECRET_KEY_VALUE_HINTS))
        )
        human = contains_any(lowered, HUMAN_HINTS)
        link = contains_any(lowered, LINK_HINTS)
        shaped = text.encode().translate(_SHAPE)
        digits = shaped.count(b"0")  # counted in C, with no match objects
        # find, not `in`: `in` on bytes first tries its operand as an integer, and raises and clears an error.
        # Where no number is followed by two spaces, "0 A" is the whole test; the expression (which tries
        # a match at every digit) runs only where one is.
        number_then_name = shaped.find(b"0 A") >= 0 or (
            shaped.find(b"0  ") >= 0 and _SHAPED_NUMBER_THEN_NAME.search(shaped) is not None
        )
    else:
        secret = human = link = True
        digits = len(_DIGIT.findall(text))
        number_then_name = bool(digits) and _NUMBER_THEN_NAME.search(text) is not None
    if secret and any(shape.search(text) for shape in SECRET_SHAPES):
        found.append("contains something shaped like a secret (key, token or password)")
    if human and HUMAN_CLAIM.search(text):
        found.append("claims to be human")
    if ("@" in text and EMAIL.search(text)) or (digits >= PHONE_DIGITS and PHONE.search(text)):
        found.append("contains personal data (email or phone number)")
    if number_then_name and STREET.search(text):
        found.append("contains personal data (a street address)")
    if not link:
        return found
    links = [u for u in LINK.findall(text) if not link_allowed(u, link_allowlist)]
    if links:
        found.append(f"links to a domain not on the allow-list ({', '.join(sorted(set(links))[:3])})")
    return found
