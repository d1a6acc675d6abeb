"""Content Credentials for the files a job makes: the studio's signing identity, and each
job's manifest (its kind, engine and model, and its sources as ingredients, so a remix
carries its parent's credentials along)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import Row

from reelforge.provenance.c2pa_sign import sign_mp4
from reelforge.provenance.identity import SigningIdentity, ensure_local_identity, load_identity
from reelforge.provenance.manifest import build_manifest
from reelforge.studio.config import StudioConfig
from reelforge.studio.storage import Storage
from reelforge.studio.uploads import get_file_row

# A job's kind → the manifest's kind (provenance.manifest.KINDS says what each records).
KINDS = {
    "create": "generate",
    "storyboard": "generate",
    "remix": "remix",
    "edit": "edit",
    "recut": "edit",
    "loop": "edit",
    "fill": "edit",
    "extend": "extend",
    "blend": "blend",
    "stitch": "stitch",
}


def signing_identity(config: StudioConfig) -> SigningIdentity:
    """The operator's chain and key when configured, else the local one in DATA/identity
    (made on first start)."""
    settings = config.provenance
    if settings.cert_chain or settings.private_key:
        return load_identity(
            settings.cert_chain, settings.private_key, settings.trust_anchors or None
        )
    return ensure_local_identity(config.data_dir / "identity")


class JobSigner:
    """Signs the MP4s of one job in place, with the job's manifest."""

    def __init__(self, ctx, row: Row):
        self.identity: SigningIdentity = ctx.identity
        self.sources = _sources(ctx, row)
        self.manifest = build_manifest(
            KINDS[row.kind], row.engine, row.model, ingredients=[t for t, _ in self.sources]
        )

    def __call__(self, path: Path) -> None:
        sign_mp4(path, path, self.manifest, self.identity, [p for _, p in self.sources])


def _sources(ctx, row: Row) -> list[tuple[str, Path]]:
    """(title, file) of what the job started from: the reference image, the source
    videos, the storyboard's card images."""
    params = json.loads(row.params)
    storage: Storage = ctx.storage
    video_ids = params.get("source_video_ids") or [params.get("source_video_id")]
    sources = [(f"{v}.mp4", storage.master(v)) for v in video_ids if v]
    file_ids = [params.get("source_file_id"), params.get("input_reference")]
    file_ids += [card.get("image_file_id") for card in params.get("cards", [])]
    for file_id in filter(None, file_ids):
        file = get_file_row(ctx, file_id)
        sources.append((file.filename, storage.path(file.path)))
    return sources
