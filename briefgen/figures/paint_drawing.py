"""Painter: a timeline scene as a reportlab Drawing (vector, text as real text), for the PDF."""

from __future__ import annotations

import functools
from typing import assert_never

from reportlab.graphics.shapes import Circle, Drawing, Polygon, String
from reportlab.graphics.shapes import Line as RLine
from reportlab.graphics.shapes import Rect as RRect
from reportlab.lib.colors import Color, HexColor

from briefgen import fonts
from briefgen.figures.scene import WHITE, Label, Line, Marker, Rect, Scene, polygon, start_x


class _Drawing(Drawing):
    """A Drawing that also draws labels that reportlab's String cannot: shaped or right
    to left, laid out by the PDF writer's text module after the shapes are drawn."""

    def __init__(self, width, height):
        super().__init__(width, height)
        self.__dict__["laid_out"] = []   # Drawing checks attributes it knows; this one is ours

    def draw(self, showBoundary=None):
        super().draw(showBoundary)
        from briefgen.writers.pdf.text import draw as draw_line

        canv = self.canv
        for x, y, p in self.laid_out:
            canv.saveState()
            canv.setFillColor(_color(p.color))
            draw_line(canv, x, y, p.text, p.role, p.size, "start")
            canv.restoreState()


def to_drawing(scene: Scene):
    """A reportlab Drawing of the scene (vector, text as real text)."""
    fonts.register()
    H = scene.height
    d = _Drawing(scene.width, scene.height)
    d.initialFontName = fonts.reportlab_name("regular")   # else renderPDF selects Helvetica
    for p in scene.items:
        if isinstance(p, Line):
            d.add(RLine(p.x1, H - p.y1, p.x2, H - p.y2, strokeColor=_color(p.color), strokeWidth=p.width,
                        strokeDashArray=list(p.dash) or None, strokeLineCap=1 if not p.dash else 0))
        elif isinstance(p, Rect):
            d.add(RRect(p.x, H - p.y - p.h, p.w, p.h, fillColor=_color(p.fill) if p.fill else None,
                        strokeColor=_color(p.stroke) if p.stroke else None, strokeWidth=p.width,
                        strokeDashArray=list(p.dash) or None))
        elif isinstance(p, Marker):
            fill = _color(WHITE) if p.hollow else _color(p.color)
            sw = 0.9
            if p.shape == "circle":
                d.add(Circle(p.cx, H - p.cy, p.r, fillColor=fill, strokeColor=_color(p.color), strokeWidth=sw))
            else:
                pts = [c for xy in polygon(p) for c in (xy[0], H - xy[1])]
                d.add(Polygon(pts, fillColor=fill, strokeColor=_color(p.color), strokeWidth=sw))
        elif isinstance(p, Label) and fonts.needs_layout(p.text, p.role):
            d.laid_out.append((start_x(p), H - p.y, p))
        elif isinstance(p, Label):
            x = start_x(p)
            for part, cjk in fonts.runs(p.text):
                role = "cjk" if cjk else p.role
                name = fonts.reportlab_name(role)
                d.add(String(x, H - p.y, part, fontName=name, fontSize=p.size, fillColor=_color(p.color)))
                x += fonts.text_width(part, role, p.size)
        else:
            assert_never(p)
    return d


@functools.cache
def _color(value: str) -> Color:
    return HexColor(value)
