"""PDF writer: the document tree to a print-ready PDF with footnotes at the page bottom.

Layout is reportlab's platypus with these additions:

- :class:`_NoteFrame` reserves room at the bottom of the page for the notes referenced
  by every flowable it accepts, and asks split pieces the same question, so each note
  lands on the page of its reference; a long note that does not fit continues on the
  next page (above that page's own notes). Each reference carries an ``<onDraw>``
  marker: it survives paragraph splits, tells the frame which notes a piece holds, and
  reports the page each reference was drawn on.
- :class:`_Notes` keeps the notes of the current page and draws them above the footer
  under a short rule; note N is a named destination the superscript N links to.
- the running header and footer ("Page N of M", classification marking) are drawn
  per page; the "N of M" text is a form XObject filled in once the page count is known,
  so the document is laid out once.
- a long table is given to reportlab a window of rows at a time (:class:`_Rows`), so
  breaking it across pages costs the same on every page, however many rows are left.

Fonts are the vendored DejaVu Sans family and Droid Sans Fallback for CJK runs
(:mod:`briefgen.fonts`), embedded as subsets. The creation date comes from
``doc.meta.date`` and reportlab's invariant mode, so the same tree gives the same bytes.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, assert_never

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Flowable, Frame, HRFlowable, Indenter, ListFlowable,
                                ListItem, LongTable, PageBreak, PageTemplate, Paragraph, Spacer, Table,
                                TableStyle, XPreformatted)
from reportlab.pdfbase.pdfdoc import PDFDictionary
from reportlab.platypus.doctemplate import ActionFlowable, BaseDocTemplate, FrameBreak, LayoutError
from reportlab.platypus.flowables import DDIndenter, FrameBG, _FBGBag

from briefgen import fonts, look
from briefgen import tree as t
from briefgen.errors import BriefgenError

NAME = "pdf"
SUFFIX = ".pdf"


@dataclass(frozen=True)
class Options:
    """The PDF writer has no settings of its own yet: the look comes from the tree's meta."""

# --- look --------------------------------------------------------------------------

NAVY = colors.HexColor("#" + look.NAVY)
INK = colors.HexColor("#" + look.INK)
MUTED = colors.HexColor("#" + look.MUTED)
GREY = colors.HexColor("#" + look.GREY)
RULE = colors.HexColor("#" + look.RULE)
TINT = colors.HexColor("#" + look.TINT)
ZEBRA = colors.HexColor("#" + look.ZEBRA)
CODE_BG = colors.HexColor("#" + look.CODE_BG)
LINK = "rgb({},{},{})".format(*bytes.fromhex(look.LINK))   # the form paragraph markup parses fastest
MARKING = colors.HexColor("#" + look.MARKING)

MARGIN_X = 22 * mm
MARGIN_TOP = 25 * mm       # page top to body
MARGIN_BOTTOM = 20 * mm    # page bottom to body (notes sit inside the body frame)
HEADER_Y = 14 * mm         # header baseline, from the page top
FOOTER_Y = 11 * mm         # footer baseline, from the page bottom

BODY_SIZE, BODY_LEADING = 9.5, 13.8
NOTE_SIZE, NOTE_LEADING = 7.6, 9.8
SEP = 11.0           # space above the first note on a page; holds the short rule
NOTE_GAP = 2.5       # between notes
PARA_GAP = 1.5       # between blocks of one note
MIN_PART = 2 * NOTE_LEADING + 0.5   # a note split across pages keeps at least two lines here
LONG_NOTE = 5 * NOTE_LEADING        # only notes taller than this may be split
CARRY_CAP = 0.6      # share of the frame a continued note may take on the next page
FUZZ = 1e-6
FN = "bgfn"          # onDraw callback name of footnote references


# --- entry point -------------------------------------------------------------------


def write(tree: t.Document, options: Options, path: Path) -> None:
    """Write `tree` as a PDF file at `path`."""
    with open(path, "wb") as out:
        _write(tree, out)


def _write(doc: t.Document, out: BinaryIO) -> None:
    fonts.register()
    size = look.page_size(doc.meta.page_size).points
    width = size[0] - 2 * MARGIN_X
    height = size[1] - MARGIN_TOP - MARGIN_BOTTOM
    builder = _Builder(doc, width)
    story = builder.story()
    notes = _Notes(builder.notes, width, height)
    try:
        _Doc(out, doc.meta, size, notes, builder.page_refs).build(story)
    except LayoutError:
        raise BriefgenError.one(
            "the PDF has a block taller than a page that cannot break across pages (a callout or "
            "quote inside a list item or a note is drawn as one box)", kind="template",
            hint="move it out of the list or note, shorten it, or build only the Word file with --format docx",
        ) from None


# --- markup ------------------------------------------------------------------------

_ILLEGAL = look.ILLEGAL
_SPACE = re.compile(r"[\t\n\r\f\v\u2028\u2029]")
_SAFE_DEST = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")
_SCHEMES = ("http://", "https://", "mailto:", "ftp://")


def _clean(text: str) -> str:
    """Text with XML-illegal characters removed and line breaks turned into spaces."""
    return _SPACE.sub(" ", _ILLEGAL.sub("", text))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _xml(_clean(text)).replace('"', "&quot;")


def _esc(text: str, *, clean: bool = True) -> str:
    """Paragraph markup for literal `text`: escaped, CJK runs in the CJK font."""
    if clean:
        text = _clean(text)
    if text.isascii():
        return _xml(text)
    if (ch := fonts.unshowable(text)) is not None:
        raise _unshowable(ch, text)
    out = []
    for part, cjk in fonts.runs(text):
        if cjk:
            fonts.register("cjk")
            out.append(f'<font name="{fonts.CJK}">{_xml(part)}</font>')
        else:
            out.append(_xml(part))
    return "".join(out)


def _unshowable(ch: str, text: str) -> BriefgenError:
    import unicodedata

    name = unicodedata.name(ch, f"U+{ord(ch):04X}").title()
    at = text.index(ch)
    snippet = text[max(0, at - 30): at + 30].strip()
    what = "right-to-left text" if fonts._RTL.match(ch) else f"the character {ch} ({name}, U+{ord(ch):04X})"
    return BriefgenError.one(
        f"the PDF cannot show {what}, in: “{snippet}”", kind="data",
        hint="remove it from the data, or build only the Word file with --format docx, which shows it")


def _accent(meta: t.Meta):
    """The heading and rule colour from ``meta.accent`` (hex RRGGBB), else navy."""
    value = str(getattr(meta, "accent", "") or "").strip().lstrip("#")
    return colors.HexColor("#" + value) if re.fullmatch(r"[0-9A-Fa-f]{6}", value) else NAVY


