"""The signing identity: a local CA and a signer it issued, made once, kept private; an
operator's own files checked with errors that name the file."""

from __future__ import annotations

import os
import stat
import sys
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from reelforge.provenance import identity
from reelforge.provenance.identity import (
    DOCUMENT_SIGNING,
    ROOT_CERT,
    ROOT_KEY,
    SIGNER_CERT,
    SIGNER_KEY,
    default_identity_folder,
    ensure_local_identity,
    load_identity,
    local_trust_anchors,
)
from reelforge.types import InvalidInputError, NotFoundError

FILES = (ROOT_CERT, ROOT_KEY, SIGNER_CERT, SIGNER_KEY)
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def cert(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_first_use_makes_a_root_ca_and_a_signer_issued_by_it(tmp_path):
    identity = ensure_local_identity(tmp_path / "identity")
    root, signer = cert(identity.trust_anchors[0]), cert(identity.cert_chain)
    signer.verify_directly_issued_by(root)
    assert signer.issuer == root.subject != signer.subject
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = signer.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert not signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert signer.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert isinstance(signer.public_key().curve, ec.SECP256R1) and identity.alg == "es256"
    assert signer.not_valid_before_utc < signer.not_valid_after_utc <= root.not_valid_after_utc


@posix_only
def test_private_keys_are_readable_by_the_owner_only(tmp_path):
    folder = tmp_path / "identity"
    ensure_local_identity(folder)
    modes = {name: stat.S_IMODE((folder / name).stat().st_mode) for name in FILES}
    assert modes[ROOT_KEY] == modes[SIGNER_KEY] == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_second_use_regenerates_nothing(tmp_path):
    folder = tmp_path / "identity"
    first = ensure_local_identity(folder)
    before = {name: (folder / name).read_bytes() for name in FILES}
    assert ensure_local_identity(folder) == first
    assert {name: (folder / name).read_bytes() for name in FILES} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["identity"]  # no staging left over


def test_an_existing_empty_folder_is_filled(tmp_path):
    folder = tmp_path / "identity"
    folder.mkdir()
    ensure_local_identity(folder)
    assert all((folder / name).is_file() for name in FILES)


def test_processes_starting_together_share_one_identity(tmp_path):
    folder, made, errors = tmp_path / "identity", [], []

    def first_use():
        try:
            made.append(ensure_local_identity(folder))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=first_use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(made) == 4 and len(set(made)) == 1
    cert(folder / SIGNER_CERT).verify_directly_issued_by(cert(folder / ROOT_CERT))


def test_a_process_that_looked_before_another_finished_uses_its_identity(tmp_path, monkeypatch):
    """The race the threads above can hit: a process finds no identity, then another
    renames its complete folder into place before this one starts making its own."""
    folder = tmp_path / "identity"
    theirs = ensure_local_identity(folder)
    monkeypatch.setattr(identity, "_complete", lambda folder: False)  # it looked too early
    assert ensure_local_identity(folder) == theirs


def test_an_incomplete_folder_is_refused_not_replaced(tmp_path):
    folder = tmp_path / "identity"
    ensure_local_identity(folder)
    root = (folder / ROOT_CERT).read_bytes()
    (folder / SIGNER_KEY).unlink()
    with pytest.raises(InvalidInputError, match=SIGNER_KEY) as e:
        ensure_local_identity(folder)
    assert e.value.param == "identity"
    assert (folder / ROOT_CERT).read_bytes() == root


def test_a_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InvalidInputError, match="Cannot make the signing identity") as e:
        ensure_local_identity(blocker / "identity")
    assert e.value.param == "identity" and "--identity" in str(e.value)


@posix_only
@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_parent_folder_is_a_clear_error(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o500)
    with pytest.raises(InvalidInputError, match="Cannot make the signing identity"):
        ensure_local_identity(parent / "identity")


def test_verifiers_find_the_local_root_without_making_one(tmp_path):
    assert local_trust_anchors(tmp_path / "none") == ()
    assert not (tmp_path / "none").exists()
    identity = ensure_local_identity(tmp_path / "identity")
    assert local_trust_anchors(tmp_path / "identity") == identity.trust_anchors


def test_the_default_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REELFORGE_IDENTITY", str(tmp_path / "mine"))
    assert default_identity_folder() == tmp_path / "mine"
    monkeypatch.delenv("REELFORGE_IDENTITY")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_identity_folder() == tmp_path / "data" / "reelforge" / "identity"


# ---------------------------------------------------------------------------
# The operator's own files
# ---------------------------------------------------------------------------


@pytest.fixture
def local(tmp_path):
    return ensure_local_identity(tmp_path / "identity")


def test_operator_files_load_with_the_algorithm_of_their_key(local):
    identity = load_identity(local.cert_chain, local.private_key, local.trust_anchors)
    assert identity == local


@pytest.mark.parametrize("missing", ["cert_chain", "key", "trust_anchors"])
def test_a_missing_operator_file_is_named(local, tmp_path, missing):
    gone = tmp_path / f"no-{missing}.pem"
    paths = {"cert_chain": local.cert_chain, "key": local.private_key, "trust_anchors": None}
    paths[missing] = [gone] if missing == "trust_anchors" else gone
    with pytest.raises(NotFoundError, match=f"no-{missing}.pem") as e:
        load_identity(paths["cert_chain"], paths["key"], paths["trust_anchors"])
    assert e.value.param == missing


def test_a_file_that_is_not_pem_is_named(local, tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    with pytest.raises(InvalidInputError, match=r"junk\.pem holds no PEM certificate"):
        load_identity(junk, local.private_key)
    with pytest.raises(InvalidInputError, match=r"junk\.pem is not an unencrypted PEM private key"):
        load_identity(local.cert_chain, junk)


def test_a_key_that_does_not_match_the_certificate_is_refused(local, tmp_path):
    root_key = local.trust_anchors[0].with_name(ROOT_KEY)
    with pytest.raises(InvalidInputError, match="does not match the signing certificate"):
        load_identity(local.cert_chain, root_key)


def test_a_self_signed_signing_certificate_is_refused(local):
    root, root_key = local.trust_anchors[0], local.trust_anchors[0].with_name(ROOT_KEY)
    with pytest.raises(InvalidInputError, match="self-signed; C2PA refuses those"):
        load_identity(root, root_key)
