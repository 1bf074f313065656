"""The PDF's look: house colours as reportlab colours, page geometry and paragraph styles."""

from __future__ import annotations

import re

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from briefgen import fonts, look
from briefgen import tree as t

NAVY = colors.HexColor("#" + look.NAVY)
INK = colors.HexColor("#" + look.INK)
MUTED = colors.HexColor("#" + look.MUTED)
GREY = colors.HexColor("#" + look.GREY)
RULE = colors.HexColor("#" + look.RULE)
TINT = colors.HexColor("#" + look.TINT)
ZEBRA = colors.HexColor("#" + look.ZEBRA)
CODE_BG = colors.HexColor("#" + look.CODE_BG)
LINK = "rgb({},{},{})".format(*bytes.fromhex(look.LINK))   # the form paragraph markup parses fastest
MARKING = colors.HexColor("#" + look.MARKING)

MARGIN_X = 22 * mm
MARGIN_TOP = 25 * mm       # page top to body
MARGIN_BOTTOM = 20 * mm    # page bottom to body (notes sit inside the body frame)
HEADER_Y = 14 * mm         # header baseline, from the page top
FOOTER_Y = 11 * mm         # footer baseline, from the page bottom

BODY_SIZE, BODY_LEADING = 9.5, 13.8
NOTE_SIZE, NOTE_LEADING = 7.6, 9.8
CELL_SIZE = 8.3


def accent(meta: t.Meta):
    """The heading and rule colour from ``meta.accent`` (hex RRGGBB), else navy."""
    value = str(getattr(meta, "accent", "") or "").strip().lstrip("#")
    return colors.HexColor("#" + value) if re.fullmatch(r"[0-9A-Fa-f]{6}", value) else NAVY


def paragraph_styles(accent=None) -> dict[str, ParagraphStyle]:
    """Every paragraph style the story uses, by name, headings in `accent`."""
    accent = accent or NAVY
    base = ParagraphStyle("body", fontName=fonts.FAMILY, fontSize=BODY_SIZE, leading=BODY_LEADING,
                          textColor=INK, spaceAfter=6, allowWidows=0, allowOrphans=0)
    s = {"body": base}

    def add(name, parent="body", **kw):
        s[name] = ParagraphStyle(name, parent=s[parent], **kw)

    add("h1", fontName=fonts.RL_NAMES["bold"], fontSize=15.5, leading=19.5, textColor=accent,
        spaceBefore=16, spaceAfter=6)
    add("h2", fontName=fonts.RL_NAMES["bold"], fontSize=12.2, leading=16, textColor=accent,
        spaceBefore=13, spaceAfter=4)
    add("h3", fontName=fonts.RL_NAMES["bold"], fontSize=10.4, leading=14, textColor=accent,
        spaceBefore=10, spaceAfter=3)
    add("h4", fontName=fonts.RL_NAMES["bold"], textColor=INK, spaceBefore=8, spaceAfter=2)
    add("title", fontName=fonts.RL_NAMES["bold"], fontSize=21, leading=26, textColor=accent,
        spaceBefore=0, spaceAfter=4)
    add("subtitle", fontSize=11, leading=15, textColor=MUTED, spaceAfter=2)
    add("item", spaceAfter=3)
    add("quote", textColor=colors.HexColor("#" + look.QUOTE))
    add("callout_title", fontName=fonts.RL_NAMES["bold"], textColor=accent, spaceAfter=3)
    add("caption", fontName=fonts.RL_NAMES["italic"], fontSize=8, leading=10.5, textColor=MUTED,
        alignment=TA_CENTER, spaceBefore=3, spaceAfter=10)
    add("toc_title", fontName=fonts.RL_NAMES["bold"], fontSize=12.2, leading=16, textColor=accent,
        spaceBefore=6, spaceAfter=6)
    add("toc1", fontName=fonts.RL_NAMES["bold"], spaceAfter=0, spaceBefore=3, endDots=" .")
    add("toc2", leftIndent=12, spaceAfter=0, endDots=" .")
    add("note", fontSize=NOTE_SIZE, leading=NOTE_LEADING, spaceAfter=0, leftIndent=11,
        bulletIndent=0, bulletFontName=fonts.FAMILY, bulletFontSize=NOTE_SIZE, textColor=INK)
    add("note_item", parent="note", bulletText=None)
    add("cell", fontSize=CELL_SIZE, leading=10.8, spaceAfter=0)
    add("cell_head", parent="cell", fontName=fonts.RL_NAMES["bold"], textColor=colors.white)
    add("code", fontName=fonts.MONO, fontSize=7.8, leading=10.2, backColor=CODE_BG, leftIndent=5,
        rightIndent=5, borderPadding=(3, 5, 3, 5), spaceBefore=5, spaceAfter=10, allowWidows=1,
        allowOrphans=1)
    add("note_code", parent="code", fontSize=6.8, leading=8.8, spaceAfter=2, spaceBefore=1)
    return s
