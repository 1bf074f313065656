"""The floor our PDF writer is measured against: the same text laid out by plain reportlab.

Two steps, so that the timed one does reportlab's work and nothing else:

    python bench/floor_reportlab.py prepare BRIEFING.md CONTENT.json   # untimed: text, marks, widths
    python bench/floor_reportlab.py build CONTENT.json OUT.pdf         # timed: reportlab only

`prepare` parses the briefing Markdown with briefgen's parser and writes what a plain
reportlab script would start from: headings, paragraphs (inline marks as reportlab
markup, a superscript number for each note), tables with the column widths briefgen's
writers use, and the note texts. `build` lays that out with the same fonts, sizes,
page and margins as briefgen's PDF, tables with repeated header rows, and the notes as
numbered endnotes: no page-bottom footnote layout, no running header, no outline.
"""

from __future__ import annotations

import json
import sys
from xml.sax.saxutils import escape

MARGIN_MM = 22


def prepare(src: str, dest: str) -> None:
    from briefgen import tree as t
    from briefgen.parse import parse

    doc = parse(open(src, encoding="utf-8").read(), t.Meta("floor"))
    blocks: list = []
    notes: list[str] = []

    def text(items) -> str:
        out = []
        for node in items:
            if isinstance(node, t.Note):
                notes.append(escape(" ".join(t.plain_text(r) for b in node.blocks for r in t.block_inlines(b))))
                out.append(f"<super>{len(notes)}</super>")
            elif isinstance(node, t.Strong):
                out.append(f"<b>{text(node.children)}</b>")
            elif isinstance(node, t.Emph):
                out.append(f"<i>{text(node.children)}</i>")
            elif isinstance(node, t.Link):
                out.append(text(node.children))
            elif isinstance(node, (t.Text, t.Code)):
                out.append(escape(node.text))
        return "".join(out)

    def walk(items) -> None:
        for b in items:
            if isinstance(b, t.Heading):
                blocks.append(["h", text(b.children)])
            elif isinstance(b, t.Para):
                blocks.append(["p", text(b.children)])
            elif isinstance(b, t.Table):
                ncols = max([len(b.header)] + [len(r) for r in b.rows] + [1])
                rows = [[text(c) for c in row] for row in ((b.header,) if b.header else ()) + b.rows]
                blocks.append(["t", t.column_widths(b, ncols), rows])
            else:
                walk(tuple(t.child_blocks(b)))

    walk(doc.blocks)
    with open(dest, "w", encoding="utf-8") as fh:
        json.dump({"blocks": blocks, "notes": notes}, fh, ensure_ascii=False)


def build(src: str, dest: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    from briefgen import fonts

    fonts.register()
    body = ParagraphStyle("b", fontName=fonts.FAMILY, fontSize=9.5, leading=13.8)
    small = ParagraphStyle("s", parent=body, fontSize=7.6, leading=9.8)
    heading = ParagraphStyle("h", parent=body, fontSize=14, leading=18, fontName=fonts.reportlab_name("bold"))
    content = json.load(open(src, encoding="utf-8"))
    width = A4[0] - 2 * MARGIN_MM * mm
    grid = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.5, "#C9CED6")])
    story = []
    for block in content["blocks"]:
        if block[0] == "h":
            story.append(Paragraph(block[1], heading))
        elif block[0] == "p":
            story.append(Paragraph(block[1], body))
        else:
            _, rel, rows = block
            cells = [[Paragraph(c, small) for c in row] for row in rows]
            story.append(LongTable(cells, colWidths=[w * width for w in rel], repeatRows=1, style=grid))
    story.extend(Paragraph(f"{i}. {n}", small) for i, n in enumerate(content["notes"], 1))
    SimpleDocTemplate(dest, pagesize=A4, invariant=1, leftMargin=MARGIN_MM * mm, rightMargin=MARGIN_MM * mm,
                      topMargin=25 * mm, bottomMargin=20 * mm).build(story)


if __name__ == "__main__":
    steps = {"prepare": prepare, "build": build}
    if len(sys.argv) != 4 or sys.argv[1] not in steps:
        sys.exit("usage: floor_reportlab.py prepare BRIEFING.md CONTENT.json | build CONTENT.json OUT.pdf")
    steps[sys.argv[1]](sys.argv[2], sys.argv[3])
