"""Right to left in Word: a right-to-left paragraph is marked so (``w:bidi``), its
right-to-left and complex-script runs are marked and take complex-script fonts, sizes,
bold and italic, and LibreOffice's layout of the file reads as a native reader expects:
flush right, right to left, the amount in dollars and the Latin name in place. Read back
by pandoc, the text is in logical order.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefgen import bidi
from briefgen import tree as t
from briefgen.build import BuildRequest, build
from briefgen.writers import docx as docx_writer
from briefgen.writers.docx.direction import Runs, Script
from conftest import tool, word_findings
from test_scripts import QUOTE, SCRIPTS, fold, read_right_to_left, words_by_line

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AUDIENCES = ("executive", "full", "investor", "technical")


def write(tmp_path: Path, *blocks: t.Block, title: str = "Scripts", name: str = "one") -> Path:
    doc = t.Document(t.Meta(title=title, date="2026-03-01"), tuple(blocks))
    path = tmp_path / f"{name}.docx"
    docx_writer.write(doc, docx_writer.Options(toc_pages=False), path)
    return path


def part(path: Path, name: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def paragraphs(root: etree._Element) -> dict[str, etree._Element]:
    """Each paragraph by its text."""
    return {"".join(p.itertext()): p for p in root.iter(W + "p")}


def runs(p: etree._Element) -> list[tuple[str, set[str], str | None]]:
    """Each text run of `p`: (text, its run properties' names, its complex-script font)."""
    out = []
    for r in p.iter(W + "r"):
        text = "".join(x.text or "" for x in r.iter(W + "t"))
        if not text:
            continue
        rpr = r.find(W + "rPr")
        names = {etree.QName(c).localname for c in rpr} if rpr is not None else set()
        fonts = rpr.find(W + "rFonts") if rpr is not None else None
        out.append((text, names, fonts.get(W + "cs") if fonts is not None else None))
    return out


def is_rtl(p: etree._Element) -> bool:
    return p.find(f"{W}pPr/{W}bidi") is not None


def loose(words: list[str]) -> list[str]:
    """`words` with lam and alef in either order: LibreOffice's PDF maps the lam-alef
    ligature to its letters in logical order inside a word poppler gives in visual order,
    so a reversed word reads "ثالث" for "ثلاث"."""
    return [w.replace("\u0627\u0644", "\u0644\u0627") for w in words]


def lines_in(pdf: Path, page: int = 1) -> list[tuple[float, float, list[tuple[float, str]]]]:
    """Each line on `page` that holds right-to-left words: (left end, right end, words)."""
    out = subprocess.run([tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    ends: dict[int, list[float]] = {}
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">', out):
        y = round(float(m.group(3)))
        key = next((k for k in ends if abs(k - y) <= 5), y)
        ends.setdefault(key, []).extend([float(m.group(1)), float(m.group(2))])
    words = words_by_line(pdf, page)
    return [(min(ends[k]), max(ends[k]), line) for k, line in zip(sorted(ends), words)
            if any(bidi.bidirectional(w) for _, w in line)]


# --- the marks -------------------------------------------------------------------------


def test_runs_are_cut_by_direction_and_script():
    text = "قال إن US$ 53 billion، عام 2032."
    marks = Runs(text, "en", house_fonts=True)
    assert marks.rtl
    assert marks.cut(text) == [("قال إن ", Script("rtl", "Arial")), ("US$ 53 billion", None),
                               ("، عام ", Script("rtl", "Arial")), ("2032", None), (".", Script("rtl", "Arial"))]
    thai = "ผลิตได้ 5,000 ลูกบาศก์ Mekorot Labs, मंत्रालय"
    marks = Runs(thai, "en", house_fonts=False)
    assert not marks.rtl
    assert marks.cut(thai) == [("ผลิตได้ 5,000 ลูกบาศก์ ", Script("cs")), ("Mekorot Labs, ", None),
                               ("मंत्रालय", Script("cs"))]
    assert Runs("Reuters: «قال»", "en", True).rtl is False            # the first strong character decides
    assert Runs("2025", "ar", True).rtl is True                        # none: the document's language


def test_a_right_to_left_paragraph_and_its_runs_are_marked(tmp_path):
    path = write(tmp_path, t.Para((t.Text(QUOTE),)),
                 t.Para((t.Strong((t.Text("Bold "), t.Text("عربي غامق"))), t.Text(" and "),
                         t.Emph((t.Text("מילים נטויות"),)), t.Text(" ภาษาไทย"))))
    by_text = paragraphs(part(path))
    quote, mixed = by_text[QUOTE], next(p for text, p in by_text.items() if text.startswith("Bold"))
    assert is_rtl(quote) and not is_rtl(mixed)
    pieces = runs(quote)
    assert "".join(text for text, _, _ in pieces) == QUOTE                 # logical order, nothing lost
    for text, names, font in pieces:
        if bidi.bidirectional(text):
            assert "rtl" in names and font == "Arial", text
    assert ("US$ 53 billion", set(), None) in pieces                     # read left to right, Latin font
    assert ("Saffron Water", set(), None) in pieces
    marks = {text: (names, font) for text, names, font in runs(mixed)}
    assert marks["Bold "] == ({"b"}, None)
    assert marks["عربي غامق"] == ({"rFonts", "b", "bCs", "rtl"}, "Arial")   # bold in the complex-script slot too
    assert marks["מילים נטויות"] == ({"rFonts", "i", "iCs", "rtl"}, "Arial")
    assert marks[" ภาษาไทย"] == ({"rFonts", "cs"}, "Tahoma")
    assert word_findings(path) == []


def test_complex_script_text_is_sized_and_weighted_as_latin_in_the_styles(tmp_path):
    styles = part(write(tmp_path, t.Para((t.Text("x"),))), "word/styles.xml")
    for rpr in styles.iter(W + "rPr"):
        for latin, twin in (("b", "bCs"), ("i", "iCs"), ("sz", "szCs")):
            a, b = rpr.find(W + latin), rpr.find(W + twin)
            if a is not None:
                assert b is not None and b.attrib == a.attrib, etree.tostring(rpr)


def test_a_right_to_left_cell_is_flush_right_and_a_right_aligned_one_stays_so(tmp_path):
    table = t.Table(((t.Text("Name"),), (t.Text("Value"),)),
                    (((t.Text("قيمة"),), (t.Text("١٢٣ مليون"),)), ((t.Text("x"),), (t.Text("45"),))), ("", "right"))
    by_text = paragraphs(part(write(tmp_path, table)))
    for text in ("قيمة", "١٢٣ مليون"):
        p = by_text[text]
        assert is_rtl(p) and p.find(f"{W}pPr/{W}jc") is None   # start is the right; Word reads "right" as the end
    assert not is_rtl(by_text["45"]) and by_text["45"].find(f"{W}pPr/{W}jc").get(W + "val") == "right"


def test_the_running_header_marks_its_right_to_left_title(tmp_path):
    path = write(tmp_path, t.Para((t.Text("x"),)), title="تقرير Saffron 2026")
    [header] = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/header")]
    root = part(path, header)
    title = next(p for p in root.iter(W + "p") if "Saffron" in "".join(p.itertext()))
    assert is_rtl(title)
    marks = {text: (names, font) for text, names, font in runs(title)}
    assert marks["تقرير "] == ({"rFonts", "color", "sz", "szCs", "rtl"}, "Arial")
    assert marks["Saffron 2026"] == ({"color", "sz"}, None)


# --- LibreOffice's layout of the file ----------------------------------------------------


def test_libreoffice_sets_a_wrapped_right_to_left_paragraph_flush_right_in_reading_order(tmp_path, libreoffice):
    docx = write(tmp_path, t.Para((t.Text(QUOTE),)), t.Para((t.Text("An English paragraph, flush left."),)))
    pdf = tmp_path / "one.pdf"
    libreoffice.run("convert", docx, pdf)
    lines = lines_in(pdf)
    assert len(lines) >= 2, lines
    assert loose(read_right_to_left([words for _, _, words in lines])) == loose([w.strip(".،") for w in QUOTE.split()])
    [english] = [line for line in words_by_line(pdf) if line[0][1] == "An"]
    margin = english[0][0]                                               # an English line starts at the left margin
    width = float(re.search(r"Page size:\s+([\d.]+)", subprocess.run(
        [tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout)[1])
    for left, right, _ in lines:                                         # each Arabic line ends at the right one
        assert abs(right - (width - margin)) < 1.5 and left > margin + 1, (lines, margin, width)
    first = lines[0][2]
    assert max(first)[1] == fold("قال")                                  # the first word rightmost
    us, billion = ([x for x, w in first if w == word][0] for word in ("US$", "billion"))
    assert us < billion                                                  # the amount reads left to right, in place


def test_libreoffice_lays_the_scripts_project_out_right_to_left_where_its_text_is(tmp_path, libreoffice):
    [docx] = build(BuildRequest(SCRIPTS, "full", ("docx",), tmp_path))
    pdf = tmp_path / "full.pdf"
    libreoffice.run("convert", docx, pdf)
    # the chronology's cell: the event's title in bold, then its summary
    cell = "إعلان خطة التحلية أعلن الكونسورتيوم عن خطة لبناء ثلاث محطات تحلية بقيمة US$ 53 billion".split()
    [(page, words)] = [(page, words) for page in range(1, 5) for _, _, words in lines_in(pdf, page)
                       if fold("أعلن") in [w for _, w in words]]
    [column] = [x for line in words_by_line(pdf, page) for x, w in line if w == "Event"]   # its header
    words = [(x, w) for x, w in words if x >= column]
    assert loose(read_right_to_left([words]))[0] == loose([fold("إعلان")])[0]   # the cell's first word rightmost
    # its first line, read right to left: the title, the summary, the amount before its wrap
    assert loose(read_right_to_left([words])) == loose([fold(w) for w in cell[:len(words)]])


# --- every build of the scripts project opens clean, and reads back in order --------------


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_scripts_briefing_opens_clean_in_word(tmp_path, audience):
    [path] = build(BuildRequest(SCRIPTS, audience, ("docx",), tmp_path))
    assert word_findings(path) == []


def test_pandoc_reads_the_right_to_left_text_back_in_logical_order(tmp_path):
    [path] = build(BuildRequest(SCRIPTS, "full", ("docx",), tmp_path))
    text = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", str(path)],
                          capture_output=True, text=True, check=True).stdout
    for quote in ("أعلن الكونسورتيوم عن خطة لبناء ثلاث محطات تحلية بقيمة US$ 53 billion بالشراكة مع شركة "
                  "Saffron Water حتى عام 2032.", "ההסכם עם Mekorot Labs מסתכם ב-1.2 מיליארד דולר.",
                  "ستنتج المحطات الثلاث 450 ألف متر مكعب يوميا بحلول عام 2032."):
        assert quote in text, quote
