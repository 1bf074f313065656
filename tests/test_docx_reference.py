"""--reference-docx with house styles saved by real word processors, and references that
are not Word documents at all (refused before anything reads them)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import MINI, run_cli, word_findings

# A house style as LibreOffice keeps it (its own style names: no Title, no List Bullet,
# no footnote or hyperlink styles), with a header and a footer.
HOUSE_FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3"
 office:mimetype="application/vnd.oasis.opendocument.text">
 <office:font-face-decls><style:font-face style:name="Caladea" svg:font-family="Caladea"/></office:font-face-decls>
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph"><style:text-properties style:font-name="Caladea" fo:font-size="11pt"/></style:style>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="1"><style:text-properties fo:font-size="18pt" fo:color="#7a1f1f" fo:font-weight="bold"/></style:style>
  <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph" style:parent-style-name="Standard" style:default-outline-level="2"><style:text-properties fo:font-size="14pt" fo:color="#7a1f1f" fo:font-weight="bold"/></style:style>
  <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard"><style:text-properties fo:font-size="8pt" fo:color="#7a1f1f"/></style:style>
  <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard"><style:text-properties fo:font-size="8pt"/></style:style>
 </office:styles>
 <office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21.59cm" fo:page-height="27.94cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm" fo:margin-top="2cm" fo:margin-bottom="2cm"/><style:header-style/><style:footer-style/></style:page-layout></office:automatic-styles>
 <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"><style:header><text:p text:style-name="Header">ACME Corp house header</text:p></style:header><style:footer><text:p text:style-name="Footer">ACME Corp footer</text:p></style:footer></style:master-page></office:master-styles>
 <office:body><office:text><text:h text:style-name="Heading_20_1" text:outline-level="1">House style</text:h><text:p text:style-name="Standard">Body.</text:p></office:text></office:body>
</office:document>
"""

MISSING_FROM_LIBREOFFICE = ["Title", "Subtitle", "Footnote Reference", "Footnote Text", "List Bullet", "Hyperlink"]


@pytest.fixture(scope="module")
def references(tmp_path_factory, libreoffice) -> dict[str, Path]:
    """House styles saved by LibreOffice (both of its Word filters, one of which writes the
    legacy core-properties relationship), a briefgen briefing re-saved by LibreOffice, and
    one by hand in Word's conventions (ids differ from names, as in a German Word)."""
    folder = tmp_path_factory.mktemp("refs")
    (folder / "house.fodt").write_text(HOUSE_FODT, encoding="utf-8")
    refs = {"libreoffice": folder / "lo.docx", "libreoffice-ooxml": folder / "lo-ooxml.docx",
            "libreoffice-resaved": folder / "resaved.docx", "word-german": folder / "de.docx"}
    libreoffice.run("convert", folder / "house.fodt", refs["libreoffice"])
    libreoffice.run("convert", folder / "house.fodt", refs["libreoffice-ooxml"], "Office Open XML Text")
    r = run_cli("build", str(MINI), "--format", "docx", "--out", str(folder / "b"))
    assert r.code == 0, r.err
    libreoffice.run("convert", folder / "b" / "mini-briefing-full.docx", refs["libreoffice-resaved"])
    german_reference(refs["word-german"])
    return refs


GERMAN_IDS = {"Heading1": "berschrift1", "Heading2": "berschrift2", "Title": "Titel", "Subtitle": "Untertitel",
              "ListBullet": "Aufzhlungszeichen", "FootnoteText": "Funotentext", "FootnoteReference": "Funotenzeichen",
              "Hyperlink": "Link", "Caption": "Beschriftung", "Quote": "Zitat"}


def german_reference(path: Path) -> None:
    """Word's conventions as a German Word saves them: names in English (Word's built-in
    names), ids in the user's language; every reference to an id follows it."""
    ref = docx.Document()
    styles = ref.styles.element
    from briefgen.writers.docx import ooxml

    for sid in ("FootnoteText", "FootnoteTextChar", "FootnoteReference", "Hyperlink", "TOC1", "TOC2"):  # not in python-docx's template
        styles.append(ooxml.builtin_style(sid))
    for style in styles.iterchildren(qn("w:style")):
        sid = style.get(qn("w:styleId"))
        style.set(qn("w:styleId"), GERMAN_IDS.get(sid, sid))
        for tag in ("w:basedOn", "w:next", "w:link"):
            for el in style.iter(qn(tag)):
                el.set(qn("w:val"), GERMAN_IDS.get(el.get(qn("w:val")), el.get(qn("w:val"))))
    heading = next(s for s in styles.iterchildren(qn("w:style")) if s.get(qn("w:styleId")) == "berschrift1")
    ref.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x11, 0x66, 0x33)
    assert heading.get(qn("w:styleId")) == "berschrift1"
    ref.sections[0].header.paragraphs[0].text = "Hausstil Kopfzeile"
    ref.save(path)


