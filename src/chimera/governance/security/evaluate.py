"""Measuring the gateway on a labelled corpus: detection rate on attacks, false positives on benign texts."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from chimera.errors import ConfigError
from chimera.governance.security.gateway import SecurityGateway


class LabelledText(BaseModel):
    """One corpus line."""

    text: str
    label: str
    kind: str = ""


@dataclass(slots=True)
class Evaluation:
    """Counts and rates over a corpus."""

    attacks: int = 0
    caught: int = 0
    benign: int = 0
    false_positives: int = 0
    missed_by_kind: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)

    @property
    def detection_rate(self) -> float:
        """Share of attacks blocked."""
        return self.caught / self.attacks if self.attacks else 0.0

    @property
    def false_positive_rate(self) -> float:
        """Share of benign texts blocked."""
        return self.false_positives / self.benign if self.benign else 0.0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "attacks": self.attacks, "caught": self.caught, "detection_rate": round(self.detection_rate, 4),
            "benign": self.benign, "false_positives": self.false_positives,
            "false_positive_rate": round(self.false_positive_rate, 4),
            "missed_by_kind": dict(self.missed_by_kind), "missed": self.missed, "flagged": self.flagged,
        }  # fmt: skip


def load_corpus(path: Path) -> list[LabelledText]:
    """Every ``*.jsonl`` file under ``path`` (or the file itself): one {"text", "label"} object per line."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.exists() for f in files):
        raise ConfigError(str(path), "no corpus files (*.jsonl) found")
    rows: list[LabelledText] = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = LabelledText.model_validate(json.loads(line))
            except (ValueError, ValidationError) as exc:
                raise ConfigError(str(f), f"line {n} is not a labelled text: {exc}") from None
            if row.label not in ("attack", "benign"):
                raise ConfigError(str(f), f"line {n}: label must be 'attack' or 'benign'", "label")
            rows.append(row)
    return rows


async def evaluate(gateway: SecurityGateway, corpus: list[LabelledText]) -> Evaluation:
    """Run every text through the gateway (without auditing) and count."""
    result = Evaluation()
    for row in corpus:
        verdict = await gateway.check(row.text, source="eval", audit=False)
        if row.label == "attack":
            result.attacks += 1
            if verdict.approved:
                result.missed_by_kind[row.kind or "?"] += 1
                result.missed.append(row.text)
            else:
                result.caught += 1
        else:
            result.benign += 1
            if not verdict.approved:
                result.false_positives += 1
                result.flagged.append(f"{row.text} [{verdict.reason}]")
    return result
