"""The body and the notes of a .docx, written as WordprocessingML text.

python-docx's object API, and even lxml elements, are far slower for long tables, so
the body and notes are written as strings and spliced into the package python-docx
saves; python-docx handles the package, styles and properties, and
:mod:`~briefgen.writers.docx.ooxml` adds what it lacks. Notes are numbered by Word,
one note per reference, in the order :func:`briefgen.tree.walk_notes` gives.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path
from typing import BinaryIO, assert_never

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from briefgen import fonts, look
from briefgen import tree as t
from briefgen.parallel import Job
from briefgen.writers import Notice
from briefgen.writers.docx import house, layout, ooxml, reference as ref
from briefgen.writers.docx.direction import Runs, Script, cs_font, needs, run_props, text_of
from briefgen.writers.docx.schema import props as _props


def write(doc: t.Document, reference: Path | None, path: Path, toc_pages: bool = True,
          previous: t.Document | None = None, last: Path | None = None) -> list[str]:
    """Write `doc` as .docx at `path`; `reference` is a .docx whose styles and page set-up
    to use. With `toc_pages`, the contents gets its page numbers from LibreOffice's layout
    of the file, when LibreOffice is there, or from `last` (the file this one replaces)
    when that recorded them for the same document. With `previous`, the changes from that
    tree to `doc` are tracked changes (:mod:`.redline`). Returns what the user should be
    told: styles the reference lacks, where the page numbers came from."""
    base = ref.open_reference(reference) if reference else docx.Document()
    if previous is None:
        writer = _Writer(base, doc, house_style=reference is None)
    else:
        from briefgen.writers.docx.redline import _Redliner

        writer = _Redliner(base, previous, doc, house_style=reference is None)
    body, notes = writer.run()
    date = dt.date.fromisoformat(doc.meta.date) if doc.meta.date else dt.date(2000, 1, 1)

    def save(pages: list[int] | None, out: BinaryIO) -> None:
        ooxml.save_reproducibly(base, out, date, body=_fill_pages(body, pages).encode("utf-8"), notes=notes)

    told: list[str] = list(writer.style.warnings)
    ooxml.set_variable(base, layout.VARIABLE, None)   # a reference's own (a briefing used as one) is not ours
    if not writer.toc_titles or not toc_pages:
        with open(path, "wb") as out:
            save(None, out)
        return told
    unnumbered = io.BytesIO()
    save([0] * len(writer.toc_titles), unnumbered)  # the same lines the numbers will take
    key = layout.key(unnumbered.getvalue())
    pages = layout.reused(last, key, len(writer.toc_titles))
    if pages is None:
        path.write_bytes(unnumbered.getvalue())
        pages, why = layout.contents_pages(path, writer.toc_titles)
    if pages is not None:
        ooxml.set_variable(base, layout.VARIABLE, layout.record(key, pages))
    with open(path, "wb") as out:
        save(pages, out)
    if pages is None:
        told.append(f"the contents has no page numbers: {why}")
    else:
        told.append(Notice("the contents' page numbers are LibreOffice's pagination of this file "
                           "(fonts: Carlito and Caladea for Calibri and Cambria)"))
    return told


_TOC_PAGE = re.compile("\ue000([0-9]+)\ue000")  # where the page number of contents entry N goes


def _fill_pages(body: str, pages: list[int] | None) -> str:
    """`body` with each contents entry's page number, or without numbers."""
    if pages is None:
        return _TOC_PAGE.sub("", body)
    return _TOC_PAGE.sub(lambda m: f"<w:r><w:tab/></w:r><w:r><w:t>{pages[int(m[1])]}</w:t></w:r>", body)


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
        if house_style:
            ooxml.ensure_styles(base)
        self.style = ref.Styles(base, ooxml.builtin_style, reference=not house_style)
        self.notes_part = ooxml.footnotes_part(base)
        # after the separators' ids (LibreOffice numbers them 0 and 1, Word -1 and 0)
        self.note_id = max([0] + [int(n.get(qn("w:id"))) for n in self.notes_part.element.iterchildren(qn("w:footnote"))])
        self.bookmark_id = 0
        self.numbering = ooxml.Numbering(base)
        self.accent = doc.meta.accent if house_style else look.NAVY
        self.language = doc.meta.language
        self.notes: list[str] = []
        self.figures: list[tuple[list[str], int, Job]] = []  # (output list, index, drawing job)
        self.toc_titles: list[str] = []  # the contents' entries, whose page numbers go in last

    def run(self) -> tuple[str, bytes]:
        """Set up the package; return the body's XML (with a mark where each contents
        entry's page number goes) and the notes'."""
        self.setup()
        out: list[str] = []
        for block in self.doc.blocks:
            self.block(block, out, self.base.part)
        for where, i, job in self.figures:  # drawn meanwhile in another process; placed now
            png, w_pt, h_pt = job.result()
            inline = self.base.part.new_pic_inline(io.BytesIO(png), Pt(w_pt), Pt(h_pt))
            where[i] = where[i].replace("{drawing}", etree.tostring(inline, encoding="unicode"))
        return "".join(out), "".join(self.notes).encode("utf-8")

    def setup(self) -> None:
        """The package's look and properties."""
        meta = self.doc.meta
        if self.house_style:
            house.apply(self.base, meta)
        ooxml.drop_thumbnail(self.base)
        ooxml.drop_styles_with_effects(self.base)
        ooxml.set_core_properties(
            self.base, title=meta.title, subject=meta.subject, author=meta.author,
            keywords=", ".join(meta.keywords), language=meta.language,
            category=meta.label or "Briefing", status=meta.classification,
            date=dt.date.fromisoformat(meta.date) if meta.date else dt.date(2000, 1, 1))

    # blocks -------------------------------------------------------------------------

    def block(self, block: t.Block, out: list[str], part, depth: int = 0, style: str | None = None) -> None:
        match block:
            case t.Para():
                self.paragraph(out, style, block.children, part)
            case t.Heading():
                self.heading(block, out, part)
            case t.BulletList():
                self.list_items(block.items, out, part, depth, None)
            case t.OrderedList():
                self.list_items(block.items, out, part, depth, block.start)
            case t.BlockQuote():
                for child in block.blocks:
                    self.block(child, out, part, depth, "Quote")
            case t.Callout():
                self.callout(block, out, part)
            case t.Table():
                self.table(block, out, part)
            case t.CodeBlock():
                lines = block.text.split("\n")
                out.append(self.para_open("MacroText") + "<w:r><w:br/></w:r>".join(map(_run, lines)) + "</w:p>")
            case t.Rule():
                out.append('<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" '
                           f'w:color="{look.GREY}"/></w:pBdr></w:pPr></w:p>')
            case t.PageBreak():
                out.append('<w:p><w:pPr/><w:r><w:br w:type="page"/></w:r></w:p>')
            case t.TimelineFigure():
                self.figure(block, out, part)
            case t.Toc():
                self.toc(block, out, part)
            case _:
                assert_never(block)

    def heading(self, block: t.Heading, out: list[str], part) -> None:
        """A heading, bookmarked so that links and the contents can point at it."""
        self.bookmark_id += 1
        mark = _x(_bookmark_name(block.id))
        self.paragraph(out, f"Heading{min(block.level, 9)}", block.children, part,
                       lead=f'<w:bookmarkStart w:id="{self.bookmark_id}" w:name="{mark}"/>'
                       f'<w:bookmarkEnd w:id="{self.bookmark_id}"/>')

    def para_open(self, style: str | None, *props: str, rtl: bool = False) -> str:
        """`<w:p>` with its properties: a paragraph style (Normal if the document lacks it) and
        the ``w:pPr`` children `props`, in the schema's order; `rtl` for a right-to-left one."""
        if rtl:
            props = (*props, "<w:bidi/>")
        if style:
            return "<w:p>" + _props("pPr", f'<w:pStyle w:val="{self.style(style)}"/>', *props)
        return "<w:p>" + _props("pPr", *props)

    def runs(self, items: tuple[t.Inline, ...]) -> Runs | None:
        """The direction of a paragraph of `items` and its runs' marks, when it has
        right-to-left or complex-script text (:mod:`.direction`); else None."""
        text = text_of(items)
        return Runs(text, self.language, self.house_style) if needs(text) else None

    def paragraph(self, out: list[str], style: str | None, children, part, props: str = "", lead: str = "") -> None:
        """A whole paragraph of `children`; `lead` is written before them (a bookmark, a note's mark)."""
        runs = self.runs(children)
        out.append(self.para_open(style, props, rtl=runs is not None and runs.rtl) + lead)
        self.inlines(out, children, part, runs=runs)
        out.append("</w:p>")

    def list_items(self, items, out: list[str], part, depth: int, start: int | None) -> None:
        level = min(depth, 2)
        suffix = "" if level == 0 else str(level + 1)
        style = ("ListNumber" if start is not None else "ListBullet") + suffix
        num_id = self.numbering.restart(self.style(style), start) if start is not None else None
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
        margins = _props("tcMar", '<w:top w:w="100" w:type="dxa"/>', '<w:left w:w="160" w:type="dxa"/>',
                         '<w:bottom w:w="60" w:type="dxa"/>', '<w:right w:w="160" w:type="dxa"/>')
        out.append("<w:tbl>" + _props(
            "tblPr", '<w:tblW w:w="5000" w:type="pct"/>', "<w:tblCellMar/>",
            f'<w:tblBorders><w:left w:val="single" w:sz="24" w:space="0" w:color="{self.accent}"/></w:tblBorders>')
            + '<w:tblGrid><w:gridCol w:w="9000"/></w:tblGrid><w:tr><w:tc>'
            + _props("tcPr", '<w:tcW w:w="5000" w:type="pct"/>', margins,
                     f'<w:shd w:val="clear" w:color="auto" w:fill="{look.TINT}"/>'))
        empty = len(out)
        if block.title:
            self.paragraph(out, "CalloutTitle", block.title, part)
        for child in block.blocks:
            self.block(child, out, part)
        if len(out) == empty:
            out.append(self.para_open(None) + "</w:p>")  # a cell holds at least one paragraph
        out.append("</w:tc></w:tr></w:tbl>" + self.para_open(None, _GAP) + "</w:p>")

    def table(self, block: t.Table, out: list[str], part, widths: list[float] | None = None) -> None:
        """A table; `widths` (shares of the text width, see :func:`_table_widths`) if given,
        else from its content."""
        ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
        total = _TEXT_WIDTH
        widths = widths or _table_widths(block)
        out.append("<w:tbl>" + _props("tblPr", f'<w:tblStyle w:val="{self.style("BriefingTable")}"/>', '<w:tblW w:w="5000" w:type="pct"/>',
                                      '<w:tblLayout w:type="fixed"/>', _TBL_LOOK) + "<w:tblGrid>"
                   + "".join(f'<w:gridCol w:w="{int(total * w)}"/>' for w in widths) + "</w:tblGrid>")
        aligns = list(block.aligns) + [""] * ncols
        # what every cell of a column starts with: width, header shading, paragraph style, alignment
        starts = []
        for header in (True, False):
            shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{self.accent}"/>' if header else ""
            starts.append([("<w:tc>" + _props("tcPr", f'<w:tcW w:w="{int(5000 * widths[i])}" w:type="pct"/>', shade),
                            self.para_open("TableText", _JC.get(aligns[i], ""))) for i in range(ncols)])
        if block.header:
            out.append("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>")
            for i in range(ncols):
                content = block.header[i] if i < len(block.header) else ()
                self.cell(out, starts[0][i], aligns[i], (t.Strong(content),), part, color=look.WHITE)
            out.append("</w:tr>")
        cells = starts[1]
        for row in block.rows:
            out.append("<w:tr><w:trPr/>")
            for i in range(ncols):
                self.cell(out, cells[i], aligns[i], row[i] if i < len(row) else (), part)
            out.append("</w:tr>")
        out.append("</w:tbl>" + self.para_open(None, _GAP) + "</w:p>")

    def cell(self, out: list[str], start: tuple[str, str], align: str, content: tuple[t.Inline, ...], part,
             color: str | None = None) -> None:
        """One table cell: `start` is its column's (cell start, paragraph start). A
        right-to-left cell is flush right already, so it drops a right alignment (in such a
        paragraph Word reads ``right`` as its end, the left)."""
        runs = self.runs(content) if content else None
        para = start[1]
        if runs is not None and runs.rtl:
            para = self.para_open("TableText", "" if align == "right" else _JC.get(align, ""), rtl=True)
        out.append(start[0] + para)
        self.inlines(out, content, part, color=color, runs=runs)
        out.append("</w:p></w:tc>")

    def figure(self, block: t.TimelineFigure, out: list[str], part) -> None:
        """The drawn timeline as a picture. Drawing it takes as long as writing a long
        briefing's tables, so it is drawn in another process while the writing goes on."""
        self.figures.append((out, len(out), Job(_timeline_png, block, 6.3 * 72)))
        out.append(self.para_open(None, '<w:jc w:val="center"/>', "<w:keepNext/>")
                   + "<w:r><w:drawing>{drawing}</w:drawing></w:r></w:p>")
        if block.caption:
            self.paragraph(out, "Caption", block.caption, part)

    def toc(self, block: t.Toc, out: list[str], part) -> None:
        """A TOC field whose cached result already lists the headings, linked, with a
        mark for each entry's page number (see :func:`write`), so the contents reads
        complete when opened; Word's "Update field" recomputes it."""
        if block.title:
            self.paragraph(out, "TOCHeading", block.title, part)
        entries = self.toc_entries(block)
        field = ooxml.field_begin_xml(f'TOC \\o "1-{block.depth}" \\h \\z \\u')
        if not entries:
            out.append(self.para_open("TOC1") + field)
        for i, (heading, revision) in enumerate(entries):
            style = f"TOC{min(heading.level, 2)}"
            title = t.plain_text(heading.children)
            runs = self.runs((t.Text(title),))
            out.append(("" if i == 0 else "</w:p>")
                       + self.para_open(style, self.paragraph_mark(revision), rtl=runs is not None and runs.rtl)
                       + (field if i == 0 else ""))
            page = ""
            if revision != "del":  # a removed heading has no page
                page = f"\ue000{len(self.toc_titles)}\ue000"
                self.toc_titles.append(title)
            out.append(f'<w:hyperlink w:anchor="{_x(_bookmark_name(heading.id))}" w:history="1">'
                       + self.revised(self.text(title, runs, False, False, False, None, None), revision)
                       + page + "</w:hyperlink>")
        out.append(ooxml.FIELD_END + "</w:p>")

    def toc_entries(self, block: t.Toc) -> list[tuple[t.Heading, str | None]]:
        """The headings the contents lists, each with its revision (none here; see
        :mod:`.redline`)."""
        return [(h, None) for h in t.headings(self.doc, block.depth)]

    def paragraph_mark(self, revision: str | None) -> str:
        """The ``w:pPr`` child marking a paragraph's mark as inserted or deleted (none here)."""
        return ""

    def revised(self, xml: str, revision: str | None) -> str:
        """Runs `xml` marked as `revision` (unmarked here)."""
        return xml

    # inlines ------------------------------------------------------------------------

    def inlines(self, out: list[str], items: tuple[t.Inline, ...], part, *, bold: bool = False,
                italic: bool = False, link: bool = False, color: str | None = None,
                runs: Runs | None = None) -> None:
        """The runs of `items`; `runs` marks right-to-left and complex-script text (see :meth:`runs`)."""
        for node in items:
            match node:
                case t.Text():
                    out.append(self.text(node.text, runs, bold, italic, False, self.style("Hyperlink") if link else None, color))
                case t.Strong():
                    self.inlines(out, node.children, part, bold=True, italic=italic, link=link, color=color, runs=runs)
                case t.Emph():
                    self.inlines(out, node.children, part, bold=bold, italic=not italic, link=link, color=color, runs=runs)
                case t.Code():
                    out.append(self.text(node.text, runs, bold, italic, True, None, None))
                case t.LineBreak():
                    out.append("<w:r><w:br/></w:r>")
                    if runs is not None:
                        runs.skip()
                case t.Link():
                    self.link(out, node, part, bold, italic, runs)
                case t.Note():
                    self.note(out, node)
                    if runs is not None:
                        runs.skip()
                case _:
                    assert_never(node)

    @staticmethod
    def text(text: str, runs: Runs | None, bold: bool, italic: bool, mono: bool, style: str | None,
             color: str | None) -> str:
        """`text` as one run, or as several where `runs` marks its pieces differently."""
        if runs is None:
            return _run(text, _rpr(bold, italic, mono, style, color))
        return "".join(_run(piece, _rpr(bold, italic, mono, style, color, script)) for piece, script in runs.cut(text))

    def link(self, out: list[str], node: t.Link, part, bold: bool, italic: bool, runs: Runs | None = None) -> None:
        """A hyperlink: to a heading's bookmark, or to a URL through a relationship of `part`."""
        if not node.followable:     # written as its text (see tree.Link.followable)
            self.inlines(out, node.children, part, bold=bold, italic=italic, runs=runs)
            return
        if node.internal:
            out.append(f'<w:hyperlink w:anchor="{_x(_bookmark_name(node.url[1:]))}">')
        else:
            out.append(f'<w:hyperlink r:id="{part.relate_to(node.url, RT.HYPERLINK, is_external=True)}">')
        self.inlines(out, node.children, part, bold=bold, italic=italic, link=True, runs=runs)
        out.append("</w:hyperlink>")

    def note_mark(self) -> str:
        """What a note starts with: its number, as Word numbers it, and a space."""
        return (f'<w:r><w:rPr><w:rStyle w:val="{self.style("FootnoteReference")}"/></w:rPr><w:footnoteRef/></w:r>'
                '<w:r><w:t xml:space="preserve"> </w:t></w:r>')

    def note(self, out: list[str], note: t.Note) -> None:
        """The reference here; the note itself, numbered by Word in reference order, in the notes part."""
        self.note_id += 1
        out.append(f'<w:r><w:rPr><w:rStyle w:val="{self.style("FootnoteReference")}"/></w:rPr>'
                   f'<w:footnoteReference w:id="{self.note_id}"/></w:r>')
        notes = self.notes
        notes.append(f'<w:footnote w:id="{self.note_id}">')
        blocks = note.blocks
        if not blocks or not isinstance(blocks[0], t.Para):  # the mark needs a paragraph of its own
            notes.append(self.para_open("FootnoteText") + self.note_mark() + "</w:p>")
        for i, block in enumerate(blocks):
            if isinstance(block, t.Para):
                self.paragraph(notes, "FootnoteText", block.children, self.notes_part,
                               lead=self.note_mark() if i == 0 else "")
            else:
                self.block(block, notes, self.notes_part, style="FootnoteText")
        notes.append("</w:footnote>")


