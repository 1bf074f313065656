"""The page around the briefing: head, header, contents, main, footer.

One self-contained file: the stylesheet is inline, the logo a data URI, the timeline
inline SVG, and a Content Security Policy lets the page load nothing and run nothing,
so it opens the same from a mail attachment, an intranet or a phone with no network.

The landmarks: ``<header>`` holds the classification marking, the logo and the title
block; ``<nav>`` the contents; ``<main>`` a ``<section>`` per top-level heading (what
comes before the first heading goes in an untitled part first); ``<footer>`` the footer
text and the marking again.
"""

from __future__ import annotations

import base64
from pathlib import Path

from briefgen import tree as t
from briefgen.errors import BriefgenError, display_path
from briefgen.writers.html import emoji, style
from briefgen.writers.html.body import Body, attr, text

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
_RTL = ' dir="rtl"'
_IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def page(doc: t.Document) -> str:
    """The whole HTML document of `doc`."""
    meta = doc.meta
    body = Body(doc)
    front, sections = _split(doc.blocks)
    header, nav, intro = [], [], []
    where = intro
    for block in front:   # the title block to the header, contents to <nav>, the rest to <main>
        if isinstance(block, t.Callout) and block.kind == "titleblock":
            where = header
        elif isinstance(block, t.Toc):
            where = nav
        elif not isinstance(block, t.PageBreak):   # a page break stays after what it follows
            where = intro
        where.append(body.unit(block))
    main = ['<div class="intro">\n' + "\n".join(intro) + "\n</div>"] if intro else []
    main += [_section(body, head, blocks) for head, blocks in sections]
    marking = text(meta.classification.strip())
    lines = [
        f'<body class="{"marked" if marking else "unmarked"}">',
        '<a class="skip" href="#main">Skip to the briefing</a>',
        "<header>",
        f'<p class="marking top">{marking}</p>' if marking else "",
        _bar(meta),
        *header,
        "</header>",
        *nav,
        '<main id="main">',
        *main,
        "</main>",
        "<footer>",
        f'<p class="footer-text">{text(meta.footer)}</p>' if meta.footer.strip() else "",
        f'<p class="marking bottom">{marking}</p>' if marking else "",
        "</footer>",
        "</body>",
        "</html>",
    ]
    top = _head(meta, bidirectional=body.turned or bool(body.level), emoji=emoji.font_face("".join(lines)))
    return "\n".join(line for line in [
        "<!DOCTYPE html>",
        f'<html lang="{attr(meta.language or "en")}"{_RTL if body.level else ""}>',
        top,
        *lines,
    ] if line) + "\n"


def _split(blocks: tuple[t.Block, ...]) -> tuple[list[t.Block], list[tuple[t.Heading, list[t.Block]]]]:
    """The blocks before the first top-level heading, and each top-level heading with
    the blocks up to the next."""
    levels = [b.level for b in blocks if isinstance(b, t.Heading)]
    top = min(levels, default=0)
    front: list[t.Block] = []
    sections: list[tuple[t.Heading, list[t.Block]]] = []
    for block in blocks:
        if isinstance(block, t.Heading) and block.level == top:
            sections.append((block, []))
        elif sections:
            sections[-1][1].append(block)
        else:
            front.append(block)
    return front, sections


def _section(body: Body, heading: t.Heading, blocks: list[t.Block]) -> str:
    """A top-level heading and what follows it up to the next, each block with its notes."""
    units = [body.unit(heading)] + [body.unit(b) for b in blocks]
    return f'<section aria-labelledby="{attr(heading.id)}">\n' + "\n".join(units) + "\n</section>"


def _head(meta: t.Meta, bidirectional: bool = False, emoji: str = "") -> str:
    """The page's head; `emoji`, the ``@font-face`` rule of its emoji font, if it has one
    (:mod:`briefgen.writers.html.emoji`): then the policy lets the page load that font."""
    policy = _CSP + "; font-src data:" if emoji else _CSP
    lines = [
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{text(meta.title)}</title>",
    ]
    for name, value in (("description", meta.subject), ("author", meta.author),
                        ("keywords", ", ".join(meta.keywords))):
        if value.strip():
            lines.append(f'<meta name="{name}" content="{attr(value)}">')
    rules = style.css(meta) + (style.BIDI if bidirectional else "") + (style.emoji(meta, emoji) if emoji else "")
    lines += ['<meta name="generator" content="briefgen">', f"<style>\n{rules}</style>", "</head>"]
    return "\n".join(lines)


def _bar(meta: t.Meta) -> str:
    """The line above the title: logo, running header text, build date."""
    parts = []
    if meta.logo:
        parts.append(f'<img class="logo" src="{_data_uri(meta.logo)}" alt="">')
    parts.append(f'<span class="running">{text(meta.header)}</span>')
    if meta.date:
        parts.append(f'<time datetime="{attr(meta.date)}">{text(meta.date)}</time>')
    return '<div class="bar">' + "".join(parts) + "</div>"


def _data_uri(path: str) -> str:
    """The logo file as a data URI, so the page needs nothing beside it."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BriefgenError.one(f"cannot read the logo image: {exc.strerror}", file=display_path(Path(path)),
                                field="look.logo", hint="give a PNG or JPEG file", kind="template") from exc
    kind = next((mime for magic, mime in _IMAGE_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise BriefgenError.one("cannot read the logo image: it is neither PNG nor JPEG",
                                file=display_path(Path(path)), field="look.logo",
                                hint="give a PNG or JPEG file", kind="template")
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
