"""The Word writer, read back with independent tools: pandoc, LibreOffice, python-docx."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from briefgen import tree as t
from briefgen.writers import docx as docx_writer
from conftest import seed_register, tool

W_ID = qn("w:id")


def note(text: str, url: str | None = None) -> t.Note:
    inl: tuple = (t.Text(text),)
    if url:
        inl += (t.Text(" "), t.Link(url, (t.Text(url),)))
    return t.Note((t.Para(inl),))


SAMPLE = t.Document(
    t.Meta(title="Test briefing", subject="Testing", author="Desk", keywords=("a", "b"),
           classification="SECRET", date="2025-10-01"),
    (
        t.Callout("titleblock", (t.Text("Test briefing"),), (t.Para((t.Text("Subtitle line"),)),)),
        t.Heading(1, (t.Text("Bottom line"),), "bottom-line"),
        t.Para((t.Text("Alpha sentence."), note("Note on alpha."), t.Text(" Beta sentence."),
                note("Note on beta with link", "https://example.com/beta"))),
        t.Para((t.Text("See "), t.Link("#bottom-line", (t.Text("the bottom line"),)), t.Text("."))),
        t.Callout("callout", (t.Text("Key judgments"),),
                  (t.BulletList(((t.Para((t.Text("Gamma judgment."), note("Note on gamma."))),),)),)),
        t.OrderedList(((t.Para((t.Text("first"),)),), (t.Para((t.Text("second"),)),))),
        t.Table(((t.Text("Claim"),), (t.Text("Value"),)),
                (((t.Text("Delta claim."), note("Note on delta.")), (t.Text("26%"),)),
                 ((t.Text("Hostile <b> & | *x* \x07 吴泳铭 مرحبا 🙂"),), (t.Text("9%"),))),
                ("left", "right")),
    ),
)


def write(doc: t.Document, path: Path, **kw) -> Path:
    docx_writer.write(doc, docx_writer.Options(**kw), path)
    return path


def pandoc_json(path: Path) -> dict:
    out = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "json", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def stringify(inlines: list) -> str:
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Underline"):
            out.append(stringify(content))
        elif kind == "Link":
            out.append(stringify(content[1]))
        elif kind == "Span":
            out.append(stringify(content[1]))
    return "".join(out)


def notes_with_context(blocks: list) -> list[tuple[str, str]]:
    """(text just before the note mark, note text) for every Note pandoc finds."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("t") in ("Para", "Plain"):
                inl = node["c"]
                for i, x in enumerate(inl):
                    if x["t"] == "Note":
                        body = " ".join(stringify(b["c"]) for b in x["c"] if b["t"] in ("Para", "Plain"))
                        found.append((stringify(inl[:i]), body))
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(blocks)
    return found


def test_pandoc_finds_every_footnote_next_to_its_sentence(tmp_path):
    path = write(SAMPLE, tmp_path / "s.docx")
    found = notes_with_context(pandoc_json(path)["blocks"])
    expected = [
        ("Alpha sentence.", "Note on alpha."),
        ("Alpha sentence. Beta sentence.", "Note on beta with link https://example.com/beta"),
        ("Gamma judgment.", "Note on gamma."),
        ("Delta claim.", "Note on delta."),
    ]
    assert len(found) == len(expected)
    for (before, body), (sentence, note_text) in zip(found, expected):
        assert before.endswith(sentence) and body == note_text


def test_links_inside_notes_and_to_headings(tmp_path):
    doc = pandoc_json(write(SAMPLE, tmp_path / "s.docx"))
    dumped = json.dumps(doc)
    assert '"https://example.com/beta"' in dumped      # external link inside a footnote
    with zipfile.ZipFile(tmp_path / "s.docx") as z:
        rels = z.read("word/_rels/footnotes.xml.rels").decode()
        body = z.read("word/document.xml").decode()
    assert "https://example.com/beta" in rels and 'TargetMode="External"' in rels
    assert 'w:anchor="h_bottom_line"' in body and 'w:name="h_bottom_line"' in body


def test_footnote_ids_are_unique_and_settings_consistent(tmp_path):
    path = write(SAMPLE, tmp_path / "s.docx")
    d = docx.Document(str(path))
    refs = [r.get(W_ID) for r in d.element.body.iter(qn("w:footnoteReference"))]
    assert refs == ["1", "2", "3", "4"]
    with zipfile.ZipFile(path) as z:
        from lxml import etree
        notes = etree.fromstring(z.read("word/footnotes.xml"))
        settings = etree.fromstring(z.read("word/settings.xml"))
        ctypes = z.read("[Content_Types].xml").decode()
    ids = [n.get(W_ID) for n in notes.iter(qn("w:footnote"))]
    assert ids == ["-1", "0", "1", "2", "3", "4"]
    named = [n.get(W_ID) for n in settings.find(qn("w:footnotePr")).iter(qn("w:footnote"))]
    assert named == ["-1", "0"]
    for n in notes.iter(qn("w:footnote")):
        has_ref = n.find(".//" + qn("w:footnoteRef")) is not None
        assert has_ref == (int(n.get(W_ID)) >= 1)  # separators never hold footnoteRef
    assert "footnotes+xml" in ctypes
    pr = settings.find(qn("w:footnotePr"))
    assert pr.getnext().tag == qn("w:compat") or pr.getnext() is not None


