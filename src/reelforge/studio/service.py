"""The Studio: one object the API (and the CLI) talk to, and the threads behind it.

studio = Studio(load_config("./data", workers=1))
studio.start()        # recovery, then workers and the cleanup task
studio.create_video(user, {"prompt": "..."}, reference=None)
studio.stop()
"""

from __future__ import annotations

import logging
import threading

from reelforge.provenance.identity import installation_id
from reelforge.provenance.invisible import DEFAULT_KEY
from reelforge.safety import Moderator
from reelforge.studio import (
    account,
    characters,
    cleanup,
    clips,
    export,
    feed,
    library,
    queue,
    reviews,
    session,
    submit,
    submit_edits,
    uploads,
)
from reelforge.studio.accounts import User, authenticate
from reelforge.studio.config import StudioConfig
from reelforge.studio.context import Context, MarkSettings
from reelforge.studio.db import connect, database_url
from reelforge.studio.engine_pool import EnginePool
from reelforge.studio.requests import Upload, VideoRef
from reelforge.studio.signing import signing_identity
from reelforge.studio.storage import Storage
from reelforge.studio.views import file_object
from reelforge.studio.worker import Worker

logger = logging.getLogger(__name__)


class Studio:
    def __init__(self, config: StudioConfig):
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.config = config
        identity = signing_identity(config)
        self.ctx = Context(
            config=config,
            db=connect(database_url(config.data_dir, config.database_url)),
            storage=Storage(config.data_dir / "files"),
            engines=EnginePool(config),
            identity=identity,
            mark=MarkSettings(
                config.provenance.watermark_key or DEFAULT_KEY, installation_id(identity)
            ),
            moderator=Moderator.from_config(config.safety.policy or None),
        )
        for name in config.engines:  # a misconfigured engine stops the start, not a job
            self.ctx.engines.get(name)
        self._workers: list[Worker] = []
        self._stop = threading.Event()
        self._janitor: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Requeue what a killed predecessor left running, then start the workers and the
        task that requeues stale jobs and deletes expired files."""
        server = self.config.server
        requeued = queue.requeue_interrupted(
            self.ctx.db, server.stale_after_s, server.max_attempts, at_start=True
        )
        if requeued:
            logger.warning("requeued %d interrupted jobs: %s", len(requeued), ", ".join(requeued))
        self._workers = [Worker(self.ctx, n) for n in range(self.config.workers)]
        for worker in self._workers:
            worker.start()
        self._janitor = threading.Thread(target=self._housekeeping, name="reelforge-janitor")
        self._janitor.start()
        # The moderator's text encoder loads in the background, so the server answers at
        # once and the first prompt does not wait for it (if it comes first, it waits).
        threading.Thread(
            target=self._warm_moderator, name="reelforge-moderator", daemon=True
        ).start()

    def stop(self, timeout: float | None = 30) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.stop(timeout)
        if self._janitor is not None:
            self._janitor.join(timeout)
        self.ctx.db.dispose()

    def _warm_moderator(self) -> None:
        try:
            self.ctx.moderator.load()
        except Exception:
            logger.exception("loading the moderation model failed; the first prompt retries")

    def _housekeeping(self) -> None:
        server = self.config.server
        interval = min(server.cleanup_interval_s, server.stale_after_s / 2)
        while not self._stop.wait(interval):
            try:
                queue.requeue_interrupted(
                    self.ctx.db, server.stale_after_s, server.max_attempts, at_start=False
                )
                cleanup.delete_expired(self.ctx)
            except Exception:
                logger.exception("housekeeping failed; trying again later")

    # -- requests ---------------------------------------------------------------------------

    def authenticate(self, key: str | None) -> User:
        return authenticate(self.ctx.db, key)

    def create_video(self, user: User, fields: dict, reference: Upload | dict | None) -> dict:
        return submit.create(self.ctx, user, fields, reference)

    def remix_video(self, user: User, video_id: str, fields: dict) -> dict:
        return submit.remix(self.ctx, user, video_id, fields)

    def edit_video(self, user: User, fields: dict, video: VideoRef) -> dict:
        return submit.edit(self.ctx, user, fields, video)

    def extend_video(self, user: User, fields: dict, video: VideoRef) -> dict:
        return submit.extend(self.ctx, user, fields, video)

    def edit_job(self, user: User, kind: str, body: dict) -> dict:
        """An editing job (submit_edits: recut, loop, blend, fill, stitch, storyboard)."""
        return submit_edits.OPERATIONS[kind](self.ctx, user, body)

    def get_video(self, user: User, video_id: str) -> dict:
        return library.get(self.ctx, user, video_id)

    def list_videos(self, user: User, after: str | None, limit: int, order: str) -> dict:
        return library.page(self.ctx, user, after, limit, order)

    def delete_video(self, user: User, video_id: str) -> dict:
        return library.remove(self.ctx, user, video_id)

    def video_content(self, user: User, video_id: str, variant: str):
        return library.content(self.ctx, user, video_id, variant)

    def upload_file(self, user: User, upload: Upload, purpose: object) -> dict:
        if not isinstance(purpose, str) or not purpose.strip():
            from reelforge.types import InvalidInputError

            raise InvalidInputError("purpose is required", param="purpose")
        uploads.check_size(self.ctx, upload, "file")
        uploads.check_media(upload, "file")
        with self.ctx.db.begin() as conn:
            file_id = uploads.store(conn, self.ctx, user, upload, purpose.strip())
        return file_object(uploads.get_file(self.ctx, user, file_id))

    def get_file(self, user: User, file_id: str) -> dict:
        return file_object(uploads.get_file(self.ctx, user, file_id))

    def delete_file(self, user: User, file_id: str) -> dict:
        uploads.delete_file(self.ctx, user, file_id)
        return {"id": file_id, "object": "file", "deleted": True}

    def create_character(self, user: User, fields: dict, video: Upload | None) -> dict:
        return characters.create(self.ctx, user, fields, video)

    def get_character(self, user: User, character_id: str) -> dict:
        return characters.get(self.ctx, user, character_id)

    # -- moderation review (admins) ----------------------------------------------------------

    def pending_reviews(self, admin: User) -> dict:
        return reviews.pending(self.ctx.db, admin)

    def review_content(self, admin: User, video_id: str, variant: str):
        return reviews.content(self.ctx.db, self.ctx.storage, admin, video_id, variant)

    def approve_video(self, admin: User, video_id: str) -> dict:
        return reviews.approve(self.ctx.db, admin, video_id)

    def reject_video(self, admin: User, video_id: str, reason: object = None) -> dict:
        return reviews.reject(self.ctx.db, self.ctx.storage, admin, video_id, reason)

    def moderation_log(self, admin: User, limit: int, before: int | None) -> dict:
        return reviews.audit(self.ctx.db, admin, limit, before)

    # -- the web studio: sessions, clip pages, the feed, the account -----------------------

    def open_session(self, key: str | None) -> tuple[str, User]:
        return session.open_session(self.ctx.db, key)

    def session_user(self, token: str) -> User:
        return session.session_user(self.ctx.db, token)

    def close_session(self, token: str | None) -> None:
        session.close_session(self.ctx.db, token)

    def clip_details(self, user: User, video_id: str) -> dict:
        return clips.details(self.ctx, user, video_id)

    def publish_video(self, user: User, video_id: str) -> dict:
        return feed.publish(self.ctx, user, video_id)

    def unpublish_video(self, user: User, video_id: str) -> dict:
        return feed.unpublish(self.ctx, user, video_id)

    def feed_page(self, user: User, before: float | None, limit: int) -> dict:
        return feed.page(self.ctx, user, before, limit)

    def feed_item(self, user: User, video_id: str) -> dict:
        return feed.get(self.ctx, user, video_id)

    def feed_content(self, video_id: str, variant: str):
        return feed.content(self.ctx, video_id, variant)

    def remix_published(self, user: User, video_id: str, fields: dict) -> dict:
        return feed.remix(self.ctx, user, video_id, fields)

    def account(self, user: User) -> dict:
        return account.summary(self.ctx, user)

    def create_own_key(self, user: User) -> dict:
        return account.new_key(self.ctx, user)

    def revoke_own_key(self, user: User, key_id: str) -> dict:
        return account.revoke_key(self.ctx, user, key_id)

    def delete_account(self, user: User, confirm: object) -> dict:
        return account.delete_account(self.ctx, user, confirm)

    def export_zip(self, user: User):
        return export.export_zip(self.ctx, user)