def _styles(accent=None) -> dict[str, ParagraphStyle]:
    accent = accent or NAVY
    base = ParagraphStyle("body", fontName=fonts.FAMILY, fontSize=BODY_SIZE, leading=BODY_LEADING,
                          textColor=INK, spaceAfter=6, allowWidows=0, allowOrphans=0)
    s = {"body": base}

    def add(name, parent="body", **kw):
        s[name] = ParagraphStyle(name, parent=s[parent], **kw)

    add("h1", fontName=fonts.RL_NAMES["bold"], fontSize=15.5, leading=19.5, textColor=accent,
        spaceBefore=16, spaceAfter=6)
    add("h2", fontName=fonts.RL_NAMES["bold"], fontSize=12.2, leading=16, textColor=accent,
        spaceBefore=13, spaceAfter=4)
    add("h3", fontName=fonts.RL_NAMES["bold"], fontSize=10.4, leading=14, textColor=accent,
        spaceBefore=10, spaceAfter=3)
    add("h4", fontName=fonts.RL_NAMES["bold"], textColor=INK, spaceBefore=8, spaceAfter=2)
    add("title", fontName=fonts.RL_NAMES["bold"], fontSize=21, leading=26, textColor=accent,
        spaceBefore=0, spaceAfter=4)
    add("subtitle", fontSize=11, leading=15, textColor=MUTED, spaceAfter=2)
    add("item", spaceAfter=3)
    add("quote", textColor=colors.HexColor("#" + look.QUOTE))
    add("callout_title", fontName=fonts.RL_NAMES["bold"], textColor=accent, spaceAfter=3)
    add("caption", fontName=fonts.RL_NAMES["italic"], fontSize=8, leading=10.5, textColor=MUTED,
        alignment=TA_CENTER, spaceBefore=3, spaceAfter=10)
    add("toc_title", fontName=fonts.RL_NAMES["bold"], fontSize=12.2, leading=16, textColor=accent,
        spaceBefore=6, spaceAfter=6)
    add("toc1", fontName=fonts.RL_NAMES["bold"], spaceAfter=0, spaceBefore=3, endDots=" .")
    add("toc2", leftIndent=12, spaceAfter=0, endDots=" .")
    add("note", fontSize=NOTE_SIZE, leading=NOTE_LEADING, spaceAfter=0, leftIndent=11,
        bulletIndent=0, bulletFontName=fonts.FAMILY, bulletFontSize=NOTE_SIZE, textColor=INK)
    add("note_item", parent="note", bulletText=None)
    add("cell", fontSize=8.3, leading=10.8, spaceAfter=0)
    add("cell_head", parent="cell", fontName=fonts.RL_NAMES["bold"], textColor=colors.white)
    add("code", fontName=fonts.MONO, fontSize=7.8, leading=10.2, backColor=CODE_BG, leftIndent=5,
        rightIndent=5, borderPadding=(3, 5, 3, 5), spaceBefore=5, spaceAfter=10, allowWidows=1,
        allowOrphans=1)
    add("note_code", parent="code", fontSize=6.8, leading=8.8, spaceAfter=2, spaceBefore=1)
    return s


# --- tree to flowables -------------------------------------------------------------


@dataclass(frozen=True)
class _Ctx:
    width: float
    frame: bool = True      # at frame level: may use Indenter, FrameBG, CondPageBreak, outline
    note: bool = False      # inside a note body
    cell: bool = False      # inside a table cell
    boxed: bool = False     # inside a FrameBG box already
    whole: bool = False     # inside a box drawn as one table cell: nothing here splits across pages
    quote: bool = False
    link: bool = False      # inside a link: notes cannot link again


