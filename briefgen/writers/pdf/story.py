"""Story building: the document tree to reportlab flowables, and the note bodies.

:class:`Builder` walks the tree once, in the order :func:`briefgen.tree.walk_notes`
gives, so note N here is note N in every format. Each reference becomes a superscript
linked to its note plus an ``<onDraw>`` marker the note-reserving frame reads
(:mod:`~briefgen.writers.pdf.notes`). Where a block sits decides what it may become:
that is the :class:`Place` of the builder's :class:`Ctx`; which paragraph styles apply
is its :class:`Voice`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import assert_never

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (CondPageBreak, Flowable, HRFlowable, Indenter, ListFlowable, ListItem,
                                PageBreak, Paragraph, Spacer, Table, TableStyle, XPreformatted)

from briefgen import fonts, look
from briefgen import tree as t
from briefgen.writers.pdf.frame import FlushNotes
from briefgen.writers.pdf.furniture import PageRef
from briefgen.writers.pdf.internals import Box, BoxEnd, Bullets, Para, right_to_left
from briefgen.writers.pdf.notes import MARK
from briefgen.writers.pdf.styles import (BODY_LEADING, BODY_SIZE, CELL_SIZE, INK, LINK, NOTE_SIZE, RULE, TINT,
                                         ZEBRA, accent, paragraph_styles)
from briefgen.writers.pdf.tables import boxed_table, data_table, first_rows_height
from briefgen.writers.pdf.text import attr, bold, bold_style, clean, esc, long_cjk, needs_shaping, shaping

_SAFE_DEST = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")


class Place(Enum):
    """Where the flowables being built go, which decides what they may be."""

    PAGE = "page"           # straight into the page frame: page breaks, outline entries, boxes the frame draws
    PAGE_BOX = "page box"   # into the frame, inside a box it draws (a callout or quote): may still break
                            # across pages, but starts no box, page break or outline entry of its own
    FLOW = "flow"           # inside another flowable (list item, note, table cell, title block): splits
                            # with it, but gives the frame no commands
    WHOLE = "whole"         # inside a box drawn as one table cell: nothing here splits across pages

    @property
    def in_frame(self) -> bool:
        return self in (Place.PAGE, Place.PAGE_BOX)

    def nested(self) -> Place:
        """The place of what goes inside a flowable built here."""
        return Place.WHOLE if self is Place.WHOLE else Place.FLOW

    def boxed(self) -> Place:
        """The place of a box's content: the frame draws a box on the page; anywhere
        else the box is a one-cell table."""
        return Place.PAGE_BOX if self is Place.PAGE else Place.WHOLE


class Voice(IntEnum):
    """Whose text it is, which picks the paragraph styles. Ordered: inside a note every
    paragraph is note text, even in a quote or a table cell."""

    BODY = 0
    QUOTE = 1
    CELL = 2
    NOTE = 3


@dataclass(frozen=True)
class Ctx:
    width: float
    place: Place = Place.PAGE
    voice: Voice = Voice.BODY

    def inside(self, width: float | None = None, voice: Voice = Voice.BODY, boxed: bool = False) -> Ctx:
        """The context of content nested here: `width` wide, in a box if `boxed`."""
        place = self.place.boxed() if boxed else self.place.nested()
        return Ctx(self.width if width is None else width, place, max(self.voice, voice))


_PARA_STYLE = {Voice.BODY: "body", Voice.QUOTE: "quote", Voice.CELL: "cell", Voice.NOTE: "note_item"}
_ITEM_STYLE = {Voice.BODY: "item", Voice.QUOTE: "item", Voice.CELL: "cell", Voice.NOTE: "note_item"}


class Builder:
    """Turns the tree into a story of flowables plus the note bodies, numbered in walk order."""

    def __init__(self, doc: t.Document, width: float, height: float = 1e9) -> None:
        self.doc = doc
        self.width = width
        self.height = height     # of the body frame
        self.accent = accent(doc.meta)
        self.st = paragraph_styles(self.accent)
        self.notes: list[list[Flowable]] = []
        self.expected = t.walk_notes(doc)
        self.dests: dict[str, str] = {}
        self.page_refs: list[tuple[str, str]] = []   # (form name, heading destination)
        self._scenes: dict = {}
        self._collect_ids(doc.blocks)

    def story(self) -> list[Flowable]:
        flows = self.blocks(self.doc.blocks, Ctx(self.width))
        if len(self.notes) != len(self.expected):   # pragma: no cover - walk order drifted
            raise RuntimeError(f"numbered {len(self.notes)} notes, tree has {len(self.expected)}")
        flows.append(FlushNotes())
        return flows

    def _collect_ids(self, blocks) -> None:
        for b in blocks:
            if isinstance(b, t.Heading) and b.id and b.id not in self.dests:
                self.dests[b.id] = b.id if _SAFE_DEST.match(b.id) and not b.id.startswith("__") \
                    else f"__h{len(self.dests) + 1}"
            self._collect_ids(tuple(t.child_blocks(b)))

    # blocks ---------------------------------------------------------------------------

    def blocks(self, blocks, ctx: Ctx) -> list[Flowable]:
        built = [self.block(b, ctx) for b in blocks]
        needs: dict[int, float] = {}
        if ctx.place.in_frame:
            # a heading needs room for itself, any headings right after it, and the start
            # of what follows
            for i in range(len(blocks) - 1, -1, -1):
                b = blocks[i]
                if isinstance(b, t.Heading):
                    own = self._heading_height(b, ctx.width)
                    if i + 1 in needs:
                        after = needs[i + 1]
                    elif i + 1 < len(blocks):
                        after = self._start_height(blocks[i + 1], ctx, built[i + 1], self.height - own)
                    else:
                        after = 0.0
                    needs[i] = own + after
        out: list[Flowable] = []
        for i, flows in enumerate(built):
            if i in needs:
                out.append(CondPageBreak(needs[i]))
            out.extend(flows)
        return out

    def block(self, b: t.Block, ctx: Ctx) -> list[Flowable]:
        match b:
            case t.Para():
                return [self.para(b.children, self.st[_PARA_STYLE[ctx.voice]], ctx)]
            case t.Heading():
                return [self.heading(b, ctx)]
            case t.BulletList() | t.OrderedList():
                return [self.list(b, ctx)]
            case t.Table():
                return [self.table(b, ctx)]
            case t.Callout():
                return self.callout(b, ctx)
            case t.BlockQuote():
                return self.quote(b, ctx)
            case t.CodeBlock():
                return [self.code(b, ctx)]
            case t.Rule():
                return [HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=4, spaceAfter=10)]
            case t.PageBreak():
                return [PageBreak()] if ctx.place is Place.PAGE else []
            case t.TimelineFigure():
                return self.figure(b, ctx)
            case t.Toc():
                return self.toc(b, ctx)
            case _:
                assert_never(b)

    def para(self, inlines, style: ParagraphStyle, ctx: Ctx, *, prefix: str = "", **kw) -> Paragraph:
        return Para(*self.markup(inlines, style, ctx, prefix=prefix), **kw)

    def markup(self, inlines, style: ParagraphStyle, ctx: Ctx, *, prefix: str = "") -> tuple[str, ParagraphStyle]:
        """A paragraph's markup and style (numbering the notes it references), not yet parsed."""
        markup = prefix + self.inlines(inlines, ctx)
        if bold_style(style):
            markup = bold(markup)
        if long_cjk(markup):
            style = ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")
        elif needs_shaping(markup):
            style = shaping(style, self.doc.meta.language)
        return markup, style

    def heading(self, b: t.Heading, ctx: Ctx) -> Paragraph:
        level = max(1, min(b.level, 4))
        dest = self.dests.get(b.id)
        anchor = f'<a name="{attr(dest)}"/>' if dest else ""
        if ctx.voice >= Voice.CELL:      # in a note or a cell: a bold paragraph
            p = self.para((t.Strong(b.children),), self.st[_PARA_STYLE[ctx.voice]], ctx, prefix=anchor)
        else:
            p = self.para(b.children, self.st[f"h{level}"], ctx, prefix=anchor)
        if dest:
            p._bg_dest = dest
        if ctx.place is Place.PAGE and dest:
            p._bg_outline = (clean(t.plain_text(b.children)).strip() or dest, dest, b.level)
        return p

    def toc(self, b: t.Toc, ctx: Ctx) -> list[Flowable]:
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
            text = esc(t.plain_text(h.children).strip())
            if bold_style(style):
                text = bold(text)
            if needs_shaping(text):
                style = shaping(style, self.doc.meta.language)
            rows.append([Para(f'<a href="#{attr(dest)}">{text}</a>', style),
                         PageRef(f"bgtoc{len(self.page_refs) + 1}", style)])
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

    def _start_height(self, b, ctx: Ctx, flows: list[Flowable], room: float) -> float:
        """Roughly how much of block `b` (made into `flows`) should follow its heading on
        the same page, which leaves it `room` at most."""
        match b:
            case t.TimelineFigure():
                return self._figure_need(b, ctx)
            case t.Table():
                # the header and first row (they move together), unless that is more than
                # a page holds: then the row splits across pages wherever it starts
                first = first_rows_height(flows[0], ctx.width) if flows else 0.0
                return first if 4 * 16.0 < first <= room else 4 * 16.0
            case t.Callout():
                return 6 * BODY_LEADING
            case t.Para():
                chars = len(t.plain_text(b.children))
                return min(4, max(1, math.ceil(chars * BODY_SIZE * 0.55 / ctx.width))) * BODY_LEADING + 6
            case _:
                return 4 * BODY_LEADING

    def _figure_need(self, b: t.TimelineFigure, ctx: Ctx) -> float:
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

    def list(self, b: t.BulletList | t.OrderedList, ctx: Ctx) -> ListFlowable:
        note = ctx.voice is Voice.NOTE
        indent = 14 if note else 16
        inner = ctx.inside(ctx.width - indent)
        item_style = self.st[_ITEM_STYLE[ctx.voice]]
        if ctx.voice is Voice.QUOTE:
            item_style = ParagraphStyle("quote_item", parent=item_style, textColor=self.st["quote"].textColor)
        items = []
        for item in b.items:
            flows = []
            for child in item:
                if isinstance(child, t.Para):
                    flows.append(self.para(child.children, item_style, inner))
                else:
                    flows.extend(self.block(child, inner))
            if flows and right_to_left(flows[0]):
                # bullet on the right, the indent mirrored; "1." read right to left is ".1"
                rtl = dict(bulletFormat=".%s") if isinstance(b, t.OrderedList) else {}
                items.append(ListItem(flows, leftIndent=0, rightIndent=indent, bulletDir="rtl", bulletAlign="right",
                                      **rtl))
            else:
                items.append(ListItem(flows or [Spacer(0, 0)]))
        size = {Voice.NOTE: NOTE_SIZE, Voice.CELL: CELL_SIZE}.get(ctx.voice, BODY_SIZE)
        kw = dict(leftIndent=indent, bulletFontName=fonts.FAMILY, bulletFontSize=size,
                  bulletColor=self.accent if not note else INK, spaceAfter=0 if ctx.voice >= Voice.CELL else 4)
        if isinstance(b, t.OrderedList):
            return Bullets(items, bulletType="1", start=b.start, bulletFormat="%s.", **kw)
        return Bullets(items, bulletType="bullet", start="\u2022", **kw)

    def table(self, b: t.Table, ctx: Ctx) -> Flowable:
        ncols = max([len(b.header)] + [len(r) for r in b.rows] + [1])
        widths = fonts.table_widths(b, ncols, ctx.width, size=CELL_SIZE, pad=10.0)
        aligns = list(b.aligns) + [""] * ncols
        cell_ctx = ctx.inside(0, Voice.CELL)
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
            ("FONT", (0, 0), (-1, -1), fonts.FAMILY, CELL_SIZE),   # else the table selects Helvetica
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
        return data_table(data, head, widths, cell_cmds, draw_cmds, whole=ctx.place is Place.WHOLE,
                          spaceBefore=2, spaceAfter=10 if ctx.voice is not Voice.NOTE else 3)

    def _cell_style(self, align: str, head: bool) -> ParagraphStyle:
        base = self.st["cell_head" if head else "cell"]
        if align in ("center", "right"):
            return ParagraphStyle(base.name + "-" + align, parent=base,
                                  alignment=TA_CENTER if align == "center" else TA_RIGHT)
        return base

    def callout(self, b: t.Callout, ctx: Ctx) -> list[Flowable]:
        if not b.title and not b.blocks:
            return []
        if b.kind == "titleblock" and ctx.place is Place.PAGE:
            out: list[Flowable] = [self.para(b.title, self.st["title"], ctx)]
            sub = ctx.inside()
            for child in b.blocks:
                if isinstance(child, t.Para):
                    out.append(self.para(child.children, self.st["subtitle"], sub))
                else:
                    out.extend(self.block(child, sub))
            out.append(HRFlowable(width="100%", thickness=1.2, color=self.accent, spaceBefore=6,
                                  spaceAfter=14))
            return out
        pad_l, pad_r = 12.0, 10.0
        inner = ctx.inside(ctx.width - pad_l - pad_r, boxed=True)
        body: list[Flowable] = []
        if b.title:
            body.append(self.para(b.title, self.st["callout_title"], inner))
        body.extend(self.blocks(b.blocks, inner))
        if ctx.place is Place.PAGE:
            return [CondPageBreak(5 * BODY_LEADING), Spacer(0, 2), Box(TINT, self.accent),
                    Indenter(pad_l, pad_r), Spacer(0, 8), *body, Spacer(0, 2),
                    Indenter(-pad_l, -pad_r), BoxEnd(), Spacer(0, 10)]
        return [boxed_table(body, ctx.width, TINT, self.accent)]

    def quote(self, b: t.BlockQuote, ctx: Ctx) -> list[Flowable]:
        indent = 14.0
        inner = ctx.inside(ctx.width - indent, Voice.QUOTE, boxed=True)
        body = [f for c in b.blocks for f in self.block(c, inner)]
        if ctx.place is Place.PAGE:
            return [Box(None, RULE), Indenter(indent, 0), *body, Indenter(-indent, 0), BoxEnd(), Spacer(0, 4)]
        return [boxed_table(body, ctx.width, None, RULE)]

    def code(self, b: t.CodeBlock, ctx: Ctx) -> Flowable:
        style = self.st["note_code"] if ctx.voice is Voice.NOTE else self.st["code"]
        width = (ctx.width or self.width) - 12
        per_line = max(20, int(width / (0.6021 * style.fontSize)))
        lines = []
        for line in look.drop_illegal(b.text.replace("\t", "    ")).rstrip("\n").split("\n"):
            line = line.rstrip("\r")
            while len(line) > per_line:
                lines.append(line[:per_line])
                line = line[per_line:]
            lines.append(line)
        return XPreformatted("\n".join(esc(line, clean_first=False) for line in lines), style)

    def figure(self, b: t.TimelineFigure, ctx: Ctx) -> list[Flowable]:
        from briefgen.figures.paint_drawing import to_drawing

        scene = self._scene(b, ctx.width or self.width)
        drawing = to_drawing(scene)
        drawing.hAlign = "CENTER"
        out: list[Flowable] = []
        if ctx.place.in_frame:
            out.append(CondPageBreak(self._figure_need(b, ctx)))
        out.append(Spacer(0, 4))
        out.append(drawing)
        if b.caption:
            out.append(self.para(b.caption, self.st["caption"], ctx))
        else:
            out.append(Spacer(0, 10))
        return out

    # inlines --------------------------------------------------------------------------

    def inlines(self, items: tuple[t.Inline, ...], ctx: Ctx, *, in_link: bool = False) -> str:
        """Paragraph markup for `items`; inside a link (`in_link`) links and note marks
        are not links again."""
        out = []
        for node in items:
            match node:
                case t.Text():
                    out.append(esc(node.text))
                case t.Emph():
                    out.append(f"<i>{self.inlines(node.children, ctx, in_link=in_link)}</i>")
                case t.Strong():
                    out.append(f"<b>{bold(self.inlines(node.children, ctx, in_link=in_link))}</b>")
                case t.Code():
                    out.append(f'<font name="{fonts.MONO}">{esc(node.text)}</font>')
                case t.Link():
                    out.append(self.link(node, ctx, in_link))
                case t.LineBreak():
                    out.append("<br/>")
                case t.Note():
                    out.append(self.note_ref(node, ctx, in_link))
                case _:
                    assert_never(node)
        return "".join(out)

    def link(self, node: t.Link, ctx: Ctx, in_link: bool) -> str:
        inner = self.inlines(node.children, ctx, in_link=True)
        url = clean(node.url).strip()
        if in_link:
            return inner
        if node.internal:
            dest = self.dests.get(url[1:])
            if dest is None:
                return inner
            href = "#" + dest
        elif node.followable:     # see tree.Link.followable
            href = url
        else:
            return inner
        return f'<a href="{attr(href)}" color="{LINK}">{inner}</a>'

    def note_ref(self, node: t.Note, ctx: Ctx, in_link: bool) -> str:
        if ctx.voice is Voice.NOTE:   # notes inside notes are not numbered anywhere: keep the text
            text = " ".join(t.plain_text(r) for blk in node.blocks for r in t.block_inlines(blk))
            return esc(f" ({text.strip()})") if text.strip() else ""
        n = len(self.notes) + 1
        if n > len(self.expected) or self.expected[n - 1] is not node:   # pragma: no cover
            raise RuntimeError("note order differs from tree.walk_notes")
        self.notes.append(self.note_body(node, n))
        sup = f"<super>{n}</super>"
        if not in_link:
            sup = f'<a href="#__fn{n}" color="{LINK}">{sup}</a>'
        return f'{sup}<onDraw name="{MARK}" label="{n}"/>'

    def note_body(self, node: t.Note, n: int) -> list[Flowable]:
        ctx = Ctx(self.width, Place.FLOW, Voice.NOTE)
        flows: list[Flowable] = []
        for i, blk in enumerate(node.blocks):
            if i == 0 and isinstance(blk, t.Para):
                flows.append(self.para(blk.children, self.st["note"], ctx, bulletText=str(n)))
            else:
                flows.extend(self.block(blk, ctx))
        if not flows or not (isinstance(flows[0], Paragraph) and flows[0].bulletText):
            flows.insert(0, Para("", self.st["note"], bulletText=str(n)))
        return flows
