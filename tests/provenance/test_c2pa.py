"""C2PA Content Credentials on reelforge's MP4s: signed with the local CA, verified as
trusted; sources recorded as ingredients; a changed byte, an unknown signer and a missing
manifest each read as what they are; and `reelforge verify` says so with its exit status."""

from __future__ import annotations

import datetime as dt
import json
import struct

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

import reelforge
from cli_process import run_cli
from reelforge.media import write_mp4
from reelforge.provenance.c2pa_sign import sign_mp4, verify
from reelforge.provenance.identity import SigningIdentity, ensure_local_identity
from reelforge.provenance.manifest import (
    COMPOSITE_SYNTHETIC,
    COMPOSITE_TRAINED,
    TRAINED,
    build_manifest,
    describe,
)
from reelforge.types import Clip, InvalidInputError, NotFoundError


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("c2pa")


@pytest.fixture(scope="module")
def identity(folder):
    return ensure_local_identity(folder / "identity")


@pytest.fixture(scope="module")
def unsigned(folder):
    """A tiny MP4 (64x36, 12 frames) with no manifest."""
    y, x = np.mgrid[0:36, 0:64]
    frames = np.stack([np.stack([x * 4, y * 7, x + y + 20 * t], -1) for t in range(12)])
    return write_mp4(Clip(frames.astype(np.uint8), fps=12), folder / "unsigned.mp4")


@pytest.fixture(scope="module")
def signed(folder, unsigned, identity):
    manifest = build_manifest("generate", "native", "tiny-test")
    return sign_mp4(unsigned, folder / "signed.mp4", manifest, identity)


def actions_of(manifest: dict) -> list[dict]:
    (assertion,) = [a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions")]
    return assertion["data"]["actions"]


def box_payload(data: bytes, kind: bytes) -> tuple[int, int]:
    """(start, end) of the payload of the first top-level MP4 box of this type."""
    at = 0
    while at < len(data):
        size, name = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[at + 8 : at + 16])[0], 16
        size = size or len(data) - at
        if name == kind:
            return at + header, at + size
        at += size
    raise AssertionError(f"no {kind!r} box")


