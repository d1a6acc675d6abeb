"""The studio's tables and its database connection (SQLAlchemy Core).

SQLite in the data folder by default (WAL, so readers never wait for the worker's
writes); any SQLAlchemy URL otherwise, PostgreSQL tested (`postgresql://` is read as
psycopg 3). Every row that matters lives here: users and their hashed keys, jobs (the
queue is the `videos` table), uploaded files, characters, quota usage and the moderation
log (which also holds the review queue's decisions) and the web studio's sessions.

There are no migration scripts yet: a column added in a later release is added to an
older database at connect (`_add_missing_columns`), which covers nullable columns and
columns with a server default.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("plan", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    # Admins review flagged videos (/v1/admin, `reelforge review`).
    Column("admin", Boolean, nullable=False, server_default=false()),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),  # sha256 hex of the key
    Column("prefix", String(16), nullable=False),  # shown in listings, never the key
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

# One row per job; the queue is `status = 'queued'` ordered by priority, then seq.
videos = Table(
    "videos",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # creation order
    Column("id", String(64), nullable=False, unique=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # create remix edit extend, or an edit job
    Column("model", String(100), nullable=False),  # as the caller named it
    Column("engine", String(100), nullable=False),  # the engine config that serves it
    Column("status", String(16), nullable=False, index=True),
    Column("progress", Integer, nullable=False, default=0),
    Column("prompt", Text, nullable=False),
    Column("size", String(16), nullable=False),
    Column("seconds", String(8), nullable=False),
    Column("params", Text, nullable=False),  # JSON: seed, references, strength, ...
    Column("remixed_from_video_id", String(64)),
    Column("priority", Integer, nullable=False),  # copied from the plan at creation
    Column("concurrency", Integer, nullable=False),  # the plan's limit at creation
    Column("watermark", Boolean, nullable=False),
    Column("retention_s", Float),  # assets kept this long after completion; None: always
    Column("created_at", Float, nullable=False),
    Column("started_at", Float),
    Column("completed_at", Float),
    Column("expires_at", Float),
    Column("assets_deleted_at", Float),  # expired: its files are refused from then on
    Column("files_deleted_at", Float),  # and deleted a grace period later (cleanup.py)
    Column("worker_id", String(200)),
    Column("heartbeat_at", Float),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("error_param", String(64)),
    # Moderation of the output: "pending" while status is "in_review" (the files are made
    # and held back), then "approved" or "rejected"; None when nothing was flagged.
    Column("review", String(16)),
    # Shown in the studio's public feed since then (None: private); the owner publishes
    # and unpublishes it, and anyone signed in may watch and remix it meanwhile.
    Column("published_at", Float, index=True),
)

files = Table(
    "files",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("purpose", String(64), nullable=False),
    Column("filename", String(300), nullable=False),
    Column("content_type", String(100)),
    Column("bytes", Integer, nullable=False),
    Column("path", String(500), nullable=False),  # relative to the storage root
    Column("created_at", Float, nullable=False),
)

characters = Table(
    "characters",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("file_id", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
)

# Browser sessions of the web studio: an API key exchanged for a random token that
# travels only in an httpOnly cookie. Only its SHA-256 is kept, as for keys; the session
# ends with the key it was opened with (revoking the key signs the browser out).
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("key_id", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Seconds charged against the monthly quota: one row per accepted job, removed again
# when the job is cancelled or fails (the user pays only for what they get).
usage = Table(
    "usage",
    metadata,
    Column("video_id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("period", String(7), nullable=False),  # "2026-11"
    Column("seconds", Float, nullable=False),
    Column("created_at", Float, nullable=False),
)


# Every moderation decision: prompts and uploads at submit, outputs after rendering, and
# the admins' approvals and rejections of flagged outputs.
moderation_log = Table(
    "moderation_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False, index=True),
    Column("user_id", String(64), nullable=False, index=True),  # who asked (or reviewed)
    Column("what", String(16), nullable=False),  # prompt | upload | output | review
    Column("subject", Text, nullable=False),  # the prompt, or the file / video it concerns
    Column("action", String(16), nullable=False),  # allow | block | review | approve | reject
    Column("category", String(64)),
    Column("rule", String(200)),
    Column("layer", String(32)),
    Column("score", Float),
    Column("video_id", String(64), index=True),
)


def database_url(data_dir: Path, url: str | None) -> str:
    """The SQLAlchemy URL: `url` (postgresql:// read as psycopg 3) or SQLite in data_dir."""
    if url is None:
        return f"sqlite:///{(data_dir / 'reelforge.db').resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def connect(url: str) -> Engine:
    """An Engine with the tables created; SQLite in WAL mode with a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    metadata.create_all(engine)
    _add_missing_columns(engine)
    return engine


def _add_missing_columns(engine: Engine) -> None:
    """ALTER TABLE ADD COLUMN for each column of `metadata` an older database lacks."""
    found = inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {c["name"] for c in found.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = ""
                if column.server_default is not None:
                    value = column.server_default.arg
                    default = " DEFAULT " + str(
                        value.compile(dialect=engine.dialect)
                        if hasattr(value, "compile")
                        else value
                    )
                null = "" if column.nullable else " NOT NULL"
                conn.execute(
                    text(
                        f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}{default}{null}'
                    )
                )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives a killed process; only a power cut can lose the last commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
