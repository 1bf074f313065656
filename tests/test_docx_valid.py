"""Word opens every briefing clean: openxml-audit (the Open XML SDK validator with Word's
known repair rules) finds no error and no Word app-compat finding, on every kind of build."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from docx.oxml import OxmlElement

from briefgen import tree as t
from briefgen.build import BuildRequest, build
from briefgen.writers import docx as docx_writer
from briefgen.writers.docx import schema
from conftest import MINI, ROOT, SEEDS, TESTS, word_findings
from test_hostile_text import HOSTILE, hostile_project

KESTREL = TESTS / "data" / "kestrel"
AUDIENCES = ("executive", "full", "investor", "technical")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[tuple[str, str], object]:
    """Every built-in audience of both test projects, as .docx."""
    out = {}
    for project in (SEEDS, KESTREL):
        folder = tmp_path_factory.mktemp(project.name)
        for audience in AUDIENCES:
            [path] = build(BuildRequest(project, audience, ("docx",), folder))
            out[project.name, audience] = path
    return out


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("project", ["seeds", "kestrel"])
def test_every_builtin_audience_opens_clean_in_word(built, project, audience):
    assert word_findings(built[project, audience]) == []


def test_the_full_briefing_is_valid_for_word_2007_too(built):
    """Office 2007's schema lacks Word 2010's table-look attributes; the hex mask both read is used."""
    assert word_findings(built["seeds", "full"], "office2007") == []


def test_a_thousand_events_and_claims_open_clean(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "1000", str(tmp_path / "n")],
                   check=True, capture_output=True)
    [path] = build(BuildRequest(tmp_path / "n", "full", ("docx",), tmp_path / "out"))
    assert word_findings(path) == []


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_opens_clean(name, tmp_path):
    project = hostile_project(tmp_path / "p", HOSTILE[name])
    [path] = build(BuildRequest(project, "full", ("docx",), tmp_path / "out"))
    assert word_findings(path) == []


def test_a_build_with_a_previous_briefing_opens_clean(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(MINI, new)
    (new / "events.yaml").write_text((new / "events.yaml").read_text().replace(
        "title: Conference keynote", "title: Keynote in Hangzhou"))
    (new / "briefgen.yaml").write_text((new / "briefgen.yaml").read_text() + f"previous: {MINI}\n")
    briefing, changes = build(BuildRequest(new, "full", ("docx",), tmp_path / "out"))
    assert changes.name.endswith("-changes.docx")
    assert word_findings(briefing) == [] and word_findings(changes) == []


# --- the schema's element order, kept in one table --------------------------------

def test_properties_come_out_in_the_schema_order_whatever_order_the_writer_gives():
    assert schema.props("pPr", '<w:jc w:val="center"/>', "<w:keepNext/>", '<w:pStyle w:val="Normal"/>') == (
        '<w:pPr><w:pStyle w:val="Normal"/><w:keepNext/><w:jc w:val="center"/></w:pPr>')
    with pytest.raises(KeyError):  # a child the table does not know is a bug, not a guess
        schema.props("pPr", "<w:madeUp/>")


# python-docx's element classes know the order of the children they can add; the table agrees
PYTHON_DOCX_KNOWS = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr", "tabs",
            "spacing", "ind", "jc"),
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "sz",
            "highlight", "u", "vertAlign", "rtl", "cs", "specVanish", "oMath"),
    "tblPr": ("tblStyle", "bidiVisual", "jc", "tblLayout"),
    "tcPr": ("tcW", "gridSpan", "vMerge", "vAlign"),
}


@pytest.mark.parametrize("container", sorted(PYTHON_DOCX_KNOWS))
def test_the_order_table_agrees_with_python_docx(container):
    element = OxmlElement(f"w:{container}")
    for tag in reversed(PYTHON_DOCX_KNOWS[container]):
        getattr(element, f"get_or_add_{tag}")()
    made = [child.tag.split("}")[1] for child in element]
    assert made == sorted(made, key=schema.ORDER[container].index)


def test_the_order_table_is_what_the_validator_checks(tmp_path):
    """Every pPr, rPr, tblPr and tcPr child the writer uses, in the table's order, is
    clean; the same paragraph with two children swapped is not (so this test can fail)."""
    figure = t.TimelineFigure((t.TimelineItem("Launch", "2025-01-01", "2025-01-01", "day", False, "occurred", "2025"),))
    doc = t.Document(t.Meta("Order", date="2026-01-01"), (
        figure, t.Table(((t.Text("A"),), (t.Text("B"),)), (((t.Code("x"),), (t.Strong((t.Emph((t.Text("y"),)),)),)),),
                        ("center", "right")),
        t.Callout("callout", (t.Text("Box"),), (t.OrderedList(((t.Para((t.Link("https://e.x", (t.Text("l"),)),)),),)),)),
    ))
    good = tmp_path / "good.docx"
    docx_writer.write(doc, docx_writer.Options(), good)
    assert word_findings(good) == []
    bad = tmp_path / "bad.docx"
    _rewrite(good, bad, "word/document.xml", lambda xml: xml.replace(
        b'<w:keepNext/><w:jc w:val="center"/>', b'<w:jc w:val="center"/><w:keepNext/>', 1))
    assert any("keepNext" in f for f in word_findings(bad))


def _rewrite(src, dst, name: str, change) -> None:
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == name:
                new = change(data)
                assert new != data
                data = new
            zout.writestr(info, data)