def flipped(path, out, kind: bytes):
    data = bytearray(path.read_bytes())
    start, end = box_payload(bytes(data), kind)
    data[(start + end) // 2] ^= 0xFF
    out.write_bytes(data)
    return out


# ---------------------------------------------------------------------------
# Signing and what the manifest says
# ---------------------------------------------------------------------------


def test_a_generated_clip_is_signed_and_trusted(signed, identity):
    result = verify(signed, identity.trust_anchors)
    assert result.state == "trusted" and result.ok and result.reasons == []
    created = actions_of(result.manifest)[0]
    assert created["action"] == "c2pa.created"
    assert created["digitalSourceType"] == TRAINED
    assert created["softwareAgent"] == {"name": "reelforge", "version": reelforge.__version__}
    assert created["parameters"] == {"engine": "native", "model": "tiny-test"}
    assert result.manifest["claim_generator_info"][0]["name"] == "reelforge"
    assert result.manifest["title"] == "signed.mp4"
    assert result.manifest["signature_info"]["common_name"] == "reelforge local signer"


def test_the_signed_file_still_plays_as_the_same_video(signed, unsigned):
    from reelforge.media import read_clip

    assert np.array_equal(read_clip(signed).frames, read_clip(unsigned).frames)


def test_the_prompt_is_recorded_only_when_the_caller_gives_it(signed, identity, unsigned, folder):
    assert describe(verify(signed, identity.trust_anchors).manifest)["prompt"] is None
    manifest = build_manifest("generate", "native", "tiny-test", prompt="a red ball bounces")
    shared = sign_mp4(unsigned, folder / "shared.mp4", manifest, identity)
    assert (
        describe(verify(shared, identity.trust_anchors).manifest)["prompt"] == "a red ball bounces"
    )


@pytest.mark.parametrize(
    "kind, source_type",
    [("remix", TRAINED), ("extend", COMPOSITE_TRAINED), ("edit", COMPOSITE_TRAINED)],
)
def test_a_derived_clip_records_its_signed_source_as_parent(
    signed, identity, unsigned, folder, kind, source_type
):
    manifest = build_manifest(kind, "native", "tiny-test", ingredients=["signed.mp4"])
    derived = sign_mp4(unsigned, folder / f"{kind}.mp4", manifest, identity, [signed])
    result = verify(derived, identity.trust_anchors)
    assert result.state == "trusted"
    (source,) = result.manifest["ingredients"]
    assert (source["title"], source["relationship"]) == ("signed.mp4", "parentOf")
    assert source["active_manifest"] in result.store["manifests"]  # its credentials came along
    opened, edited = actions_of(result.manifest)
    assert opened["action"] == "c2pa.opened" and len(opened["parameters"]["ingredients"]) == 1
    assert edited["action"] == "c2pa.edited" and edited["digitalSourceType"] == source_type
    assert edited["softwareAgent"]["name"] == "reelforge"
    summary = describe(result.manifest)
    assert summary["actions"][0]["ingredients"] == ["signed.mp4"]


def test_an_image_to_video_clip_records_its_still_as_input(unsigned, identity, folder):
    Image.new("RGB", (64, 36), (200, 30, 30)).save(folder / "still.png")
    manifest = build_manifest("generate", "native", "tiny-test", ingredients=["still.png"])
    clip = sign_mp4(unsigned, folder / "i2v.mp4", manifest, identity, [folder / "still.png"])
    result = verify(clip, identity.trust_anchors)
    assert result.state == "trusted"
    (still,) = result.manifest["ingredients"]
    assert (still["title"], still["relationship"], still["format"]) == (
        "still.png",
        "inputTo",
        "image/png",
    )
    (created,) = describe(result.manifest)["actions"]
    assert (created["action"], created["ingredients"]) == ("c2pa.created", ["still.png"])


def test_a_stitch_places_each_source_signed_or_not(signed, unsigned, identity, folder):
    manifest = build_manifest("stitch", ingredients=["signed.mp4", "unsigned.mp4"])
    stitch = sign_mp4(unsigned, folder / "stitch.mp4", manifest, identity, [signed, unsigned])
    result = verify(stitch, identity.trust_anchors)
    assert result.state == "trusted"
    created, *placed = actions_of(result.manifest)
    assert created["digitalSourceType"] == COMPOSITE_SYNTHETIC and "parameters" not in created
    assert [a["action"] for a in placed] == ["c2pa.placed", "c2pa.placed"]
    summary = describe(result.manifest)
    assert [a["ingredients"] for a in summary["actions"][1:]] == [["signed.mp4"], ["unsigned.mp4"]]
    assert [(i["relationship"], i["signed"]) for i in summary["ingredients"]] == [
        ("componentOf", True),
        ("componentOf", False),
    ]


def test_manifests_that_do_not_fit_their_sources_are_refused(unsigned, identity, folder):
    with pytest.raises(InvalidInputError, match="Unknown clip kind"):
        build_manifest("sketch")
    with pytest.raises(InvalidInputError, match="at least 1 and at most 1"):
        build_manifest("remix", "native", "m")
    manifest = build_manifest("extend", "native", "m", ingredients=["a.mp4"])
    with pytest.raises(InvalidInputError, match="names 1 ingredients; 0 files"):
        sign_mp4(unsigned, folder / "never.mp4", manifest, identity)
    with pytest.raises(NotFoundError):
        sign_mp4(unsigned, folder / "never.mp4", manifest, identity, [folder / "gone.mp4"])
    assert not (folder / "never.mp4").exists()


def test_signing_in_place_replaces_the_file_whole(unsigned, identity, folder):
    clip = folder / "in-place.mp4"
    clip.write_bytes(unsigned.read_bytes())
    sign_mp4(clip, clip, build_manifest("generate", "native", "m"), identity)
    assert verify(clip, identity.trust_anchors).state == "trusted"
    assert sorted(p.name for p in folder.glob(".in-place*")) == []  # no temp file left


def test_c2pa_refuses_a_self_signed_signing_certificate(unsigned, folder):
    """Why reelforge makes a CA: the same key in a self-signed certificate cannot sign."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed")])
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.OID_EMAIL_PROTECTION]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (folder / "self.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "self.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    identity = SigningIdentity(folder / "self.pem", folder / "self.key")
    with pytest.raises(InvalidInputError, match="c2pa refused the signing certificate"):
        sign_mp4(unsigned, folder / "self-signed.mp4", build_manifest("generate"), identity)
    assert not (folder / "self-signed.mp4").exists()


# ---------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------


def test_a_flipped_byte_in_the_media_reads_invalid(signed, identity, folder):
    tampered = flipped(signed, folder / "tampered.mp4", b"mdat")
    result = verify(tampered, identity.trust_anchors)
    assert result.state == "invalid" and not result.ok
    assert "assertion.bmffHash.mismatch" in [r.code for r in result.reasons]


def test_a_damaged_manifest_reads_invalid(signed, identity, folder):
    damaged = flipped(signed, folder / "damaged.mp4", b"uuid")  # the C2PA manifest box
    result = verify(damaged, identity.trust_anchors)
    assert result.state == "invalid" and result.reasons


def test_an_mp4_without_a_manifest_reads_unsigned(unsigned, identity):
    result = verify(unsigned, identity.trust_anchors)
    assert (result.state, result.manifest, result.reasons) == ("unsigned", None, [])


def test_an_intact_clip_from_an_unknown_signer_reads_valid(signed):
    result = verify(signed)  # no trust anchors
    assert result.state == "valid" and result.ok
    assert [r.code for r in result.reasons] == ["signingCredential.untrusted"]


def test_verifying_a_missing_file_is_an_error(folder):
    with pytest.raises(NotFoundError):
        verify(folder / "gone.mp4")


# ---------------------------------------------------------------------------
# reelforge verify
# ---------------------------------------------------------------------------


def test_verify_cli_prints_the_manifest_and_exits_0_when_trusted(signed, folder):
    proc = run_cli("verify", str(signed), "--identity", str(folder / "identity"), ok=True)
    assert proc.stdout.startswith("signed.mp4: trusted")
    for text in ("c2pa.created", "trainedAlgorithmicMedia", f"reelforge {reelforge.__version__}"):
        assert text in proc.stdout
    assert "model tiny-test" in proc.stdout and "reelforge local signer" in proc.stdout


def test_verify_cli_json_has_the_whole_manifest_store(signed, folder):
    proc = run_cli("verify", str(signed), "--json", "--identity", str(folder / "identity"), ok=True)
    out = json.loads(proc.stdout)
    assert out["state"] == "trusted"
    store = out["manifest_store"]
    assert store["validation_state"] == "Trusted" and store["active_manifest"] in store["manifests"]


def test_verify_cli_exit_status_says_invalid_unsigned_or_error(signed, unsigned, folder):
    mine = str(folder / "identity")
    tampered = flipped(signed, folder / "tampered-cli.mp4", b"mdat")
    invalid = run_cli("verify", str(tampered), "--identity", mine)
    assert invalid.returncode == 1 and "invalid" in invalid.stdout
    assert "assertion.bmffHash.mismatch" in invalid.stdout
    bare = run_cli("verify", str(unsigned), "--identity", mine)
    assert bare.returncode == 4 and "unsigned" in bare.stdout
    gone = run_cli("verify", str(folder / "gone.mp4"), "--identity", mine)
    assert gone.returncode == 2 and "gone.mp4" in gone.stderr


def test_verify_cli_trusts_only_the_roots_it_is_given(signed, folder):
    elsewhere = str(folder / "another-identity")  # no root there: nothing is trusted
    proc = run_cli("verify", str(signed), "--identity", elsewhere, ok=True)
    assert (
        proc.stdout.startswith("signed.mp4: valid") and "signingCredential.untrusted" in proc.stdout
    )
    assert not (folder / "another-identity").exists()  # verifying makes no identity
    root = folder / "identity" / "root-ca.pem"
    proc = run_cli("verify", str(signed), "--identity", elsewhere, "--trust-anchors", str(root))
    assert proc.returncode == 0 and proc.stdout.startswith("signed.mp4: trusted")
