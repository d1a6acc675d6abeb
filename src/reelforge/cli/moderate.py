"""`reelforge moderate PROMPT`: the moderation decision for a prompt (and uploads), as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from reelforge.cli.errors import user_errors

BLOCKED_EXIT = 3
FACE_SAMPLES = 8  # frames of an uploaded video the face check looks at


def moderate_command(
    prompt: str = typer.Argument(..., help="The prompt to check."),
    uploads: list[Path] = typer.Option(
        [], "--upload", help="An image or video sent with the prompt (repeatable)."
    ),
    consent: bool = typer.Option(
        False, "--consent", help="Attest that the people in the uploads agreed to appear."
    ),
    policy: Path | None = typer.Option(
        None, "--policy", help="A policy YAML file (default: the shipped policy)."
    ),
    audit: Path | None = typer.Option(
        None, "--audit", help="Append the decision to this JSON-lines audit log."
    ),
    user: str = typer.Option("cli", "--user", help="Who asked, for the audit log."),
) -> None:
    """Check a prompt (and uploads) the way the studio does before any work starts.

    Prints the decision as JSON: allowed, action, category, rule, layer, score (the
    similarity behind it), matched (what a rule matched), the normalised prompt and
    every category's similarity. Uploads are checked for faces only when the prompt is
    allowed; public figures named in the prompt are refused whatever --consent says.
    Exits 0 when allowed, 3 when blocked, 2 on bad input (an empty prompt, a missing
    or unreadable upload, a bad policy file). With --audit, every decision (the
    prompt's and each upload's) is appended to the log.

    Example: reelforge moderate "a boxer throws a punch"
    """
    from reelforge.media.sample import sample_frames
    from reelforge.safety import AuditRecord, JsonlAuditLog, Moderator
    from reelforge.types import InvalidInputError

    with user_errors():
        if not prompt.strip():
            raise InvalidInputError("the prompt is empty", param="prompt")
        moderator = Moderator.from_config(policy)
        frames = {path: sample_frames(path, FACE_SAMPLES) for path in uploads}
        log = JsonlAuditLog(audit) if audit is not None else None
        decision = moderator.check_prompt(prompt)
        if log:
            log.append(AuditRecord.of(decision, who=user, what="prompt", subject=prompt))
        for path, sampled in frames.items() if decision.allowed else ():
            found = moderator.check_upload(sampled, consent)
            if log:
                log.append(AuditRecord.of(found, who=user, what="upload", subject=str(path)))
            if found.blocked:
                decision = found
                break
    typer.echo(json.dumps({"prompt": prompt, **decision.to_dict()}, indent=2, ensure_ascii=False))
    if decision.blocked:
        raise typer.Exit(BLOCKED_EXIT)
