"""Output safety: files appear complete or not at all; a failed build keeps the last good one."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys

import pytest

from conftest import MINI, run_cli


def build_docx(out, *extra, **kw):
    return run_cli("build", str(MINI), "--format", "docx", "--out", str(out), *extra, **kw)


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_missing_output_folder_is_created(tmp_path):
    r = build_docx(tmp_path / "new" / "deeper")
    assert r.code == 0 and listing(tmp_path / "new" / "deeper") == ["mini-briefing-full.docx"]


def test_a_file_in_the_way(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("keep me")
    r = build_docx(blocker)
    assert r.code == 4 and "output path is a file, not a folder" in r.err and "Traceback" not in r.err
    assert blocker.read_text() == "keep me"


def test_unwritable_location(tmp_path):
    r = build_docx("/proc/briefgen-test-out")
    assert r.code == 4 and "cannot create output folder" in r.err


def test_failed_build_keeps_the_previous_briefing(tmp_path):
    out = tmp_path / "out"
    assert build_docx(out).code == 0
    before = (out / "mini-briefing-full.docx").read_bytes()
    broken = tmp_path / "broken"
    subprocess.run(["cp", "-r", str(MINI), str(broken)], check=True)
    (broken / "events.yaml").write_text("events: [")
    r = run_cli("build", str(broken), "--format", "docx", "--out", str(out))
    assert r.code == 1
    assert (out / "mini-briefing-full.docx").read_bytes() == before
    assert listing(out) == ["mini-briefing-full.docx"]


def _limit_file_size():
    """In the child: files may not grow past 20 kB, as on a disk that is nearly full."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_disk_full_mid_write_leaves_nothing_partial(tmp_path):
    out = tmp_path / "out"
    assert build_docx(out).code == 0
    before = (out / "mini-briefing-full.docx").read_bytes()
    assert len(before) > 20_000
    proc = subprocess.run([sys.executable, "-m", "briefgen", "build", str(MINI), "--format", "docx", "--out", str(out),
                           "--date", "2030-01-01"], capture_output=True, text=True, preexec_fn=_limit_file_size,
                          env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 4, proc.stderr
    assert "cannot write docx: File too large" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "mini-briefing-full.docx").read_bytes() == before  # the old briefing is intact
    assert listing(out) == ["mini-briefing-full.docx"]                # and no temporary file is left


def test_same_input_and_date_give_identical_bytes(tmp_path):
    assert build_docx(tmp_path / "a").code == 0
    assert build_docx(tmp_path / "b").code == 0
    assert (tmp_path / "a" / "mini-briefing-full.docx").read_bytes() == (tmp_path / "b" / "mini-briefing-full.docx").read_bytes()
    assert build_docx(tmp_path / "c", "--date", "2025-10-02").code == 0
    assert (tmp_path / "c" / "mini-briefing-full.docx").read_bytes() != (tmp_path / "a" / "mini-briefing-full.docx").read_bytes()


def test_outputs_get_the_usual_permissions(tmp_path):
    assert build_docx(tmp_path / "o").code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "o" / "mini-briefing-full.docx").stat().st_mode & 0o777 == 0o666 & ~mask


def test_pdf_and_docx_rebuild_byte_identical_through_the_cli(tmp_path):
    for name in ("a", "b"):
        assert run_cli("build", str(MINI), "--format", "docx,pdf", "--out", str(tmp_path / name)).code == 0
    for suffix in ("docx", "pdf"):
        a = (tmp_path / "a" / f"mini-briefing-full.{suffix}").read_bytes()
        assert a == (tmp_path / "b" / f"mini-briefing-full.{suffix}").read_bytes(), suffix


# --- two formats: the first is written in a forked process while this one writes the rest ---

def _with_arabic_claim(tmp_path):
    """A copy of the mini project whose first claim the PDF refuses (a combining mark no
    embedded font has); Word shows it."""
    project = tmp_path / "rtl"
    subprocess.run(["cp", "-r", str(MINI), str(project)], check=True)
    claims = project / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    first = text.index("statement:")
    end = text.index("\n", first)
    claims.write_text(text[:first] + 'statement: "arrow a\u0354 below"' + text[end:], encoding="utf-8")
    return project


