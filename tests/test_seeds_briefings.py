"""The real briefings from seeds/, every audience in both formats, read back by other tools."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from pypdf import PdfReader

from briefgen.load import load_project
from conftest import SEEDS, run_cli, tool

AUDIENCES = ("executive", "full", "investor", "technical")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seeds-out")
    r = run_cli("build", str(SEEDS), "--all", "--format", "docx,pdf", "--out", str(folder))
    assert r.code == 0, r.err
    assert "4 of 4 audiences built" in r.out
    return folder


def pdf(out, audience):
    return out / f"alibaba-ai-briefing-{audience}.pdf"


def docx(out, audience):
    return out / f"alibaba-ai-briefing-{audience}.docx"


def link_pages(path):
    """(page of each footnote mark's link, page of the note it jumps to), 0-based."""
    reader = PdfReader(str(path))
    page_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}

    def target(dest) -> tuple[int, float]:
        return page_of[dest[0].idnum], round(float(dest[2]), 2), round(float(dest[3]), 2)

    notes = {target(d) for name, d in reader.named_destinations.items() if name.startswith("/__fn")
             for d in [[d.page, d.typ, d.left, d.top]]}
    pairs = []
    for number, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            dest = a.get("/Dest")
            if a.get("/Subtype") == "/Link" and isinstance(dest, list) and target(dest) in notes:
                pairs.append((number, target(dest)[0]))
    return pairs


def word_notes(path) -> int:
    doc = json.loads(subprocess.run([tool("pandoc"), "-f", "docx", "-t", "json", str(path)],
                                    capture_output=True, text=True, check=True).stdout)
    return json.dumps(doc).count('"t": "Note"')


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_note_is_on_the_page_of_its_reference_and_numbered_as_in_word(out, audience):
    pairs = link_pages(pdf(out, audience))
    assert pairs, "no footnote links found"
    wrong = [(p + 1, d + 1 if d is not None else None) for p, d in pairs if p != d]
    assert wrong == []
    assert len(pairs) == word_notes(docx(out, audience))


@pytest.mark.parametrize("audience", AUDIENCES)
def test_pdf_is_valid_with_embedded_fonts(out, audience):
    path = pdf(out, audience)
    check = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    fonts = subprocess.run([tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\b", r) for r in rows), fonts


def test_full_pdf_has_every_event_and_claim(out):
    text = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(pdf(out, "full")), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    project = load_project(SEEDS)
    missing = [x.id for x in [*project.events, *project.claims]
               if re.sub(r"\s+", "", getattr(x, "title", None) or x.statement) not in flat]
    assert missing == []


def test_executive_is_at_most_two_pages(out):
    assert len(PdfReader(str(pdf(out, "executive"))).pages) <= 2


def test_full_pdf_has_bookmarks_and_a_filled_contents(out):
    reader = PdfReader(str(pdf(out, "full")))
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles[:4] == ["Bottom line up front", "Chronology", "Claims register", "Where sources disagree"]
    contents = subprocess.run([tool("pdftotext"), "-layout", "-f", "2", "-l", "2", str(pdf(out, "full")), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert "Contents" in contents
    entries = dict(re.findall(r"^\s*(Bottom line up front|Chronology|Claims register|Sources)[ .]+(\d+)\s*$",
                              contents, re.M))
    assert list(entries) == ["Bottom line up front", "Chronology", "Claims register", "Sources"]
    assert all(int(n) >= 3 for n in entries.values())  # real page numbers, after cover and contents
