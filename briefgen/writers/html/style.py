"""The stylesheet, inline in every page: the house look for screens, narrow and wide, and for print.

- Narrow screens (the default): one column; a section's notes gather below it.
- Wide screens (64rem and up): each block's notes sit beside it, in the margin.
- Print: the page size of the briefing, the running header and footer in the page
  margins (title, classification marking, date, footer text, "Page N of M"), each
  block's notes in small type under it, no screen-only furniture.

Values from the document (accent colour, font, marking, header and footer text) are
written as CSS strings with every character outside a safe few escaped, so nothing in
them can end the stylesheet or add a rule.
"""

from __future__ import annotations

import re

from briefgen import look
from briefgen import tree as t

_SAFE = re.compile(r"[A-Za-z0-9 ,.:;!?'()+-]")
_SANS = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "DejaVu Sans", '
         '"Liberation Sans", Arial, sans-serif')


#: Rules for a page with right-to-left elements (added only there): cells set flush with
#: where their text starts, not always the left; a right-to-left item's bullet or number
#: on the right, with room for it there.
BIDI = ("th:not(.r):not(.c),td:not(.r):not(.c){text-align:start}\n"
        "li[dir=rtl]{margin-right:1.3em}\n")


def css(meta: t.Meta) -> str:
    """The stylesheet for `meta`'s briefing."""
    accent = meta.accent if re.fullmatch(r"[0-9A-Fa-f]{6}", meta.accent or "") else look.NAVY
    family = _family(meta)
    colours = {"accent": accent, "ink": look.INK, "muted": look.MUTED, "rule": look.RULE, "tint": look.TINT,
               "zebra": look.ZEBRA, "link": look.LINK, "marking": look.MARKING, "code": look.CODE_BG}
    root = "".join(f"--{name}:#{value};" for name, value in colours.items())
    return f":root{{{root}--sans:{family}}}\n" + SCREEN + WIDE + _page(meta, family) + PRINT


def _family(meta: t.Meta) -> str:
    return (string(meta.font) + ", " if meta.font.strip() else "") + _SANS


def emoji(meta: t.Meta, font_face: str) -> str:
    """The rules for a page with emoji: their font (`font_face`, an ``@font-face`` rule),
    tried after the page's own fonts and the system's colour emoji fonts, in the text and
    in the timeline's labels (whose own fonts a rule overrides)."""
    from briefgen.figures.paint_svg import FONT_FAMILY
    from briefgen.writers.html.emoji import FALLBACK

    return f"{font_face}:root{{--sans:{_family(meta)}, {FALLBACK}}}\nsvg{{font-family:{FONT_FAMILY}, {FALLBACK}}}\n"


def string(value: str) -> str:
    """`value` as a quoted CSS string."""
    value = " ".join(look.drop_illegal(value).split())
    return '"' + "".join(ch if _SAFE.fullmatch(ch) else f"\\{ord(ch):x} " for ch in value) + '"'


def _page(meta: t.Meta, family: str) -> str:
    """The printed page: size, margins, and what runs in them, as the PDF has it."""
    size = look.page_size(meta.page_size)
    marking = meta.classification.strip()
    boxes = [("top-left", string(_short(meta.header or meta.title)), False),
             ("top-center", string(marking) if marking else "", True),
             ("top-right", string(meta.date) if meta.date else "", False),
             ("bottom-left", string(_short(meta.footer)) if meta.footer.strip() else "", False),
             ("bottom-center", string(marking) if marking else "", True),
             ("bottom-right", '"Page " counter(page) " of " counter(pages)', False)]
    rules = "".join(
        f"@{box}{{content:{content};font:8pt {family};"
        + (f"color:#{look.MARKING};font-weight:bold}}" if is_marking else f"color:#{look.MUTED}}}")
        for box, content, is_marking in boxes if content)
    return f"@page{{size:{size.mm[0]:g}mm {size.mm[1]:g}mm;margin:20mm 18mm 18mm;{rules}}}\n"


def _short(value: str, most: int = 90) -> str:
    value = " ".join(value.split())
    return value if len(value) <= most else value[: most - 1].rstrip() + "…"


