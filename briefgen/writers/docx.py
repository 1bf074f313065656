"""Word writer: the document tree as a .docx with real footnotes and Word's own styles.

The body and the notes are written as WordprocessingML text (python-docx's object API,
and even lxml elements, are far slower for long tables) and spliced into the package
python-docx saves; python-docx handles the package, styles and properties, and
:mod:`briefgen.ooxml` adds what it lacks. Notes are numbered by Word, one note per
reference, in the order :func:`briefgen.tree.walk_notes` gives.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path
from typing import BinaryIO

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from briefgen import fonts, look, ooxml
from briefgen import tree as t
from briefgen.parallel import Job

EXTENSION = ".docx"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _el(parent, tag: str, **attrs) -> etree._Element:
    node = etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


def write(doc: t.Document, out: BinaryIO, reference: Path | None = None) -> None:
    """Write `doc` as .docx to `out`; `reference` is a .docx whose styles and page set-up to use."""
    base = docx.Document(str(reference)) if reference else docx.Document()
    body, notes = _Writer(base, doc, house_style=reference is None).run()
    date = dt.date.fromisoformat(doc.meta.date) if doc.meta.date else dt.date(2000, 1, 1)
    ooxml.save_reproducibly(base, out, date, body=body, notes=notes)


class _Writer:
    """Writes the body and the notes as WordprocessingML text.

    A long briefing has over a million elements; building them as lxml objects took
    most of the build's time and memory, so the body and notes are written as strings
    (values escaped by :func:`_x`) and spliced into the package python-docx saves.
    python-docx still provides the package, styles, numbering, header and footer.
    """

    def __init__(self, base, doc: t.Document, house_style: bool) -> None:
        self.base, self.doc, self.house_style = base, doc, house_style
        self.body = base.element.body
        for child in list(self.body):
            if child.tag != qn("w:sectPr"):
                self.body.remove(child)
        ooxml.ensure_styles(base)
        self.notes_part = ooxml.footnotes_part(base)
        self.note_id = 0
        self.bookmark_id = 0
        self.style_ids = {s.get(qn("w:styleId")) for s in base.styles.element.iterchildren(qn("w:style"))}
        self.numbering = _Numbering(base)
        self.accent = doc.meta.accent if house_style else look.NAVY
        self.notes: list[str] = []
        self.figures: list[tuple[list[str], int, Job]] = []  # (output list, index, drawing job)

    def run(self) -> tuple[bytes, bytes]:
        """Set up the package; return the body's and the notes' XML."""
        meta = self.doc.meta
        if self.house_style:
            _house_style(self.base, meta)
        ooxml.drop_thumbnail(self.base)
        ooxml.set_core_properties(
            self.base, title=meta.title, subject=meta.subject, author=meta.author,
            keywords=", ".join(meta.keywords), language=meta.language,
            date=dt.date.fromisoformat(meta.date) if meta.date else dt.date(2000, 1, 1))
        out: list[str] = []
        for block in self.doc.blocks:
            self.block(block, out, self.base.part)
        for where, i, job in self.figures:  # drawn meanwhile in another process; placed now
            png, w_pt, h_pt = job.result()
            inline = self.base.part.new_pic_inline(io.BytesIO(png), Pt(w_pt), Pt(h_pt))
            where[i] = where[i].replace("{drawing}", etree.tostring(inline, encoding="unicode"))
        return "".join(out).encode("utf-8"), "".join(self.notes).encode("utf-8")

    # blocks -------------------------------------------------------------------------

    def block(self, block: t.Block, out: list[str], part, depth: int = 0, style: str | None = None) -> None:
        if isinstance(block, t.Heading):
            self.bookmark_id += 1
            mark = _x(_bookmark_name(block.id))
            self.paragraph(out, f"Heading{min(block.level, 9)}", block.children, part,
                           lead=f'<w:bookmarkStart w:id="{self.bookmark_id}" w:name="{mark}"/>'
                           f'<w:bookmarkEnd w:id="{self.bookmark_id}"/>')
        elif isinstance(block, t.Para):
            self.paragraph(out, style, block.children, part)
        elif isinstance(block, t.BulletList):
            self.list(block.items, out, part, depth, None)
        elif isinstance(block, t.OrderedList):
            self.list(block.items, out, part, depth, block.start)
        elif isinstance(block, t.BlockQuote):
            for child in block.blocks:
                self.block(child, out, part, depth, "Quote")
        elif isinstance(block, t.Callout):
            self.callout(block, out, part)
        elif isinstance(block, t.Table):
            self.table(block, out, part)
        elif isinstance(block, t.CodeBlock):
            lines = block.text.split("\n")
            out.append(self.para_open("MacroText") + "<w:r><w:br/></w:r>".join(_run(line) for line in lines) + "</w:p>")
        elif isinstance(block, t.Rule):
            out.append(f'<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="{look.GREY}"/>'
                       "</w:pBdr></w:pPr></w:p>")
        elif isinstance(block, t.PageBreak):
            out.append('<w:p><w:pPr/><w:r><w:br w:type="page"/></w:r></w:p>')
        elif isinstance(block, t.TimelineFigure):
            self.figure(block, out, part)
        elif isinstance(block, t.Toc):
            self.toc(block, out, part)

    def para_open(self, style: str | None, props: str = "") -> str:
        """`<w:p>` with its properties: a paragraph style (Normal if the document lacks it) and `props`."""
        if style:
            style = style if style in self.style_ids else "Normal"
            return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{props}</w:pPr>'
        return f"<w:p><w:pPr>{props}</w:pPr>"

    def paragraph(self, out: list[str], style: str | None, children, part, props: str = "", lead: str = "") -> None:
        """A whole paragraph of `children`; `lead` is written before them (a bookmark, a note's mark)."""
        out.append(self.para_open(style, props) + lead)
        self.inlines(out, children, part)
        out.append("</w:p>")

    def list(self, items, out: list[str], part, depth: int, start: int | None) -> None:
        level = min(depth, 2)
        suffix = "" if level == 0 else str(level + 1)
        style = ("ListNumber" if start is not None else "ListBullet") + suffix
        num_id = self.numbering.restart(style, start) if start is not None else None
        for item in items:
            for i, child in enumerate(item):
                if isinstance(child, t.Para):
                    numbered = i == 0 and num_id is not None
                    props = f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>' if numbered else ""
                    self.paragraph(out, style if i == 0 else "ListContinue" + suffix, child.children, part, props)
                else:
                    self.block(child, out, part, depth + 1)

    def callout(self, block: t.Callout, out: list[str], part) -> None:
        if block.kind == "titleblock":
            self.paragraph(out, "Title", block.title, part)
            for child in block.blocks:
                self.block(child, out, part, style="Subtitle")
            return
        out.append('<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>'
                   f'<w:left w:val="single" w:sz="24" w:space="0" w:color="{self.accent}"/></w:tblBorders>'
                   '<w:tblCellMar/></w:tblPr><w:tblGrid><w:gridCol w:w="9000"/></w:tblGrid><w:tr><w:tc><w:tcPr>'
                   f'<w:tcW w:w="5000" w:type="pct"/><w:shd w:val="clear" w:color="auto" w:fill="{look.TINT}"/>'
                   '<w:tcMar><w:top w:w="100" w:type="dxa"/><w:left w:w="160" w:type="dxa"/>'
                   '<w:bottom w:w="60" w:type="dxa"/><w:right w:w="160" w:type="dxa"/></w:tcMar></w:tcPr>')
        empty = len(out)
        if block.title:
            self.paragraph(out, "CalloutTitle", block.title, part)
        for child in block.blocks:
            self.block(child, out, part)
        if len(out) == empty:
            out.append(self.para_open(None) + "</w:p>")  # a cell holds at least one paragraph
        out.append("</w:tc></w:tr></w:tbl>" + self.para_open(None, _GAP) + "</w:p>")

    def table(self, block: t.Table, out: list[str], part) -> None:
        ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
        total = 9360  # twips: the text width, 6.5 in; columns are shares of it (pct), so a reference page fits
        # no column narrower than its longest word: 8.5 pt table text, 4 pt cell margins each side
        widths = [w / (total / 20) for w in fonts.table_widths(block, ncols, total / 20, size=8.5, pad=9.0)]
        out.append('<w:tbl><w:tblPr><w:tblStyle w:val="BriefingTable"/><w:tblW w:w="5000" w:type="pct"/>'
                   '<w:tblLayout w:type="fixed"/><w:tblLook w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
                   'w:lastColumn="0" w:noHBand="1" w:noVBand="1" w:val="0420"/></w:tblPr><w:tblGrid>'
                   + "".join(f'<w:gridCol w:w="{int(total * w)}"/>' for w in widths) + "</w:tblGrid>")
        aligns = list(block.aligns) + [""] * ncols
        # what every cell of a column starts with: width, header shading, paragraph style, alignment
        starts = []
        for header in (True, False):
            shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{self.accent}"/>' if header else ""
            starts.append([f'<w:tc><w:tcPr><w:tcW w:w="{int(5000 * widths[i])}" w:type="pct"/>{shade}</w:tcPr>'
                           + self.para_open("TableText", _JC.get(aligns[i], "")) for i in range(ncols)])
        if block.header:
            out.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
            for i in range(ncols):
                out.append(starts[0][i])
                content = block.header[i] if i < len(block.header) else ()
                self.inlines(out, (t.Strong(content),), part, color=look.WHITE)
                out.append("</w:p></w:tc>")
            out.append("</w:tr>")
        cells = starts[1]
        for row in block.rows:
            out.append("<w:tr><w:trPr/>")
            for i in range(ncols):
                out.append(cells[i])
                if i < len(row):
                    self.inlines(out, row[i], part)
                out.append("</w:p></w:tc>")
            out.append("</w:tr>")
        out.append("</w:tbl>" + self.para_open(None, _GAP) + "</w:p>")

    def figure(self, block: t.TimelineFigure, out: list[str], part) -> None:
        """The drawn timeline as a picture. Drawing it takes as long as writing a long
        briefing's tables, so it is drawn in another process while the writing goes on."""
        from briefgen.figures.timeline import render_png

        self.figures.append((out, len(out), Job(render_png, block, 6.3 * 72)))
        out.append(self.para_open(None, '<w:jc w:val="center"/><w:keepNext/>')
                   + "<w:r><w:drawing>{drawing}</w:drawing></w:r></w:p>")
        if block.caption:
            self.paragraph(out, "Caption", block.caption, part)

    def toc(self, block: t.Toc, out: list[str], part) -> None:
        """A TOC field whose cached result already lists the headings, linked, so the
        contents reads complete when opened; Word's "Update field" adds page numbers."""
        if block.title:
            self.paragraph(out, "TOCHeading", block.title, part)
        entries = t.headings(self.doc, block.depth)
        first = "TOC2" if entries and entries[0].level > 1 else "TOC1"
        out.append(self.para_open(first) + ooxml.field_begin_xml(f'TOC \\o "1-{block.depth}" \\h \\z \\u'))
        for i, heading in enumerate(entries):
            if i:
                out.append("</w:p>" + self.para_open(f"TOC{min(heading.level, 2)}"))
            out.append(f'<w:hyperlink w:anchor="{_x(_bookmark_name(heading.id))}" w:history="1">'
                       + _run(t.plain_text(heading.children)) + "</w:hyperlink>")
        out.append(ooxml.FIELD_END + "</w:p>")

    # inlines ------------------------------------------------------------------------

    def inlines(self, out: list[str], items, part, *, bold=False, italic=False, link=False, color=None) -> None:
        for node in items:
            if isinstance(node, t.Text):
                out.append(_run(node.text, _rpr(bold, italic, False, "Hyperlink" if link else None, color)))
            elif isinstance(node, t.Strong):
                self.inlines(out, node.children, part, bold=True, italic=italic, link=link, color=color)
            elif isinstance(node, t.Emph):
                self.inlines(out, node.children, part, bold=bold, italic=not italic, link=link, color=color)
            elif isinstance(node, t.Code):
                out.append(_run(node.text, _rpr(bold, italic, True, None, None)))
            elif isinstance(node, t.LineBreak):
                out.append("<w:r><w:br/></w:r>")
            elif isinstance(node, t.Link):
                if node.internal:
                    out.append(f'<w:hyperlink w:anchor="{_x(_bookmark_name(node.url[1:]))}">')
                else:
                    out.append(f'<w:hyperlink r:id="{part.relate_to(node.url, RT.HYPERLINK, is_external=True)}">')
                self.inlines(out, node.children, part, bold=bold, italic=italic, link=True)
                out.append("</w:hyperlink>")
            elif isinstance(node, t.Note):
                self.note(out, node)

    def note(self, out: list[str], note: t.Note) -> None:
        """The reference here; the note itself, numbered by Word in reference order, in the notes part."""
        self.note_id += 1
        out.append(f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                   f'<w:footnoteReference w:id="{self.note_id}"/></w:r>')
        notes = self.notes
        notes.append(f'<w:footnote w:id="{self.note_id}">')
        blocks = note.blocks
        if not blocks or not isinstance(blocks[0], t.Para):  # the mark needs a paragraph of its own
            notes.append(self.para_open("FootnoteText") + _NOTE_MARK + "</w:p>")
        for i, block in enumerate(blocks):
            if isinstance(block, t.Para):
                self.paragraph(notes, "FootnoteText", block.children, self.notes_part,
                               lead=_NOTE_MARK if i == 0 else "")
            else:
                self.block(block, notes, self.notes_part, style="FootnoteText")
        notes.append("</w:footnote>")


# --- text --------------------------------------------------------------------------

_NOTE_MARK = ('<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
              '<w:r><w:t xml:space="preserve"> </w:t></w:r>')
_GAP = '<w:spacing w:before="0" w:after="0" w:line="80" w:lineRule="exact"/>'  # 4 pt after a table
_JC = {"center": '<w:jc w:val="center"/>', "right": '<w:jc w:val="right"/>'}


def _x(text: str) -> str:
    """Text or an attribute value as XML: characters XML cannot hold dropped, markup escaped."""
    return look.ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@functools.lru_cache(maxsize=64)
def _rpr(bold: bool, italic: bool, mono: bool, style: str | None, color: str | None) -> str:
    """Run properties, in the schema's order."""
    if not (bold or italic or mono or style or color):
        return ""
    return ("<w:rPr>" + (f'<w:rStyle w:val="{style}"/>' if style else "")
            + ('<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/>' if mono else "")
            + ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
            + (f'<w:color w:val="{color}"/>' if color else "") + "</w:rPr>")


def _run(text: str, rpr: str = "") -> str:
    """One run of text; spaces at its ends or doubled inside are kept."""
    text = _x(text)
    keep = ' xml:space="preserve"' if text != text.strip() or "  " in text else ""
    return f"<w:r>{rpr}<w:t{keep}>{text}</w:t></w:r>"


# --- helpers -------------------------------------------------------------------------


def _bookmark_name(slug: str) -> str:
    """Word bookmark names: a letter first, letters/digits/underscores, at most 40 characters."""
    return ("h_" + re.sub(r"[^A-Za-z0-9_]", "_", slug))[:40]


class _Numbering:
    """Fresh numbering instances so each ordered list starts at its own number."""

    def __init__(self, base) -> None:
        self.base = base
        self.part = None
        try:
            self.part = base.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            self.part = None

    def restart(self, style_id: str, start: int) -> int | None:
        if self.part is None:
            return None
        style = next((s for s in self.base.styles.element.iterchildren(qn("w:style"))
                      if s.get(qn("w:styleId")) == style_id), None)
        num_id_el = style.find(".//" + qn("w:numId")) if style is not None else None
        if num_id_el is None:
            return None
        numbering = self.part.element
        old = next((n for n in numbering.iterchildren(qn("w:num"))
                    if n.get(qn("w:numId")) == num_id_el.get(qn("w:val"))), None)
        if old is None:
            return None
        abstract = old.find(qn("w:abstractNumId")).get(qn("w:val"))
        new_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.iterchildren(qn("w:num")))
        num = _el(numbering, "w:num", numId=new_id)
        _el(num, "w:abstractNumId", val=abstract)
        override = _el(num, "w:lvlOverride", ilvl=0)
        _el(override, "w:startOverride", val=start)
        return new_id


