"""Which reader gives a mixed right-to-left line in logical order, and why the tests read
the PDF with ``pdftotext -raw`` and pypdf, never plain ``pdftotext``.

Plain ``pdftotext`` sorts a line's words by position and puts them back in logical
order as a paragraph of the *page's* majority direction: a Hebrew line with a Latin name
on a mostly English page comes out "Mekorot Labs חתימה…", on a Hebrew page as written.
That is poppler's reading, the same for LibreOffice's PDF of the same text as for
briefgen's; ``-raw`` and pypdf follow the content stream, which briefgen writes in
reading order.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from briefgen import tree as t
from briefgen.writers import docx as docx_writer
from briefgen.writers import pdf as pdf_writer
from conftest import tool
from test_scripts import fold, raw_text, stream_lines, unspaced

LINE = "חתימה על הסכם עם Mekorot Labs"
HEBREW = "הקונסורציום חתם על הסכם בהיקף של מיליארד דולר לפיתוח ממברנות חדשות."
ENGLISH = "An English paragraph, wide enough to fill most of the line it is set on, and then some more."


def document(language: str) -> t.Document:
    """The line between two paragraphs of `language` (``he`` or ``en``): a page whose
    letters are mostly right to left, or mostly left to right."""
    other = t.Para((t.Text(HEBREW if language == "he" else ENGLISH),))
    blocks = (other, t.Para((t.Text(LINE),)), other)
    return t.Document(t.Meta(title="סדר" if language == "he" else "Order", date="2026-03-01", language=language),
                      blocks)


def plain_lines(pdf: Path) -> list[str]:
    out = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return [re.sub(r"\s+", " ", fold(line)).strip() for line in out.splitlines()]


def test_plain_pdftotext_orders_a_mixed_line_by_the_pages_majority_direction(tmp_path):
    for language, plain in (("he", LINE), ("en", "Mekorot Labs חתימה על הסכם עם")):
        pdf = tmp_path / f"{language}.pdf"
        pdf_writer.write(document(language), pdf_writer.Options(), pdf)
        assert plain in plain_lines(pdf), (language, plain_lines(pdf))
        # the content stream is in reading order on either page
        assert LINE in stream_lines(pdf) and unspaced(LINE) in raw_text(pdf), language


def test_libreoffices_pdf_of_the_same_text_reads_the_same_in_plain_pdftotext(tmp_path):
    docx = tmp_path / "order.docx"
    docx_writer.write(document("en"), docx_writer.Options(), docx)
    proc = subprocess.run([tool("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    ours = tmp_path / "ours.pdf"
    pdf_writer.write(document("en"), pdf_writer.Options(), ours)
    theirs = plain_lines(tmp_path / "order.pdf")
    assert "Mekorot Labs חתימה על הסכם עם" in theirs and "Mekorot Labs חתימה על הסכם עם" in plain_lines(ours), theirs