SCREEN = """\
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%;scroll-padding-top:2.5rem}
body{margin:0;font:1rem/1.55 var(--sans);color:var(--ink);background:#fff;overflow-wrap:break-word}
body>header,body>nav,body>main,body>footer{max-width:62rem;margin:0 auto;padding:0 1rem}
body.marked{padding-top:1.9rem}
.skip{position:absolute;left:-100vw;top:0}
.skip:focus{left:1rem;top:2rem;z-index:3;background:#fff;padding:.25rem .5rem}
.marking{margin:0;color:var(--marking);font-weight:700;font-size:.85rem;letter-spacing:.04em;text-align:center}
.marking.top{position:fixed;top:0;left:0;right:0;z-index:2;padding:.3rem 1rem;background:#fff;border-bottom:1px solid var(--rule)}
.bar{display:flex;align-items:center;gap:1rem;padding:.6rem 0;border-bottom:1px solid var(--rule);color:var(--muted);font-size:.85rem}
.bar .running{flex:1}
.logo{height:2.2rem;width:auto}
.titleblock h1{margin:1.6rem 0 .6rem;font-size:2rem;line-height:1.2;color:var(--accent)}
.subtitle{margin:0 0 .5rem;color:var(--muted);font-size:1.05rem}
h2,h3,h4,h5,h6{color:var(--accent);line-height:1.25;margin:1.6rem 0 .6rem}
h2{font-size:1.5rem;padding-bottom:.25rem;border-bottom:2px solid var(--accent)}
h3{font-size:1.2rem}h4,h5,h6{font-size:1.05rem}
p,ul,ol,blockquote,pre,table,figure,.callout{margin:0 0 1rem}
li{margin:.2rem 0}
a{color:var(--link)}
code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.9em;background:var(--code);padding:0 .2em}
pre{background:var(--code);padding:.75rem;overflow-x:auto;white-space:pre-wrap}
pre code{background:none;padding:0}
blockquote{margin-left:0;padding-left:1rem;border-left:3px solid var(--rule);color:var(--muted)}
hr{border:0;border-top:1px solid var(--rule);margin:1.5rem 0}
.page-break{display:none}
.callout{background:var(--tint);border-left:4px solid var(--accent);padding:.8rem 1rem .2rem}
.callout-title{font-weight:700;color:var(--accent);margin-bottom:.5rem}
nav.toc{margin-top:1.5rem;margin-bottom:1.5rem}
nav.toc h2{font-size:1.2rem;border:0;margin:.5rem 0}
nav.toc ol{list-style:none;margin:0;padding-left:0}
nav.toc ol ol{padding-left:1.2rem;font-size:.95rem}
nav.toc a{text-decoration:none;display:inline-block;padding:.15rem 0}
nav.toc a:hover,nav.toc a:focus{text-decoration:underline}
table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.875rem;line-height:1.4}
th,td{padding:.35rem .45rem;vertical-align:top;text-align:left;overflow-wrap:anywhere;border-bottom:1px solid var(--rule)}
th{background:var(--accent);color:#fff;font-weight:700}
tbody tr:nth-child(even){background:var(--zebra)}
.r{text-align:right}.c{text-align:center}
figure{margin-left:0;margin-right:0}
figure .scroll{overflow-x:auto}
figure svg{display:block;width:100%;min-width:34rem;height:auto}
figcaption{color:var(--muted);font-size:.875rem;font-style:italic;margin-top:.3rem}
sup{line-height:0}
a.noteref{text-decoration:none;font-weight:700;padding:0 .1em}
.note{font-size:.8125rem;line-height:1.45;margin:0 0 .6rem}
.note p{margin:0 0 .3rem}
.note a.back{font-weight:700;text-decoration:none;margin-right:.2rem}
.note:target,a.noteref:target{background:#FFF1B8;outline:2px solid #FFF1B8}
main section,main .intro{display:flex;flex-direction:column}
main section>*,main .intro>*,.unit>*{min-width:0}
.unit{display:contents}
.unit>.notes{order:1;border-top:1px solid var(--rule);padding-top:.6rem;margin-top:.4rem}
.unit~.unit>.notes{border-top:0;padding-top:0;margin-top:0}
ul,ol{padding-left:1.4rem}
@media (max-width:40rem){
table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:auto}
table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
table.cards tr{padding:.5rem .4rem;border-bottom:1px solid var(--rule)}
table.cards td{border:0;padding:.1rem 0;text-align:left}
table.cards td[data-label]::before{content:attr(data-label) ": ";font-weight:700;color:var(--muted)}
table.cards td:empty{display:none}
}
footer{margin-top:2rem !important;padding-top:.75rem !important;padding-bottom:1.5rem !important;border-top:1px solid var(--rule);color:var(--muted);font-size:.85rem}
footer p{margin:0 0 .3rem}
"""

WIDE = """\
@media (min-width:64rem){
main section,main .intro{display:block}
main section>:not(.unit,table,figure),main .intro>:not(.unit,table,figure),nav.toc>*,.titleblock{max-width:40rem}
.unit{display:grid;grid-template-columns:minmax(0,40rem) minmax(0,1fr);column-gap:2.5rem;align-items:start}
.unit>:not(.notes){grid-column:1}
.unit>.notes{grid-column:2;grid-row:1;order:0;margin:0 0 1rem;padding:0 0 0 .75rem;border-top:0;border-left:2px solid var(--rule)}
.unit.wide{display:block}
.unit.wide>.notes{columns:2 16rem;column-gap:2.5rem;border-left:0;padding:.6rem 0 0;border-top:1px solid var(--rule)}
.unit.wide .note{break-inside:avoid}
}
"""

PRINT = """\
@media print{
html{font-size:10pt}
body{font-size:10pt;line-height:1.4}
body.marked{padding-top:0}
body>header,body>nav,body>main,body>footer{max-width:none;padding:0}
.skip,.marking,.bar .running,.bar time,footer{display:none}
.bar{border:0;padding:0}
.titleblock h1{margin-top:0}
.page-break{display:block;break-after:page}
main section,main .intro{display:block}
.unit,.unit.wide{display:block}
.unit>.notes,.unit.wide>.notes{columns:auto;border:0;border-top:.5pt solid var(--rule);padding:.2rem 0 0;margin:-.4rem 0 .8rem}
.note{font-size:8pt;margin:0 0 .2rem;break-inside:avoid}
h2,h3,h4,h5,h6{break-after:avoid}
tr,figure,li{break-inside:avoid}
figure .scroll{overflow:visible}
figure svg{min-width:0}
a{color:inherit;text-decoration:none}
a.noteref,.note a.back{color:var(--link)}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
