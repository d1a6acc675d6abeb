"""Sign MP4s with C2PA Content Credentials, and verify them, through c2pa-python.

Offline: nothing is fetched (no remote manifests, no OCSP, no time-stamp authority), and
trust comes from the PEM roots passed in (the local identity's `root-ca.pem`, or the
operator's), given to c2pa as `trust.user_anchors`.

A file reads as one of four states:

    trusted   intact, and the signer chains to one of the trust anchors
    valid     intact, but the signer is not trusted here (signingCredential.untrusted)
    invalid   the media or the manifest was changed after signing, or cannot be read
    unsigned  no C2PA manifest at all
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa

from reelforge.media.atomic import atomic_path, checked_target
from reelforge.media.sources import sniff
from reelforge.provenance.identity import SigningIdentity
from reelforge.types import InvalidInputError, MediaError, NotFoundError

logger = logging.getLogger(__name__)

MP4 = "video/mp4"
STATES = {"Trusted": "trusted", "Valid": "valid", "Invalid": "invalid"}


@dataclass(frozen=True)
class Reason:
    """One validation status code that explains a state (from c2pa, or from reading)."""

    code: str
    explanation: str
    url: str = ""


@dataclass
class Verification:
    """What `verify` found: the state, the active manifest, why, and the whole store."""

    state: str  # trusted | valid | invalid | unsigned
    manifest: dict[str, Any] | None = None
    reasons: list[Reason] = field(default_factory=list)
    store: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.state in ("trusted", "valid")


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def sign_mp4(
    path_in: str | os.PathLike[str],
    path_out: str | os.PathLike[str],
    manifest: dict[str, Any],
    identity: SigningIdentity,
    ingredients: Sequence[str | os.PathLike[str]] = (),
) -> Path:
    """Write `path_in` to `path_out` with `manifest` (from `build_manifest`) signed in.

    `ingredients` are the source files, in the order of the manifest's ingredients; a
    source that has Content Credentials brings its manifests along. `path_out` may be
    `path_in`: the signed file is written beside it and renamed at the end, so on any
    error `path_out` is left as it was.

    Raises NotFoundError for a missing file, InvalidInputError for a manifest that does
    not match the files or a certificate c2pa refuses, MediaError when signing fails.
    """
    source = _existing(path_in, "path_in")
    target = checked_target(path_out)
    sources = [_existing(p, "ingredients") for p in ingredients]
    definitions = list(manifest.get("ingredients") or [])
    if len(definitions) != len(sources):
        raise InvalidInputError(
            f"The manifest names {len(definitions)} ingredients; {len(sources)} files were given",
            param="ingredients",
        )
    definition = {**manifest, "title": manifest.get("title") or target.name}
    definition.pop("ingredients", None)
    try:
        with (
            c2pa.Context.from_dict(_settings(identity.trust_anchors)) as context,
            c2pa.Builder(definition, context=context) as builder,
            _signer(identity) as signer,
        ):
            for ingredient, path in zip(definitions, sources, strict=True):
                with path.open("rb") as f:
                    builder.add_ingredient(ingredient, _mime(path), f)
            with atomic_path(target) as tmp, source.open("rb") as src, tmp.open("w+b") as dst:
                builder.sign(signer, MP4, src, dst)
    except c2pa.C2paError.Signature as e:
        raise InvalidInputError(
            f"c2pa refused the signing certificate {identity.cert_chain}: {e}", param="identity"
        ) from e
    except c2pa.C2paError as e:
        raise MediaError(f"Could not sign {source.name}: {e}", param="path_in") from e
    logger.debug("signed %s -> %s", source, target)
    return target


def verify(
    path: str | os.PathLike[str], trust_anchors: Sequence[str | os.PathLike[str]] = ()
) -> Verification:
    """Read and validate the C2PA manifest store in `path`, trusting `trust_anchors`
    (PEM files of root certificates).

    Raises NotFoundError for a missing file and MediaError for a format c2pa cannot read;
    a damaged manifest is not an error but an `invalid` Verification.
    """
    path = _existing(path, "path")
    try:
        with c2pa.Context.from_dict(_settings(trust_anchors)) as context:
            reader = c2pa.Reader.try_create(str(path), context=context)
            if reader is None:
                return Verification("unsigned")
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError.NotSupported as e:
        raise MediaError(f"c2pa cannot read {path.name}: {e}", param="path") from e
    except c2pa.C2paError as e:  # the manifest store is there but damaged
        return Verification("invalid", reasons=[Reason("manifest.unreadable", str(e))])
    manifest = store.get("manifests", {}).get(store.get("active_manifest"))
    state = STATES.get(store.get("validation_state"), "invalid")
    return Verification(state, manifest, _failures(store), store)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _settings(trust_anchors: Sequence[str | os.PathLike[str]]) -> dict[str, Any]:
    """c2pa settings: nothing fetched, no thumbnail (c2pa makes none for video), our roots."""
    settings: dict[str, Any] = {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        "builder": {"thumbnail": {"enabled": False}},
    }
    pem = "".join(_existing(p, "trust_anchors").read_text() for p in trust_anchors)
    if pem:
        settings["trust"] = {"user_anchors": pem}
    return settings


def _signer(identity: SigningIdentity) -> c2pa.Signer:
    chain = _existing(identity.cert_chain, "cert_chain").read_bytes()
    key = _existing(identity.private_key, "key").read_bytes()
    info = c2pa.C2paSignerInfo(identity.alg.encode(), chain, key, None)
    return c2pa.Signer.from_info(info)


def _failures(store: dict) -> list[Reason]:
    """Failure codes of the active manifest and of its ingredients' manifests."""
    results = store.get("validation_results") or {}
    groups = [(results.get("activeManifest") or {}).get("failure", [])]
    for delta in results.get("ingredientDeltas") or []:
        groups.append((delta.get("validationDeltas") or {}).get("failure", []))
    return [
        Reason(s.get("code", "?"), s.get("explanation", ""), s.get("url", ""))
        for group in groups
        for s in group
    ]


def _existing(path: str | os.PathLike[str], param: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path} does not exist or is not a file", param=param)
    return path


SNIFFED_MIME = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": MP4,
    "mov": "video/quicktime",
}


def _mime(path: Path) -> str:
    """The file's type from its first bytes (uploads are kept without a suffix), else its
    name, else MP4."""
    with path.open("rb") as f:
        kind = sniff(f.read(64))
    return SNIFFED_MIME.get(kind) or mimetypes.guess_type(path.name)[0] or MP4
