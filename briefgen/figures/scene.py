"""A figure as primitives a painter draws: lines, rectangles, markers and labels.

Coordinates are points, y growing downwards from the top-left corner. A painter (one
module per target: :mod:`.paint_drawing`, :mod:`.paint_png`, :mod:`.paint_svg`) draws every primitive of a
:class:`Scene` and needs nothing else; the geometry they all share is here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from briefgen import fonts, look

WHITE = "#" + look.WHITE   # the paper: a figure's ground, inside a hollow marker


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    width: float = 0.6
    dash: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str | None = None
    stroke: str | None = None
    width: float = 0.6
    dash: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Marker:
    """A symbol centred on (cx, cy): shape is circle, square, diamond or triangle
    (triangle points towards `direction`: "left" or "right")."""

    shape: str
    cx: float
    cy: float
    r: float
    color: str
    hollow: bool = False
    direction: str = "right"


@dataclass(frozen=True, slots=True)
class Label:
    """Text with its baseline at y; anchor is start, middle or end; role a fonts role."""

    x: float
    y: float
    text: str
    size: float
    role: str = "regular"
    anchor: str = "start"
    color: str = "#" + look.INK


Primitive = Union[Line, Rect, Marker, Label]


@dataclass(frozen=True, slots=True)
class Scene:
    width: float
    height: float
    items: tuple[Primitive, ...] = field(default_factory=tuple)

    def texts(self) -> list[str]:
        return [p.text for p in self.items if isinstance(p, Label)]


def start_x(p: Label) -> float:
    """Where label `p`'s text starts, from its anchor."""
    if p.anchor == "start":
        return p.x
    w = fonts.text_width(p.text, p.role, p.size)
    return p.x - (w / 2 if p.anchor == "middle" else w)


def polygon(p: Marker) -> list[tuple[float, float]]:
    """The corners of a square, diamond or triangle marker."""
    x, y, r = p.cx, p.cy, p.r
    if p.shape == "square":
        r *= 0.88
        return [(x - r, y - r), (x + r, y - r), (x + r, y + r), (x - r, y + r)]
    if p.shape == "diamond":
        r *= 1.25
        return [(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
    s = 1 if p.direction == "right" else -1   # triangle
    return [(x + s * r, y), (x - s * r, y - r), (x - s * r, y + r)]
