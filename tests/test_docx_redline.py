"""The changes since the previous briefing as Word tracked changes, read back by pandoc
(accepting or rejecting every change) and by LibreOffice (the revisions it counts)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from briefgen import tree as t
from briefgen.writers import docx as docx_writer
from conftest import MINI, run_cli, tool, word_findings

META = t.Meta("Redline test", date="2026-03-02")


def note(text: str) -> t.Note:
    return t.Note((t.Para((t.Text(text),)),))


def table(*rows) -> t.Table:
    return t.Table(((t.Text("Claim"),), (t.Text("Value"),)), tuple(((t.Text(a),), (t.Text(b),)) for a, b in rows))


OLD = t.Document(META, (
    t.Heading(1, (t.Text("Summary"),), "summary"),
    t.Para((t.Text("Revenue grew 11% last year."), note("Wire, para. 2."))),
    t.Para((t.Text("This paragraph goes."),)),
    table(("Alpha", "1"), ("Beta", "2"), ("Gamma", "3")),
))
NEW = t.Document(META, (
    t.Heading(1, (t.Text("Summary"),), "summary"),
    t.Para((t.Text("Revenue grew 26% last year."), note("Wire, para. 2."))),
    table(("Alpha", "1"), ("Gamma", "3"), ("Delta", "4")),
    t.Para((t.Text("A new paragraph."), note("Paper, para. 5."))),
))


def pandoc_text(path: Path, changes: str = "accept") -> list[str]:
    """The lines of text pandoc reads, table rules and empty lines left out (pandoc keeps a
    deleted table row as an empty row: it does not read row revisions)."""
    text = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", f"--track-changes={changes}",
                           str(path)], capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip(" -")]


def revisions(path: Path, part: str = "word/document.xml") -> dict[str, list[str]]:
    """The text of each tracked insertion and deletion, neighbours of one kind in one paragraph joined."""
    with zipfile.ZipFile(path) as z:
        xml = z.read(part).decode()
    found: dict[str, list[str]] = {"ins": [], "del": []}
    last_end = {"ins": -1, "del": -1}
    for m in re.finditer(r'<w:(ins|del) w:id="\d+" w:author="briefgen" w:date="2026-03-02T00:00:00Z">(.*?)</w:\1>',
                         xml, flags=re.S):
        kind, text = m.group(1), "".join(re.findall(r"<w:(?:t|delText)(?: [^>]*)?>([^<]*)<", m.group(2)))
        between = xml[last_end[kind]:m.start()]
        if found[kind] and last_end[kind] >= 0 and not re.search(r"<w:t[ >]|<w:delText|</w:p>", between):
            found[kind][-1] += text
        else:
            found[kind].append(text)
        last_end[kind] = m.end()
    return {k: [x for x in v if x] for k, v in found.items()}


@pytest.fixture(scope="module")
def redline(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("redline")
    path = folder / "changes.docx"
    docx_writer.write_redline(OLD, NEW, docx_writer.Options(), path)
    for name, doc in (("old", OLD), ("new", NEW)):
        docx_writer.write(doc, docx_writer.Options(), folder / f"{name}.docx")
    return path


def test_every_change_is_a_tracked_change_by_briefgen_on_the_build_date(redline):
    assert revisions(redline) == {
        "ins": ["26% ", "Delta", "4", "A new paragraph."],
        "del": ["11% ", "This paragraph goes.", "Beta", "2"],
    }
    assert revisions(redline, "word/footnotes.xml") == {"ins": [" Paper, para. 5."], "del": []}


def test_accepting_every_change_gives_the_new_briefing_and_rejecting_the_old(redline):
    folder = redline.parent
    assert pandoc_text(redline, "accept") == pandoc_text(folder / "new.docx")
    assert pandoc_text(redline, "reject") == pandoc_text(folder / "old.docx")


def test_libreoffice_reads_the_revisions(redline, libreoffice):
    # LibreOffice joins a change's runs and paragraph mark into one range, and counts a
    # table row's cells one by one. Deleted: "11% ", the paragraph, "Beta", "2"; inserted:
    # "26% ", "Delta", "4", the new paragraph, and the new note's text.
    assert libreoffice.run("redlines", redline) == {"Delete": 4, "Insert": 5}


def test_the_redline_is_valid_and_reproducible(redline, tmp_path):
    assert word_findings(redline) == []
    again = tmp_path / "again.docx"
    docx_writer.write_redline(OLD, NEW, docx_writer.Options(), again)
    assert again.read_bytes() == redline.read_bytes()


def revise(project: Path) -> None:
    """A known edit of the mini project: one event retitled, one claim's value corrected."""
    events = project / "events.yaml"
    events.write_text(events.read_text().replace("title: Conference keynote", "title: Keynote in Hangzhou"))
    claims = project / "claims.yaml"
    claims.write_text(claims.read_text().replace("    value: 11\n", "    value: 26\n"))