class _Builder:
    """Turns the tree into a story of flowables plus the note bodies, numbered in walk order."""

    def __init__(self, doc: t.Document, width: float) -> None:
        self.doc = doc
        self.width = width
        self.accent = _accent(doc.meta)
        self.st = _styles(self.accent)
        self.notes: list[list[Flowable]] = []
        self.expected = t.walk_notes(doc)
        self.dests: dict[str, str] = {}
        self.page_refs: list[tuple[str, str]] = []   # (form name, heading destination)
        self._scenes: dict = {}
        self._collect_ids(doc.blocks)

    def story(self) -> list[Flowable]:
        flows = self.blocks(self.doc.blocks, _Ctx(self.width))
        if len(self.notes) != len(self.expected):   # pragma: no cover - walk order drifted
            raise RuntimeError(f"numbered {len(self.notes)} notes, tree has {len(self.expected)}")
        flows.append(_FlushNotes())
        return flows

    def _collect_ids(self, blocks) -> None:
        for b in blocks:
            if isinstance(b, t.Heading) and b.id and b.id not in self.dests:
                self.dests[b.id] = b.id if _SAFE_DEST.match(b.id) and not b.id.startswith("__") \
                    else f"__h{len(self.dests) + 1}"
            self._collect_ids(tuple(t.child_blocks(b)))

    # blocks ---------------------------------------------------------------------------

    def blocks(self, blocks, ctx: _Ctx) -> list[Flowable]:
        out: list[Flowable] = []
        needs: dict[int, float] = {}
        if ctx.frame:
            # a heading needs room for itself, any headings right after it, and the start
            # of what follows
            for i in range(len(blocks) - 1, -1, -1):
                b = blocks[i]
                if isinstance(b, t.Heading):
                    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
                    after = needs[i + 1] if i + 1 in needs else self._start_height(nxt, ctx)
                    needs[i] = self._heading_height(b, ctx.width) + after
        for i, b in enumerate(blocks):
            if i in needs:
                out.append(CondPageBreak(needs[i]))
            out.extend(self.block(b, ctx))
        return out

    def block(self, b: t.Block, ctx: _Ctx) -> list[Flowable]:
        if isinstance(b, t.Para):
            return [self.para(b.children, self._para_style(ctx), ctx)]
        if isinstance(b, t.Heading):
            return [self.heading(b, ctx)]
        if isinstance(b, (t.BulletList, t.OrderedList)):
            return [self.list(b, ctx)]
        if isinstance(b, t.Table):
            return [self.table(b, ctx)]
        if isinstance(b, t.Callout):
            return self.callout(b, ctx)
        if isinstance(b, t.BlockQuote):
            return self.quote(b, ctx)
        if isinstance(b, t.CodeBlock):
            return [self.code(b, ctx)]
        if isinstance(b, t.Rule):
            return [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=4, spaceAfter=10)]
        if isinstance(b, t.PageBreak):
            return [PageBreak()] if ctx.frame and not ctx.boxed else []
        if isinstance(b, t.TimelineFigure):
            return self.figure(b, ctx)
        if isinstance(b, t.Toc):
            return self.toc(b, ctx)
        assert_never(b)

    def _para_style(self, ctx: _Ctx) -> ParagraphStyle:
        if ctx.note:
            return self.st["note_item"]
        if ctx.cell:
            return self.st["cell"]
        return self.st["quote"] if ctx.quote else self.st["body"]

    def para(self, inlines, style: ParagraphStyle, ctx: _Ctx, *, prefix: str = "", **kw) -> Paragraph:
        return _Para(*self.markup(inlines, style, ctx, prefix=prefix), **kw)

    def markup(self, inlines, style: ParagraphStyle, ctx: _Ctx, *, prefix: str = "") -> tuple[str, ParagraphStyle]:
        """A paragraph's markup and style (numbering the notes it references), not yet parsed."""
        markup = prefix + self.inlines(inlines, ctx)
        if _long_cjk(markup):
            style = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
        return markup, style

    def heading(self, b: t.Heading, ctx: _Ctx) -> Paragraph:
        level = max(1, min(b.level, 4))
        dest = self.dests.get(b.id)
        anchor = f'<a name="{_attr(dest)}"/>' if dest else ""
        style = self.st[f"h{level}"] if not (ctx.note or ctx.cell) else self._para_style(ctx)
        if ctx.note or ctx.cell:
            p = self.para((t.Strong(b.children),), style, ctx, prefix=anchor)
        else:
            p = self.para(b.children, style, ctx, prefix=anchor)
        if dest:
            p._bg_dest = dest
        if ctx.frame and not ctx.boxed and dest:
            p._bg_outline = (_clean(t.plain_text(b.children)).strip() or dest, dest, b.level)
        return p

    def toc(self, b: t.Toc, ctx: _Ctx) -> list[Flowable]:
        """The contents: top-level headings linked to their pages. The page numbers are
        forms filled in once the document is laid out, so it is laid out once."""
        out: list[Flowable] = []
        if b.title:
            out.append(self.para(b.title, self.st["toc_title"], ctx))
        rows = []
        for h in t.headings(self.doc, b.depth):
            dest = self.dests.get(h.id)
            if dest is None:
                continue
            style = self.st["toc1" if h.level <= 1 else "toc2"]
            text = _esc(t.plain_text(h.children).strip())
            rows.append([_Para(f'<a href="#{_attr(dest)}">{text}</a>', style),
                         _PageRef(f"bgtoc{len(self.page_refs) + 1}", style)])
            self.page_refs.append((rows[-1][1].form, dest))
        if rows:
            out.append(Table(rows, colWidths=[ctx.width - 34, 34], hAlign="LEFT", spaceAfter=12,
                             style=TableStyle([("FONT", (0, 0), (-1, -1), fonts.FAMILY, BODY_SIZE),
                                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                               ("TOPPADDING", (0, 0), (-1, -1), 1),
                                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])))
        return out

    def _start_height(self, b, ctx: _Ctx) -> float:
        """Roughly how much of block `b` should follow its heading on the same page."""
        if b is None:
            return 0.0
        if isinstance(b, t.TimelineFigure):
            return self._figure_need(b, ctx)
        if isinstance(b, t.Table):
            return 4 * 16.0
        if isinstance(b, t.Callout):
            return 6 * BODY_LEADING
        if isinstance(b, t.Para):
            chars = len(t.plain_text(b.children))
            return min(4, max(1, math.ceil(chars * BODY_SIZE * 0.55 / ctx.width))) * BODY_LEADING + 6
        return 4 * BODY_LEADING

    def _figure_need(self, b: t.TimelineFigure, ctx: _Ctx) -> float:
        return 4 + self._scene(b, ctx.width or self.width).height + (26 if b.caption else 10)

    def _scene(self, b: t.TimelineFigure, width: float):
        from briefgen.figures import timeline

        key = (id(b), width)
        if key not in self._scenes:
            self._scenes[key] = timeline.layout(b, width)
        return self._scenes[key]

    def _heading_height(self, b: t.Heading, width: float) -> float:
        style = self.st[f"h{max(1, min(b.level, 4))}"]
        chars = len(t.plain_text(b.children))
        lines = max(1, math.ceil(chars * style.fontSize * 0.6 / width))
        return style.spaceBefore + lines * style.leading + style.spaceAfter

    def list(self, b, ctx: _Ctx) -> ListFlowable:
        indent = 14 if ctx.note else 16
        inner = replace(ctx, width=ctx.width - indent, frame=False)
        items = []
        for item in b.items:
            flows = []
            for child in item:
                if isinstance(child, t.Para):
                    style = self.st["note_item"] if ctx.note else (self.st["cell"] if ctx.cell else self.st["item"])
                    if ctx.quote and not ctx.note and not ctx.cell:
                        style = ParagraphStyle("quote_item", parent=style, textColor=self.st["quote"].textColor)
                    flows.append(self.para(child.children, style, inner))
                else:
                    flows.extend(self.block(child, inner))
            items.append(ListItem(flows or [Spacer(0, 0)]))
        size = NOTE_SIZE if ctx.note else (8.3 if ctx.cell else BODY_SIZE)
        kw = dict(leftIndent=indent, bulletFontName=fonts.FAMILY, bulletFontSize=size,
                  bulletColor=self.accent if not ctx.note else INK, spaceAfter=0 if (ctx.note or ctx.cell) else 4)
        if isinstance(b, t.OrderedList):
            return ListFlowable(items, bulletType="1", start=b.start, bulletFormat="%s.", **kw)
        return ListFlowable(items, bulletType="bullet", start="\u2022", **kw)

    def table(self, b: t.Table, ctx: _Ctx) -> Table:
        ncols = max([len(b.header)] + [len(r) for r in b.rows] + [1])
        widths = fonts.table_widths(b, ncols, ctx.width, size=8.3, pad=10.0)
        aligns = list(b.aligns) + [""] * ncols
        cell_ctx = replace(ctx, width=0, frame=False, cell=True)
        styles = [self._cell_style(a, head=False) for a in aligns[:ncols]]
        head_styles = [self._cell_style(a, head=True) for a in aligns[:ncols]]
        data = []  # each cell's markup and style, made in reading order so notes number right
        if b.header:
            data.append([self.markup(b.header[i] if i < len(b.header) else (), head_styles[i], cell_ctx)
                         for i in range(ncols)])
        for row in b.rows:
            data.append([self.markup(row[i] if i < len(row) else (), styles[i], cell_ctx) for i in range(ncols)])
        if not data:
            return Spacer(0, 0)
        head = 1 if b.header else 0
        cell_cmds = [
            ("FONT", (0, 0), (-1, -1), fonts.FAMILY, 8.3),   # else the table selects Helvetica
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4.5),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ]
        draw_cmds = [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE)]
        if head:
            draw_cmds += [("BACKGROUND", (0, 0), (-1, 0), self.accent),
                          ("LINEBELOW", (0, 0), (-1, 0), 0.6, self.accent)]
        if len(data) > head:
            draw_cmds.append(("ROWBACKGROUNDS", (0, head), (-1, -1), [colors.white, ZEBRA]))
        space = {"spaceBefore": 2, "spaceAfter": 10 if not ctx.note else 3}
        if len(data) - head > _WINDOW and not ctx.whole:
            return _Rows(data, head, widths, cell_cmds, draw_cmds, **space).window(head)
        cls = _LongDataTable if len(data) > 40 else _DataTable
        return cls([[_Para(*cell) for cell in row] for row in data], colWidths=widths, repeatRows=head, hAlign="LEFT",
                   style=TableStyle(cell_cmds + draw_cmds), **space)

    def _cell_style(self, align: str, head: bool) -> ParagraphStyle:
        base = self.st["cell_head" if head else "cell"]
        if align in ("center", "right"):
            return ParagraphStyle(base.name + "-" + align, parent=base,
                                  alignment=TA_CENTER if align == "center" else TA_RIGHT)
        return base

    def callout(self, b: t.Callout, ctx: _Ctx) -> list[Flowable]:
        if not b.title and not b.blocks:
            return []
        if b.kind == "titleblock" and ctx.frame and not ctx.boxed:
            out: list[Flowable] = [self.para(b.title, self.st["title"], ctx)]
            sub = replace(ctx, frame=False)
            for child in b.blocks:
                if isinstance(child, t.Para):
                    out.append(self.para(child.children, self.st["subtitle"], sub))
                else:
                    out.extend(self.block(child, sub))
            out.append(HRFlowable(width="100%", thickness=1.2, color=self.accent, spaceBefore=6,
                                  spaceAfter=14))
            return out
        pad_l, pad_r = 12.0, 10.0
        framed = ctx.frame and not ctx.boxed
        inner = replace(ctx, width=ctx.width - pad_l - pad_r, boxed=True, frame=framed, whole=not framed)
        body: list[Flowable] = []
        if b.title:
            body.append(self.para(b.title, self.st["callout_title"], inner))
        body.extend(self.blocks(b.blocks, inner))
        if framed:
            return [CondPageBreak(5 * BODY_LEADING), Spacer(0, 2), _Box(TINT, self.accent),
                    Indenter(pad_l, pad_r), Spacer(0, 8), *body, Spacer(0, 2),
                    Indenter(-pad_l, -pad_r), _BoxEnd(), Spacer(0, 10)]
        return [_boxed_table(body, ctx.width, TINT, self.accent)]

    def quote(self, b: t.BlockQuote, ctx: _Ctx) -> list[Flowable]:
        indent = 14.0
        if ctx.frame and not ctx.boxed:
            inner = replace(ctx, width=ctx.width - indent, quote=True, boxed=True)
            body = [f for c in b.blocks for f in self.block(c, inner)]
            return [_Box(None, RULE), Indenter(indent, 0), *body, Indenter(-indent, 0), _BoxEnd(), Spacer(0, 4)]
        inner = replace(ctx, width=ctx.width - indent, quote=True, frame=False, whole=True)
        body = [f for c in b.blocks for f in self.block(c, inner)]
        return [_boxed_table(body, ctx.width, None, RULE)]

    def code(self, b: t.CodeBlock, ctx: _Ctx) -> Flowable:
        style = self.st["note_code"] if ctx.note else self.st["code"]
        width = (ctx.width or self.width) - 12
        per_line = max(20, int(width / (0.6021 * style.fontSize)))
        lines = []
        for line in _ILLEGAL.sub("", b.text.replace("\t", "    ")).rstrip("\n").split("\n"):
            line = line.rstrip("\r")
            while len(line) > per_line:
                lines.append(line[:per_line])
                line = line[per_line:]
            lines.append(line)
        return XPreformatted("\n".join(_esc(line, clean=False) for line in lines), style)

    def figure(self, b: t.TimelineFigure, ctx: _Ctx) -> list[Flowable]:
        from briefgen.figures.paint_drawing import to_drawing

        scene = self._scene(b, ctx.width or self.width)
        drawing = to_drawing(scene)
        drawing.hAlign = "CENTER"
        out: list[Flowable] = []
        if ctx.frame:
            out.append(CondPageBreak(self._figure_need(b, ctx)))
        out.append(Spacer(0, 4))
        out.append(drawing)
        if b.caption:
            out.append(self.para(b.caption, self.st["caption"], ctx))
        else:
            out.append(Spacer(0, 10))
        return out

    # inlines --------------------------------------------------------------------------

    def inlines(self, items: tuple[t.Inline, ...], ctx: _Ctx) -> str:
        out = []
        for node in items:
            if isinstance(node, t.Text):
                out.append(_esc(node.text))
            elif isinstance(node, t.Emph):
                out.append(f"<i>{self.inlines(node.children, ctx)}</i>")
            elif isinstance(node, t.Strong):
                out.append(f"<b>{self.inlines(node.children, ctx)}</b>")
            elif isinstance(node, t.Code):
                out.append(f'<font name="{fonts.MONO}">{_esc(node.text)}</font>')
            elif isinstance(node, t.Link):
                out.append(self.link(node, ctx))
            elif isinstance(node, t.LineBreak):
                out.append("<br/>")
            elif isinstance(node, t.Note):
                out.append(self.note_ref(node, ctx))
            else:
                assert_never(node)
        return "".join(out)

    def link(self, node: t.Link, ctx: _Ctx) -> str:
        inner = self.inlines(node.children, replace(ctx, link=True))
        url = _clean(node.url).strip()
        if ctx.link:
            return inner
        if node.internal:
            dest = self.dests.get(url[1:])
            if dest is None:
                return inner
            href = "#" + dest
        elif url.lower().startswith(_SCHEMES):
            href = url
        else:
            return inner
        return f'<a href="{_attr(href)}" color="{LINK}">{inner}</a>'

    def note_ref(self, node: t.Note, ctx: _Ctx) -> str:
        if ctx.note:   # notes inside notes are not numbered anywhere: keep the text
            text = " ".join(t.plain_text(r) for blk in node.blocks for r in t.block_inlines(blk))
            return _esc(f" ({text.strip()})") if text.strip() else ""
        n = len(self.notes) + 1
        if n > len(self.expected) or self.expected[n - 1] is not node:   # pragma: no cover
            raise RuntimeError("note order differs from tree.walk_notes")
        self.notes.append(self.note_body(node, n))
        sup = f"<super>{n}</super>"
        if not ctx.link:
            sup = f'<a href="#__fn{n}" color="{LINK}">{sup}</a>'
        return f'{sup}<onDraw name="{FN}" label="{n}"/>'

    def note_body(self, node: t.Note, n: int) -> list[Flowable]:
        ctx = _Ctx(self.width, frame=False, note=True)
        flows: list[Flowable] = []
        for i, blk in enumerate(node.blocks):
            if i == 0 and isinstance(blk, t.Para):
                flows.append(self.para(blk.children, self.st["note"], ctx, bulletText=str(n)))
            else:
                flows.extend(self.block(blk, ctx))
        if not flows or not (isinstance(flows[0], Paragraph) and flows[0].bulletText):
            flows.insert(0, _Para("", self.st["note"], bulletText=str(n)))
        return flows