def test_real_word_styles_and_properties(tmp_path):
    d = docx.Document(str(write(SAMPLE, tmp_path / "s.docx")))
    used = [p.style.name for p in d.paragraphs]
    assert used[:3] == ["Title", "Subtitle", "Heading 1"]
    assert "List Number" in used
    ids = {s.style_id: s for s in d.styles}
    for sid in ("FootnoteText", "FootnoteReference", "Hyperlink"):
        assert sid in ids and ids[sid].element.get(qn("w:customStyle")) is None  # Word's built-ins
    cp = d.core_properties
    assert (cp.title, cp.subject, cp.author, cp.keywords) == ("Test briefing", "Testing", "Desk", "a, b")
    assert cp.created.date().isoformat() == "2025-10-01"
    header = d.sections[0].header.paragraphs
    assert "SECRET" in " ".join(p.text for p in header)
    assert d.tables[1].rows[0].cells[0].text == "Claim"
    assert d.tables[1].style.name == "Briefing Table" and d.tables[1].style.type == 3  # a real table style
    assert d.tables[1]._tbl.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None  # header row repeats


def test_hostile_text_is_literal(tmp_path):
    d = docx.Document(str(write(SAMPLE, tmp_path / "s.docx")))
    cell = d.tables[1].rows[2].cells[0].text
    assert cell == "Hostile <b> & | *x*  吴泳铭 مرحبا 🙂"


def test_byte_identical_rebuilds(tmp_path):
    a = write(SAMPLE, tmp_path / "a.docx").read_bytes()
    b = write(SAMPLE, tmp_path / "b.docx").read_bytes()
    assert a == b
    other = t.Document(dataclasses.replace(SAMPLE.meta, date="2025-10-02"), SAMPLE.blocks)
    assert write(other, tmp_path / "c.docx").read_bytes() != a


def test_reference_docx_styles_and_header_carry_over(tmp_path):
    ref = docx.Document()
    ref.styles["Normal"].font.name = "Georgia"
    ref.sections[0].header.paragraphs[0].text = "ACME Corp house header"
    ref.sections[0].page_width = docx.shared.Inches(8.5)
    ref.save(tmp_path / "ref.docx")
    out = docx.Document(str(write(SAMPLE, tmp_path / "s.docx", reference=tmp_path / "ref.docx")))
    assert out.styles["Normal"].font.name == "Georgia"
    assert "ACME Corp house header" in out.sections[0].header.paragraphs[0].text
    assert out.sections[0].page_width == docx.shared.Inches(8.5)


def test_reference_docx_with_existing_footnotes(tmp_path):
    first = write(SAMPLE, tmp_path / "first.docx")
    small = t.Document(SAMPLE.meta, (t.Para((t.Text("Only"), note("One note."))),))
    out = write(small, tmp_path / "second.docx", reference=first)
    found = notes_with_context(pandoc_json(out)["blocks"])
    assert found == [("Only", "One note.")]


def test_libreoffice_opens_it_and_lays_out_the_notes(tmp_path):
    path = write(SAMPLE, tmp_path / "s.docx")
    proc = subprocess.run([tool("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=240,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "s.pdf"
    assert proc.returncode == 0 and pdf.exists(), proc.stderr
    text = subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for needle in ("Alpha sentence.", "Note on alpha.", "Note on delta.", "Key judgments".upper(), "Page 1 of 1"):
        assert needle in text


def test_no_header_word_breaks_in_narrow_columns(tmp_path):
    """Word, as LibreOffice lays it out: the seed register's narrow columns once broke
    their header words ("Claima" / "nt", "Gr" / "ad" / "e")."""
    doc = t.Document(t.Meta("Register", date="2026-01-01"), (seed_register(),))
    path = write(doc, tmp_path / "r.docx")
    proc = subprocess.run([tool("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=240,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run([tool("pdftotext"), "-layout", str(tmp_path / "r.pdf"), "-"],
                          capture_output=True, text=True).stdout
    header = next(line for line in text.splitlines() if "Claim" in line)
    assert header.split() == ["Claim", "Claimant", "Value", "Sources", "Grade", "Status"], header



W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_spliced_body_prefixes_are_bound_when_a_reference_part_lacks_them():
    """The body is spliced in as text using w: and r:; a part whose root binds only w gets r too."""
    from lxml import etree

    from briefgen.writers.docx import ooxml

    root = etree.fromstring(f'<w:document xmlns:w="{W_NS}"><w:body/></w:document>'.encode())
    data = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + etree.tostring(root)
    fixed = ooxml._declare(data, root, ("w", "r")).replace(
        b"<w:body/>", b'<w:body><w:hyperlink r:id="rId9"/></w:body>')
    link = etree.fromstring(fixed).find(f"{{{W_NS}}}body")[0]
    assert link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id") == "rId9"


def test_a_reference_part_binding_w_elsewhere_is_refused():
    from lxml import etree

    from briefgen.writers.docx import ooxml
    from briefgen.errors import BriefgenError

    root = etree.fromstring(b'<w:document xmlns:w="urn:other"/>')
    with pytest.raises(BriefgenError, match="uses the prefix 'w' for another namespace"):
        ooxml._declare(etree.tostring(root), root, ("w", "r"))
