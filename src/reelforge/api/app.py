"""The FastAPI application over a Studio; starting the app starts the studio's workers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from reelforge import __version__
from reelforge.api import admin, edits, errors, files, videos
from reelforge.studio import Studio


def create_app(studio: Studio, *, manage: bool = True) -> FastAPI:
    """The app; with `manage`, its lifespan starts and stops the studio."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if manage:
            studio.start()
        try:
            yield
        finally:
            if manage:
                studio.stop()

    app = FastAPI(
        title="reelforge",
        version=__version__,
        description="OpenAI-compatible video generation API (/v1/videos) served by reelforge.",
        lifespan=lifespan,
    )
    app.state.studio = studio
    errors.install(app)
    app.include_router(videos.router)
    app.include_router(edits.router)
    app.include_router(files.router)
    app.include_router(admin.router)
    return app
