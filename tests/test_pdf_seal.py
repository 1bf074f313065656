"""Sealed on request: `build --seal KEY CERT` (or a profile's or briefgen.yaml's `seal:`)
certifies the PDF with pyHanko (PAdES, DocMDP "no changes allowed"). Certificates are
made here with cryptography; the seal is read back with pyHanko's validator and
poppler's pdfsig, and one changed byte breaks it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from conftest import SEEDS, TESTS, run_cli, tool
from test_pdf_valid import qpdf_problems, strict_problems

KESTREL = TESTS / "data" / "kestrel"
PASS = "correct horse battery staple"
DAY = "2026-01-01"


def make_cert(folder: Path, name: str = "seal", *, days: tuple[int, int] = (-1, 365), key=None,
              passphrase: str | None = PASS) -> tuple[Path, Path]:
    """A private key (encrypted with `passphrase` if given) and a self-signed certificate
    for it, valid from `days[0]` to `days[1]` days from now; their paths."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Strategy desk"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Analysts")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0])).not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    crypt = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    key_path, cert_path = folder / f"{name}-key.pem", folder / f"{name}-cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, crypt))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="module")
def seal(certs) -> tuple[Path, Path]:
    return make_cert(certs)


def build(project: Path, out: Path, *args: str, passphrase: str | None = PASS, audience: str = "executive"):
    env = {"BRIEFGEN_SEAL_PASSPHRASE": passphrase} if passphrase is not None else {"BRIEFGEN_SEAL_PASSPHRASE": ""}
    return run_cli("build", str(project), "--audience", audience, "--format", "pdf", "--date", DAY,
                   "--out", str(out), *args, env=env)


