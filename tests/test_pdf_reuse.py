"""The PDF writer's fast paths give the plain paths' bytes.

Each fast path has a switch: paragraphs parsed once per markup and style
(``reuse.PARSED``), text-only markup made into fragments without the parser
(``reuse.QUICK``, also checked against the parser for any text), their lines broken
once per width (``reuse.LINES``), a data table's
rows measured once (``tables.MEASURE_ONCE``), font faces read when first used
(``fonts.LAZY``). Every project here is written with the switches off and on, twice in
one process (the second write reuses what the first left, as ``briefgen watch`` does),
and the files compared byte for byte.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from briefgen import fonts
from briefgen.build import document_for
from briefgen.load import load_project
from briefgen.writers.pdf import document, reuse, tables
from briefgen.writers.pdf.internals import Para
from conftest import ROOT, SEEDS, examples

PROJECTS = {"seeds": SEEDS, "kestrel": ROOT / "tests" / "data" / "kestrel",
            "scripts": ROOT / "tests" / "data" / "scripts"}
SWITCHES = ((reuse, "PARSED"), (reuse, "QUICK"), (reuse, "LINES"), (tables, "MEASURE_ONCE"))


@pytest.fixture
def plain(monkeypatch):
    """Every fast path of the writer off (fonts stay as this process registered them)."""
    def off():
        for module, name in SWITCHES:
            monkeypatch.setattr(module, name, False)
        reuse.clear()
    return off


def _tree(project: Path):
    p = load_project(project)
    return document_for(p, p.config.audience, dt.date(2026, 1, 1))


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_fast_paths_write_the_plain_paths_bytes_cold_and_warm(name, tmp_path, plain):
    project = PROJECTS[name]
    reuse.clear()
    fast = []
    for i in range(3):      # cold, then warm: a write reuses what the one before kept (lines from the second on)
        document.write(_tree(project), tmp_path / f"fast{i}.pdf")
        fast.append((tmp_path / f"fast{i}.pdf").read_bytes())
    plain()
    document.write(_tree(project), tmp_path / "plain.pdf")
    assert fast[0] == (tmp_path / "plain.pdf").read_bytes()
    assert fast[1] == fast[0] and fast[2] == fast[0]


def _story(style):
    """Paragraphs of one markup on small pages, so that some split across pages and
    others stay whole: plain text and several fragments (bold, a link), with words that
    break at soft hyphens at line ends (a split changes the class of such a word)."""
    words = " ".join(f"word{i % 7} extra\u00adordinary\u00adlengthy\u00adwording" for i in range(24))
    rich = f'{words} <b>bold {words[:80]}</b> <a href="https://example.com">link</a> {words}'
    return [Para(m, style) for _ in range(4) for m in (words, rich)] + [Para("short", style) for _ in range(3)]


def _write_story(path: Path) -> bytes:
    style = ParagraphStyle("s", fontName=fonts.reportlab_name("regular"), fontSize=9, leading=11)
    SimpleDocTemplate(str(path), pagesize=(300, 260), invariant=1).build(_story(style))
    return path.read_bytes()


def test_paragraphs_sharing_lines_split_and_stay_whole_as_plain_ones(tmp_path, plain):
    """A split changes the lines it splits (reportlab adds a space to a line's last
    word); a paragraph whose lines others share breaks its own first."""
    _keeping_lines()
    fast = _write_story(tmp_path / "fast.pdf")
    again = _write_story(tmp_path / "again.pdf")
    plain()
    assert fast == _write_story(tmp_path / "plain.pdf")
    assert again == fast


def _keeping_lines() -> None:
    """As in a process that writes its second document or a later one."""
    reuse.clear()
    reuse.start_build(), reuse.start_build()
    assert reuse.keeping_lines()


def test_paragraphs_of_one_markup_share_their_fragments_and_lines():
    _keeping_lines()
    style = ParagraphStyle("s", fontName=fonts.reportlab_name("regular"), fontSize=9, leading=11)
    a, b = Para("one <b>two</b> three", style), Para("one <b>two</b> three", style)
    assert a.frags is b.frags
    a.wrap(100, 100), b.wrap(100, 100)
    assert a.blPara is b.blPara
    other = ParagraphStyle("t", parent=style, fontSize=10)
    assert Para("one <b>two</b> three", other).frags is not a.frags      # another style


def test_the_memo_keeps_only_what_the_last_build_used(monkeypatch):
    reuse.clear()
    style = ParagraphStyle("s", fontName=fonts.reportlab_name("regular"), fontSize=9, leading=11)
    Para("kept", style), Para("dropped", style)
    reuse.start_build()
    assert reuse.parsed("kept", style) is not None      # used by this build: kept for the next
    reuse.start_build()
    assert reuse.parsed("dropped", style) is None
    assert reuse.parsed("kept", style) is not None
    monkeypatch.setattr(reuse, "LIMIT", 1)
    Para("past the limit", style)
    assert reuse.parsed("past the limit", style) is None


def test_a_style_made_from_another_has_its_own_signature():
    parent = ParagraphStyle("p", fontSize=9)
    assert reuse.signature(parent) is not None
    child = ParagraphStyle("c", parent=parent, fontSize=11)
    assert reuse.signature(child) != reuse.signature(parent)


def test_registering_reads_a_faces_name_as_reading_the_face_does():
    from reportlab.pdfbase.ttfonts import TTFontFace

    for role in fonts.FILES:
        path = str(fonts.font_path(role))
        assert fonts._font_class()(fonts.RL_NAMES[role], path).face.name == TTFontFace(path).name, role


_WRITE = """
import datetime as dt, sys
from pathlib import Path
from briefgen import fonts
fonts.LAZY = {lazy}
from briefgen.build import document_for
from briefgen.load import load_project
from briefgen.writers.pdf import document
p = load_project(Path(sys.argv[1]))
document.write(document_for(p, p.config.audience, dt.date(2026, 1, 1)), Path(sys.argv[2]))
from reportlab.pdfbase import pdfmetrics
read = sorted(r for r in fonts._registered if r != "family"
              and "_bg_file" not in vars(pdfmetrics.getFont(fonts.RL_NAMES[r])))
