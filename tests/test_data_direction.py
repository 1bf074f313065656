"""The data says which way its text reads: ``language: ar`` on an event, claim, judgment or
quote sets the direction of its text, instead of its first letter, so an Arabic sentence
that opens with a Latin name ("Saffron Water توقع…") is right to left in the PDF, in Word
and in HTML. Without it the first strong letter decides, as before; and a marked value
inside the template's English sentence is still isolated: it turns itself, not the
sentence.

The scripts project marks an event, a claim, a quote and a judgment; the same project with
those marks removed is the comparison. Both are built through the command line.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import docx
import pypdf
import pytest

from briefgen import bidi
from briefgen import tree as t
from briefgen.build import document_for
from briefgen.load import load_project
from briefgen.writers.docx.direction import Runs
from conftest import run_cli
from test_html_browser import browser, show  # noqa: F401 - the session's browser
from test_scripts import SCRIPTS, bboxes, read_right_to_left, words_by_line

TITLE = "Saffron Water توقع عقد بناء المحطة الأولى"          # the marked event's title
SUMMARY = "Saffron Water ستبدأ البناء في عام 2027 بطاقة 150 ألف متر مكعب يوميا."
STATEMENT = "Saffron Water ستبني المحطة الأولى بطاقة 150 ألف متر مكعب يوميا."   # the marked claim's
RLM, FSI, PDI = "\u200f", "\u2068", "\u2069"


def unmarked_copy(root: Path) -> Path:
    project = root / "unmarked"
    shutil.copytree(SCRIPTS, project)
    for f in project.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        f.write_text(re.sub(r"^ *language: ar\n", "", text, flags=re.M), encoding="utf-8")
    assert not re.search(r"^ *language:", "".join(f.read_text(encoding="utf-8") for f in project.glob("*.yaml")), re.M)
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("direction")
    out = {}
    for name, project in (("marked", SCRIPTS), ("unmarked", unmarked_copy(root))):
        result = run_cli("build", str(project), "--audience", "full", "--format", "docx,pdf,html",
                         "--no-toc-pages", "--out", str(root / name))
        assert result.code == 0, result.err
        out[name] = {p.suffix: p for p in (root / name).iterdir()}
    return out


# --- what render hands the writers ------------------------------------------------------


def paragraphs(doc: t.Document) -> list[str]:
    """The text of every paragraph and table cell of `doc`, notes aside."""
    out: list[str] = []

    def visit(block: t.Block) -> None:
        out.extend(t.plain_text(inlines) for inlines in t.block_inlines(block))
        for child in t.child_blocks(block):
            visit(child)
    for block in doc.blocks:
        visit(block)
    return out


def test_a_marked_value_starts_with_a_right_to_left_mark_inside_its_isolate():
    doc = document_for(load_project(SCRIPTS), "full", dt.date(2026, 3, 1))
    paras = paragraphs(doc)
    [cell] = [p for p in paras if TITLE in p]
    assert cell.startswith(FSI + RLM + TITLE + PDI), cell
    assert Runs(cell, "en", True).rtl                  # a cell of the value alone: right to left
    # in the template's sentence ("Low confidence. …") the value turns itself, not the item
    [item] = [p for p in paras if p.startswith("Low confidence.")]
    assert FSI + RLM + "Saffron Water ستبدأ" in item and not Runs(item, "en", True).rtl
    # a quote marked `ar` in an English note: isolated, right to left inside, the note left to right
    note = next(t.plain_text(n.blocks[0].children) for n in t.walk_notes(doc)
                if "para. 5: " in t.plain_text(n.blocks[0].children))
    assert f"“{FSI}{RLM}Saffron Water ستبدأ" in note and not Runs(note, "en", True).rtl
    assert bidi.paragraph_level(note[note.index(FSI + RLM) + 1:]) == 1


def test_unmarked_text_keeps_the_first_strong_rule(tmp_path):
    doc = document_for(load_project(unmarked_copy(tmp_path)), "full", dt.date(2026, 3, 1))
    [cell] = [p for p in paragraphs(doc) if TITLE in p]
    assert RLM not in cell and not Runs(cell, "en", True).rtl


# --- PDF ---------------------------------------------------------------------------------


def pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(pdf).pages)


def row_line(pdf: Path, first_word: str, date: str) -> tuple[int, list[tuple[float, str]]]:
    """The page and the words, left to right, of the first line of the table row dated `date`
    whose cell starts (logically) with `first_word`."""
    for page in range(1, pages(pdf) + 1):
        for line in words_by_line(pdf, page):
            words = [w for _, w in line]
            if " ".join(words).startswith(date) and first_word in words:
                return page, line
    raise AssertionError(f"no row {date} with {first_word} in {pdf}")


def test_the_pdf_sets_the_marked_cell_right_to_left_flush_right(built):
    pdf = built["marked"][".pdf"]
    page, line = row_line(pdf, "Saffron", "20 February 2026")
    cell = line[3:]                                        # after the date column
    assert [w for _, w in cell][-2:] == ["Saffron", "Water"], cell    # the first words on the right
    # read from the right, a left-to-right stretch left to right: the title, then the summary
    assert read_right_to_left([cell]) == [w.strip(".") for w in (TITLE + " " + SUMMARY).split()][:len(cell)]
    # flush right: it ends where the row above it ends, whose Arabic is right to left by its first letter
    assert abs(right_edge(pdf, page, "20 February") - right_edge(pdf, page, "12 January")) < 1


def right_edge(pdf: Path, page: int, date: str) -> float:
    """The right end of the first line of the table row dated `date` on `page`: the date
    that starts where the column's heading does (the timeline's labels and the notes
    have dates too)."""
    words = bboxes(pdf, page)
    column = next(b[0] for b in words if b[4] == "Date")
    day, month = date.split()
    y = next(b[3] for b, after in zip(words, words[1:])
             if b[4] == day and after[4] == month and abs(b[0] - column) < 1)
    return max(b[2] for b in words if abs(b[3] - y) < 6)


def test_the_pdf_sets_the_unmarked_cell_left_to_right(built):
    page, line = row_line(built["unmarked"][".pdf"], "Saffron", "20 February 2026")
    assert [w for _, w in line][3:5] == ["Saffron", "Water"], line   # the first words on the left


def test_the_pdf_keeps_a_marked_judgment_isolated_in_its_english_item(built):
    pdf = built["marked"][".pdf"]
    line = next(line for p in range(1, pages(pdf) + 1) for line in words_by_line(pdf, p)
                if "Low" in [w for _, w in line] and "confidence." in [w for _, w in line])
    xs = {w: x for x, w in line}
    arabic = [x for x, w in line if bidi.bidirectional(w)]
    assert xs["confidence."] < min(arabic) and max(arabic) < xs["Saffron"] < xs["Water"], line


def test_the_pdf_draws_no_mark_and_reads_back_without_one(built):
    import subprocess

    from conftest import tool

    text = subprocess.run([tool("pdftotext"), "-raw", "-enc", "UTF-8", str(built["marked"][".pdf"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert RLM not in text and "\u25a1" not in text and "Saffron Water" in text


# --- Word --------------------------------------------------------------------------------


def cell_paragraph(path: Path, text: str):
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    if text in p.text.replace(RLM, ""):
                        return p
    raise AssertionError(f"no cell holding {text!r} in {path}")


def _bidi(p) -> bool:
    return p._p.pPr is not None and p._p.pPr.find(docx.oxml.ns.qn("w:bidi")) is not None


def test_word_marks_the_marked_paragraphs_right_to_left(built):
    for text in (TITLE, STATEMENT):
        assert _bidi(cell_paragraph(built["marked"][".docx"], text)), text
        assert not _bidi(cell_paragraph(built["unmarked"][".docx"], text)), text


def test_word_keeps_the_judgments_item_left_to_right(built):
    item = cell_paragraph(built["marked"][".docx"], "Low confidence.")   # the callout is a shaded cell
    assert not _bidi(item) and "Saffron Water ستبدأ" in item.text.replace(RLM, "")


# --- HTML, in the browser ----------------------------------------------------------------

_SEEN = """
    const cell = [...document.querySelectorAll('td')].find(td => td.textContent.includes(arguments[0]));
    const r = document.createRange(); r.selectNodeContents(cell);
    const b = cell.getBoundingClientRect(), s = getComputedStyle(cell), text = r.getBoundingClientRect();
    const item = [...document.querySelectorAll('li')].find(li => li.textContent.startsWith('Low confidence.'));
    return {dir: s.direction, right: b.right - parseFloat(s.paddingRight), left: b.left + parseFloat(s.paddingLeft),
            text_left: text.left, text_right: text.right, attr: cell.getAttribute('dir'),
            item: item ? getComputedStyle(item).direction : null};"""


def test_html_sets_the_marked_cell_right_to_left_and_the_unmarked_left_to_right(browser, built):  # noqa: F811
    show(browser, built["marked"][".html"], 1280)
    seen = browser.execute_script(_SEEN, TITLE)
    assert seen["attr"] == "rtl" and seen["dir"] == "rtl", seen
    assert abs(seen["text_right"] - seen["right"]) < 2, seen        # flush right
    assert seen["item"] == "ltr", seen                               # the judgment's English item
    show(browser, built["unmarked"][".html"], 1280)
    seen = browser.execute_script(_SEEN, TITLE)
    assert seen["attr"] is None and seen["dir"] == "ltr", seen
    assert abs(seen["text_left"] - seen["left"]) < 2, seen


# --- the tag -----------------------------------------------------------------------------


def test_a_tag_is_right_to_left_by_its_script_else_by_its_language():
    assert [bidi.default_level(tag) for tag in ("ar", "he-IL", "fa", "az-Arab", "ku-Arab-IQ")] == [1] * 5
    assert [bidi.default_level(tag) for tag in ("en", "ar-Latn", "zh-yue-Hant", "tr", "")] == [0] * 5


def test_a_sandboxed_build_reads_marked_text_and_its_methods(tmp_path):
    from briefgen.render import Limits, render

    project = tmp_path / "p"
    shutil.copytree(SCRIPTS, project)
    (project / "templates").mkdir()
    (project / "templates" / "full.md.j2").write_text(
        "{% for e in events %}- {{ e.event.title }} ({{ e.event.title.split()|length }} words)\n{% endfor %}",
        encoding="utf-8")
    md = render(load_project(project), "full", dt.date(2026, 3, 1), limits=Limits(sandbox=True))
    assert f"- {FSI}{RLM}{TITLE}{PDI} (7 words)" in md, md


# --- the briefing's own language ------------------------------------------------------------


def test_the_projects_language_is_each_formats_document_language_and_default_direction(tmp_path):
    project = tmp_path / "ar"
    shutil.copytree(SCRIPTS, project)
    config = project / "briefgen.yaml"
    config.write_text(re.sub(r"^language:.*\n", "", config.read_text(encoding="utf-8"), flags=re.M)
                      + "language: ar\n", encoding="utf-8")
    r = run_cli("build", str(project), "--audience", "full", "--format", "docx,pdf,html", "--no-toc-pages",
                "--out", str(tmp_path / "o"))
    assert r.code == 0, r.err
    files = {p.suffix: p for p in (tmp_path / "o").iterdir()}
    assert pypdf.PdfReader(files[".pdf"]).trailer["/Root"]["/Lang"] == "ar"
    assert docx.Document(files[".docx"]).core_properties.language == "ar"
    html = files[".html"].read_text(encoding="utf-8")
    assert re.search(r'<html lang="ar"[^>]* dir="rtl"', html), html[:300]
    # a paragraph with no letter of its own (the date line) takes the briefing's direction
    body = docx.Document(files[".docx"]).element.body
    assert body.xpath(".//w:p[w:pPr/w:bidi]"), "no right-to-left paragraph in an Arabic briefing"


def test_a_project_language_that_is_no_tag_is_refused_with_file_line_and_field(tmp_path):
    project = tmp_path / "bad"
    shutil.copytree(SCRIPTS, project)
    config = project / "briefgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language: Arabic script\n", encoding="utf-8")
    r = run_cli("validate", str(project))
    assert r.code == 1 and "briefgen.yaml:" in r.err and "language: 'Arabic script' is not a language tag" in r.err
