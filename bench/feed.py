"""What the pandoc-based peers are given: briefgen's Markdown, translated fairly.

    python bench/feed.py BRIEFING.md DIR     # writes DIR/peer.md, DIR/notes.json, figures

briefgen's Markdown is CommonMark with its own containers; pandoc reads another dialect.
Fed as it is, pandoc loses content, so the translation (untimed) does this:

- `$28 billion … US$` is not TeX math: the peers read with `-f markdown-tex_math_dollars`
  (see ``READ``).
- `::: callout Title` becomes `::: {.callout title="Title"}` with the title as a bold first
  paragraph, since no pandoc writer prints a div's attributes.
- `::: titleblock Title` becomes the document's metadata: `title`, `subtitle` (the first
  paragraph) and `abstract` (the rest), which every pandoc template prints first.
- `::: toc Title` becomes `--toc` with `toc-title`: the template prints it after the
  title block. The page breaks before the first section then collapse into one, so the
  cover and the contents share a page (the one stated omission).
- `::: pagebreak` becomes a raw page break for each output format.
- A ```` ```timeline ```` block becomes the figure briefgen draws for Word, as a PNG.
- Each table's separator row gets dashes in proportion to the relative column widths briefgen's
  writers use, which pandoc reads as relative widths.
- The page (A4, briefgen's margins) and font (DejaVu Sans) are set as pandoc variables
  (the 9.5 pt body size by each anchor, as each writer spells it), and `header.typ` (given to pandoc with `-H`) lets Typst break a table
  across pages, as Quarto's template does.

`notes.json` lists, in order, each note's text and the word its reference follows: what
`bench/notes.py` looks for in a peer's output.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

# How every pandoc peer reads the translated Markdown.
READ = "markdown-tex_math_dollars"

PAGE = {"papersize": "a4", "mainfont": "DejaVu Sans",  # the size (9.5 pt) is set per writer
        "margin": {"x": "22mm", "top": "25mm", "bottom": "20mm"},  # Typst
        "geometry": "a4paper,left=22mm,right=22mm,top=25mm,bottom=20mm"}  # LaTeX
# pandoc puts each Typst table in a figure, which does not break across pages unless
# told (Quarto's template says the same): without it a long table runs off the page.
TYPST_HEADER = "#show figure: set block(breakable: true)\n"
TEXT_WIDTH_PT = (210 - 2 * 22) / 25.4 * 72

PAGEBREAK = "\n".join([
    "```{=openxml}", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>', "```", "",
    "```{=latex}", "\\newpage", "```", "",
    "```{=typst}", "#pagebreak(weak: true)", "```", "",
    "```{=html}", '<div style="break-after: page"></div>', "```", ""])

_OPEN = re.compile(r"^:::\s*(callout|titleblock|toc|pagebreak)\b\s*(.*)$")
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")


def translate(md: str, widths: list[list[float]], figures: list[str]) -> tuple[str, dict]:
    """(pandoc Markdown, metadata) for briefgen's `md`. `widths` holds each table's
    relative column widths and `figures` each timeline's image path, in document order."""
    lines = md.split("\n")
    out: list[str] = []
    meta: dict = {}
    tables, figs = iter(widths), iter(figures)
    body_started = pending_break = False
    i = 0
    while i < len(lines):
        line = lines[i]
        opened = _OPEN.match(line)
        if line.startswith("```"):
            end = _fence_end(lines, i)
            if line.strip() == "```timeline":
                caption = json.loads("\n".join(lines[i + 1:end])).get("caption", "")
                block = [f"![{_escape(caption)}]({next(figs)}){{width=100%}}"]
            else:
                block = lines[i:end + 1]
            i = end + 1
        elif opened:
            kind, title = opened.groups()
            end = _container_end(lines, i)
            inner = lines[i + 1:end]
            i = end + 1
            if kind == "pagebreak":
                pending_break = True
                continue
            if kind == "toc":
                meta["toc-title"] = title
                continue
            if kind == "titleblock" and not body_started and "[^" not in "\n".join(inner + [title]):
                paras = _paragraphs(inner)
                meta.update(title=title, subtitle=paras[0] if paras else "", abstract="\n\n".join(paras[1:]))
                continue
            attr = f' title="{_attr(title)}"' if title else ""
            block = [f"::: {{.{kind}{attr}}}", ""] + ([f"**{title}**", ""] if title else []) + inner + [":::"]
        elif _SEPARATOR.match(line):
            block = [_separator(line, next(tables))]
            i += 1
        else:
            block = [line]
            i += 1
        if pending_break and any(b.strip() for b in block):
            out.append(PAGEBREAK)
            pending_break = False
        body_started = body_started or any(b.strip() for b in block)
        out.extend(block)
    return "\n".join(out), meta