def _house_style(base, meta: t.Meta) -> None:
    """briefgen's own look, used when no --reference-docx is given."""
    section = base.sections[0]
    width, height = look.page_size(meta.page_size).mm
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    section.header_distance = section.footer_distance = Mm(10)
    styles = base.styles
    normal = styles["Normal"]
    font = meta.font or "Calibri"
    accent = docx.shared.RGBColor.from_string(meta.accent)
    normal.font.name, normal.font.size = font, Pt(10.5)
    _set_east_asian(normal.element, "Microsoft YaHei")
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    for level, size in ((1, 15), (2, 12.5), (3, 11)):
        h = styles[f"Heading {level}"]
        h.font.name, h.font.size, h.font.bold = font, Pt(size), True
        h.font.color.rgb = accent
        h.paragraph_format.space_before, h.paragraph_format.space_after = Pt(14 if level == 1 else 10), Pt(4)
        h.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.font.name, title.font.size, title.font.bold = font, Pt(24), True
    title.font.color.rgb = accent
    _clear_border(title.element)
    sub = styles["Subtitle"]
    sub.font.name, sub.font.size, sub.font.italic = font, Pt(11), False
    styles["Callout Title"].font.color.rgb = accent
    sub.font.color.rgb = docx.shared.RGBColor.from_string(look.WORD_SECONDARY)
    caption = styles["Caption"]
    caption.font.color.rgb = docx.shared.RGBColor.from_string(look.WORD_SECONDARY)
    _header_footer(section, meta)


