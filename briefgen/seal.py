"""Sealing a finished PDF: a certification signature (PAdES, DocMDP "no changes
allowed") made with pyHanko from a private key and its certificate, fully offline.

A seal is a step on the written file, not part of the layout: the PDF writer lays the
briefing out, then :func:`apply` appends the signature as an incremental update (the
bytes before it are the unsealed file, unchanged). It runs inside the build's atomic
output, so a seal that fails leaves no file. :func:`check` reads the key and the
certificate before any work and refuses, with one line saying what to do, a missing or
unreadable file, a missing or wrong passphrase, a key that is not the certificate's,
and a certificate that has expired or is not valid yet.

The passphrase of an encrypted key comes from an environment variable
(``BRIEFGEN_SEAL_PASSPHRASE`` unless the settings name another) or from a file, never
from the command line, where other users and the shell's history would see it.

cryptography (a dependency of pyHanko) reads the key here; pyHanko itself, slow to
import, is imported only when a file is sealed (``pip install 'briefgen[seal]'``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError, display_path

PASSPHRASE_ENV = "BRIEFGEN_SEAL_PASSPHRASE"
FIELD_NAME = "Seal"
REASON = "Issued briefing; any change breaks this seal"
_INSTALL = ("install briefgen with its seal extra: from a clone, pip install '.[seal]' "
            "or pipx install --force '.[seal]'")


@dataclass(frozen=True)
class SealSpec:
    """Where a seal's key, certificate and passphrase are; `where` names the setting in
    messages (``--seal``, or ``seal`` in a profile or briefgen.yaml)."""

    key: Path
    cert: Path
    chain: tuple[Path, ...] = ()
    passphrase_env: str = PASSPHRASE_ENV
    passphrase_file: Path | None = None
    where: str = "--seal"


@dataclass(frozen=True)
class Credentials:
    key: Any                       # a cryptography private key
    cert: Any                      # its cryptography x509 certificate
    chain: tuple = field(default=())


def _fail(message: str, spec: SealSpec, path: Path | None = None, hint: str | None = None) -> BriefgenError:
    return BriefgenError.one(message, file=display_path(path) if path else None, field=spec.where, hint=hint,
                             kind="usage")


def _read(path: Path, what: str, spec: SealSpec) -> bytes:
    if not path.is_file():
        raise _fail(f"the seal's {what} was not found", spec, path, f"give the path of the {what} file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read the seal's {what}: {exc.strerror}", spec, path,
                    "check the file's permissions") from None


def passphrase(spec: SealSpec) -> bytes | None:
    """The key's passphrase: the file's first line if a file is given, else the
    environment variable's value; None if neither is set."""
    if spec.passphrase_file is not None:
        text = _read(spec.passphrase_file, "passphrase file", spec)
        return text.splitlines()[0] if text.strip() else b""
    value = os.environ.get(spec.passphrase_env)
    return value.encode() if value else None


def _load_key(spec: SealSpec) -> Any:
    from cryptography.hazmat.primitives import serialization

    data = _read(spec.key, "private key", spec)
    secret = passphrase(spec)
    loaders = (serialization.load_pem_private_key,) if b"-----BEGIN" in data else (
        serialization.load_der_private_key,)
    try:
        return loaders[0](data, password=secret)
    except TypeError:                        # encrypted without a passphrase, or plain with one
        if secret is None:
            raise _fail("the seal's private key is encrypted and no passphrase was given", spec, spec.key,
                        f"set {spec.passphrase_env} to its passphrase, or give a passphrase file") from None
        return loaders[0](data, password=None)
    except ValueError as exc:
        if secret is not None and any(w in str(exc).lower() for w in ("password", "decrypt")):
            raise _fail("wrong passphrase for the seal's private key", spec, spec.key,
                        f"check {spec.passphrase_env} or the passphrase file") from None
        raise _fail("the seal's private key cannot be read: it is not a PEM or DER private key", spec, spec.key,
                    "give the private key that belongs to the certificate, e.g. key.pem") from None
    except Exception as exc:                # cryptography's UnsupportedAlgorithm and the like
        raise _fail(f"the seal's private key cannot be read: {exc}", spec, spec.key,
                    "give an RSA, EC or Ed25519 private key in PEM or DER") from None


def _load_cert(path: Path, spec: SealSpec) -> Any:
    from cryptography import x509

    data = _read(path, "certificate", spec)
    try:
        return x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError:
        raise _fail("the seal's certificate cannot be read: it is not a PEM or DER X.509 certificate", spec, path,
                    "give the certificate file, e.g. cert.pem") from None


def _public(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def check(spec: SealSpec, now: dt.datetime | None = None) -> Credentials:
    """The key and certificate of `spec`, read and checked; a usage error (exit 2) says
    what is wrong and what to do."""
    if importlib.util.find_spec("pyhanko") is None:     # found, not imported: that waits for the seal
        raise _fail("sealing needs pyHanko, which is not installed", spec, hint=_INSTALL)
    key = _load_key(spec)
    cert = _load_cert(spec.cert, spec)
    chain = tuple(_load_cert(path, spec) for path in spec.chain)
    if _public(key.public_key()) != _public(cert.public_key()):
        raise _fail("the seal's private key does not belong to the certificate", spec, spec.key,
                    f"give the key that was certified in {display_path(spec.cert)}, or that key's certificate")
    now = now or dt.datetime.now(dt.timezone.utc)
    if now > cert.not_valid_after_utc:
        raise _fail(f"the seal's certificate expired on {cert.not_valid_after_utc:%Y-%m-%d}", spec, spec.cert,
                    "renew it, or seal with a current certificate")
    if now < cert.not_valid_before_utc:
        raise _fail(f"the seal's certificate is not valid until {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
                    spec, spec.cert, "check the computer's clock, or seal with a certificate valid now")
    return Credentials(key, cert, chain)


def _signer(creds: Credentials):
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    key = keys.PrivateKeyInfo.load(creds.key.private_bytes(der, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    certs = [x509.Certificate.load(c.public_bytes(der)) for c in (creds.cert, *creds.chain)]
    return signers.SimpleSigner(signing_cert=certs[0], signing_key=key,
                                cert_registry=SimpleCertificateStore.from_certs(certs))


def apply(spec: SealSpec, path: Path) -> None:
    """Certify the PDF at `path` in place: a PAdES signature whose DocMDP permissions
    allow no change, appended as an incremental update."""
    creds = check(spec)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter

    data = path.read_bytes()
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, certify=True, docmdp_permissions=MDPPerm.NO_CHANGES,
                                        subfilter=SigSeedSubFilter.PADES, reason=REASON)
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=_signer(creds), output=out)
    with open(path, "wb") as fh:
        fh.write(out.getvalue())


def from_settings(project, audience: str) -> SealSpec | None:
    """The seal the audience's profile asks for, else the one briefgen.yaml asks for;
    paths relative to the project folder."""
    from briefgen.audiences import find, load_profile

    settings = load_profile(project, audience).seal
    where = f"seal ({display_path(find(project.root, audience).profile_path or audience)})"
    if settings is None:
        settings, where = project.config.seal, "seal (briefgen.yaml)"
    if settings is None:
        return None

    def path(p: str) -> Path:
        full = Path(p).expanduser()
        return full if full.is_absolute() else project.root / full

    return SealSpec(path(settings.key), path(settings.cert), tuple(path(c) for c in settings.chain),
                    settings.passphrase_env, path(settings.passphrase_file) if settings.passphrase_file else None, where)
