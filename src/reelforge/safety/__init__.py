"""Safety: prompt moderation, consent for faces in uploads, output checks, audit.

Moderator.from_config(path=None)      the policy (policy.yaml) with its rules and examples
moderator.check_prompt(text)          Decision: allow or block, the category and rule
moderator.check_upload(frames, consent)   faces need a consent attestation
moderator.check_output(clip, consented_character_used)   faces → review
normalize(text)                       undo Unicode, leetspeak and spacing tricks
ModerationBlocked                     the error of a blocked request ("moderation_blocked")
AuditRecord, AuditLog, JsonlAuditLog  every decision, who, what, which rule, when
"""

from reelforge.safety.audit import AuditLog, AuditRecord, JsonlAuditLog
from reelforge.safety.errors import ModerationBlocked
from reelforge.safety.faces import HaarFaceDetector, check_output, check_upload
from reelforge.safety.moderator import Moderator
from reelforge.safety.normalize import normalize
from reelforge.safety.policy import CATEGORIES, Decision, Policy

__all__ = [
    "CATEGORIES",
    "AuditLog",
    "AuditRecord",
    "Decision",
    "HaarFaceDetector",
    "JsonlAuditLog",
    "ModerationBlocked",
    "Moderator",
    "Policy",
    "check_output",
    "check_upload",
    "normalize",
]
