"""Word writer: the document tree as a .docx with real footnotes and Word's own styles.

Body XML is built directly with lxml (python-docx's object API is far slower for
long tables); python-docx handles the package, styles and properties, and
:mod:`briefgen.ooxml` adds what it lacks. Notes are numbered by Word, one note per
reference, in the order :func:`briefgen.tree.walk_notes` gives.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import BinaryIO

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from briefgen import ooxml
from briefgen import tree as t

EXTENSION = ".docx"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NAVY, GREY, TINT = "1B365D", "8A8F98", "EEF2F7"
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
PAGE_SIZES = {"A4": (Mm(210), Mm(297)), "Letter": (Mm(215.9), Mm(279.4))}


def _el(parent, tag: str, **attrs) -> etree._Element:
    node = etree.SubElement(parent, qn(tag))
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


def write(doc: t.Document, out: BinaryIO, reference: Path | None = None) -> None:
    """Write `doc` as .docx to `out`; `reference` is a .docx whose styles and page set-up to use."""
    base = docx.Document(str(reference)) if reference else docx.Document()
    _Writer(base, doc, house_style=reference is None).run()
    date = dt.date.fromisoformat(doc.meta.date) if doc.meta.date else dt.date(2000, 1, 1)
    ooxml.save_reproducibly(base, out, date)


class _Writer:
    def __init__(self, base, doc: t.Document, house_style: bool) -> None:
        self.base, self.doc, self.house_style = base, doc, house_style
        self.body = base.element.body
        self.sect_pr = self.body.find(qn("w:sectPr"))
        for child in list(self.body):
            if child is not self.sect_pr:
                self.body.remove(child)
        ooxml.ensure_styles(base)
        self.notes_part = ooxml.footnotes_part(base)
        self.note_id = 0
        self.bookmark_id = 0
        self.style_ids = {s.get(qn("w:styleId")) for s in base.styles.element.iterchildren(qn("w:style"))}
        self.numbering = _Numbering(base)
        self.accent = doc.meta.accent if house_style else NAVY

    def run(self) -> None:
        meta = self.doc.meta
        if self.house_style:
            _house_style(self.base, meta)
        ooxml.drop_thumbnail(self.base)
        ooxml.set_core_properties(
            self.base, title=meta.title, subject=meta.subject, author=meta.author,
            keywords=", ".join(meta.keywords), language=meta.language,
            date=dt.date.fromisoformat(meta.date) if meta.date else dt.date(2000, 1, 1))
        for block in self.doc.blocks:
            self.block(block, self.body_target, self.base.part)
        if self.sect_pr is not None:
            self.body.remove(self.sect_pr)
            self.body.append(self.sect_pr)

    def body_target(self, tag: str) -> etree._Element:
        return _el(self.body, tag)

    # blocks -------------------------------------------------------------------------

    def block(self, block: t.Block, new, part, depth: int = 0, style: str | None = None) -> None:
        if isinstance(block, t.Heading):
            p = self.para(new, f"Heading{min(block.level, 9)}")
            self.bookmark(p, block.id)
            self.inlines(p, block.children, part)
        elif isinstance(block, t.Para):
            self.inlines(self.para(new, style), block.children, part)
        elif isinstance(block, t.BulletList):
            self.list(block.items, new, part, depth, None)
        elif isinstance(block, t.OrderedList):
            self.list(block.items, new, part, depth, block.start)
        elif isinstance(block, t.BlockQuote):
            for child in block.blocks:
                self.block(child, new, part, depth, "Quote")
        elif isinstance(block, t.Callout):
            self.callout(block, new, part)
        elif isinstance(block, t.Table):
            self.table(block, new, part)
        elif isinstance(block, t.CodeBlock):
            p = self.para(new, "MacroText")
            for i, line in enumerate(block.text.split("\n")):
                if i:
                    _el(_el(p, "w:r"), "w:br")
                self.text_run(p, line)
        elif isinstance(block, t.Rule):
            p = self.para(new, None)
            bdr = _el(p.find(qn("w:pPr")), "w:pBdr")
            _el(bdr, "w:bottom", val="single", sz=6, space=1, color=GREY)
        elif isinstance(block, t.PageBreak):
            _el(_el(self.para(new, None), "w:r"), "w:br", type="page")
        elif isinstance(block, t.TimelineFigure):
            self.figure(block, new, part)
        elif isinstance(block, t.Toc):
            self.toc(block, new, part)

    def para(self, new, style: str | None) -> etree._Element:
        p = new("w:p")
        ppr = _el(p, "w:pPr")
        if style:
            _el(ppr, "w:pStyle", val=style if style in self.style_ids else "Normal")
        return p

    def list(self, items, new, part, depth: int, start: int | None) -> None:
        level = min(depth, 2)
        suffix = "" if level == 0 else str(level + 1)
        style = ("ListNumber" if start is not None else "ListBullet") + suffix
        num_id = self.numbering.restart(style, start) if start is not None else None
        for item in items:
            for i, child in enumerate(item):
                if isinstance(child, t.Para):
                    p = self.para(new, style if i == 0 else "ListContinue" + suffix)
                    if i == 0 and num_id is not None:
                        num_pr = _el(p.find(qn("w:pPr")), "w:numPr")
                        _el(num_pr, "w:ilvl", val=0)
                        _el(num_pr, "w:numId", val=num_id)
                    self.inlines(p, child.children, part)
                else:
                    self.block(child, new, part, depth + 1)

    def callout(self, block: t.Callout, new, part) -> None:
        if block.kind == "titleblock":
            self.inlines(self.para(new, "Title"), block.title, part)
            for child in block.blocks:
                self.block(child, new, part, style="Subtitle")
            return
        tbl = new("w:tbl")
        tpr = _el(tbl, "w:tblPr")
        _el(tpr, "w:tblW", w=5000, type="pct")
        borders = _el(tpr, "w:tblBorders")
        _el(borders, "w:left", val="single", sz=24, space=0, color=self.accent)
        _el(tpr, "w:tblCellMar")
        _el(_el(tbl, "w:tblGrid"), "w:gridCol", w=9000)
        tc = _el(_el(tbl, "w:tr"), "w:tc")
        tcpr = _el(tc, "w:tcPr")
        _el(tcpr, "w:tcW", w=5000, type="pct")
        _el(tcpr, "w:shd", val="clear", color="auto", fill=TINT)
        _el(tcpr, "w:tcMar").extend([_margin("top", 100), _margin("left", 160), _margin("bottom", 60), _margin("right", 160)])
        cell_new = lambda tag: _el(tc, tag)  # noqa: E731
        if block.title:
            self.inlines(self.para(cell_new, "CalloutTitle"), block.title, part)
        for child in block.blocks:
            self.block(child, cell_new, part)
        if len(tc) == 1:
            self.para(cell_new, None)
        self.para(new, None).find(qn("w:pPr")).append(_spacing(0, 0, size=4))

    def table(self, block: t.Table, new, part) -> None:
        ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
        widths = t.column_widths(block, ncols)
        tbl = new("w:tbl")
        tpr = _el(tbl, "w:tblPr")
        _el(tpr, "w:tblStyle", val="BriefingTable")  # borders and margins come from the style
        _el(tpr, "w:tblW", w=5000, type="pct")
        _el(tpr, "w:tblLayout", type="fixed")
        _el(tpr, "w:tblLook", firstRow=1, lastRow=0, firstColumn=0, lastColumn=0, noHBand=1, noVBand=1,
            val="0420")
        grid = _el(tbl, "w:tblGrid")
        total = 9360
        for w in widths:
            _el(grid, "w:gridCol", w=int(total * w))
        aligns = list(block.aligns) + [""] * ncols
        if block.header:
            self.row(tbl, block.header, ncols, widths, aligns, part, header=True)
        for row in block.rows:
            self.row(tbl, row, ncols, widths, aligns, part, header=False)
        self.para(new, None).find(qn("w:pPr")).append(_spacing(0, 0, size=4))

    def row(self, tbl, cells, ncols, widths, aligns, part, header: bool) -> None:
        tr = _el(tbl, "w:tr")
        trpr = _el(tr, "w:trPr")
        if header:
            _el(trpr, "w:tblHeader")
            _el(trpr, "w:cantSplit")
        for i in range(ncols):
            tc = _el(tr, "w:tc")
            tcpr = _el(tc, "w:tcPr")
            _el(tcpr, "w:tcW", w=int(5000 * widths[i]), type="pct")
            if header:
                _el(tcpr, "w:shd", val="clear", color="auto", fill=self.accent)
            p = _el(tc, "w:p")
            ppr = _el(p, "w:pPr")
            _el(ppr, "w:pStyle", val="TableText")
            if aligns[i] in ("center", "right"):
                _el(ppr, "w:jc", val="right" if aligns[i] == "right" else "center")
            content = cells[i] if i < len(cells) else ()
            if header:
                content = (t.Strong(content),)
                self.inlines(p, content, part, color="FFFFFF")
            else:
                self.inlines(p, content, part)

    def figure(self, block: t.TimelineFigure, new, part) -> None:
        from briefgen.figures.timeline import render_png

        width_pt = 6.3 * 72
        png, w_pt, h_pt = render_png(block, width_pt)
        p = self.para(new, None)
        _el(p.find(qn("w:pPr")), "w:jc", val="center")
        _el(p.find(qn("w:pPr")), "w:keepNext")
        inline = self.base.part.new_pic_inline(io.BytesIO(png), Pt(w_pt), Pt(h_pt))
        _el(_el(p, "w:r"), "w:drawing").append(inline)
        if block.caption:
            self.inlines(self.para(new, "Caption"), block.caption, part)

    def toc(self, block: t.Toc, new, part) -> None:
        """A TOC field whose cached result already lists the headings, linked, so the
        contents reads complete when opened; Word's "Update field" adds page numbers."""
        if block.title:
            self.inlines(self.para(new, "TOCHeading"), block.title, part)
        entries = t.headings(self.doc, block.depth)
        p = self.para(new, "TOC1")
        ooxml.field_begin(p, f'TOC \\o "1-{block.depth}" \\h \\z \\u')
        for i, heading in enumerate(entries):
            if i:
                p = self.para(new, f"TOC{min(heading.level, 2)}")
            elif heading.level > 1:
                p.find(qn("w:pPr")).find(qn("w:pStyle")).set(qn("w:val"), "TOC2")
            link = _el(p, "w:hyperlink", anchor=_bookmark_name(heading.id), history=1)
            self.text_run(link, t.plain_text(heading.children))
        _el(_el(p, "w:r"), "w:fldChar", fldCharType="end")

    def bookmark(self, p, name: str) -> None:
        self.bookmark_id += 1
        mark = _bookmark_name(name)
        _el(p, "w:bookmarkStart", id=self.bookmark_id, name=mark)
        _el(p, "w:bookmarkEnd", id=self.bookmark_id)

    # inlines ------------------------------------------------------------------------

    def inlines(self, p, items, part, *, bold=False, italic=False, link=None, color=None) -> None:
        for node in items:
            if isinstance(node, t.Text):
                self.text_run(p if link is None else link, node.text, bold=bold, italic=italic,
                              style="Hyperlink" if link is not None else None, color=color)
            elif isinstance(node, t.Strong):
                self.inlines(p, node.children, part, bold=True, italic=italic, link=link, color=color)
            elif isinstance(node, t.Emph):
                self.inlines(p, node.children, part, bold=bold, italic=not italic, link=link, color=color)
            elif isinstance(node, t.Code):
                self.text_run(p if link is None else link, node.text, mono=True, bold=bold, italic=italic)
            elif isinstance(node, t.LineBreak):
                _el(_el(p, "w:r"), "w:br")
            elif isinstance(node, t.Link):
                h = _el(p, "w:hyperlink")
                if node.internal:
                    h.set(qn("w:anchor"), _bookmark_name(node.url[1:]))
                else:
                    h.set(qn("r:id"), part.relate_to(node.url, RT.HYPERLINK, is_external=True))
                self.inlines(p, node.children, part, bold=bold, italic=italic, link=h)
            elif isinstance(node, t.Note):
                self.note(p if link is None else link, node)

    def text_run(self, p, text: str, *, bold=False, italic=False, mono=False, style=None, color=None) -> None:
        r = _el(p, "w:r")
        if bold or italic or mono or style or color:
            rpr = _el(r, "w:rPr")
            if style:
                _el(rpr, "w:rStyle", val=style)
            if mono:
                _el(rpr, "w:rFonts", ascii="Consolas", hAnsi="Consolas", cs="Consolas")
            if bold:
                _el(rpr, "w:b")
            if italic:
                _el(rpr, "w:i")
            if color:
                _el(rpr, "w:color", val=color)
        node = _el(r, "w:t")
        node.text = _ILLEGAL.sub("", text)
        if node.text != node.text.strip() or "  " in node.text:
            node.set(XML_SPACE, "preserve")

    def note(self, p, note: t.Note) -> None:
        self.note_id += 1
        ident = self.note_id
        ref = _el(p, "w:r")
        _el(_el(ref, "w:rPr"), "w:rStyle", val="FootnoteReference")
        _el(ref, "w:footnoteReference", id=ident)
        fn = _el(self.notes_part.element, "w:footnote", id=ident)
        first = True

        def new(tag: str):
            nonlocal first
            el = _el(fn, tag)
            if tag == "w:p":
                ppr = _el(el, "w:pPr")
                _el(ppr, "w:pStyle", val="FootnoteText")
                if first:
                    mark = _el(el, "w:r")
                    _el(_el(mark, "w:rPr"), "w:rStyle", val="FootnoteReference")
                    _el(mark, "w:footnoteRef")
                    space = _el(_el(el, "w:r"), "w:t")
                    space.text = " "
                    space.set(XML_SPACE, "preserve")
                    first = False
            return el

        for block in note.blocks:
            if isinstance(block, t.Para):
                p_note = new("w:p")
                self.inlines(p_note, block.children, self.notes_part)
            else:
                self.block(block, new, self.notes_part, style="FootnoteText")
        if first:
            new("w:p")


