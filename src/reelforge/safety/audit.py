"""The audit log: every moderation decision, who asked, what, which rule, when.

`AuditRecord` is plain data; `AuditLog` is what a store must do (append, read back);
`JsonlAuditLog` keeps one JSON object per line in a file, which is enough for one
process or a CLI. Records of flagged outputs carry `review="pending"` until an admin
approves or rejects them (the studio keeps that queue in its database).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from reelforge.safety.policy import Decision

What = Literal["prompt", "upload", "output"]
Review = Literal["pending", "approved", "rejected"]


@dataclass(frozen=True)
class AuditRecord:
    """One decision. at: ISO 8601 UTC; who: the user (or key) that asked; what: which
    check; subject: the prompt, or a name for the upload or output (never its pixels);
    job_id: the job it belongs to, when there is one."""

    at: str
    who: str
    what: What
    subject: str
    action: str
    category: str | None = None
    rule: str | None = None
    layer: str | None = None
    score: float | None = None
    job_id: str | None = None
    review: Review | None = None

    @classmethod
    def of(
        cls,
        decision: Decision,
        *,
        who: str,
        what: What,
        subject: str,
        job_id: str | None = None,
        at: datetime | None = None,
    ) -> AuditRecord:
        """The record of a decision; a flagged one starts its review as pending."""
        return cls(
            at=(at or datetime.now(UTC)).isoformat(timespec="milliseconds"),
            who=who,
            what=what,
            subject=subject,
            action=decision.action,
            category=decision.category,
            rule=decision.rule,
            layer=decision.layer,
            score=decision.score,
            job_id=job_id,
            review="pending" if decision.flagged else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class AuditLog(Protocol):
    """Where decisions are kept."""

    def append(self, record: AuditRecord) -> None: ...

    def records(self) -> Iterator[AuditRecord]: ...


class JsonlAuditLog:
    """An append-only JSON-lines file. Each record is one `write` of one line to a file
    opened for appending, so writers in several processes do not interleave lines."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, record: AuditRecord) -> None:
        line = (json.dumps(record.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                while line:
                    line = line[os.write(fd, line) :]
            finally:
                os.close(fd)

    def records(self) -> Iterator[AuditRecord]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield AuditRecord.from_dict(json.loads(line))