def named(document, name: str):
    """A style by its name as Word shows it (LibreOffice writes "Heading 1", Word "heading 1")."""
    return next(s for s in document.styles if s.name.lower() == name.lower())


def build_with(reference: Path, out: Path):
    return run_cli("build", str(MINI), "--format", "docx", "--out", str(out), "--reference-docx", str(reference))


@pytest.mark.parametrize("kind", ["libreoffice", "libreoffice-ooxml", "libreoffice-resaved", "word-german"])
def test_a_reference_from_a_real_word_processor_gives_a_valid_package(references, kind, tmp_path):
    r = build_with(references[kind], tmp_path)
    assert r.code == 0, r.err
    assert "Traceback" not in r.err and "Duplicate name" not in r.err
    path = tmp_path / "mini-briefing-full.docx"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    assert len(names) == len(set(names)) and names.count("docProps/core.xml") == 1
    assert word_findings(path) == []
    assert docx.Document(str(path)).core_properties.title == "Mini briefing"


@pytest.mark.parametrize("kind", ["libreoffice", "libreoffice-ooxml", "word-german"])
def test_the_reference_styles_apply_by_name(references, kind, tmp_path):
    assert build_with(references[kind], tmp_path).code == 0
    out = docx.Document(str(tmp_path / "mini-briefing-full.docx"))
    ref = docx.Document(str(references[kind]))
    headings = [p for p in out.paragraphs if p.style.name == "Heading 1"]
    assert headings, [p.style.name for p in out.paragraphs]
    assert {p.style.style_id for p in headings} == {named(ref, "Heading 1").style_id}
    assert named(out, "Heading 1").font.color.rgb == named(ref, "Heading 1").font.color.rgb is not None
    header = " ".join(p.text for p in out.sections[0].header.paragraphs)
    assert header == " ".join(p.text for p in ref.sections[0].header.paragraphs) and header.strip()


def test_word_ids_that_differ_from_names_are_found(references, tmp_path):
    r = build_with(references["word-german"], tmp_path)
    assert r.code == 0 and "warning" not in r.err, r.err
    out = docx.Document(str(tmp_path / "mini-briefing-full.docx"))
    used = {p.style.style_id for p in out.paragraphs}
    assert {"berschrift1", "Titel", "Aufzhlungszeichen"} <= used
    with zipfile.ZipFile(tmp_path / "mini-briefing-full.docx") as z:
        notes = z.read("word/footnotes.xml").decode()
    assert 'w:pStyle w:val="Funotentext"' in notes and 'w:rStyle w:val="Funotenzeichen"' in notes


def test_styles_a_reference_lacks_are_warnings_naming_them(references, tmp_path):
    r = build_with(references["libreoffice"], tmp_path)
    assert r.code == 0
    warned = [line for line in r.err.splitlines() if line.startswith("warning: ")]
    for name in MISSING_FROM_LIBREOFFICE:
        assert any(f"no '{name}' style; briefgen's own is used" in line for line in warned), (name, r.err)
    out = docx.Document(str(tmp_path / "mini-briefing-full.docx"))
    assert "List Bullet" in {p.style.name for p in out.paragraphs}   # the house style stood in
    assert out.paragraphs[0].style.name == "Title"


def test_a_build_of_every_audience_says_each_missing_style_once_in_order(references, tmp_path):
    one = build_with(references["libreoffice"], tmp_path / "one")
    r = run_cli("build", str(MINI), "--all", "--format", "docx", "--out", str(tmp_path / "all"),
                "--reference-docx", str(references["libreoffice"]))
    assert r.code == 0, r.err
    warned = [line for line in r.err.splitlines() if line.startswith("warning: ")]
    said = [re.sub(r"^warning: (?:[a-z, ]+: )?", "", line) for line in warned]   # without the audiences named
    assert len(said) == len(set(said)), r.err   # each once (before: once for each audience, 26 lines)
    for name in MISSING_FROM_LIBREOFFICE:
        assert any(f"no '{name}' style; briefgen's own is used" in line for line in said), (name, r.err)
    for name in ("Title", "Footnote Text"):   # every audience uses these: said with no audience named
        assert f"warning: the reference document has no '{name}' style; briefgen's own is used" \
            " (add the style to the reference to change it)" in warned, r.err
    # a style only some audiences use names them
    assert "warning: full: the reference document has no 'TOC 1' style" in r.err
    # what every audience said comes in the order one audience's build says it
    everyone = [line[len("warning: "):] for line in warned if re.match(r"warning: the ", line)]
    full = [line[len("warning: "):] for line in one.err.splitlines() if line.startswith("warning: ")]
    assert everyone == [line for line in full if line in everyone]