def _fence_end(lines: list[str], start: int) -> int:
    fence = re.match(r"^(`{3,})", lines[start]).group(1)
    for j in range(start + 1, len(lines)):
        if lines[j].startswith(fence) and not lines[j].strip("`").strip():
            return j
    return len(lines) - 1


def _container_end(lines: list[str], start: int) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].strip() == ":::":
            return j
    return len(lines) - 1


def _paragraphs(lines: list[str]) -> list[str]:
    return [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]


def _separator(line: str, widths: list[float]) -> str:
    cells = line.strip().strip("|").split("|")
    out = []
    for cell, w in zip(cells, widths):
        cell = cell.strip()
        dashes = "-" * max(3, round(w * 100))
        out.append((":" if cell.startswith(":") else "") + dashes + (":" if cell.endswith(":") else ""))
    return "|" + "|".join(out) + "|"


def _attr(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>$^~|])", r"\\\1", text)


def prepare(src: Path, dest: Path) -> Path:
    """Write `dest/peer.md` (with its metadata block), the figures, and `dest/notes.json`."""
    from briefgen import tree as t
    from briefgen.figures import paint_png, timeline
    from briefgen.parse import parse

    md = src.read_text(encoding="utf-8")
    doc = parse(md, t.Meta("peer"))
    dest.mkdir(parents=True, exist_ok=True)
    widths, figures = [], []
    for block in _blocks(doc.blocks):
        if isinstance(block, t.Table):
            ncols = max([len(block.header)] + [len(r) for r in block.rows] + [1])
            widths.append(t.column_widths(block, ncols))
        elif isinstance(block, t.TimelineFigure):
            name = f"timeline-{len(figures) + 1}.png"
            (dest / name).write_bytes(paint_png.to_png(timeline.layout(block, TEXT_WIDTH_PT)))
            figures.append(name)
    text, meta = translate(md, widths, figures)
    meta.update(PAGE)
    header = "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in meta.items()) + "---\n\n"
    (dest / "peer.md").write_text(header + text, encoding="utf-8")
    (dest / "header.typ").write_text(TYPST_HEADER, encoding="utf-8")
    (dest / "notes.json").write_text(json.dumps(note_marks(doc), ensure_ascii=False), encoding="utf-8")
    return dest / "peer.md"


def _blocks(blocks):
    from briefgen import tree as t

    for b in blocks:
        yield b
        yield from _blocks(tuple(t.child_blocks(b)))


def note_marks(doc) -> list[list[str]]:
    """[word the reference follows, note text] for every note, in document order."""
    from briefgen import tree as t

    marks: list[list[str]] = []
    before: list[str] = []

    def inlines(items) -> None:
        for node in items:
            if isinstance(node, t.Note):
                words = "".join(before).split()
                marks.append([words[-1] if words else "",
                              " ".join(t.plain_text(r) for b in node.blocks for r in t.block_inlines(b))])
            elif isinstance(node, (t.Emph, t.Strong, t.Link)):
                inlines(node.children)
            elif isinstance(node, (t.Text, t.Code)):
                before.append(node.text)
            elif isinstance(node, t.LineBreak):
                before.append(" ")

    for block in _blocks(doc.blocks):
        for run in t.block_inlines(block):
            before.clear()
            inlines(run)
    assert len(marks) == len(t.walk_notes(doc)), "note walk disagrees with briefgen's numbering"
    return marks


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/feed.py BRIEFING.md DIR")
    print(prepare(Path(sys.argv[1]), Path(sys.argv[2])))