def pyhanko_status(path: Path, cert: Path):
    """pyHanko's validation of the file's one signature, trusting `cert` and fetching
    nothing; and the DocMDP level that signature sets."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert))], allow_fetching=False)
    return validate_pdf_signature(signature, context), signature.docmdp_level


def pdfsig(path: Path) -> str:
    return subprocess.run([tool("pdfsig"), str(path)], capture_output=True, text=True).stdout


def assert_sealed(path: Path, cert: Path) -> None:
    from pyhanko.sign.fields import MDPPerm
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    status, level = pyhanko_status(path, cert)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.docmdp_ok and status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert level is MDPPerm.NO_CHANGES                              # a certification: no changes allowed
    said = pdfsig(path)
    assert "Signature Validation: Signature is Valid." in said and "ETSI.CAdES.detached" in said  # PAdES
    assert "Total document signed" in said


@pytest.mark.parametrize("project", [SEEDS, KESTREL], ids=["seeds", "kestrel"])
def test_a_sealed_briefing_verifies_and_is_the_unsealed_one_plus_the_seal(tmp_path, seal, project):
    r = build(project, tmp_path / "sealed", "--seal", *map(str, seal))
    assert r.code == 0 and r.err == "", r.err
    [sealed] = (tmp_path / "sealed").glob("*.pdf")
    assert_sealed(sealed, seal[1])
    assert strict_problems([sealed]) == {sealed: ""} and qpdf_problems(sealed) == ""
    assert build(project, tmp_path / "plain").code == 0
    [plain] = (tmp_path / "plain").glob("*.pdf")
    unsealed = plain.read_bytes()
    assert sealed.read_bytes()[:len(unsealed)] == unsealed       # the seal is an update after the file
    assert b"/ByteRange" not in unsealed


def test_one_changed_byte_breaks_the_seal(tmp_path, seal):
    assert build(SEEDS, tmp_path / "out", "--seal", *map(str, seal)).code == 0
    [sealed] = (tmp_path / "out").glob("*.pdf")
    data = bytearray(sealed.read_bytes())
    data[len(data) // 3] ^= 0x01                                    # inside the briefing's own bytes
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert "Signature Validation: Digest Mismatch." in pdfsig(tampered)
    status, _ = pyhanko_status(tampered, seal[1])
    assert not status.intact and not status.bottom_line


def test_an_ec_key_without_a_passphrase_and_a_passphrase_file_both_work(tmp_path, certs, seal):
    ec_key, ec_cert = make_cert(certs, "ec", key=ec.generate_private_key(ec.SECP256R1()), passphrase=None)
    assert build(SEEDS, tmp_path / "ec", "--seal", str(ec_key), str(ec_cert), passphrase=None).code == 0
    assert_sealed(next((tmp_path / "ec").glob("*.pdf")), ec_cert)
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASS + "\n")
    r = build(SEEDS, tmp_path / "file", "--seal", *map(str, seal), "--seal-passphrase-file", str(secret),
              passphrase=None)
    assert r.code == 0, r.err
    assert_sealed(next((tmp_path / "file").glob("*.pdf")), seal[1])


def _errors(tmp_path, certs, seal) -> dict:
    other_key, _ = make_cert(certs, "other")
    expired = make_cert(certs, "expired", days=(-30, -1))
    future = make_cert(certs, "future", days=(2, 30))
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key\n")
    key, cert = seal
    return {
        "missing key": ((tmp_path / "nowhere.pem", cert), PASS,
                        f"{tmp_path / 'nowhere.pem'}: --seal: the seal's private key was not found "
                        "(give the path of the private key file)"),
        "unreadable key": ((junk, cert), PASS,
                           f"{junk}: --seal: the seal's private key cannot be read: it is not a PEM or DER private "
                           "key (give the private key that belongs to the certificate, e.g. key.pem)"),
        "unreadable certificate": ((key, junk), PASS,
                                   f"{junk}: --seal: the seal's certificate cannot be read: it is not a PEM or DER "
                                   "X.509 certificate (give the certificate file, e.g. cert.pem)"),
        "no passphrase": ((key, cert), None,
                          f"{key}: --seal: the seal's private key is encrypted and no passphrase was given (set "
                          "BRIEFGEN_SEAL_PASSPHRASE to its passphrase, or give a passphrase file)"),
        "wrong passphrase": ((key, cert), "Tr0ub4dor&3",
                             f"{key}: --seal: wrong passphrase for the seal's private key (check "
                             "BRIEFGEN_SEAL_PASSPHRASE or the passphrase file)"),
        "key of another certificate": ((other_key, cert), PASS,
                                       f"{other_key}: --seal: the seal's private key does not belong to the "
                                       f"certificate (give the key that was certified in {cert}, or that key's "
                                       "certificate)"),
        "expired": (expired, PASS, f"{expired[1]}: --seal: the seal's certificate expired on "),
        "not yet valid": (future, PASS, f"{future[1]}: --seal: the seal's certificate is not valid until "),
    }


def test_every_bad_seal_is_one_clear_line_exit_2_and_no_file(tmp_path, certs, seal):
    out = tmp_path / "out"
    out.mkdir()
    previous = out / "alibaba-ai-briefing-executive.pdf"
    previous.write_bytes(b"the previous briefing")
    for name, ((key, cert), passphrase, expected) in _errors(tmp_path, certs, seal).items():
        r = build(SEEDS, out, "--seal", str(key), str(cert), passphrase=passphrase)
        assert r.code == 2, (name, r.err)
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: " + expected), (name, r.err)
        assert sorted(p.name for p in out.iterdir()) == [previous.name], name
        assert previous.read_bytes() == b"the previous briefing", name


def test_the_passphrase_is_never_an_argument():
    r = run_cli("build", "--help")
    assert "--seal-passphrase-file" in r.out and "--seal-passphrase " not in r.out
    assert run_cli("build", str(SEEDS), "--seal-passphrase", "x").code == 2


def test_a_profile_or_briefgen_yaml_seals_without_a_flag_and_no_seal_wins(tmp_path, certs, seal):
    project = tmp_path / "p"
    shutil.copytree(SEEDS, project, ignore=shutil.ignore_patterns("out"))
    keys = project / "keys"
    keys.mkdir()
    for path in seal:
        shutil.copy(path, keys / path.name)
    (tmp_path / "secret").write_text(PASS)
    assert run_cli("templates", "new", "board", "--from", "executive", str(project)).code == 0
    with (project / "templates" / "board.yaml").open("a") as fh:
        fh.write(f"seal:\n  key: keys/{seal[0].name}\n  cert: keys/{seal[1].name}\n"
                 f"  passphrase_file: {tmp_path / 'secret'}\n")
    r = build(project, tmp_path / "board", passphrase=None, audience="board")
    assert r.code == 0, r.err
    assert_sealed(next((tmp_path / "board").glob("*.pdf")), seal[1])
    r = build(project, tmp_path / "unsealed", "--no-seal", passphrase=None, audience="board")
    assert r.code == 0 and b"/ByteRange" not in next((tmp_path / "unsealed").glob("*.pdf")).read_bytes()
    # a sandboxed build is of a project not trusted: its files do not choose the key
    r = build(project, tmp_path / "boxed", "--sandbox", passphrase=None, audience="board")
    assert r.code == 2 and "--sandbox does not do with a key the project's files name" in r.err, r.err
    assert not (tmp_path / "boxed").exists() or not any((tmp_path / "boxed").iterdir())
    r = build(project, tmp_path / "boxed", "--sandbox", "--seal", *map(str, seal), audience="board")
    assert r.code == 0, r.err
    assert_sealed(next((tmp_path / "boxed").glob("*.pdf")), seal[1])
    # briefgen.yaml seals every audience; its passphrase from the environment variable it names
    with (project / "briefgen.yaml").open("a") as fh:
        fh.write(f"seal:\n  key: keys/{seal[0].name}\n  cert: keys/{seal[1].name}\n  passphrase_env: DESK_SEAL\n")
    r = run_cli("build", str(project), "--all", "--format", "pdf", "--out", str(tmp_path / "all"),
                env={"DESK_SEAL": PASS})
    assert r.code == 0, r.err
    for path in sorted((tmp_path / "all").glob("*.pdf")):
        assert_sealed(path, seal[1])
    r = run_cli("build", str(project), "--audience", "full", "--format", "pdf", "--out", str(tmp_path / "x"))
    assert r.code == 2 and "seal (briefgen.yaml): the seal's private key is encrypted" in r.err


def test_an_unsealed_build_does_not_import_pyhanko(tmp_path):
    code = ("import sys\nfrom pathlib import Path\nfrom briefgen.build import BuildRequest, build\n"
            f"build(BuildRequest(Path({str(SEEDS)!r}), 'executive', ('pdf',), Path({str(tmp_path)!r})))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyhanko', 'pyhanko_certvalidator')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