# --- text --------------------------------------------------------------------------

_GAP = '<w:spacing w:before="0" w:after="0" w:line="80" w:lineRule="exact"/>'  # 4 pt after a table
_JC = {"center": '<w:jc w:val="center"/>', "right": '<w:jc w:val="right"/>'}
# the table style's header row applies, no banding: as a hex mask (ECMA-376's first edition, which
# Word 2007 reads; later Words read it too), not the 2010 attributes Word 2007's schema lacks
_TBL_LOOK = '<w:tblLook w:val="0620"/>'


def _x(text: str) -> str:
    """Text or an attribute value as XML: characters XML cannot hold dropped, markup escaped."""
    return look.ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@functools.lru_cache(maxsize=256)
def _rpr(bold: bool, italic: bool, mono: bool, style: str | None, color: str | None,
         script: Script | None = None) -> str:
    """Run properties, in the schema's order; `script` marks a right-to-left or
    complex-script run (:mod:`.direction`)."""
    if not (bold or italic or mono or style or color or script):
        return ""
    fonts = ' w:ascii="Consolas" w:hAnsi="Consolas"' + (cs_font(script) or ' w:cs="Consolas"') if mono else cs_font(script)
    return _props("rPr", f'<w:rStyle w:val="{style}"/>' if style else "",
                  f"<w:rFonts{fonts}/>" if fonts else "",
                  "<w:b/>" if bold else "", "<w:i/>" if italic else "",
                  f'<w:color w:val="{color}"/>' if color else "", *run_props(script, bold, italic))


