"""The look every format shares: page sizes as each library measures them, and the
characters no document can hold."""

from __future__ import annotations

import subprocess

import pytest
from docx.shared import Mm, Pt
from reportlab.lib.pagesizes import A4, LETTER

from briefgen import look
from briefgen import tree as t
from briefgen.errors import BriefgenError
from briefgen.writers import writer
from conftest import tool


def test_page_sizes_are_reportlabs_to_the_last_bit_and_words_in_millimetres():
    assert look.page_size("A4").points == A4
    assert look.page_size("Letter").points == LETTER
    for size in look.PAGE_SIZES.values():
        for mm, pt in zip(size.mm, size.points):   # the two units name one paper size
            assert abs(Mm(mm) - Pt(pt)) <= Pt(0.01)


@pytest.mark.parametrize("name, expected", [("A4", "A4"), ("a4", "A4"), (" letter ", "Letter"), ("", "A4")])
def test_page_size_names_are_read_in_any_case(name, expected):
    assert look.page_size(name).name == expected


def test_an_unknown_page_size_is_a_usage_error_naming_the_known_ones():
    with pytest.raises(BriefgenError) as err:
        look.page_size("A5")
    assert err.value.kind == "usage" and "use A4 or Letter" in str(err.value) and "'A5'" in str(err.value)


def test_what_no_document_can_hold_is_dropped_and_everything_else_kept():
    kept = "tab\tnewline\nreturn\r café ✓ 吴 \U0001F642 \ufffd"
    dropped = "\x00\x07\x0b\x0c\x1f\x7f\x85\x9f\ud800\udfff\ufffe\uffff"
    assert look.drop_illegal(kept + dropped) == kept


def _read_back(path) -> str:
    if path.suffix == ".docx":
        cmd = [tool("pandoc"), "-f", "docx", "-t", "plain", str(path)]
    else:
        cmd = [tool("pdftotext"), str(path), "-"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("name", ["docx", "pdf"])
def test_every_writer_drops_what_no_document_can_hold(tmp_path, name):
    # a lone surrogate once made the Word writer fail to encode its XML; a C1 control was
    # written into it. Both writers now drop the same set, in text, headers and notes.
    bad = "\x85\ud800\x07\ufffe"
    meta = t.Meta(f"Ti{bad}tle", subject=f"Sub{bad}ject", author=f"De{bad}sk", keywords=(f"k{bad}ey",),
                  classification=f"SE{bad}CRET", header=f"He{bad}ader", footer=f"Fo{bad}oter", date="2026-01-01")
    doc = t.Document(meta, (
        t.Heading(1, (t.Text(f"Hea{bad}ding"),), "heading"),
        t.Para((t.Text(f"Al{bad}pha"), t.Note((t.Para((t.Text(f"No{bad}te"),)),)))),
        t.CodeBlock(f"co{bad}de"),
    ))
    w = writer(name)
    path = tmp_path / ("x" + w.SUFFIX)
    w.write(doc, w.Options(), path)
    text = _read_back(path)
    for word in ("Heading", "Alpha", "Note", "code"):
        assert word in text, (word, text)
