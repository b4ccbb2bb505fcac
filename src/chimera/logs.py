"""Structured logging: JSON lines to the home's log file."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from chimera.secret_store import RedactingFilter, Redactor


class JsonLines(logging.Formatter):
    """One JSON object per record; newlines in messages are escaped by JSON itself."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record."""
        entry = {
            "ts": round(record.created, 3),
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure(path: Path, redactor: Redactor, level: int = logging.INFO) -> logging.Handler:
    """Send the ``chimera`` loggers to ``path``, secrets masked; return the handler so the caller can remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger("chimera")
    root.setLevel(level)
    root.addHandler(handler)
    return handler


def configure_stderr(redactor: Redactor, level: int = logging.WARNING) -> logging.Handler:
    """Warnings of every logger (Chimera's and its libraries') to stderr, secrets masked."""
    handler = logging.StreamHandler()
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "chimera_stderr", False)]:
        root.removeHandler(old)
    handler.chimera_stderr = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    return handler
