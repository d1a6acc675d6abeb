"""The FastAPI application over a Studio; starting the app starts the studio's workers."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from reelforge import __version__
from reelforge.api import admin, edits, errors, files, session, videos
from reelforge.api import studio as studio_routes
from reelforge.studio import Studio
from reelforge.web import STATIC_DIR


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
    app.include_router(session.router)
    app.include_router(studio_routes.router)
    _serve_web_studio(app)
    return app


def _serve_web_studio(app: FastAPI) -> None:
    """The browser studio: its page at `/` and its files under `/static` (a prefix of its
    own, so no API route is ever shadowed by a file path)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def studio_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-cache"})