class _Para(Paragraph):
    """A Paragraph that remembers its lines for the last width it was wrapped at.

    The footnote frame measures some flowables more than once (with and without their
    notes), and table cells are measured on every page a table spans; lines depend on
    the width only, so the second measure is free. Split pieces are new objects.
    """

    def wrap(self, availWidth, availHeight):
        d = self.__dict__
        if d.get("_bg_w") == availWidth and "blPara" in d:
            return self.width, self.height
        w, h = Paragraph.wrap(self, availWidth, availHeight)
        d["_bg_w"] = availWidth
        return w, h


class _PageRef(Flowable):
    """A page number not known yet: a form XObject the document defines at the end."""

    def __init__(self, form: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.form = form
        self.style = style

    def wrap(self, aW, aH):
        self.width = aW
        return aW, self.style.leading

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.translate(self.width, self.style.leading - self.style.fontSize)
        canv.doForm(self.form)
        canv.restoreState()


class _DataTable(Table):
    _bg_min_row = 3 + 3.5 + 10.8     # paddings and one line of cell text: no row is shorter


class _LongDataTable(LongTable):
    _bg_min_row = _DataTable._bg_min_row
    _bg_rows = None     # a window of a longer table: the :class:`_Rows` that holds the rows after it
    _bg_start = 0       # ... and where in those rows this window's body starts

    _bg_drawn = None    # on a piece of a window: the rows it draws, released once drawn

    def split(self, availWidth, availHeight):
        pieces = LongTable.split(self, availWidth, availHeight)
        if self._bg_rows is None or len(pieces) != 2:
            return pieces
        placed = pieces[0]._nrows - self.repeatRows
        pieces[0]._bg_rows, pieces[0]._bg_drawn = self._bg_rows, (self._bg_start, self._bg_start + placed)
        return [pieces[0], self._bg_rows.window(self._bg_start + placed)]

    def draw(self):
        LongTable.draw(self)
        if self._bg_drawn is not None:
            self._bg_rows.release(*self._bg_drawn)


# Body rows in a window of a long table. Every row is at least its paddings (6.5 pt) tall,
# so a window is taller than any page and never fits whole while rows are left.
_WINDOW = 150


class _Rows:
    """The rows of a long table, styled and measured once, given to reportlab a window at a time.

    Reportlab makes the rest of a table anew at every page break, at a cost that grows
    with the rows left: quadratic in a table of thousands of rows. A window is a table of
    the header and the next :data:`_WINDOW` rows, cheap to make from the styled, measured
    rows; when it splits, the rest is the next window. Windows after the first are
    styled as reportlab styles the rest of a split table, so the pages come out the same.
    """

    def __init__(self, data, head: int, widths, cell_cmds, draw_cmds, spaceBefore, spaceAfter) -> None:
        # the cell commands span whole columns, so every body row is styled like the first
        self.source = data                  # markup and style per cell, until the row is made
        self.cells: list = [None] * len(data)
        styled = Table([self.row(i) for i in range(head + 1)], colWidths=widths,
                       style=TableStyle(cell_cmds))._cellStyles
        self.styles = styled[:head] + [styled[head]] * (len(data) - head)
        self.heights: list = [None] * len(self.cells)    # measured a window at a time
        self.head, self.widths = head, widths
        self.first_style = TableStyle(draw_cmds)
        self.rest_style = TableStyle(_continued(draw_cmds, head))
        self.space_before, self.space_after = spaceBefore, spaceAfter

    def window(self, start: int) -> _LongDataTable:
        """The header and the rows from `start` (an index into all rows) on."""
        head, first = self.head, start == self.head
        end = min(start + _WINDOW, len(self.cells))

        def cut(seq):
            return seq[:head] + seq[start:end]

        rows = [self.row(i) for i in range(head)] + [self.row(i) for i in range(start, end)]
        t = _LongDataTable(rows, colWidths=self.widths, rowHeights=cut(self.heights),
                           repeatRows=head, normalizedData=1, cellStyles=cut(self.styles),
                           style=self.first_style if first else self.rest_style, hAlign="LEFT",
                           spaceBefore=self.space_before if first else None, spaceAfter=self.space_after)
        if None in t._argH:       # measure the rows new in this window, once
            t._calc(sum(self.widths), 1e9)
            self.heights[:head], self.heights[start:end] = t._rowHeights[:head], t._rowHeights[head:]
            t._argH = t._rowHeights
        if end < len(self.cells):
            t._bg_rows, t._bg_start = self, start
        return t

    def row(self, i: int) -> list:
        """Row `i` as paragraphs, made when a window first holds it: a long table's
        thousands of rows are never all parsed and laid out at once."""
        cells = self.cells[i]
        if cells is None:
            cells = self.cells[i] = [_Para(markup, style) for markup, style in self.source[i]]
        return cells

    def release(self, start: int, end: int) -> None:
        """Rows `start` to `end` are drawn: drop them (no window is made again from
        before the last drawn row)."""
        self.cells[start:end] = self.source[start:end] = [None] * (end - start)


def _continued(cmds, head: int) -> list:
    """Table commands as reportlab restyles the rest of a split table: one over both the
    header and the body becomes one for each, and a LINEBELOW that reaches the body gets
    a LINEABOVE on the first body row. Handles commands over the whole table, the header
    or the body, which is all :meth:`_Builder.table` gives."""
    out = []
    for op, (sc, sr), (ec, er), *args in cmds:
        body = er < 0 or er >= head
        if op == "LINEBELOW" and body:
            out.append(("LINEABOVE", (sc, head), (ec, head), *args))
        if sr < head:
            out.append((op, (sc, sr), (ec, er if 0 <= er < head else head - 1), *args))
        if body:
            out.append((op, (sc, max(sr, head)), (ec, er), *args))
    return out


def _long_cjk(markup: str) -> bool:
    """A run of CJK long enough to need breaking between characters."""
    return not markup.isascii() and any(len(m.group()) > 12 for m in fonts.CJK_RUN.finditer(markup))


def _boxed_table(body: list[Flowable], width: float, fill, bar) -> Table:
    """A box for nested contexts (list items, notes, cells): one row per flowable."""
    rows = [[f] for f in body] or [[Spacer(0, 0)]]
    cmds = [("FONT", (0, 0), (-1, -1), fonts.FAMILY, BODY_SIZE),
            ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ("LINEBEFORE", (0, 0), (0, -1), 2.5, bar)]
    if fill is not None:
        cmds.append(("BACKGROUND", (0, 0), (-1, -1), fill))
    return Table(rows, colWidths=[width or None], hAlign="LEFT", style=TableStyle(cmds),
                 spaceBefore=2, spaceAfter=6)


# --- boxes drawn behind frame content ----------------------------------------------


class _BoxBag(_FBGBag):
    """A tinted box with a bar down its left edge, grown flowable by flowable."""

    def render(self, canv, frame, fbx, fby, fbw, fbh):
        if abs(fbw) <= FUZZ or abs(fbh) <= FUZZ:
            return
        pn = canv.getPageNumber()
        if self.fid == id(frame) and self.cid == id(canv) and self.pn == pn:
            for pos in self.codePos:
                inst = canv._code[pos].split()
                ox, oy, ow, oh = map(float, inst[1:5])
                inst[1:5] = [f"{ox:.2f} {fby:.2f} {ow:.2f} {oh + oy - fby:.2f}"]
                canv._code[pos] = " ".join(inst)
            return
        self.fid, self.cid, self.pn = id(frame), id(canv), pn
        canv.saveState()
        self.codePos = []
        if self.fillColor is not None:
            canv.setFillColor(self.fillColor)
            self.codePos.append(len(canv._code))
            canv.rect(fbx, fby, fbw, fbh, stroke=0, fill=1)
        canv.setFillColor(self.strokeColor)
        self.codePos.append(len(canv._code))
        canv.rect(fbx, fby, 2.5, fbh, stroke=0, fill=1)
        canv.restoreState()


class _Box(FrameBG):
    """Start a box behind the following flowables (until :class:`_BoxEnd`)."""

    def __init__(self, fill, bar) -> None:
        super().__init__(color=fill, start=True)
        self.bar = bar

    def draw(self):
        frame = getattr(self, "_frame", None)
        if frame is None:
            return
        frame._frameBGs.append(_BoxBag(left=0, right=0, fillColor=self.color, start=None,
                                       strokeColor=self.bar, strokeWidth=None, strokeDashArray=None,
                                       fid=0, cid=0, pn=-1, codePos=None, active=True))


class _BoxEnd(FrameBG):
    def __init__(self) -> None:
        super().__init__(start=False)


# --- footnote layout ---------------------------------------------------------------


def _scan(frags) -> list[int]:
    """Note numbers of the footnote markers among paragraph fragments or words."""
    out = []
    for f in frags:
        if isinstance(f, list):          # processed word: [width, (frag, text), ...]
            for item in f[1:]:
                cb = getattr(item[0], "cbDefn", None)
                if cb is not None and getattr(cb, "name", None) == FN:
                    out.append(int(cb.label))
        else:
            cb = getattr(f, "cbDefn", None)
            if cb is not None and getattr(cb, "name", None) == FN:
                out.append(int(cb.label))
    return out


def _notes_in(f) -> list[int]:
    """Note numbers referenced inside flowable `f` (any depth), in order."""
    if isinstance(f, Paragraph):
        cache = f.__dict__.get("_bgn")
        frags = f.frags
        if cache is not None and cache[0] is frags:
            return cache[1]
        nums = _scan(frags)
        f.__dict__["_bgn"] = (frags, nums)
        return nums
    if isinstance(f, DDIndenter):
        return _notes_in(f._flowable)
    if isinstance(f, (list, tuple)):
        return [n for x in f for n in _notes_in(x)]
    if isinstance(f, Table):
        return [n for row in f._cellvalues for cell in row for n in _notes_in(cell)]
    if isinstance(f, ListItem):
        return _notes_in(f._flowables)
    if isinstance(f, ListFlowable):
        content = f.__dict__.get("_list_content") or f.__dict__.get("_flowables") or []
        return _notes_in(content)
    content = f.__dict__.get("_content") if hasattr(f, "__dict__") else None
    return _notes_in(content) if content else []


def _line_notes(line) -> list[int]:
    words = getattr(line, "words", None)
    return _scan(words) if words and not isinstance(line, tuple) else []


@dataclass
class _Plan:
    entries: list       # (note number or 0, flowable, gap above, height)
    used: float         # height these add to the notes area
    carry: list         # (note number or 0, flowable) continuing on the next page
    nums: tuple = ()    # the notes this plan accounts for (all now placed)


class _Notes:
    """The notes area of the current page, and notes continuing onto the next."""

    def __init__(self, bodies: list[list[Flowable]], width: float, frame_height: float) -> None:
        self.bodies = bodies
        self.width = width
        self.cap = CARRY_CAP * frame_height
        self._heights: dict[int, list[float]] = {}
        self.items: list[tuple[int, Flowable, float, float]] = []
        self.height = 0.0
        self.carry: list[tuple[int, Flowable]] = []
        self.closed = False          # the area is full or still finishing a continued note
        self.placed = bytearray(len(bodies) + 1)
        self.refs: list[int] = []    # references drawn on this page
        self.canv = None             # set when the build starts; some flowables measure with it

    def __deepcopy__(self, memo):    # reportlab deep-copies frames to measure; share the state
        return self

    def heights(self, n: int) -> list[float]:
        h = self._heights.get(n)
        if h is None:
            h = self._heights[n] = [self.wrap(f) for f in self.bodies[n - 1]]
        return h

    def wrap(self, f, height: float = 1e6) -> float:
        f.canv = self.canv
        try:
            return f.wrap(self.width, height)[1]
        finally:
            if "canv" in f.__dict__:
                del f.canv

    def split(self, f, height: float) -> list:
        f.canv = self.canv
        try:
            return f.split(self.width, height)
        finally:
            if "canv" in f.__dict__:
                del f.canv

    def total(self, n: int) -> float:
        h = self.heights(n)
        return sum(h) + PARA_GAP * (len(h) - 1)

    def new(self, nums: list[int]) -> list[int]:
        placed, seen, out = self.placed, set(), []
        for n in nums:
            if not placed[n] and n not in seen:
                seen.add(n)
                out.append(n)
        return out

    def _entries(self, nums: list[int], first: bool) -> tuple[list, float]:
        entries, used = [], 0.0
        for n in nums:
            for k, (f, h) in enumerate(zip(self.bodies[n - 1], self.heights(n))):
                gap = 0.0 if first else (NOTE_GAP if k == 0 else PARA_GAP)
                entries.append((n if k == 0 else 0, f, gap, h))
                used += gap + h
                first = False
        return entries, used

    def _full(self, nums: list[int]) -> _Plan:
        entries, used = self._entries(nums, not self.items)
        return _Plan(entries, used + (0.0 if self.items else SEP), [], tuple(nums))

    def used_full(self, nums: list[int]) -> float:
        return self._full(nums).used

    def may_split(self, nums: list[int]) -> bool:
        return not self.closed and any(self.total(n) > LONG_NOTE for n in nums)

    def forced(self, nums: list[int], room: float) -> _Plan:
        """Last resort when nothing else fits on an empty page: as much as fits, the rest
        (whole notes included) continues on the next page."""
        sep = 0.0 if self.items else SEP
        pieces = [(n if k == 0 else 0, f) for n in nums for k, f in enumerate(self.bodies[n - 1])]
        part, used, carry = self._fill(pieces, max(room - sep, 0.0), not self.items)
        return _Plan(part, sep + used if part else 0.0, carry, tuple(nums))

    def plan(self, nums: list[int], room: float) -> _Plan | None:
        """Notes `nums` in `room` points: all of them, or all but the tail of one long note,
        which continues on the next page."""
        if self.closed:
            return None
        full = self._full(nums)
        if full.used <= room + FUZZ:
            return full
        sep = 0.0 if self.items else SEP
        for i in reversed(range(len(nums))):           # the last long note that can split
            if self.total(nums[i]) <= LONG_NOTE:
                continue
            head, head_used = self._entries(nums[:i], not self.items)
            tail, tail_used = self._entries(nums[i + 1:], False)
            left = room - sep - head_used - tail_used
            if left < MIN_PART:
                continue
            pieces = [(nums[i] if k == 0 else 0, f) for k, f in enumerate(self.bodies[nums[i] - 1])]
            part, used, carry = self._fill(pieces, left, not self.items and not head)
            if used >= MIN_PART:
                return _Plan(head + part + tail, sep + head_used + used + tail_used, carry, tuple(nums))
        return None

    def _fill(self, pieces, room: float, first: bool):
        """As many of `pieces` as fit in `room`, splitting the one that does not."""
        entries, used = [], 0.0
        for i, (n, f) in enumerate(pieces):
            gap = 0.0 if first and not entries else (NOTE_GAP if n else PARA_GAP)
            h = self.wrap(f)
            if used + gap + h <= room + FUZZ:
                entries.append((n, f, gap, h))
                used += gap + h
                continue
            left = room - used - gap
            parts = self.split(f, left) if left > NOTE_LEADING else []
            if len(parts) >= 2:
                h1 = self.wrap(parts[0], left)
                if h1 <= left + FUZZ:
                    entries.append((n, parts[0], gap, h1))
                    used += gap + h1
                    return entries, used, [(0, p) for p in parts[1:]] + list(pieces[i + 1:])
            return entries, used, list(pieces[i:])
        return entries, used, []

    def commit(self, plan: _Plan) -> None:
        self.items.extend(plan.entries)
        self.height += plan.used            # includes the rule's space when the area was empty
        for n in plan.nums:
            self.placed[n] = 1
            # placed for good (the flowable holding its reference was added): this page's
            # items and the carry hold what is still to draw, so a long briefing's notes
            # are not all kept, laid out, until the end
            self.bodies[n - 1] = []
            self._heights.pop(n, None)
        if plan.carry:
            self.carry.extend(plan.carry)
            self.closed = True

    def start_page(self) -> None:
        self.items, self.height, self.closed, self.refs = [], 0.0, False, []
        if self.carry:
            entries, used, rest = self._fill(self.carry, self.cap - SEP, True)
            if not entries:                      # cannot happen with a sane cap; keep going
                n, f = self.carry[0]
                entries, used, rest = [(n, f, 0.0, self.wrap(f))], 0.0, self.carry[1:]
                used = entries[0][3]
            self.items, self.height, self.carry = entries, SEP + used, rest
            self.closed = bool(rest)

    def end_page(self, canv, x: float, y0: float) -> None:
        """Draw this page's notes above `y0`; queue any note whose reference slipped through."""
        if self.items:
            top = y0 + self.height
            canv.saveState()
            canv.setStrokeColor(GREY)
            canv.setLineWidth(0.5)
            canv.line(x, top - 4.5, x + 60, top - 4.5)
            canv.restoreState()
            y = top - SEP
            for n, f, gap, h in self.items:
                y -= gap
                if n:
                    canv.bookmarkHorizontal(f"__fn{n}", x, y + 2)
                y -= h
                if isinstance(f, Paragraph) and "blPara" not in f.__dict__:
                    self.wrap(f)         # a failed trial split of this note dropped its lines
                f.drawOn(canv, x, y)
        for n in self.refs:                      # never expected: a reference the frame missed
            if not self.placed[n]:
                self.placed[n] = 1
                self.carry.extend((n if k == 0 else 0, f) for k, f in enumerate(self.bodies[n - 1]))


class _NoteFrame(Frame):
    """A frame whose bottom rises with the notes referenced by what it holds."""

    def __init__(self, notes: _Notes, *args, **kw) -> None:
        self.__dict__["_notes"] = notes
        super().__init__(*args, **kw)

    def _reset(self):
        super()._reset()
        self._y1p = self._y1 + self._notes.height

    def _space_before(self, f) -> float:
        if self._atTop:
            return 0.0
        s = f.getSpaceBefore()
        if self._oASpace:
            s = max(s - self._prevASpace, 0)
        return s

    def add(self, f, canv, trySplit=0):
        if getattr(f, "frameAction", None):
            return Frame._add(self, f, canv, trySplit)
        st = self._notes
        base = self._y1 + st.height
        self._y1p = base
        if trySplit and isinstance(f, Table) and \
                len(f._cellvalues) * getattr(f, "_bg_min_row", 0.0) > self._y - base:
            return 0     # more rows than could ever fit: go straight to splitting, unmeasured
        nums = st.new(_notes_in(f))
        if not nums:
            return Frame._add(self, f, canv, trySplit)
        if st.closed:
            return 0
        if self._add_with(f, canv, trySplit, base, st._full(nums)):
            return 1
        if not st.may_split(nums) and not f.__dict__.get("_bg_force"):
            return 0
        room = self._room_beside(f, canv, base)
        plan = st.plan(nums, room) if room is not None else None
        if plan is None and room is not None and f.__dict__.get("_bg_force"):
            plan = st.forced(nums, room)
        if plan is None:
            return 0
        return 1 if self._add_with(f, canv, trySplit, base, plan) else 0

    def _add_with(self, f, canv, trySplit, base: float, plan) -> bool:
        """Try `f` with `plan`'s notes reserved below it; keep the reservation only if it fits."""
        st = self._notes
        self._y1p = base + plan.used
        if Frame._add(self, f, canv, trySplit):
            st.commit(plan)
            self._y1p = self._y1 + st.height
            return True
        self._y1p = base
        return False

    def _wrap(self, f, canv, avail: float):
        with _attached(f, self, canv):
            return f.wrap(self._getAvailableWidth(), avail)

    def _room_beside(self, f, canv, base: float) -> float | None:
        """Room left for notes under `f` if it went here, or None if `f` does not fit."""
        avail = self._y - base - self._space_before(f)
        if avail <= 0:
            return None
        h = self._wrap(f, canv, avail)[1]
        return avail - h if h <= avail + FUZZ else None

    def split(self, f, canv):
        st = self._notes
        base = self._y1 + st.height
        self._y1p = base
        avail = self._y - base - self._space_before(f)
        if avail <= 0 and not getattr(f, "_ZEROSIZE", False):
            return []
        h = avail
        for _ in range(12):
            S = self._split(f, canv, h)
            if not S:
                break
            first = S[0]
            if (not isinstance(first, Flowable) or isinstance(first, ActionFlowable)
                    or getattr(first, "frameAction", None)):
                return S
            if isinstance(first, DDIndenter) and not isinstance(f, DDIndenter):
                return S     # list items: reportlab queues them all again, each is placed on its own
            nums = st.new(_notes_in(first))
            if not nums:
                return S
            room = self._room_beside(first, canv, base)
            if room is not None and not st.closed:
                if st.used_full(nums) <= room + FUZZ:
                    return S
                if st.may_split(nums) and st.plan(nums, room) is not None:
                    return S
            new_h = self._shrink(f, first, nums, avail, h)
            if new_h is None:
                if isinstance(f, (Paragraph, Table, DDIndenter)) or first is f:
                    return self._give_up(f, canv, avail)
                sub = self.split(first, canv)      # a container's content: split its first part
                return sub + S[1:] if sub else self._give_up(f, canv, avail)
            h = new_h
        return self._give_up(f, canv, avail)

    def _give_up(self, f, canv, avail: float):
        if self._notes.closed or (self._atTop and self._notes.items):
            # a continued note takes the room: move on, or `f` would be postponed twice
            return [FrameBreak, f]
        if self._atTop:
            # its notes cannot fit even on an empty page: place it, carry what does not fit
            S = self._split(f, canv, avail)
            if not S and self._wrap(f, canv, avail)[1] > avail + FUZZ:
                return []  # taller than a page by itself and unsplittable: reportlab reports it
            S = S or [f]
            first = S[0]
            if isinstance(first, Flowable) and not isinstance(first, ActionFlowable) and (
                    isinstance(f, DDIndenter) or not isinstance(first, DDIndenter)):
                first.__dict__["_bg_force"] = True
                return S
        return []

    def _split(self, f, canv, h: float):
        with _attached(f, self, canv):
            return f.split(self._getAvailableWidth(), h)

    def _shrink(self, f, first, nums, avail: float, h: float) -> float | None:
        """A smaller height to split `f` at, or None if shrinking cannot help."""
        st = self._notes
        if isinstance(f, DDIndenter):
            f = f._flowable
            first = first._flowable if isinstance(first, DDIndenter) else first
        if isinstance(f, Paragraph) and isinstance(first, Paragraph) and hasattr(f, "blPara") \
                and not getattr(f.style, "autoLeading", ""):
            lines = f.blPara.lines
            lead = f.style.leading
            keep, seen = 0, []
            for i, line in enumerate(lines):
                seen = seen + st.new(_line_notes(line))
                body = (i + 1) * lead
                if body > avail + FUZZ or not self._fits_notes(seen, avail - body):
                    break
                keep = i + 1
            new_h = keep * lead + 0.01
            return new_h if 0 < keep and new_h < h else None
        if isinstance(f, Table) and getattr(f, "_rowHeights", None):
            return self._shrink_table(f, avail, h)
        if st.closed:
            new_h = h - 2 * BODY_LEADING
        else:
            new_h = min(h - BODY_LEADING, avail - st.used_full(nums))
        return new_h if new_h > 0 else None

    def _fits_notes(self, nums: list[int], room: float) -> bool:
        st = self._notes
        if not nums:
            return room >= -FUZZ
        if st.closed or room <= 0:
            return False
        return st.used_full(nums) <= room + FUZZ or (st.may_split(nums) and st.plan(nums, room) is not None)

    def _shrink_table(self, f: Table, avail: float, h: float) -> float | None:
        """The height of the most rows that fit here together with their notes."""
        st = self._notes
        body, keep, seen = 0.0, 0, []
        for i, (row, rh) in enumerate(zip(f._cellvalues, f._rowHeights)):
            if rh is None:
                break
            body += rh
            seen = seen + st.new(_notes_in(row))
            if body > avail + FUZZ or not self._fits_notes(seen, avail - body):
                break
            keep = i + 1
        new_h = sum(f._rowHeights[:keep]) + 0.01
        return new_h if keep > f.repeatRows and new_h < h else None


class _FlushNotes(Flowable):
    """Last in the story: adds pages while a continued note still has text to show."""

    _ZEROSIZE = 1

    def wrap(self, aW, aH):
        frame = self._doctemplateAttr("frame")
        doc = getattr(getattr(self, "canv", None), "_doctemplate", None)
        if frame is not None and doc is not None and doc._notes.carry:
            frame.add_generated_content(FrameBreak, _FlushNotes())
        return 0, 0

    def draw(self):
        pass


# --- document ----------------------------------------------------------------------


class _Doc(BaseDocTemplate):
    def __init__(self, out: BinaryIO, meta: t.Meta, size, notes: _Notes, page_refs=()) -> None:
        self.meta = meta
        self._notes = notes
        self._page_refs = list(page_refs)
        self._heading_pages: dict[str, int] = {}
        self._logo = self._load_logo()
        self._outline_level = -1
        super().__init__(
            out, pagesize=size, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=_clean(meta.title), author=_clean(meta.author),
            subject=_clean(meta.subject), creator="briefgen", keywords=[_clean(k) for k in meta.keywords],
            invariant=1, pageCompression=1, lang=meta.language or None, displayDocTitle=1,
            initialFontName=fonts.FAMILY, initialFontSize=BODY_SIZE)
        frame = _NoteFrame(notes, MARGIN_X, MARGIN_BOTTOM, size[0] - 2 * MARGIN_X,
                           size[1] - MARGIN_TOP - MARGIN_BOTTOM, leftPadding=0, rightPadding=0,
                           topPadding=0, bottomPadding=0, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._decorate, pagesize=size)])

    # hooks ----------------------------------------------------------------------------

    def beforeDocument(self) -> None:
        canv = self.canv
        canv.setNamedCB(FN, self._on_reference)
        self._notes.canv = canv
        stamp = _pdf_date(self.meta.date)
        canv.setDateFormatter(lambda *_: stamp)

    def handle_pageBegin(self) -> None:
        self._notes.start_page()
        super().handle_pageBegin()

    def afterPage(self) -> None:
        frame = self.pageTemplate.frames[0]
        self._notes.end_page(self.canv, frame._x1, frame._y1)

    def afterFlowable(self, f) -> None:
        dest = getattr(f, "__dict__", {}).get("_bg_dest")
        if dest is not None:
            self._heading_pages.setdefault(dest, self.canv.getPageNumber())
        info = getattr(f, "_bg_outline", None)
        if info is None or "_bg_outline" not in getattr(f, "__dict__", {}):
            return
        title, dest, level = info
        lvl = max(0, min(level - 1, self._outline_level + 1))
        self._outline_level = lvl
        self.canv.addOutlineEntry(title, dest, level=lvl, closed=lvl >= 2)
        if not getattr(self, "_outline_shown", False):
            self.canv.showOutline()
            self._outline_shown = True

    def _on_reference(self, canv, kind, label) -> None:
        self._notes.refs.append(int(label))

    def _endBuild(self) -> None:
        self._doSave = 0
        super()._endBuild()
        canv = self.canv
        # named destinations (heading ids, notes) in the catalog: file.pdf#id opens there
        dests = {k: d for k, d in sorted(canv._destinations.items())
                 if getattr(d, "fmt", None) is not None and getattr(d, "page", None) is not None}
        if dests:
            canv._doc.Catalog.Dests = PDFDictionary(dests)
        total = canv.getPageNumber() - 1
        for n in range(1, total + 1):
            canv.beginForm(f"bgpg{n}", lowerx=-300, lowery=-4, upperx=0, uppery=12)
            canv.setFont(fonts.FAMILY, 7.5)
            canv.setFillColor(MUTED)
            canv.drawRightString(0, 0, f"Page {n} of {total}")
            canv.endForm()
        for form, dest in self._page_refs:
            canv.beginForm(form, lowerx=-60, lowery=-4, upperx=0, uppery=12)
            canv.setFont(fonts.FAMILY, BODY_SIZE)
            canv.setFillColor(INK)
            page = self._heading_pages.get(dest)
            canv.drawRightString(0, 0, str(page) if page else "")
            canv.endForm()
        canv.save()

    # page furniture -------------------------------------------------------------------

    def _decorate(self, canv, doc) -> None:
        """Running header (logo, header text, marking, date) and footer (footer text,
        marking, "Page N of M")."""
        w, h = self.pagesize
        left, right = MARGIN_X, w - MARGIN_X
        meta = self.meta
        canv.saveState()
        y = h - HEADER_Y
        marking = _clean(meta.classification).strip()
        x = left
        if self._logo is not None:
            image, lw, lh = self._logo
            canv.drawImage(image, left, y - 2, width=lw, height=lh, mask="auto")
            x += lw + 6
        canv.setFillColor(MUTED)
        header = _clean(getattr(meta, "header", "") or meta.title).strip()
        room = (w / 2 - x - 40) if marking else (right - x - 60)
        _draw_text(canv, x, y, fonts.ellipsize(header, "regular", 7.5, room), "regular", 7.5, "start")
        if meta.date:
            _draw_text(canv, right, y, _clean(meta.date), "regular", 7.5, "end")
        if marking:
            canv.setFillColor(MARKING)
            _draw_text(canv, w / 2, y, marking, "bold", 8, "middle")
            _draw_text(canv, w / 2, FOOTER_Y, marking, "bold", 8, "middle")
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(left, y - 5, right, y - 5)
        canv.line(left, FOOTER_Y + 10, right, FOOTER_Y + 10)
        canv.setFillColor(MUTED)
        footer = _clean(getattr(meta, "footer", "") or "").strip()
        if footer:
            room = (w / 2 - left - 50) if marking else (right - left - 90)
            _draw_text(canv, left, FOOTER_Y, fonts.ellipsize(footer, "regular", 7.5, room), "regular", 7.5, "start")
        canv.translate(right, FOOTER_Y)
        canv.doForm(f"bgpg{canv.getPageNumber()}")
        canv.restoreState()

    def _load_logo(self):
        """The header logo as (image, width, height), 8 mm tall, or None."""
        path = getattr(self.meta, "logo", "") or ""
        if not path:
            return None
        from reportlab.lib.utils import ImageReader

        try:
            image = ImageReader(path)
            iw, ih = image.getSize()
        except Exception as exc:   # reportlab raises plain OSError/ValueError subclasses
            raise BriefgenError.one(f"cannot read the logo image: {exc}", file=path, field="look.logo",
                                    hint="give a PNG or JPEG file", kind="template") from exc
        lh = 8 * mm
        return image, lh * iw / max(ih, 1), lh


def _pdf_date(iso: str) -> str:
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?", iso or "")
    if not m:
        return "D:20000101000000+00'00'"
    y, mo, d, hh, mi, ss = (int(v) if v else 0 for v in m.groups())
    return f"D:{y:04d}{mo:02d}{d:02d}{hh:02d}{mi:02d}{ss:02d}+00'00'"


@contextmanager
def _attached(f, frame, canv):
    """Give flowable `f` the frame and canvas reportlab's wrap/split expect, then take them back."""
    f._frame, f.canv = frame, canv
    try:
        yield
    finally:
        for a in ("canv", "_frame"):
            if hasattr(f, a):
                delattr(f, a)


def _draw_text(canv, x: float, y: float, text: str, role: str, size: float, anchor: str) -> None:
    """Draw one line with CJK runs in the CJK font; anchor is start, middle or end."""
    if anchor != "start":
        w = fonts.text_width(text, role, size)
        x -= w / 2 if anchor == "middle" else w
    for part, cjk in fonts.runs(text):
        r = "cjk" if cjk else role
        canv.setFont(fonts.reportlab_name(r), size)
        canv.drawString(x, y, part)
        x += fonts.text_width(part, r, size)