# --- helpers -------------------------------------------------------------------------


def _bookmark_name(slug: str) -> str:
    """Word bookmark names: a letter first, letters/digits/underscores, at most 40 characters."""
    return ("h_" + re.sub(r"[^A-Za-z0-9_]", "_", slug))[:40]


def _margin(side: str, width: int) -> etree._Element:
    m = etree.Element(qn(f"w:{side}"))
    m.set(qn("w:w"), str(width))
    m.set(qn("w:type"), "dxa")
    return m


def _spacing(before: int, after: int, size: int | None = None) -> etree._Element:
    s = etree.Element(qn("w:spacing"))
    s.set(qn("w:before"), str(before))
    s.set(qn("w:after"), str(after))
    if size is not None:
        s.set(qn("w:line"), str(size * 20))
        s.set(qn("w:lineRule"), "exact")
    return s


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
    width, height = PAGE_SIZES.get(meta.page_size, PAGE_SIZES["A4"])
    section.page_width, section.page_height = width, height
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
    sub.font.color.rgb = docx.shared.RGBColor.from_string("4A5568")
    caption = styles["Caption"]
    caption.font.color.rgb = docx.shared.RGBColor.from_string("4A5568")
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
    _el(small, "w:color", val=GREY)
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
    node.text = _ILLEGAL.sub("", text)
    node.set(XML_SPACE, "preserve")


def _classification_run(p, text: str) -> None:
    r = _el(p, "w:r")
    rpr = _el(r, "w:rPr")
    _el(rpr, "w:b")
    _el(rpr, "w:color", val="B00020")
    _el(rpr, "w:sz", val=16)
    _el(r, "w:t").text = _ILLEGAL.sub("", text.upper())