def test_a_warning_only_some_audiences_gave_names_them():
    from briefgen.build import Outcome, merged_warnings
    from briefgen.writers import Notice

    outcomes = [Outcome("full", warnings=("a", "b")), Outcome("board", warnings=("b", Notice("n"))),
                Outcome("ops", warnings=("b", "a", Notice("n")))]
    merged = merged_warnings(outcomes)
    assert merged == ["full, ops: a", "b", "board, ops: n"]
    assert [type(line) for line in merged] == [str, str, Notice]   # a note stays a note


# --- references that are not Word documents ----------------------------------------

def _zip(path: Path, parts: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _docx_parts() -> dict[str, bytes]:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as z:
        return {n: z.read(n) for n in z.namelist()}


def _docm(path: Path) -> Path:
    parts = _docx_parts()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really VBA"
    return _zip(path, parts)


def _xlsx(path: Path) -> Path:
    import openpyxl

    openpyxl.Workbook().save(path)
    return path


def _bomb(path: Path) -> Path:
    parts = _docx_parts()
    parts["word/media/huge.bin"] = bytes(65 * 2**20)   # inflates to 65 MB from 64 KB
    return _zip(path, parts, level=9)


def _dense(path: Path) -> Path:
    parts = _docx_parts()
    parts["word/document.xml"] = parts["word/document.xml"].replace(b"<w:body>", b"<w:body>" + b" " * (3 * 2**20))
    return _zip(path, parts, level=9)


BAD = {
    "text": (lambda p: (p.write_text("not a document"), p)[1], "not a Word document (.docx): the file is not a zip package"),
    "xlsx": (_xlsx, "not a Word document (.docx): it is a spreadsheet (.xlsx)"),
    "docm": (_docm, "the reference document contains macros (.docm)"),
    "bomb": (_bomb, "the reference document's part 'word/media/huge.bin' inflates to 65 MB"),
    "ratio": (_dense, "the reference document's part 'word/document.xml' inflates to 3 MB"),
    "empty-zip": (lambda p: _zip(p, {"a.txt": b"x"}), "not a Word document (.docx): the zip has no Office package parts"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_reference_that_is_not_a_word_document_is_a_usage_error(case, tmp_path):
    make, message = BAD[case]
    ref = make(tmp_path / f"ref.{case}")
    r = run_cli("build", str(MINI), "--format", "docx,pdf", "--out", str(tmp_path / "out"), "--reference-docx", str(ref))
    assert r.code == 2, r.err
    assert r.err.startswith("error: ") and message in r.err and "--reference-docx" in r.err, r.err
    assert "Traceback" not in r.err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


# --- build dates a zip cannot store ----------------------------------------------------

@pytest.mark.parametrize("how", ["--as-of", "as_of"])
def test_build_dates_a_zip_cannot_hold_are_clamped_in_the_zip_and_kept_in_the_document(how, tmp_path, mini):
    if how == "as_of":
        cfg = mini / "briefgen.yaml"
        cfg.write_text("\n".join("as_of: 2200-01-01" if line.startswith("as_of:") else line
                                 for line in cfg.read_text().splitlines()) + "\n")
        r = run_cli("build", str(mini), "--format", "docx", "--out", str(tmp_path / "o"))
        year = 2200
    else:
        r = run_cli("build", str(mini), "--format", "docx", "--out", str(tmp_path / "o"), "--as-of", "2108-01-01")
        year = 2108
    assert r.code == 0, r.err
    [path] = (tmp_path / "o").glob("*.docx")
    with zipfile.ZipFile(path) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(2107, 12, 31)}
    assert docx.Document(str(path)).core_properties.created.year == year
    assert word_findings(path) == []


def test_a_build_date_before_1980_is_stamped_1980_in_the_zip(tmp_path):
    r = run_cli("build", str(MINI), "--format", "docx", "--out", str(tmp_path), "--date", "1975-06-01")
    assert r.code == 0, r.err
    [path] = tmp_path.glob("*.docx")
    with zipfile.ZipFile(path) as z:
        assert {i.date_time[:3] for i in z.infolist()} == {(1980, 1, 1)}
    assert docx.Document(str(path)).core_properties.created.year == 1975
