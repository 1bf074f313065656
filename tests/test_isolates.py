"""Data quoted in a sentence keeps its direction to itself: the render stage isolates
each value holding right-to-left text (FSI U+2068 ... PDI U+2069), so an Arabic source
title opening an English note leaves the note left to right, and "صحيفة الساحل, 12
January 2026" keeps 12 with January, in the PDF, in Word (as LibreOffice lays it out)
and in HTML.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from briefgen import tree as t
from briefgen.build import BuildRequest, build, document_for
from briefgen.load import load_project
from briefgen.mdescape import isolate, md_escape
from briefgen.parse import parse
from briefgen.writers.docx.direction import Runs
from test_scripts import SCRIPTS, fold, words_by_line

FSI, PDI = "\u2068", "\u2069"
TITLE = "صحيفة الساحل"


def test_a_value_with_right_to_left_text_is_isolated_and_latin_is_left_as_it_is():
    assert isolate(TITLE) == FSI + TITLE + PDI
    assert isolate("Reuters, 12 January") == "Reuters, 12 January"
    assert isolate("Łódź — “quoted”") == "Łódź — “quoted”"
    # isolates in the data are balanced, so none closes the one added or outlasts it
    assert isolate("a\u2069b قال") == FSI + "ab قال" + PDI
    assert isolate("\u2067قال") == FSI + "\u2067قال" + PDI + PDI


@pytest.mark.parametrize("markup", ["{v}, 12 January 2026.", "[{v}](https://example.org), 12 January 2026."],
                         ids=["plain reader", "markdown-it"])
def test_the_parser_keeps_the_isolates(markup):
    doc = parse(markup.format(v=isolate(md_escape(TITLE + " *x*"))) + "\n", t.Meta("x"))
    text = t.plain_text(doc.blocks[0].children)
    assert text.startswith(FSI + TITLE + " *x*" + PDI), text


@pytest.fixture(scope="module")
def scripts():
    return document_for(load_project(SCRIPTS), "full", dt.date(2026, 3, 1))


def test_the_notes_quote_the_source_isolated_and_take_the_templates_direction(scripts):
    note = t.plain_text(list(t.walk_notes(scripts))[1].blocks[0].children)
    assert note.startswith(f"{FSI}{TITLE}{PDI}, “{FSI}")
    assert Runs(note, "en", True).rtl is False      # left to right, as the template's own words are


def test_a_cell_of_quoted_values_alone_keeps_their_direction(scripts):
    [chronology] = [b for b in scripts.blocks if isinstance(b, t.Table) and t.plain_text(b.header[0]) == "Date"]
    cell = t.plain_text(chronology.rows[0][1])
    assert cell.startswith(FSI) and Runs(cell, "en", True).rtl is True


def note_reads_left_to_right(lines: list[list[tuple[float, str]]]) -> None:
    """The note lines that quote the Arabic title: the title, then 12, then January, left to right."""
    quoting = [line for line in lines if "January" in [w for _, w in line] and any(fold("الساحل") in w for _, w in line)]
    assert quoting, lines
    for line in quoting:
        title = max(x for x, w in line if fold("الساحل") in w)
        twelve = [x for x, w in line if w == "12"]
        january = [x for x, w in line if w == "January"]
        assert twelve and title < twelve[0] < january[0], line
        assert not [w for x, w in line if twelve[0] < x < january[0]], line   # nothing between 12 and January


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(BuildRequest(SCRIPTS, "full", ("docx", "pdf", "html"), tmp_path_factory.mktemp("iso")))


def test_the_pdf_notes_read_left_to_right_with_the_date_in_place(built):
    pdf = next(p for p in built if p.suffix == ".pdf")
    note_reads_left_to_right([line for page in range(1, 5) for line in words_by_line(pdf, page)])


def test_libreoffice_lays_the_word_notes_out_left_to_right_with_the_date_in_place(built, tmp_path, libreoffice):
    pdf = tmp_path / "word.pdf"
    libreoffice.run("convert", next(p for p in built if p.suffix == ".docx"), pdf)
    note_reads_left_to_right([line for page in range(1, 5) for line in words_by_line(pdf, page)])


def test_the_html_keeps_the_isolates(built):
    # as <bdi> elements, HTML's own isolates (the writer turns FSI ... PDI into them)
    html = next(p for p in built if p.suffix == ".html").read_text()
    assert f"<bdi>{TITLE}</bdi>, “<bdi>" in html and FSI not in html


def test_word_gets_the_older_equivalent_of_each_isolate(built):
    """LibreOffice 7.4 draws text around isolate characters overlapping in a right-to-left
    paragraph, and Word documents no support for them: marks and embeddings instead."""
    import zipfile

    with zipfile.ZipFile(next(p for p in built if p.suffix == ".docx")) as z:
        xml = z.read("word/document.xml").decode() + z.read("word/footnotes.xml").decode()
    assert not any(ch in xml for ch in "\u2066\u2067\u2068\u2069")
    # the title in a left-to-right note: a left-to-right mark each side, a right-to-left embedding inside
    text = "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))
    assert f"\u200e\u202b{TITLE}\u202c\u200e, “\u200e\u202b" in text


def test_libreoffice_draws_no_word_over_another(built, tmp_path, libreoffice):
    import subprocess

    from conftest import tool

    pdf = tmp_path / "word.pdf"
    libreoffice.run("convert", next(p for p in built if p.suffix == ".docx"), pdf)
    out = subprocess.run([tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    page = 0
    for m in re.finditer(r'<page |<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out):
        if m.group(0) == "<page ":
            page += 1
            continue
        if any(ch.isalnum() for ch in m.group(4)):   # not a joiner or an emoji LibreOffice has no font for
            lines.setdefault((page, round(float(m.group(3)))), []).append((float(m.group(1)), float(m.group(2)), m.group(4)))
    for words in lines.values():
        words.sort()
        for (a0, a1, a), (b0, b1, b) in zip(words, words[1:]):
            assert a1 <= b0 + 0.5, (a, b, words)


@pytest.mark.parametrize("text, level", [
    (f"“{FSI}{TITLE}{PDI}”, 2026.", 0),          # a note quoting an Arabic title: the template's words around it
    (f"{FSI}{TITLE}{PDI}, “{FSI}{TITLE}{PDI}”, n.d.", 0),
    (f"{FSI}{TITLE}{PDI}", 1),                    # a cell that is one value
    (f"{FSI}{TITLE}{PDI} {FSI}قال{PDI}", 1),      # or values and spaces
    (f"{FSI}Reuters{PDI} {FSI}{TITLE}{PDI}", 0),
])
def test_only_a_paragraph_of_values_alone_takes_their_direction(text, level):
    from briefgen import bidi

    assert bidi.paragraph_level(text, 0) == level


@pytest.fixture(scope="module")
def arabic_title_alone(tmp_path_factory):
    """The scripts project with one source known by its Arabic title alone, dated by its
    year, quoted without a locator: that note is the title and the quote in quotation
    marks, a comma, a year and a colon, nothing Latin."""
    import shutil

    project = tmp_path_factory.mktemp("alone") / "project"
    shutil.copytree(SCRIPTS, project)
    sources = project / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace('    container-title: "صحيفة الساحل"\n    issued: 2026-01-12\n', "    issued: 2026\n", 1)
    assert "issued: 2026\n" in text
    sources.write_text(text, encoding="utf-8")
    claims = project / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    assert "يوميا\", locator: para. 2}" in text
    claims.write_text(text.replace("يوميا\", locator: para. 2}", "يوميا\"}"), encoding="utf-8")
    return build(BuildRequest(project, "full", ("docx", "pdf"), project / "out"))


def test_a_note_that_is_an_arabic_title_and_a_year_stays_left_to_right_in_word(arabic_title_alone):
    import zipfile

    with zipfile.ZipFile(next(p for p in arabic_title_alone if p.suffix == ".docx")) as z:
        notes = z.read("word/footnotes.xml").decode()
    quoting = [n for n in re.findall(r"<w:footnote [^>]*>.*?</w:footnote>", notes, re.S) if "2026" in n and "بطاقة" in n]
    assert quoting
    for note in quoting:
        assert "<w:bidi/>" not in note, note


def test_a_note_that_is_an_arabic_title_and_a_year_stays_left_to_right_in_the_pdf(arabic_title_alone):
    """The year, written after the title, is to its right, as in the English notes around it."""
    pdf = next(p for p in arabic_title_alone if p.suffix == ".pdf")
    lines = [line for page in range(1, 5) for line in words_by_line(pdf, page)]
    quoting = [line for line in lines if any(fold("الكونسورتيوم") in w for _, w in line)
               and any(w.startswith("2026") for _, w in line) and any(fold("بطاقة") in w for _, w in line)]
    assert quoting, lines
    for line in quoting:
        title = max(x for x, w in line if fold("الكونسورتيوم") in w)
        year = min(x for x, w in line if w.startswith("2026"))
        assert title < year, line


def test_a_cell_of_values_with_its_notes_references_keeps_their_direction():
    from briefgen import bidi

    assert bidi.paragraph_level(f"{FSI}{TITLE}{PDI} {FSI}قال{PDI}\ufffc", 0) == 1   # Word: a note's object mark
    assert bidi.paragraph_level(f"{FSI}{TITLE}{PDI} {FSI}قال{PDI}7", 0) == 1        # PDF: its number
