"""The blocks, inlines and notes of a briefing as HTML.

Every value is escaped here (:func:`text` and :func:`attr`), so data reads literally and
never becomes markup. Notes are numbered in the order :func:`briefgen.tree.walk_notes`
gives, as in the Word and PDF files. Each reference links to its note and each note
back to its reference, with the DPUB-ARIA roles pandoc uses (``doc-noteref``,
``doc-footnote``, ``doc-backlink``); a top-level block that holds references is written
as a *unit*, the block followed by its notes, which the stylesheet sets beside the block
on wide screens and gathers below the section on narrow ones.
"""

from __future__ import annotations

import re
from html import escape
from typing import assert_never

from briefgen import bidi, fonts, look
from briefgen import tree as t

FIGURE_WIDTH = 6.3 * 72   # points: the width the Word file draws the timeline at, so it is the same scene
TABLE_WIDTH = 620.0       # points: about a wide screen's table, 14 px text, to share columns out by their words
_ALIGN = {"right": ' class="r"', "center": ' class="c"'}


def text(value: str) -> str:
    """`value` as HTML text: markup characters escaped, characters no document holds
    dropped; a value the render stage isolated (FSI ... PDI round right-to-left text) is a
    ``<bdi>``, so it neither sets nor takes its neighbours' direction."""
    out = escape(look.drop_illegal(value), quote=False)
    return _ISOLATED.sub(r"<bdi>\1</bdi>", out) if "\u2068" in out else out


_ISOLATED = re.compile("\u2068([^\u2066-\u2069]*)\u2069")


def attr(value: str) -> str:
    """`value` as an attribute value (in double quotes)."""
    return escape(look.drop_illegal(value), quote=True)


