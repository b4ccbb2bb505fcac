"""Secrets: where they come from (environment, then the OS keyring) and how they are kept out of output.

Every secret Chimera uses is looked up here. The keyring is optional: on a
headless machine the keyring library has no backend and raises
NoKeyringError, in which case only the environment is used and
``keyring_status`` says so. Values found are registered with the Redactor,
whose filter removes them (and anything shaped like a key or token) from
every log line and error message.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from chimera.settings import Secret, env_value

KEYRING_SERVICE = "chimera"
MASK = "***"

#: Shapes of credentials that must never be printed, whoever wrote them.
SECRET_SHAPES = (
    re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}"),
    re.compile(r"\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{12,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
    re.compile(r"(?i)\b(?:api[_-]?key|access[_-]?token|secret|password|passwd)\s*[:=]\s*[^\s,;]{6,}"),
)


def redact_shapes(text: str) -> str:
    """``text`` with anything shaped like a credential masked."""
    for shape in SECRET_SHAPES:
        text = shape.sub(MASK, text)
    return text


def one_line(text: str) -> str:
    """Untrusted text made safe for a log line: no line breaks or other control characters."""
    return "".join(" " if (c < " " and c != "\t") or c in "\x7f\u2028\u2029\x85" else c for c in text)


@dataclass(slots=True)
class Redactor:
    """Masks known secret values and credential shapes."""

    _values: set[str] = field(default_factory=set)

    def register(self, value: str) -> None:
        """Remember a secret value so it is masked wherever it shows."""
        if len(value) >= 6:  # shorter values would mask ordinary words
            self._values.add(value)

    def __call__(self, text: str) -> str:
        """``text`` with every known value and credential shape masked."""
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return redact_shapes(text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message: secrets masked, line breaks from untrusted text removed."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message now, clean it, and drop the arguments it came from."""
        record.msg = one_line(self._redact(record.getMessage()))
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class SecretStore:
    """Looks secrets up by name: the environment first, then the OS keyring (service ``chimera``)."""

    def __init__(self, redactor: Redactor, *, use_keyring: bool = True) -> None:
        self.redactor = redactor
        self._use_keyring = use_keyring
        self._keyring_problem: str | None = None if use_keyring else "disabled"

    def get(self, name: str) -> Secret | None:
        """The secret named ``name``, or None if neither place has it."""
        value = env_value(name) or self._from_keyring(name)
        if value is None:
            return None
        self.redactor.register(value)
        return Secret(value)

    def where(self, name: str) -> str | None:
        """Where ``name`` would come from: 'environment', 'keyring' or None (never the value)."""
        if env_value(name):
            return "environment"
        return "keyring" if self._from_keyring(name) else None

    @property
    def keyring_status(self) -> str:
        """'available' or why the keyring is not used."""
        if self._keyring_problem is None:
            self._from_keyring("chimera-probe")
        return self._keyring_problem or "available"

    def _from_keyring(self, name: str) -> str | None:
        if self._keyring_problem is not None:
            return None
        try:
            import keyring
            import keyring.errors

            return keyring.get_password(KEYRING_SERVICE, name)
        except ImportError:
            self._keyring_problem = "the keyring package is not installed"
        except Exception as exc:  # NoKeyringError on headless machines, or a backend failing
            self._keyring_problem = f"{type(exc).__name__}: no usable OS keyring; secrets come from the environment"
        return None


def audit_key(store: SecretStore) -> bytes | None:
    """The audit chain key from CHIMERA_AUDIT_KEY (hex, or any text of 16+ bytes), if set anywhere."""
    secret = store.get("CHIMERA_AUDIT_KEY")
    if secret is None:
        return None
    raw = secret.reveal().strip()
    try:
        return bytes.fromhex(raw) if len(raw) >= 32 else raw.encode()
    except ValueError:
        return raw.encode()