def _run(text: str, rpr: str = "") -> str:
    """One run of text; spaces at its ends or doubled inside are kept."""
    text = _x(text)
    keep = ' xml:space="preserve"' if text != text.strip() or "  " in text else ""
    return f"<w:r>{rpr}<w:t{keep}>{text}</w:t></w:r>"


_TEXT_WIDTH = 9360  # twips: 6.5 in; columns are shares of it (pct), so a reference page fits


def _table_widths(block: t.Table) -> list[float]:
    """Each column's share of the text width: no column narrower than its longest word
    (8.5 pt table text, 4 pt cell margins each side)."""
    ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
    points = _TEXT_WIDTH / 20
    return [w / points for w in fonts.table_widths(block, ncols, points, size=8.5, pad=9.0)]


def _timeline_png(fig: t.TimelineFigure, width_pt: float) -> tuple[bytes, float, float]:
    """The timeline drawn `width_pt` wide: PNG bytes, and its width and height in points."""
    from briefgen.figures import paint_png, timeline

    scene = timeline.layout(fig, width_pt)
    return paint_png.to_png(scene), scene.width, scene.height


def _bookmark_name(slug: str) -> str:
    """Word bookmark names: a letter first, letters/digits/underscores, at most 40 characters."""
    return ("h_" + re.sub(r"[^A-Za-z0-9_]", "_", slug))[:40]