class Body:
    """Writes blocks and inlines; numbers the notes and keeps those not yet written."""

    def __init__(self, doc: t.Document) -> None:
        self.doc = doc
        self.level = bidi.default_level(doc.meta.language)   # the page's direction: 1 right to left
        self.turned = False                         # whether any element's direction differs from it
        self.count = 0                              # notes numbered so far
        self.pending: list[tuple[int, t.Note]] = []  # referenced, not yet written
        self.ids: dict[str, int] = {}               # per kind, the last id made
        self.deferred: list[str] = []               # note references met inside a link

    def unit(self, block: t.Block) -> str:
        """A top-level block followed by the notes it references, if any."""
        html = self.block(block)
        notes = self.notes()
        if not notes:
            return html
        kind = "unit wide" if isinstance(block, (t.Table, t.TimelineFigure)) else "unit"
        return f'<div class="{kind}">{html}\n<div class="notes">{notes}</div></div>'

    def notes(self) -> str:
        """The notes referenced since the last call (and those their notes reference)."""
        out = []
        while self.pending:
            number, note = self.pending.pop(0)
            out.append(self.note(number, note))
        return "\n".join(out)

    def new_id(self, kind: str) -> str:
        """A fresh id such as ``callout:2``; heading ids never hold a colon, so none clash."""
        self.ids[kind] = self.ids.get(kind, 0) + 1
        return f"{kind}:{self.ids[kind]}"

    # blocks -------------------------------------------------------------------------

    def blocks(self, blocks: tuple[t.Block, ...]) -> str:
        return "\n".join(self.block(b) for b in blocks)

    def dir(self, inlines: tuple[t.Inline, ...]) -> str:
        """The ``dir`` attribute for an element holding `inlines`: its paragraph direction
        from its own text (first strong character outside isolates, UAX #9 P2-P3), written
        only where it differs from the page's, so left-to-right pages pay nothing. Not
        ``dir="auto"``: a browser would take the first letter inside an isolated value."""
        plain = t.plain_text(inlines)
        if plain.isascii() and not self.level:
            return ""
        level = bidi.paragraph_level(plain, self.level)
        if level == self.level:
            return ""
        self.turned = True
        return ' dir="rtl"' if level else ' dir="ltr"'

    def block(self, block: t.Block) -> str:
        match block:
            case t.Para():
                return f"<p{self.dir(block.children)}>{self.inlines(block.children)}</p>"
            case t.Heading():
                level = heading_level(block)
                return (f'<h{level} id="{attr(block.id)}"{self.dir(block.children)}>'
                        f'{self.inlines(block.children)}</h{level}>')
            case t.BulletList():
                return "<ul>\n" + "\n".join(self.item(i) for i in block.items) + "\n</ul>"
            case t.OrderedList():
                start = f' start="{block.start}"' if block.start != 1 else ""
                return f"<ol{start}>\n" + "\n".join(self.item(i) for i in block.items) + "\n</ol>"
            case t.BlockQuote():
                return f"<blockquote>\n{self.blocks(block.blocks)}\n</blockquote>"
            case t.Callout():
                return self.titleblock(block) if block.kind == "titleblock" else self.callout(block)
            case t.Table():
                return self.table(block)
            case t.CodeBlock():
                return f"<pre><code>{text(block.text)}</code></pre>"
            case t.Rule():
                return "<hr>"
            case t.PageBreak():
                return '<div class="page-break"></div>'
            case t.TimelineFigure():
                return self.figure(block)
            case t.Toc():
                return self.toc(block)
            case _:
                assert_never(block)

    def item(self, blocks: tuple[t.Block, ...]) -> str:
        if len(blocks) == 1 and isinstance(blocks[0], t.Para):   # a tight item: no paragraph around it
            return f"<li{self.dir(blocks[0].children)}>{self.inlines(blocks[0].children)}</li>"
        first = blocks[0].children if blocks and isinstance(blocks[0], t.Para) else ()
        return f"<li{self.dir(first)}>{self.blocks(blocks)}</li>"

    def titleblock(self, block: t.Callout) -> str:
        """The document's title, with the lines under it as subtitles."""
        lines = [f'<p class="subtitle"{self.dir(b.children)}>{self.inlines(b.children)}</p>' if isinstance(b, t.Para)
                 else self.block(b) for b in block.blocks]
        title = f"<h1{self.dir(block.title)}>{self.inlines(block.title)}</h1>"
        return '<div class="titleblock">\n' + "\n".join([title, *lines]) + "\n</div>"

    def callout(self, block: t.Callout) -> str:
        """A boxed aside such as "Key judgments", named by its title."""
        if not block.title:
            return f'<aside class="callout" role="note">\n{self.blocks(block.blocks)}\n</aside>'
        ident = self.new_id("callout")
        return (f'<aside class="callout" role="note" aria-labelledby="{ident}">\n'
                f'<p class="callout-title" id="{ident}"{self.dir(block.title)}>{self.inlines(block.title)}</p>\n'
                f"{self.blocks(block.blocks)}\n</aside>")

    def table(self, block: t.Table) -> str:
        ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
        aligns = [_ALIGN.get(a, "") for a in block.aligns] + [""] * ncols
        widths = fonts.table_widths(block, ncols, TABLE_WIDTH, size=10.5, pad=14.0)
        cols = "".join(f'<col style="width:{w * 100 / sum(widths):.2f}%">' for w in widths)
        # three columns or more become one card per row on a narrow screen, each cell labelled
        cards = block.header and ncols >= 3
        out = ['<table class="cards">' if cards else "<table>", f"<colgroup>{cols}</colgroup>"]
        labels = [""] * ncols
        if block.header:
            cells = [block.header[i] if i < len(block.header) else () for i in range(ncols)]
            out.append("<thead><tr>" + "".join(f'<th scope="col"{aligns[i]}{self.dir(c)}>{self.inlines(c)}</th>'
                                               for i, c in enumerate(cells)) + "</tr></thead>")
            if cards:
                labels = [f' data-label="{attr(t.plain_text(c).strip())}"' if t.plain_text(c).strip() else ""
                          for c in cells]
        out.append("<tbody>")
        for row in block.rows:
            cells = [row[i] if i < len(row) else () for i in range(ncols)]
            out.append("<tr>" + "".join(f"<td{aligns[i]}{labels[i]}{self.dir(c)}>{self.inlines(c)}</td>"
                                        for i, c in enumerate(cells)) + "</tr>")
        out.append("</tbody></table>")
        return "\n".join(out)

    def figure(self, block: t.TimelineFigure) -> str:
        """The timeline as inline SVG, from the scene the PDF and Word files draw; it
        scrolls sideways on a screen too narrow to read it whole."""
        from briefgen.figures import paint_svg, timeline

        ident = self.new_id("figure")
        name = t.plain_text(block.caption).strip() or "Timeline"
        svg = paint_svg.to_svg(timeline.layout(block, FIGURE_WIDTH), name, ident)
        caption = f"\n<figcaption{self.dir(block.caption)}>{self.inlines(block.caption)}</figcaption>" if block.caption else ""
        return (f'<figure class="timeline">\n<div class="scroll" tabindex="0" role="group" '
                f'aria-label="{attr(name)}">\n{svg}\n</div>{caption}\n</figure>')

    def toc(self, block: t.Toc) -> str:
        """The contents: the document's headings, linked, nested by level."""
        if block.title:
            ident = self.new_id("contents")
            head = f'<nav class="toc" aria-labelledby="{ident}">\n<h2 id="{ident}">{self.inlines(block.title)}</h2>\n'
        else:
            head = '<nav class="toc" aria-label="Contents">\n'
        entries = t.headings(self.doc, block.depth)
        top = min((h.level for h in entries), default=1)
        out, depth = [], 0
        for h in entries:
            level = h.level - top + 1
            if level > depth:
                out.append("<ol><li>" * (level - depth))
            else:
                out.append("</li></ol>" * (depth - level) + "</li><li>")
            depth = level
            out.append(f'<a href="#{attr(h.id)}">{text(t.plain_text(h.children))}</a>')
        out.append("</li></ol>" * depth)
        return head + "".join(out) + "\n</nav>"

    # inlines ------------------------------------------------------------------------

    def inlines(self, items: tuple[t.Inline, ...], in_link: bool = False) -> str:
        """Inlines as HTML; inside a link, note references are left for after it (a link
        cannot hold a link) and returned by :meth:`link`."""
        out = []
        for node in items:
            match node:
                case t.Text():
                    out.append(text(node.text))
                case t.Emph():
                    out.append(f"<em>{self.inlines(node.children, in_link)}</em>")
                case t.Strong():
                    out.append(f"<strong>{self.inlines(node.children, in_link)}</strong>")
                case t.Code():
                    out.append(f"<code>{text(node.text)}</code>")
                case t.LineBreak():
                    out.append("<br>")
                case t.Link():
                    out.append(self.inlines(node.children, True) if in_link else self.link(node))
                case t.Note():
                    out.append(self.reference(node, in_link))
                case _:
                    assert_never(node)
        return "".join(out)

    def link(self, node: t.Link) -> str:
        """A link to a heading or a web address; any other scheme is written as its text."""
        self.deferred = []
        inner = self.inlines(node.children, True)
        after = "".join(self.deferred)
        if not node.followable:     # see tree.Link.followable
            return inner + after
        return f'<a href="{attr(node.url)}">{inner}</a>{after}'

    def reference(self, note: t.Note, in_link: bool) -> str:
        self.count += 1
        n = self.count
        self.pending.append((n, note))
        ref = (f'<a class="noteref" id="fnref:{n}" href="#fn:{n}" role="doc-noteref" '
               f'aria-label="Note {n}"><sup>{n}</sup></a>')
        if in_link:
            self.deferred.append(ref)
            return ""
        return ref

    def note(self, number: int, note: t.Note) -> str:
        """Note `number`, its number linking back to its reference."""
        back = (f'<a class="back" href="#fnref:{number}" role="doc-backlink" '
                f'aria-label="Back to reference {number}">{number}</a>')
        blocks = note.blocks
        if blocks and isinstance(blocks[0], t.Para):
            first, rest = f"<p{self.dir(blocks[0].children)}>{back} {self.inlines(blocks[0].children)}</p>", blocks[1:]
        else:
            first, rest = f"<p>{back}</p>", blocks
        inner = "\n".join([first, *(self.block(b) for b in rest)])
        return f'<aside class="note" id="fn:{number}" role="doc-footnote">\n{inner}\n</aside>'


def heading_level(h: t.Heading) -> int:
    """The HTML level of a heading: one below the tree's, since the title is the page's ``<h1>``."""
    return min(h.level + 1, 6)


