"""A repeated build reuses the contents' page numbers of the file it replaces when the
document without them is the same, and writes the very bytes a fresh layout writes;
anything that changes that document, or the record, makes LibreOffice lay it out again."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from briefgen.build import BuildRequest, build
from briefgen.writers.docx import layout, ooxml
from conftest import SEEDS, word_findings
from test_docx_contents_pages import written_contents

DATE = dt.date(2026, 1, 1)


@pytest.fixture
def layouts(monkeypatch, libreoffice):
    """The layouts LibreOffice is asked for, each as the real one does it."""
    monkeypatch.setenv("BRIEFGEN_TOC_PAGES", "on")
    asked: list[Path] = []
    real = layout.contents_pages

    def counted(path, titles):
        asked.append(path)
        return real(path, titles)

    monkeypatch.setattr(layout, "contents_pages", counted)
    return asked


def docx(project: Path, out: Path) -> Path:
    [path] = build(BuildRequest(project, "full", ("docx",), out, build_date=DATE))
    return path


def test_a_repeated_build_reuses_the_numbers_and_writes_the_same_bytes_as_a_fresh_one(tmp_path, layouts):
    first = docx(SEEDS, tmp_path / "out")
    fresh = first.read_bytes()
    assert len(layouts) == 1 and all(page for _, page in written_contents(first))
    again = docx(SEEDS, tmp_path / "out")
    assert len(layouts) == 1            # not laid out again
    assert again.read_bytes() == fresh
    assert docx(SEEDS, tmp_path / "elsewhere").read_bytes() == fresh   # a build with nothing to reuse
    assert len(layouts) == 2
    assert word_findings(again) == []


def test_the_file_records_its_numbers_under_the_key_of_the_document_without_them(tmp_path, layouts):
    path = docx(SEEDS, tmp_path)
    with zipfile.ZipFile(path) as z:
        key, *pages = ooxml.variable(z, layout.VARIABLE).split()
    assert [int(p) for p in pages] == [page for _, page in written_contents(path)]
    assert len(key) == 64


def test_a_change_to_the_data_lays_the_document_out_again(tmp_path, layouts):
    project = tmp_path / "seeds"
    shutil.copytree(SEEDS, project)
    docx(project, tmp_path / "out")
    events = project / "events.yaml"
    text = events.read_text(encoding="utf-8")
    events.write_text(text.replace("summary: ", "summary: Reportedly, ", 1), encoding="utf-8")
    changed = docx(project, tmp_path / "out")
    assert len(layouts) == 2
    assert changed.read_bytes() == docx(project, tmp_path / "fresh").read_bytes()


def test_a_build_for_another_day_lays_it_out_again(tmp_path, layouts):
    docx(SEEDS, tmp_path)
    build(BuildRequest(SEEDS, "full", ("docx",), tmp_path, build_date=DATE + dt.timedelta(days=1)))
    assert len(layouts) == 2


@pytest.mark.parametrize("tamper", ["key", "count", "missing", "not a docx"])
def test_a_record_that_does_not_match_is_not_used(tmp_path, layouts, tamper):
    path = docx(SEEDS, tmp_path)
    fresh = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        key, *pages = ooxml.variable(z, layout.VARIABLE).split()
        settings = z.read("word/settings.xml").decode()
        parts = {name: z.read(name) for name in z.namelist()}
    record = " ".join([key, *pages])
    wrong = {"key": " ".join(["0" * 64, *pages]), "count": " ".join([key, *pages[:-1]]), "missing": None}
    if tamper == "not a docx":
        path.write_bytes(b"not a zip")
    else:
        if wrong[tamper] is None:
            settings = settings.replace(f'<w:docVar w:name="{layout.VARIABLE}" w:val="{record}"/>', "")
        else:
            settings = settings.replace(record, wrong[tamper])
        assert settings.encode() != parts["word/settings.xml"]
        parts["word/settings.xml"] = settings.encode()
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)
    assert docx(SEEDS, tmp_path).read_bytes() == fresh
    assert len(layouts) == 2


def test_the_key_is_of_the_installed_libreoffice_too(monkeypatch):
    before = layout.key(b"document")
    monkeypatch.setattr(layout, "_engine", lambda: "another LibreOffice")
    assert layout.key(b"document") != before
    assert layout.key(b"document.") != layout.key(b"document")


def test_without_page_numbers_nothing_is_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_TOC_PAGES", "off")
    with zipfile.ZipFile(docx(SEEDS, tmp_path)) as z:
        assert ooxml.variable(z, layout.VARIABLE) is None


CARLITO = Path("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf")


def own_fonts(folder: Path, monkeypatch, *fonts: Path) -> Path:
    """A fontconfig that knows only `fonts`, copied into `folder` (its cache there too)."""
    folder.mkdir(exist_ok=True)
    for font in fonts:
        shutil.copyfile(font, folder / font.name)
    config = folder / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f"<dir>{folder}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    return folder


@pytest.mark.skipif(not CARLITO.exists() or not shutil.which("fc-match"), reason="needs fontconfig and Carlito")
def test_the_key_is_of_the_font_files_fontconfig_gives_for_the_documents_fonts(tmp_path, monkeypatch):
    names = ["Calibri", "Carlito"]
    system = layout.fonts_used(names)
    assert "Carlito-Regular.ttf:" in system   # Calibri is laid out with Carlito
    assert layout.fonts_used(names) == system
    folder = own_fonts(tmp_path / "fonts", monkeypatch, CARLITO)
    mine = layout.fonts_used(names)
    assert "Carlito-Regular.ttf:" in mine and mine != system   # fewer Carlito files: another fingerprint
    with open(folder / CARLITO.name, "ab") as font:   # the same file, another version of it
        font.write(b"\0" * 4)
    os.utime(folder / CARLITO.name, ns=(1, 1))
    assert layout.fonts_used(names) != mine


def test_the_documents_fonts_are_read_from_its_runs_styles_font_table_and_theme(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_TOC_PAGES", "off")
    names = layout.document_fonts(docx(SEEDS, tmp_path).read_bytes())
    assert {"Calibri", "Cambria"} <= set(names)
    assert "en-US" not in names   # a language, not a font


@pytest.mark.skipif(not CARLITO.exists() or not shutil.which("fc-match"), reason="needs fontconfig and Carlito")
def test_other_fonts_lay_the_document_out_again(tmp_path, layouts, monkeypatch):
    docx(SEEDS, tmp_path / "out")
    docx(SEEDS, tmp_path / "out")
    assert len(layouts) == 1
    own_fonts(tmp_path / "fonts", monkeypatch, CARLITO)   # the same document, other font files
    docx(SEEDS, tmp_path / "out")
    assert len(layouts) == 2
