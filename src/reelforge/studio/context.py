"""What every studio operation works on: configuration, database, files and engines."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from reelforge.provenance.identity import SigningIdentity
from reelforge.studio.config import StudioConfig
from reelforge.studio.engine_pool import EnginePool
from reelforge.studio.storage import Storage


@dataclass
class Context:
    config: StudioConfig
    db: Engine
    storage: Storage
    engines: EnginePool
    identity: SigningIdentity  # signs every MP4's Content Credentials
    wake: threading.Event = field(default_factory=threading.Event)  # set when a job is queued