print(" ".join(read))
"""


@pytest.mark.parametrize("name", ["seeds", "scripts"])
def test_faces_read_when_first_used_give_the_same_pdf(name, tmp_path):
    """Fonts are registered once a process, so each way runs in its own."""
    out = {}
    for lazy in (False, True):
        path = tmp_path / f"{lazy}.pdf"
        run = subprocess.run([sys.executable, "-c", _WRITE.format(lazy=lazy), str(PROJECTS[name]), str(path)],
                             capture_output=True, text=True, check=True)
        out[lazy] = path.read_bytes(), run.stdout.split()
    assert out[True][0] == out[False][0]
    assert "mono" not in out[True][1] and "regular" in out[True][1]     # read only when used
    assert "mono" in out[False][1]


_TEXT = st.text(st.characters(blacklist_characters="<&", blacklist_categories=("Cs",)), max_size=60) | \
    st.lists(st.sampled_from(["word", " ", "  ", "\n", "\t", "\xa0", "é", "\u2009", '"', ">", "'"]), max_size=12).map("".join)


@settings(max_examples=examples(300))
@given(text=_TEXT, bold=st.booleans())
def test_text_only_markup_gets_the_fragments_the_parser_makes(text, bold):
    style = ParagraphStyle("q", fontName=fonts.reportlab_name("bold" if bold else "regular"), fontSize=8.3,
                           leading=10.8, textColor="#123456")
    plain = Paragraph(text, style)
    quick = reuse.quick(text, style)
    assert quick is not None
    assert quick[0] == plain.text
    assert [vars(f) for f in quick[1]] == [vars(f) for f in plain.frags]


def test_markup_with_tags_or_entities_is_left_to_the_parser():
    style = ParagraphStyle("q", fontName=fonts.reportlab_name("regular"))
    assert reuse.quick("a <b>b</b>", style) is None and reuse.quick("AT&amp;T", style) is None
    assert reuse.quick("upper", ParagraphStyle("u", parent=style, textTransform="uppercase")) is None
