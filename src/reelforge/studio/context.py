"""What every studio operation works on: configuration, database, files and engines,
and the trust pieces every job passes through (signing, the invisible mark, moderation)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from reelforge.provenance.identity import SigningIdentity
from reelforge.safety import Moderator
from reelforge.studio.config import StudioConfig
from reelforge.studio.engine_pool import EnginePool
from reelforge.studio.storage import Storage


@dataclass(frozen=True)
class MarkSettings:
    """The invisible watermark: its key and this installation's 32-bit id."""

    key: str
    installation: int


@dataclass
class Context:
    config: StudioConfig
    db: Engine
    storage: Storage
    engines: EnginePool
    identity: SigningIdentity  # signs every MP4's Content Credentials
    mark: MarkSettings  # the invisible watermark on every clip
    moderator: Moderator  # prompts, uploads and outputs
    wake: threading.Event = field(default_factory=threading.Event)  # set when a job is queued
