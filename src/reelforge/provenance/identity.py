"""Who signs reelforge's clips: a local certificate authority made at first use, or the
operator's own certificate chain.

C2PA refuses a self-signed signing certificate, so one key pair is not enough: at first use
reelforge makes a small local root CA and a signing certificate issued by it, following the
C2PA certificate profile (ES256 on P-256; key usage digitalSignature, critical; extended key
usage documentSigning and emailProtection; not a CA; an authority key identifier). Verifiers
trust the root (`root-ca.pem`), never the signer itself.

The identity folder holds:

    root-ca.pem   the local root's certificate: the trust anchor to give verifiers
    root-ca.key   its private key (0600); used only to issue the signing certificate
    signer.pem    the signing certificate, which every manifest embeds
    signer.key    its private key (0600)

The folder is made whole or not at all (built beside it and renamed into place), so two
processes starting at once end up with the same identity. An operator with a certificate
from a real CA passes its chain, key and roots to `load_identity` instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from reelforge.types import InvalidInputError, NotFoundError, UnsupportedError

logger = logging.getLogger(__name__)

ROOT_CERT, ROOT_KEY = "root-ca.pem", "root-ca.key"
SIGNER_CERT, SIGNER_KEY = "signer.pem", "signer.key"
ROOT_YEARS, SIGNER_YEARS = 25, 10
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning
CURVE_ALGS = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}
HINT = "pass a writable folder with --identity or REELFORGE_IDENTITY"


@dataclass(frozen=True)
class SigningIdentity:
    """PEM files that sign manifests: the chain (signing certificate first, then any
    intermediates), its private key, the roots verifiers should trust, and the C2PA
    signing algorithm the key implies."""

    cert_chain: Path
    private_key: Path
    trust_anchors: tuple[Path, ...] = ()
    alg: str = "es256"


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def default_identity_folder() -> Path:
    """$REELFORGE_IDENTITY, else $XDG_DATA_HOME/reelforge/identity (~/.local/share/...)."""
    if os.environ.get("REELFORGE_IDENTITY"):
        return Path(os.environ["REELFORGE_IDENTITY"]).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "reelforge" / "identity"


def ensure_local_identity(folder: str | os.PathLike[str]) -> SigningIdentity:
    """The local identity in `folder`, made on first use (an absent or empty folder).

    Idempotent: a complete folder is loaded as it is, nothing is regenerated. A folder
    with some files missing is refused (making a new root would orphan the old one).
    Raises InvalidInputError when the folder cannot be written or is incomplete.
    """
    folder = Path(folder).expanduser()
    if not _complete(folder):
        _create(folder)
    return load_identity(folder / SIGNER_CERT, folder / SIGNER_KEY, [folder / ROOT_CERT])


def local_trust_anchors(folder: str | os.PathLike[str]) -> tuple[Path, ...]:
    """The local root in `folder` as a trust anchor, if one was made there (never makes one)."""
    root = Path(folder).expanduser() / ROOT_CERT
    return (root,) if root.is_file() else ()


def installation_id(identity: SigningIdentity) -> int:
    """This installation's 32-bit id: the first 4 bytes of the SHA-256 of the signing
    certificate's public key. The invisible watermark carries it, so a mark and the
    Content Credentials name the same signer, and it survives a renewed certificate
    with the same key."""
    certificate = _read_certs(identity.cert_chain, "cert_chain")[0]
    digest = hashlib.sha256(_spki(certificate.public_key())).digest()
    return int.from_bytes(digest[:4], "big")


def load_identity(
    cert_chain: str | os.PathLike[str],
    key: str | os.PathLike[str],
    trust_anchors: Sequence[str | os.PathLike[str]] | None = None,
) -> SigningIdentity:
    """An identity from the operator's PEM files, checked before any signing.

    Raises NotFoundError for a missing file and InvalidInputError (naming the file) for a
    file that holds no certificate or unencrypted key, a key that does not match the
    signing certificate, or a signing certificate C2PA would refuse (self-signed, a CA,
    outside its validity).
    """
    chain_path, key_path = Path(cert_chain), Path(key)
    chain = _read_certs(chain_path, "cert_chain")
    private = _read_key(key_path)
    anchors = tuple(Path(p) for p in trust_anchors or ())
    for anchor in anchors:
        _read_certs(anchor, "trust_anchors")
    _check_signer(chain[0], chain_path)
    if _spki(private.public_key()) != _spki(chain[0].public_key()):
        raise InvalidInputError(
            f"The key {key_path} does not match the signing certificate in {chain_path}",
            param="key",
        )
    return SigningIdentity(chain_path, key_path, anchors, _alg(private, key_path))


# ---------------------------------------------------------------------------
# Checking PEM files
# ---------------------------------------------------------------------------


def _read(path: Path, param: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path} does not exist", param=param) from None
    except OSError as e:
        raise InvalidInputError(f"Cannot read {path}: {e.strerror}", param=param) from e


def _read_certs(path: Path, param: str) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(_read(path, param))
    except ValueError:
        raise InvalidInputError(f"{path} holds no PEM certificate", param=param) from None


def _read_key(path: Path):
    try:
        return serialization.load_pem_private_key(_read(path, "key"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise InvalidInputError(
            f"{path} is not an unencrypted PEM private key", param="key", hint=str(e)
        ) from None


def _check_signer(cert: x509.Certificate, path: Path) -> None:
    """Refuse, naming the file, what C2PA would refuse later with a vaguer message."""
    if cert.issuer == cert.subject:
        raise InvalidInputError(
            f"The signing certificate in {path} is self-signed; C2PA refuses those",
            param="cert_chain",
            hint="issue it from a CA and list the CA's root as a trust anchor",
        )
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if is_ca:
        raise InvalidInputError(
            f"The first certificate in {path} is a CA; it must be the signing certificate",
            param="cert_chain",
        )
    now = dt.datetime.now(dt.UTC)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise InvalidInputError(
            f"The signing certificate in {path} is valid only from "
            f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}",
            param="cert_chain",
        )


def _spki(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _alg(private, path: Path) -> str:
    """The C2PA signing algorithm for this kind of key."""
    if isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name in CURVE_ALGS:
        return CURVE_ALGS[private.curve.name]
    if isinstance(private, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(private, rsa.RSAPrivateKey):
        return "ps256"
    raise UnsupportedError(
        f"C2PA cannot sign with the key in {path}",
        param="key",
        hint="use EC P-256/P-384/P-521, Ed25519 or RSA",
    )


# ---------------------------------------------------------------------------
# Making the local identity
# ---------------------------------------------------------------------------


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (ROOT_CERT, ROOT_KEY, SIGNER_CERT, SIGNER_KEY))


def _create(folder: Path) -> None:
    """Build the four files in a new folder beside `folder`, then rename it into place."""
    if folder.is_dir() and any(folder.iterdir()):
        missing = [
            n for n in (ROOT_CERT, ROOT_KEY, SIGNER_CERT, SIGNER_KEY) if not (folder / n).is_file()
        ]
        if not missing:  # another process renamed its folder into place since our check
            return
        raise InvalidInputError(
            f"The signing identity in {folder} is incomplete: {', '.join(missing)} missing",
            param="identity",
            hint="restore the files, or move the folder away to make a new identity",
        )
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))  # 0700
        _write_identity(staging)
        if folder.is_dir():
            folder.rmdir()  # empty, checked above
        os.rename(staging, folder)
        logger.info("made a local C2PA signing identity in %s", folder)
    except OSError as e:
        if not _complete(folder):  # else another process made it first: use theirs
            raise InvalidInputError(
                f"Cannot make the signing identity in {folder}: {e.strerror or e}",
                param="identity",
                hint=HINT,
            ) from e
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _write_identity(folder: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _root_certificate(root_key, now)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = _signer_certificate(signer_key, root, root_key, now)
    _write(folder / ROOT_KEY, _key_pem(root_key), 0o600)
    _write(folder / ROOT_CERT, root.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(folder / SIGNER_KEY, _key_pem(signer_key), 0o600)
    _write(folder / SIGNER_CERT, signer.public_bytes(serialization.Encoding.PEM), 0o644)


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    path.chmod(mode)  # the umask may have taken bits away from os.open's mode


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "reelforge (local)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _root_certificate(key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> x509.Certificate:
    name = _name("reelforge local root CA")
    usage = _key_usage(key_cert_sign=True, crl_sign=True)
    return (
        _base(name, name, key.public_key(), now, ROOT_YEARS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )


def _signer_certificate(key, root: x509.Certificate, root_key, now) -> x509.Certificate:
    eku = x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION])
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key())
    return (
        _base(_name("reelforge local signer"), root.subject, key.public_key(), now, SIGNER_YEARS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True), critical=True)
        .add_extension(eku, critical=False)
        .add_extension(aki, critical=False)
        .sign(root_key, hashes.SHA256())
    )


def _base(subject, issuer, public_key, now: dt.datetime, years: int) -> x509.CertificateBuilder:
    """Subject, issuer, key, serial, validity (from an hour ago, for clock skew) and SKI."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, digital_signature=False, key_cert_sign=False, crl_sign=False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )
