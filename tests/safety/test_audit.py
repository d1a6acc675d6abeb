"""The audit log: a decision's record written and read back."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

from reelforge.safety import AuditRecord, Decision, JsonlAuditLog


def test_records_round_trip_through_the_jsonl_log(tmp_path):
    log = JsonlAuditLog(tmp_path / "audit" / "moderation.jsonl")
    assert list(log.records()) == []
    blocked = Decision("block", "hate", "terms:hate", "rules", None, "…", "vermin")
    flagged = Decision("review", "likeness", "faces:output", "faces", 1.0)
    when = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    records = [
        AuditRecord.of(blocked, who="user-1", what="prompt", subject="a prompt", at=when),
        AuditRecord.of(flagged, who="user-2", what="output", subject="video_1", job_id="job-9"),
        AuditRecord.of(Decision("allow"), who="user-1", what="prompt", subject="a kite"),
    ]
    for record in records:
        log.append(record)
    assert list(log.records()) == records
    first = records[0]
    assert (first.at, first.category, first.rule, first.layer, first.review) == (
        "2026-11-22T12:00:00.000+00:00", "hate", "terms:hate", "rules", None,
    )  # fmt: skip
    assert records[1].review == "pending" and records[1].job_id == "job-9"
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


def test_a_line_with_fields_from_a_newer_version_still_reads(tmp_path):
    path = tmp_path / "moderation.jsonl"
    row = AuditRecord.of(Decision("allow"), who="u", what="prompt", subject="s").to_dict()
    path.write_text(json.dumps({**row, "added_later": 1}) + "\n\n")
    assert [r.subject for r in JsonlAuditLog(path).records()] == ["s"]
