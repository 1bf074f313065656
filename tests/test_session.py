"""A watch session's fast paths give the bytes a cold build gives.

Each fast path of :class:`briefgen.session.Session` (data files kept by their bytes, one
Jinja2 environment per template folder set, outputs not rewritten when their inputs did
not change, writers' caches kept) is checked here against a cold :func:`build` of the
same project state, byte for byte, after real edits to the project's files, and shown
to have been taken (what was parsed, compiled, written).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from briefgen.build import BuildRequest, build
from briefgen.errors import BriefgenError
from briefgen.session import Session
from conftest import MINI, ROOT, run_cli

DAY = dt.date(2026, 1, 1)
KESTREL = ROOT / "tests" / "data" / "kestrel"


def copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def request(project: Path, out: Path, formats=("docx", "pdf", "html"), audience: str | None = None,
            **kw) -> BuildRequest:
    return BuildRequest(project, audience, formats, out, DAY, **kw)


def cold(project: Path, out: Path, **kw) -> dict[str, bytes]:
    """What a plain build of the project as it is now writes: file name -> bytes."""
    return {p.name: p.read_bytes() for p in build(request(project, out, **kw))}


def contents(paths) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in paths}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("source", [MINI, KESTREL], ids=["mini", "kestrel"])
def test_a_rebuild_after_a_one_line_edit_is_the_cold_build_of_the_edited_project(tmp_path, source):
    project = copy(source, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "watch")
    first = session.build(req)
    assert set(first.parsed) >= {project / "claims.yaml", project / "events.yaml"}
    assert contents(first.written) == cold(project, tmp_path / "cold1")

    claims = project / "claims.yaml"
    statement = next(line for line in claims.read_text(encoding="utf-8").splitlines()
                     if line.strip().startswith("statement:"))
    edit(claims, statement, statement.rstrip() + " Edited once")
    again = session.build(req)
    assert again.parsed == (claims,)                        # the other data files were reused
    assert session.templates.compiled == 1                  # and the templates
    assert sorted(p.name for p in again.written) == sorted(p.name for p in first.written)
    assert contents(again.written) == cold(project, tmp_path / "cold2")
    assert b"Edited once" in (tmp_path / "watch" / next(p.name for p in again.written if p.suffix == ".html")).read_bytes()


def test_a_file_saved_unchanged_is_not_parsed_again_and_nothing_is_rewritten(tmp_path):
    project = copy(MINI, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "out")
    first = session.build(req)
    before = {p: p.stat().st_ino for p in first.written}
    for name in ("claims.yaml", "events.yaml"):
        path = project / name
        path.write_bytes(path.read_bytes())     # saved again: new time, same bytes
    again = session.build(req)
    assert again.parsed == () and again.written == ()
    assert sorted(again.unchanged) == sorted(first.written)
    assert {p: p.stat().st_ino for p in first.written} == before   # the files in place were not replaced


def test_an_edit_that_changes_no_output_rewrites_nothing_but_a_changed_one_rewrites_all(tmp_path):
    project = copy(MINI, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "out")
    session.build(req)
    with (project / "claims.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# a comment changes the bytes, not the briefing\n")
    assert session.build(req).written == ()
    edit(project / "claims.yaml", "Cloud revenue grew 26%", "Cloud revenue grew 27%")
    assert len(session.build(req).written) == 3


def test_an_output_deleted_or_replaced_by_hand_is_written_again(tmp_path):
    project = copy(MINI, tmp_path / "p")
    out = tmp_path / "out"
    session, req = Session(), request(project, out)
    first = session.build(req)
    docx, pdf = (next(p for p in first.written if p.suffix == s) for s in (".docx", ".pdf"))
    expected = contents(first.written)
    docx.unlink()
    pdf.write_bytes(b"scribbled over")
    again = session.build(req)
    assert sorted(p.name for p in again.written) == sorted([docx.name, pdf.name])
    assert contents(first.written) == expected


def test_a_logo_or_reference_document_whose_bytes_change_is_a_new_output(tmp_path):
    from PIL import Image

    project = copy(MINI, tmp_path / "p")
    run_cli("templates", "new", "styled", "--from", "full", str(project))
    with (project / "templates" / "styled.yaml").open("a", encoding="utf-8") as fh:
        fh.write("  logo: logo.png\n")
    Image.new("RGB", (40, 20), (200, 30, 60)).save(project / "logo.png")
    reference = tmp_path / "house.docx"
    build(request(MINI, tmp_path / "ref", formats=("docx",)))[0].rename(reference)
    req = request(project, tmp_path / "out", audience="styled", options={"docx": {"reference": reference}})
    session = Session()
    session.build(req)
    assert {project / "logo.png", reference} <= session.inputs(project).files

    Image.new("RGB", (40, 20), (20, 130, 60)).save(project / "logo.png")
    again = session.build(req)
    assert len(again.written) == 3      # every format shows the logo
    assert contents(again.written) == cold(project, tmp_path / "cold1", audience="styled",
                                           options={"docx": {"reference": reference}})
    build(request(KESTREL, tmp_path / "ref2", formats=("docx",)))[0].replace(reference)
    assert [p.suffix for p in session.build(req).written] == [".docx"]   # only Word reads it


def test_a_seal_whose_key_and_certificate_change_is_a_new_pdf_and_they_are_watched(tmp_path):
    from test_pdf_seal import assert_sealed, make_cert

    project = copy(MINI, tmp_path / "p")
    key, cert = make_cert(tmp_path / "keys", passphrase=None)
    with (project / "briefgen.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"seal:\n  key: {key}\n  cert: {cert}\n")
    req = request(project, tmp_path / "out", formats=("pdf", "html"))
    session = Session()
    [pdf, _] = session.build(req).written
    assert_sealed(pdf, cert)
    assert {key, cert} <= session.inputs(project).files
    assert session.build(req).written == ()            # the same key and certificate: nothing to seal again

    make_cert(tmp_path / "keys", passphrase=None)      # a new key and certificate under the same names
    assert session.build(req).written == (pdf,)
    assert_sealed(pdf, cert)


def test_a_template_edit_or_a_new_project_template_is_compiled_afresh(tmp_path):
    project = copy(MINI, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "out", formats=("html",))
    session.build(req)
    run_cli("templates", "new", "full", "--from", "full", str(project))   # overrides the built-in
    template = project / "templates" / "full.md.j2"
    edit(template, '{% extends "builtin/full.md.j2" %}',
         '{% extends "builtin/full.md.j2" %}\n{% block bluf %}# Project override{% endblock %}')
    [page] = session.build(req).written
    assert b"Project override" in page.read_bytes()
    assert contents([page]) == cold(project, tmp_path / "cold1", formats=("html",))

    # the same size and modification time: only a watcher's word says it changed
    stat = template.stat()
    edit(template, "Project override", "Project overridE")
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    session.forget_templates()
    [page] = session.build(req).written
    assert b"Project overridE" in page.read_bytes()
    assert session.templates.compiled == 3


def test_a_failed_rebuild_keeps_the_last_good_files_and_the_next_good_one_recovers(tmp_path):
    project = copy(MINI, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "out")
    first = session.build(req)
    good = contents(first.written)
    claims = project / "claims.yaml"
    edit(claims, "statement: Seven new models", "statment: Seven new models")
    with pytest.raises(BriefgenError) as caught:
        session.build(req)
    assert "unknown field 'statment'" in caught.value.render()
    assert contents(first.written) == good
    assert not list((tmp_path / "out").glob(".*"))       # no temporary file left
    edit(claims, "statment: Seven new models", "statement: Eight new models")
    assert contents(session.build(req).written) == cold(project, tmp_path / "cold")


def test_fonts_are_registered_once_for_the_whole_session(tmp_path):
    from reportlab.pdfbase import pdfmetrics

    from briefgen import fonts

    project = copy(MINI, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "out", formats=("pdf",))
    session.build(req)
    registered = {name: pdfmetrics.getFont(name) for name in (fonts.RL_NAMES[r] for r in ("regular", "bold"))}
    edit(project / "claims.yaml", "Cloud revenue grew 26%", "Cloud revenue grew 28%")
    session.build(req)
    assert registered and all(pdfmetrics.getFont(name) is font for name, font in registered.items())


def test_a_session_forks_nothing_and_writes_the_pdf_in_its_writer_process(tmp_path, monkeypatch):
    import briefgen.build as pipeline
    from briefgen.parallel import forking_possible

    started = []
    real = pipeline.Job
    monkeypatch.setattr(pipeline, "Job", lambda *a: started.append(a) or real(*a))
    project = copy(MINI, tmp_path / "p")
    session = Session()
    session.build(request(project, tmp_path / "out"))
    assert started == []
    worker = session.worker.process
    assert (worker is not None and worker.poll() is None) == forking_possible()
    build(request(project, tmp_path / "cold"))
    assert len(started) == 1 or not forking_possible()   # a cold build still forks one of its formats
    session.close()
    assert worker is None or worker.poll() is not None


def test_a_writer_process_that_dies_costs_nothing_but_time(tmp_path):
    from briefgen.parallel import forking_possible

    if not forking_possible():
        pytest.skip("one core or no fork: no writer process")
    project = copy(KESTREL, tmp_path / "p")
    session, req = Session(), request(project, tmp_path / "watch")
    session.build(req)
    first = session.worker.process
    first.kill()
    first.wait()
    edit(project / "events.yaml", "title: Kestrel Batteries founded", "title: Kestrel Batteries was founded")
    again = session.build(req)                 # the PDF is written here, as the process is gone
    assert contents(again.written) == cold(project, tmp_path / "cold")
    edit(project / "events.yaml", "title: Kestrel Batteries was founded", "title: Kestrel Batteries, founded")
    third = session.build(req)                 # and a new writer process writes it next time
    assert session.worker.process is not first and session.worker.process.poll() is None
    assert contents(third.written) == cold(project, tmp_path / "cold2")
    session.close()


def test_what_a_build_read_is_what_a_watcher_watches(tmp_path):
    project = copy(MINI, tmp_path / "p")
    copy(MINI, tmp_path / "old")
    with (project / "briefgen.yaml").open("a", encoding="utf-8") as fh:
        fh.write("previous: ../old\n")
    session = Session()
    session.build(request(project, tmp_path / "out", formats=("html",)))
    inputs = session.inputs(project)
    assert {project / "claims.yaml", project / "judgments.yaml", tmp_path / "old" / "events.yaml"} <= inputs.files
    assert project / "templates" in inputs.folders           # not there yet: a new one is watched for
    assert inputs.directories() >= {project, tmp_path / "old"}
    assert inputs.relevant(project / "templates" / "board.md.j2")
    assert not inputs.relevant(project / "templates" / ".board.md.j2.swp")
    assert not inputs.relevant(tmp_path / "out" / "mini-briefing-full.html")


def test_the_changes_file_beside_a_word_briefing_is_written_each_time_and_matches_a_cold_build(tmp_path):
    project = copy(MINI, tmp_path / "p")
    copy(MINI, tmp_path / "old")
    with (project / "briefgen.yaml").open("a", encoding="utf-8") as fh:
        fh.write("previous: ../old\n")
    edit(project / "claims.yaml", "Cloud revenue grew 26%", "Cloud revenue grew 29%")
    session, req = Session(), request(project, tmp_path / "out", formats=("docx",))
    first = session.build(req)
    assert sorted(p.name for p in first.written) == ["mini-briefing-full-changes.docx", "mini-briefing-full.docx"]
    again = session.build(req)
    assert [p.name for p in again.written] == ["mini-briefing-full-changes.docx"]
    assert [p.name for p in again.unchanged] == ["mini-briefing-full.docx"]
    assert contents([*again.written, *again.unchanged]) == cold(project, tmp_path / "cold", formats=("docx",))


def test_a_cancelled_writer_process_stops_and_its_call_is_not_done_here_instead():
    import time

    from briefgen.parallel import Worker
    from briefgen.stopping import Terminated

    worker = Worker()
    worker.submit(time.sleep, 30)   # a format being written when the watcher is stopped
    process = worker.process
    start = time.monotonic()
    worker.cancel()
    with pytest.raises(Terminated):
        worker.result()
    assert time.monotonic() - start < 20 and process.poll() is not None
    worker.submit(abs, -3)          # the next call starts a new process
    assert worker.result() == 3 and worker.process is not process
    worker.close()
