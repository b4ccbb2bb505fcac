"""Structured logging: JSON lines to the home's log file."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path


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
        return json.dumps(entry, ensure_ascii=False)


def configure(path: Path, level: int = logging.INFO) -> logging.Handler:
    """Send the ``chimera`` loggers to ``path``; return the handler so the caller can remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLines())
    root = logging.getLogger("chimera")
    root.setLevel(level)
    root.addHandler(handler)
    return handler
