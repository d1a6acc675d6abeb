"""Moderation in the job path (docs/SAFETY.md).

At submit, before anything is stored or charged: the prompt, then every image or video
the request brings (faces need the request's `consent` attestation). After rendering:
the output, which is held for an admin's review when it shows faces that no consented
character accounts for. Every decision, allowed ones too, goes to the moderation log
with who asked and which rule decided.
"""

from __future__ import annotations

import json
import time

from sqlalchemy.engine import Connection, Engine, Row

from reelforge.media.sample import sample_frames
from reelforge.safety import Decision
from reelforge.safety.faces import UPLOAD_SAMPLES
from reelforge.studio.accounts import User
from reelforge.studio.context import Context
from reelforge.studio.db import moderation_log
from reelforge.studio.requests import Upload
from reelforge.types import Clip, InvalidInputError, MediaError


def check_prompt(ctx: Context, user: User, prompt: str, param: str = "prompt") -> None:
    """Log the prompt's decision; ModerationBlocked (naming the category, and `param`)
    when blocked."""
    decision = ctx.moderator.check_prompt(prompt)
    log(ctx.db, user.id, "prompt", prompt, decision)
    if decision.blocked:
        raise decision.error(param)


def check_upload(ctx: Context, user: User, upload: Upload, consent: bool, param: str) -> bool:
    """Refuse an image or video showing faces unless `consent` attests the people shown
    agreed; True when it shows faces (the output check then looks harder). An unreadable
    file is a MediaError naming `param`."""
    try:
        frames = sample_frames(upload.data, UPLOAD_SAMPLES)
    except MediaError as e:
        raise MediaError(f"{param} could not be read: {e.message}", param=param) from None
    found = ctx.moderator.check_upload(frames, consent=False)
    decision = found
    if found.blocked and consent:
        decision = Decision("allow", "likeness", "faces:consent_attested", "faces", found.score)
    log(ctx.db, user.id, "upload", f"{param}: {upload.filename or 'upload'}", decision)
    if decision.blocked:
        raise decision.error(param)
    return found.blocked


def check_output(ctx: Context, row: Row, clip: Clip) -> Decision:
    """The finished clip: allowed, or flagged for review (faces, no consented character;
    characters do not reach the engines yet, so no output has one). When the job's own
    media showed faces, the output is flagged whatever the detector finds in it: that
    media was given to the engine (a first frame, a source video), so the person is in
    the clip, though a redrawn face may no longer be one a Haar cascade finds."""
    if not ctx.config.safety.review_faces:
        return Decision("allow", layer="faces", rule="faces:review_off")
    if json.loads(row.params).get("input_faces"):
        decision = Decision("review", "likeness", "faces:input", "faces")
    else:
        decision = ctx.moderator.check_output(clip, False)
    log(ctx.db, row.user_id, "output", row.id, decision, video_id=row.id)
    return decision


def consent_of(value: object) -> bool:
    """The request's `consent` attestation: true/false (JSON), or "true"/"false"/"1"/"0"
    (form fields); absent is false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise InvalidInputError(f"consent must be true or false; got {value!r}", param="consent")


def log(
    db: Engine,
    user_id: str,
    what: str,
    subject: str,
    decision: Decision,
    *,
    video_id: str | None = None,
    conn: Connection | None = None,
) -> None:
    """One row of the moderation log (in `conn`'s transaction when given)."""
    values = {
        "at": time.time(),
        "user_id": user_id,
        "what": what,
        "subject": subject,
        "action": decision.action,
        "category": decision.category,
        "rule": decision.rule,
        "layer": decision.layer,
        "score": decision.score,
        "video_id": video_id,
    }
    if conn is not None:
        conn.execute(moderation_log.insert().values(**values))
        return
    with db.begin() as own:
        own.execute(moderation_log.insert().values(**values))