def _set_east_asian(style_el, font: str) -> None:
    rpr = style_el.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el(rpr, "w:rFonts")
    fonts.set(qn("w:eastAsia"), font)


def _clear_border(style_el) -> None:
    ppr = style_el.find(qn("w:pPr"))
    if ppr is not None:
        for bdr in ppr.findall(qn("w:pBdr")):
            ppr.remove(bdr)


def _header_footer(section, meta: t.Meta) -> None:
    small = etree.Element(qn("w:rPr"))
    _el(small, "w:color", val=look.GREY)
    _el(small, "w:sz", val=16)
    header = section.header.paragraphs[0]
    if meta.logo:
        header.add_run().add_picture(meta.logo, height=Mm(9))
        _header_text(header._p, "\t", small)
    _header_text(header._p, meta.header or meta.title, small)
    if meta.classification:
        mark = section.header.add_paragraph()._p
        ppr = mark.get_or_add_pPr()
        _el(ppr, "w:jc", val="center")
        _classification_run(mark, meta.classification)
    footer = section.footer.paragraphs[0]._p
    fppr = footer.get_or_add_pPr()
    tabs = _el(fppr, "w:tabs")
    _el(tabs, "w:tab", val="right", pos=9360)
    if meta.classification:
        _classification_run(footer, meta.classification)
    if meta.footer:
        _header_text(footer, ("  " if meta.classification else "") + meta.footer, small)
    _header_text(footer, "\t", small)
    _header_text(footer, "Page ", small)
    ooxml.field_runs(footer, "PAGE", "1", small)
    _header_text(footer, " of ", small)
    ooxml.field_runs(footer, "NUMPAGES", "1", small)


def _header_text(p, text: str, rpr) -> None:
    r = ooxml.styled_run(p, rpr)
    if text == "\t":
        _el(r, "w:tab")
        return
    node = _el(r, "w:t")
    node.text = look.drop_illegal(text)
    node.set(XML_SPACE, "preserve")


def _classification_run(p, text: str) -> None:
    r = _el(p, "w:r")
    rpr = _el(r, "w:rPr")
    _el(rpr, "w:b")
    _el(rpr, "w:color", val=look.WORD_MARKING)
    _el(rpr, "w:sz", val=16)
    _el(r, "w:t").text = look.drop_illegal(text.upper())
