"""The floor our PDF writer is measured against: the same text laid out by plain reportlab.

Same fonts, paragraphs and tables (header rows repeated), notes as endnotes at the end:
no page-bottom footnote layout, no running header, no outline.

    python bench/floor_reportlab.py BRIEFING.md OUT.pdf
"""

from __future__ import annotations

import sys
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate

from briefgen import fonts
from briefgen import tree as t
from briefgen.parse import parse


def main(src: str, dest: str) -> None:
    fonts.register()
    body = ParagraphStyle("b", fontName=fonts.FAMILY, fontSize=10, leading=13)
    small = ParagraphStyle("s", parent=body, fontSize=8, leading=10)
    heading = ParagraphStyle("h", parent=body, fontSize=14, leading=18, fontName=fonts.reportlab_name("bold"))
    doc = parse(open(src, encoding="utf-8").read(), t.Meta("floor"))
    story, notes = [], []

    def text(items) -> str:
        out = []
        for node in items:
            if isinstance(node, t.Note):
                notes.append(" ".join(t.plain_text(r) for b in node.blocks for r in t.block_inlines(b)))
                out.append(f"<super>{len(notes)}</super>")
            elif isinstance(node, (t.Emph, t.Strong, t.Link)):
                out.append(text(node.children))
            elif isinstance(node, (t.Text, t.Code)):
                out.append(escape(node.text))
        return "".join(out)

    def blocks(items):
        for b in items:
            if isinstance(b, t.Heading):
                story.append(Paragraph(text(b.children), heading))
            elif isinstance(b, t.Para):
                story.append(Paragraph(text(b.children), body))
            elif isinstance(b, t.Table):
                rows = [[Paragraph(text(c), small) for c in row] for row in (b.header,) + b.rows]
                story.append(LongTable(rows, repeatRows=1))
            else:
                blocks(tuple(t.child_blocks(b)))

    blocks(doc.blocks)
    story.extend(Paragraph(f"{i}. {escape(n)}", small) for i, n in enumerate(notes, 1))
    SimpleDocTemplate(dest, pagesize=A4, invariant=1).build(story)


if __name__ == "__main__":
    main(*sys.argv[1:3])
