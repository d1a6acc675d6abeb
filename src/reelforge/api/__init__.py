"""The HTTP API: OpenAI-compatible `/v1/videos` (and the files and models it needs),
served by FastAPI over a `reelforge.studio.Studio`.

    from reelforge.api import create_app
    app = create_app(studio)   # uvicorn.run(app, ...)
"""

from reelforge.api.app import create_app

__all__ = ["create_app"]