@pytest.mark.parametrize("formats", ["docx,pdf", "pdf,docx"])  # the PDF fails in the worker, then here
def test_one_format_failing_keeps_every_previous_file(tmp_path, formats):
    out = tmp_path / "out"
    assert run_cli("build", str(MINI), "--format", "docx,pdf", "--out", str(out)).code == 0
    before = {name: (out / name).read_bytes() for name in listing(out)}
    r = run_cli("build", str(_with_arabic_claim(tmp_path)), "--format", formats, "--out", str(out))
    assert r.code == 1 and "the PDF cannot show the character" in r.err and "Traceback" not in r.err, r.err
    assert {name: (out / name).read_bytes() for name in listing(out)} == before  # no temporary file either


def test_disk_full_with_two_formats_leaves_nothing_partial(tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", str(MINI), "--format", "docx,pdf", "--out", str(out)).code == 0
    before = {name: (out / name).read_bytes() for name in listing(out)}
    proc = subprocess.run([sys.executable, "-m", "briefgen", "build", str(MINI), "--format", "docx,pdf", "--out",
                           str(out), "--date", "2030-01-01"], capture_output=True, text=True,
                          preexec_fn=_limit_file_size, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 4 and "cannot write docx: File too large" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {name: (out / name).read_bytes() for name in listing(out)} == before


def test_writing_formats_side_by_side_gives_the_same_bytes_as_one_after_another(tmp_path):
    side = run_cli("build", str(MINI), "--format", "docx,pdf", "--out", str(tmp_path / "side"))
    # BRIEFGEN_DEBUG keeps everything in one process (so tracebacks stay whole)
    serial = subprocess.run([sys.executable, "-m", "briefgen", "build", str(MINI), "--format", "docx,pdf", "--out",
                             str(tmp_path / "serial")], capture_output=True, text=True,
                            env={**os.environ, "BRIEFGEN_DEBUG": "1"})
    assert side.code == 0 and serial.returncode == 0, serial.stderr
    for name in ("mini-briefing-full.docx", "mini-briefing-full.pdf"):
        assert (tmp_path / "side" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes(), name


HANDLERS = ["ms-msdt:/id%20PCWDiagnostic", "search-ms:query=x", "ms-word:ofe|u|https://evil.example/x.docx",
            "mhtml:http://evil.example/x", "smb://203.0.113.4/share", "file:///etc/passwd", "//evil.example/x",
            "javascript:alert(1)"]


def test_a_template_link_is_followable_only_to_the_web_mail_or_a_heading(mini, tmp_path):
    # a link to a protocol handler or a share starts a program or leaks credentials when a
    # reader follows it: every writer writes such links as their text
    (mini / "templates").mkdir(exist_ok=True)
    links = " ".join(f"[bad{i}]({u})" for i, u in enumerate(HANDLERS))
    (mini / "templates" / "links.md.j2").write_text(
        '{% extends "_base.md.j2" %}{% block bluf %}\n# Links\n\n' + links
        + " [good](https://example.org/a) [mail](mailto:desk@example.org)\n{% endblock %}\n")
    out = tmp_path / "o"
    r = run_cli("build", str(mini), "--audience", "links", "--format", "docx,pdf,html", "--out", str(out))
    assert r.code == 0, r.err
    import zipfile
    from pypdf import PdfReader

    stem = next(out.glob("*.pdf")).stem
    with zipfile.ZipFile(out / f"{stem}.docx") as z:
        rels = z.read("word/_rels/document.xml.rels").decode()
        body = z.read("word/document.xml").decode()
    targets = set(re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', rels))
    pdf = PdfReader(out / f"{stem}.pdf")
    uris = {a.get_object()["/A"].get("/URI") for page in pdf.pages for a in page.get("/Annots", [])
            if a.get_object().get("/A", {}).get("/S") == "/URI"}
    hrefs = set(re.findall(r'<a href="([^"#][^"]*)"', (out / f"{stem}.html").read_text()))
    for found in (targets, uris, hrefs):
        assert {"https://example.org/a", "mailto:desk@example.org"} <= found, found
        assert not [u for u in found if not u.startswith(("https://", "http://", "mailto:"))], found
    assert all(f"bad{i}" in body for i in range(len(HANDLERS)))     # the text stays