def test_a_previous_build_writes_the_changes_file_beside_the_briefing(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(MINI, new)
    revise(new)
    (new / "briefgen.yaml").write_text((new / "briefgen.yaml").read_text() + f"previous: {MINI}\n")
    r = run_cli("build", str(new), "--format", "docx", "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    changes = tmp_path / "out" / "mini-briefing-full-changes.docx"
    assert changes.is_file() and (tmp_path / "out" / "mini-briefing-full.docx").is_file()
    assert word_findings(changes) == []
    found = revisions_any_date(changes)
    assert "Keynote in Hangzhou" in "".join(found["ins"]) and "Conference keynote" in "".join(found["del"])
    accepted = pandoc_text(changes, "accept")
    assert accepted == pandoc_text(tmp_path / "out" / "mini-briefing-full.docx")
    r2 = run_cli("build", str(new), "--format", "docx", "--out", str(tmp_path / "out2"))
    assert r2.code == 0 and (tmp_path / "out2" / changes.name).read_bytes() == changes.read_bytes()


def revisions_any_date(path: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    return {kind: re.findall(rf'<w:{kind} [^>]*w:author="briefgen"[^>]*>(?:<w:r>.*?<w:(?:t|delText)(?: [^>]*)?>([^<]*)<)?',
                             xml, flags=re.S) for kind in ("ins", "del")}


def test_diff_redline_on_the_command_line(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(MINI, new)
    revise(new)
    r = run_cli("diff", str(MINI), str(new), "--redline", str(tmp_path / "c.docx"))
    assert r.code == 0, r.err
    assert r.out.startswith(f"wrote {tmp_path / 'c.docx'}") and "Changed events (1)" in r.out
    assert word_findings(tmp_path / "c.docx") == []
    bad = run_cli("diff", str(MINI), str(new), "--redline", str(tmp_path / "c.pdf"))
    assert bad.code == 2 and "the changes file must be a .docx" in bad.err and not (tmp_path / "c.pdf").exists()


def test_libreoffice_accepting_or_rejecting_every_change_gives_either_briefing(tmp_path, libreoffice):
    """From the seed briefing to the second test project's (every block differs): accept
    all in LibreOffice and the text is the new briefing's, reject all and it is the old's.
    LibreOffice keeps the paragraph a table cell must hold and a deleted row as empty, so
    empty lines are left out."""
    import datetime as dt

    from briefgen.build import document_for
    from briefgen.load import load_project
    from conftest import SEEDS, TESTS

    day = dt.date(2026, 3, 2)
    old = document_for(load_project(SEEDS), "full", day)
    new = document_for(load_project(TESTS / "data" / "kestrel"), "full", day)
    docx_writer.write_redline(old, new, docx_writer.Options(), tmp_path / "changes.docx")
    assert word_findings(tmp_path / "changes.docx") == []
    for name, doc in (("old", old), ("new", new)):
        docx_writer.write(doc, docx_writer.Options(toc_pages=False), tmp_path / f"{name}.docx")

    def lines(action: str, source: str) -> list[str]:
        target = tmp_path / f"{action}-{source}.txt"
        libreoffice.run(action, tmp_path / f"{source}.docx", target, "Text")
        return [line.strip() for line in target.read_text(encoding="utf-8-sig").splitlines() if line.strip(" •")]

    assert lines("accept", "changes") == lines("convert", "new")
    assert lines("reject", "changes") == lines("convert", "old")


# --- the changes file's contents has page numbers, as the briefing's has ------------

def numbered(path: Path) -> list[list]:
    """The contents entries the changes file numbers (a deleted heading's entry has no page)."""
    from test_docx_contents_pages import written_contents

    return [entry for entry in written_contents(path) if entry[0]]


def test_the_changes_files_contents_has_libreoffices_page_numbers_with_the_changes_shown(tmp_path, libreoffice):
    from conftest import SEEDS, TESTS

    kestrel = TESTS / "data" / "kestrel"
    env = {"BRIEFGEN_TOC_PAGES": "on"}
    r = run_cli("diff", str(SEEDS), str(kestrel), "--redline", str(tmp_path / "c.docx"), env=env)
    assert r.code == 0, r.err
    assert "note: the contents' page numbers are LibreOffice's pagination of this file" in r.err
    path = tmp_path / "c.docx"
    written = numbered(path)
    assert len(written) > 5 and all(page for _, page in written), written
    assert written == libreoffice.run("contents", path)   # LibreOffice's layout of the very file
    assert word_findings(path) == []
    # the pages of the document with the changes shown: the seed briefing's deleted text
    # stays in place, struck through, so the new briefing's last heading comes pages later
    r = run_cli("build", str(kestrel), "--audience", "full", "--format", "docx", "--out", str(tmp_path / "k"), env=env)
    assert r.code == 0, r.err
    alone = dict(numbered(tmp_path / "k" / "kestrel-briefing-full.docx"))
    assert written[-1][0] == "Sources" and written[-1][1] > alone["Sources"] + 5


def test_a_previous_build_numbers_the_changes_files_contents_and_reuses_them(tmp_path, monkeypatch, libreoffice):
    import datetime as dt

    from briefgen.build import BuildRequest, build
    from briefgen.writers.docx import layout
    from conftest import SEEDS

    monkeypatch.setenv("BRIEFGEN_TOC_PAGES", "on")
    asked: list[Path] = []
    real = layout.contents_pages
    monkeypatch.setattr(layout, "contents_pages", lambda path, titles: asked.append(path) or real(path, titles))
    new = tmp_path / "new"
    shutil.copytree(SEEDS, new)
    events = new / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("summary: ", "summary: Reportedly, ", 1), encoding="utf-8")
    (new / "briefgen.yaml").write_text((new / "briefgen.yaml").read_text() + f"previous: {SEEDS}\n")
    req = BuildRequest(new, "full", ("docx",), tmp_path / "out", build_date=dt.date(2026, 3, 2))
    said: list[str] = []
    files = build(req, said.append)
    changes = next(p for p in files if p.name.endswith("-changes.docx"))
    assert len(asked) == 2   # the briefing and the changes file, each laid out
    assert all(page for _, page in numbered(changes)) and numbered(changes) == libreoffice.run("contents", changes)
    assert len(said) == len(set(said)), said   # the two files' notes said once
    first = changes.read_bytes()
    build(req)
    assert len(asked) == 2 and changes.read_bytes() == first   # both reused, the same bytes


def test_without_libreoffice_the_changes_files_contents_has_no_numbers_and_the_diff_says_so(tmp_path):
    r = run_cli("diff", str(MINI), str(MINI), "--redline", str(tmp_path / "c.docx"),
                env={"BRIEFGEN_TOC_PAGES": "on", "PATH": str(tmp_path), "BRIEFGEN_UNO_PYTHON": ""})
    assert r.code == 0, r.err
    assert "warning: the contents has no page numbers: LibreOffice with its Python bridge" in r.err
    entries = numbered(tmp_path / "c.docx")
    assert entries and all(page is None for _, page in entries)
    assert word_findings(tmp_path / "c.docx") == []
