"""Painter: a timeline scene as SVG text, for the HTML briefing.

Text stays text: every label is an SVG ``<text>``, so a reader can select and search
it and a screen reader reads it; ``<title>`` names the figure. A label is stretched
or squeezed to the width the layout measured (``textLength``), so it keeps to the
room the layout gave it whatever font the reader's browser has.

Same scene, same bytes: numbers are written rounded to hundredths of a point.
"""

from __future__ import annotations

from html import escape
from typing import assert_never

from briefgen import fonts, look
from briefgen.figures.scene import WHITE, Label, Line, Marker, Rect, Scene, polygon, start_x

FONT_FAMILY = "'DejaVu Sans', Verdana, 'Noto Sans', sans-serif"   # the metrics the layout used, then the widest alike
_WEIGHT = {"bold": "bold", "bolditalic": "bold"}
_STYLE = {"italic": "italic", "bolditalic": "italic"}


def to_svg(scene: Scene, title: str, ident: str = "timeline") -> str:
    """An ``<svg>`` element of the scene, named by `title`; `ident` prefixes the ids it
    defines, so that several figures can sit in one page. It scales with its box
    (``viewBox``) and starts at its size in points."""
    title_id = f"{ident}-title"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(scene.width)} {_n(scene.height)}" '
            f'width="{_n(scene.width)}pt" height="{_n(scene.height)}pt" aria-labelledby="{_a(title_id)}" '
            f'font-family="{_a(FONT_FAMILY)}">')
    parts = [head, f'<title id="{_a(title_id)}">{_t(title)}</title>']
    parts.extend(_primitive(p) for p in scene.items)
    parts.append("</svg>")
    return "\n".join(parts)


def _primitive(p) -> str:
    match p:
        case Line():
            cap = "" if p.dash else ' stroke-linecap="round"'
            return (f'<line x1="{_n(p.x1)}" y1="{_n(p.y1)}" x2="{_n(p.x2)}" y2="{_n(p.y2)}" '
                    f'stroke="{p.color}" stroke-width="{_n(p.width)}"{cap}{_dash(p.dash)}/>')
        case Rect():
            stroke = (f' stroke="{p.stroke}" stroke-width="{_n(p.width)}"{_dash(p.dash)}' if p.stroke else "")
            return (f'<rect x="{_n(p.x)}" y="{_n(p.y)}" width="{_n(p.w)}" height="{_n(p.h)}" '
                    f'fill="{p.fill or "none"}"{stroke}/>')
        case Marker():
            paint = f'fill="{WHITE if p.hollow else p.color}" stroke="{p.color}" stroke-width="0.9"'
            if p.shape == "circle":
                return f'<circle cx="{_n(p.cx)}" cy="{_n(p.cy)}" r="{_n(p.r)}" {paint}/>'
            points = " ".join(f"{_n(x)},{_n(y)}" for x, y in polygon(p))
            return f'<polygon points="{points}" {paint}/>'
        case Label():
            return _label(p)
        case _:
            assert_never(p)


def _label(p: Label) -> str:
    """One line of text, starting where the layout's anchor puts it, as wide as measured."""
    text = look.drop_illegal(p.text)
    width = fonts.text_width(text, p.role, p.size)
    face = ""
    if p.role in _WEIGHT:
        face += f' font-weight="{_WEIGHT[p.role]}"'
    if p.role in _STYLE:
        face += f' font-style="{_STYLE[p.role]}"'
    if p.role == "mono":
        face += " font-family=\"'DejaVu Sans Mono', monospace\""
    fit = f' textLength="{_n(width)}" lengthAdjust="spacingAndGlyphs"' if width > 0 else ""
    return (f'<text x="{_n(start_x(p))}" y="{_n(p.y)}" font-size="{_n(p.size)}"{face} fill="{p.color}"{fit}>'
            f"{_t(text)}</text>")


def _dash(dash: tuple[float, ...]) -> str:
    return f' stroke-dasharray="{" ".join(_n(v) for v in dash)}"' if dash else ""


def _n(value: float) -> str:
    """A coordinate: hundredths of a point, no trailing zeros, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _t(text: str) -> str:
    return escape(look.drop_illegal(text), quote=False)


def _a(text: str) -> str:
    return escape(look.drop_illegal(text), quote=True)
