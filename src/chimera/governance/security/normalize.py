"""Normalisation: undo the tricks that hide instructions from a plain pattern match.

Produces the views the rules scan (the visible text folded to plain
lower-case ASCII-ish letters, a leetspeak-decoded view, and every hidden or
encoded segment found), the sanitised text that callers use, and the
evasion signals seen on the way (zero-width characters, mixed scripts,
hidden markup, encoded payloads).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

#: Letters from other scripts that look like Latin ones (Cyrillic, Greek, others often used in attacks).
CONFUSABLES = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s",
        "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ո": "n", "ս": "u", "ց": "g",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
        "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
        "α": "a", "ε": "e", "ο": "o", "ρ": "p", "ι": "i", "κ": "k", "ν": "v", "τ": "t", "υ": "u", "χ": "x",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})

_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.S)
_HIDDEN_TAG = re.compile(
    r"<(\w+)[^>]*style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|"
    r"opacity\s*:\s*0(?:\.0+)?\b|color\s*:\s*(?:white|#fff\b|#ffffff))[^\"']*[\"'][^>]*>(.*?)</\1>",
    re.S | re.I,
)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MD_HIDDEN = re.compile(r"\[[^\]]*\]:\s*#\s*\(([^)]*)\)|\[//\]:\s*#\s*\(([^)]*)\)")
_B64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_HEXRUN = re.compile(r"(?:\\x[0-9a-fA-F]{2}){6,}")
_SPACED = re.compile(r"\b(?:[A-Za-z](?: |\.|-|_|\*)){3,}[A-Za-z]\b")
_URLENC = re.compile(r"%[0-9a-fA-F]{2}")


@dataclass(slots=True)
class Normalized:
    """What the scanner looks at, and what it saw on the way."""

    sanitized: str
    """The text to pass on: visible text only, no invisible or control characters, hidden markup removed."""
    views: list[str]
    """Lower-cased scan views of the visible text (folded, leetspeak-decoded, de-spaced)."""
    hidden: list[str] = field(default_factory=list)
    """Lower-cased hidden or encoded segments (HTML comments, invisible elements, base64, hex, URL-encoded)."""
    evasions: list[str] = field(default_factory=list)
    """Evasion techniques seen (names)."""


def _printable_ratio(raw: bytes) -> float:
    text = raw.decode("utf-8", errors="replace")
    ok = sum(1 for c in text if c.isprintable() or c in "\n\t")
    return ok / len(text) if text else 0.0


def _decoded_segments(text: str) -> tuple[list[str], list[str]]:
    segments: list[str] = []
    seen: list[str] = []
    for token in _B64.findall(text):
        if not re.search(r"[a-z]", token) or not re.search(r"[A-Z0-9+/]", token):
            continue  # a plain word run, not base64
        try:
            raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(raw) >= 8 and _printable_ratio(raw) > 0.9 and b" " in raw:
            segments.append(raw.decode("utf-8", errors="replace"))
            seen.append("base64")
    for run in _HEXRUN.findall(text):
        segments.append(bytes.fromhex(run.replace("\\x", "")).decode("utf-8", errors="replace"))
        seen.append("hex escapes")
    if len(_URLENC.findall(text)) >= 4:
        segments.append(unquote(text))
        seen.append("url encoding")
    if "rot13" in text.lower() or "rot-13" in text.lower():
        segments.append(codecs.decode(text, "rot13"))
        seen.append("rot13")
    return segments, seen


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "’": "'", "‘": "'"})


def fold(text: str) -> str:
    """Compatibility-normalised, confusables mapped, accents removed, lower-cased, whitespace collapsed."""
    if text.isascii():  # no normal form, map or accent changes an ASCII character
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFKC", text).translate(CONFUSABLES).translate(_QUOTES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def _mixed_script_words(text: str) -> bool:
    for word in re.findall(r"\w{3,}", text):
        scripts = {unicodedata.name(c, "").split(" ")[0] for c in word if c.isalpha()}
        if len(scripts & {"LATIN", "CYRILLIC", "GREEK", "ARMENIAN"}) > 1:
            return True
    return False


def _join_spaced(m: re.Match[str]) -> str:
    """Join letters split apart: the most common separator is the in-word one; any other separates words."""
    run = m.group(0)
    seps = [c for c in run if c in " .-_*"]
    inner = max(set(seps), key=seps.count)
    return "".join(" " if c in " .-_*" and c != inner else ("" if c == inner else c) for c in run)


#: The ASCII characters ``visible_text`` drops: the controls but tab and newline.
_ASCII_CONTROLS = {c: None for c in [*range(32), 127] if chr(c) not in "\n\t"}


def visible_text(text: str) -> tuple[str, list[str]]:
    """``text`` without invisible and control characters (but tab and newline), and the evasions seen in it."""
    if text.isascii():  # no format characters, one script, no look-alike forms: only controls to drop
        return text.translate(_ASCII_CONTROLS), []
    evasions: list[str] = []
    invisible = [c for c in text if unicodedata.category(c) == "Cf" or c in "\u00ad\u180e"]
    if invisible:
        evasions.append("invisible characters")
    visible = "".join(c for c in text if c not in invisible)
    visible = "".join(c for c in visible if c in "\n\t" or unicodedata.category(c)[0] != "C")
    if _mixed_script_words(visible):
        evasions.append("mixed-script words (homoglyphs)")
    if unicodedata.normalize("NFKC", visible) != visible and re.search(
        r"[\uff00-\uffef\U0001d400-\U0001d7ff]", visible
    ):
        evasions.append("look-alike letter forms")
    return visible, evasions


def normalize(text: str) -> Normalized:
    """The scan views, hidden segments, sanitised text and evasion signals of ``text``."""
    visible, evasions = visible_text(text)
    hidden: list[str] = []
    comments = [c for c in _COMMENT.findall(visible) if c.strip()]
    if comments:
        hidden += comments
        evasions.append("HTML comments")
    invisible_html = [m[1] for m in _HIDDEN_TAG.findall(visible)]
    if invisible_html:
        hidden += invisible_html
        evasions.append("invisible HTML elements")
    md = [a or b for a, b in _MD_HIDDEN.findall(visible)]
    if md:
        hidden += md
        evasions.append("markdown comments")
    shown = _MD_HIDDEN.sub(" ", _HIDDEN_TAG.sub(" ", _COMMENT.sub(" ", visible)))
    shown = html.unescape(_TAG.sub(" ", shown)) if _TAG.search(shown) or "&" in shown else shown
    decoded, how = _decoded_segments(shown)
    hidden += decoded
    evasions += how

    folded = fold(shown)
    views = [folded]
    raw = fold(visible)
    if raw != folded:  # with the markup: fake <system> tags are themselves the attack
        views.append(raw)
    leet = folded.translate(LEET)
    if leet != folded:
        views.append(leet)
    despaced = fold(_SPACED.sub(_join_spaced, shown))  # before whitespace is collapsed: wide gaps part words
    if despaced != folded:
        views.append(despaced)
        if any(len(m.group(0)) >= 9 for m in _SPACED.finditer(folded)):
            evasions.append("letters spaced apart")
    sanitized = " ".join(unicodedata.normalize("NFKC", shown).split())
    return Normalized(sanitized, views, [fold(h) for h in hidden], evasions)
