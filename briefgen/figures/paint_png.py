"""Painter: a timeline scene as PNG bytes (Pillow), for the Word writer."""

from __future__ import annotations

import io
from typing import Iterable, Sequence, assert_never

from PIL import Image, ImageDraw

from briefgen import fonts
from briefgen.figures.scene import WHITE, Label, Line, Marker, Rect, Scene, polygon, start_x


def to_png(scene: Scene, dpi: int = 200) -> bytes:
    """PNG bytes of the scene at `dpi` (drawn at twice the size, then downsampled)."""
    ss = 2
    k = dpi / 72.0 * ss
    W, H = max(1, round(scene.width * dpi / 72.0)), max(1, round(scene.height * dpi / 72.0))
    img = Image.new("RGB", (W * ss, H * ss), WHITE)
    dr = ImageDraw.Draw(img)
    for p in scene.items:
        if isinstance(p, Line):
            pts = [(p.x1 * k, p.y1 * k), (p.x2 * k, p.y2 * k)]
            _pil_line(dr, pts, p.color, p.width * k, [v * k for v in p.dash])
        elif isinstance(p, Rect):
            box = [p.x * k, p.y * k, (p.x + p.w) * k, (p.y + p.h) * k]
            if p.fill:
                dr.rectangle(box, fill=p.fill)
            if p.stroke:
                x0, y0, x1, y1 = box
                pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
                _pil_line(dr, pts, p.stroke, p.width * k, [v * k for v in p.dash])
        elif isinstance(p, Marker):
            fill = WHITE if p.hollow else p.color
            sw = max(1, round(0.9 * k))
            if p.shape == "circle":
                r = p.r * k
                x, y = p.cx * k, p.cy * k
                dr.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=p.color, width=sw)
            else:
                pts = [(x * k, y * k) for x, y in polygon(p)]
                dr.polygon(pts, fill=fill, outline=p.color, width=sw)
        elif isinstance(p, Label) and fonts.needs_layout(p.text, p.role):
            _laid_out_label(dr, p, k)
        elif isinstance(p, Label):
            x = start_x(p) * k
            for part, cjk in fonts.runs(p.text):
                role = "cjk" if cjk else p.role
                font = fonts.pil_font(role, round(p.size * k * 4) / 4)
                dr.text((x, p.y * k), part, font=font, fill=p.color, anchor="ls")
                x += fonts.text_width(part, role, p.size) * k
        else:
            assert_never(p)
    img = img.resize((W, H), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def _laid_out_label(dr, p: Label, k: float) -> None:
    """A label with shaped or right-to-left text: its runs in drawing order, each shaped
    by Pillow's text layout (raqm), right to left where its level is."""
    from briefgen import bidi

    x = start_x(p) * k
    for start, end, role, level in fonts.line_runs(p.text, p.role, bidi.paragraph_level(p.text)):
        part = p.text[start:end]
        rtl = bool(level % 2)
        font = fonts.pil_font(role, round(p.size * k * 4) / 4)
        dr.text((x, p.y * k), part, font=font, fill=p.color, anchor="ls", direction="rtl" if rtl else "ltr")
        x += fonts.text_width(part, role, p.size) * k


def _pil_line(dr, pts: Sequence[tuple[float, float]], color: str, width: float, dash: Iterable[float]) -> None:
    w = max(1, round(width))
    dash = list(dash)
    if not dash:
        dr.line(list(pts), fill=color, width=w)
        return
    on = True
    period = dash + dash if len(dash) % 2 else dash
    i, left = 0, period[0]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        seg = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        pos = 0.0
        while pos < seg - 1e-9:
            step = min(left, seg - pos)
            if on:
                a, b = pos / seg, (pos + step) / seg
                dr.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                        fill=color, width=w)
            pos += step
            left -= step
            if left <= 1e-9:
                i = (i + 1) % len(period)
                left = period[i]
                on = not on
