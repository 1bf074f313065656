"""The fonts briefgen ships and embeds, shared by the PDF writer and the figure painters.

Six TrueType files live in ``briefgen/data/fonts`` (licences beside them): DejaVu Sans in
four faces for Latin, Greek and Cyrillic, DejaVu Sans Mono for code, and Droid Sans
Fallback for Chinese, Japanese and Korean. A font is known here by its *role*:
``regular``, ``bold``, ``italic``, ``bolditalic``, ``mono`` or ``cjk``.

Text is split into runs by script (:func:`runs`): CJK characters are drawn with the
``cjk`` font, everything else with the requested role. Registration with reportlab is
lazy and happens once per process; the CJK font (3.4 MB) is parsed only when some text
needs it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from briefgen import tree as t

FONT_DIR = Path(__file__).resolve().parent / "data" / "fonts"

FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
    "mono": "DejaVuSansMono.ttf",
    "cjk": "DroidSansFallback.ttf",
}

#: reportlab names; ``FAMILY`` maps <b>/<i> in paragraphs to the four DejaVu faces.
RL_NAMES = {
    "regular": "BriefSans",
    "bold": "BriefSans-Bold",
    "italic": "BriefSans-Italic",
    "bolditalic": "BriefSans-BoldItalic",
    "mono": "BriefMono",
    "cjk": "BriefCJK",
}
FAMILY = RL_NAMES["regular"]
MONO = RL_NAMES["mono"]
CJK = RL_NAMES["cjk"]

# Scripts DejaVu lacks and Droid Sans Fallback has: Hangul Jamo, CJK radicals to CJK
# Unified Ideographs (with kana, bopomofo and CJK punctuation), Hangul syllables, CJK
# compatibility ideographs, vertical and compatibility forms, full/half-width forms,
# and the supplementary ideographic planes.
_CJK_CLASS = ("\u1100-\u11ff\u2e80-\u2fdf\u2ff0-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
              "\uac00-\ud7ff\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef"
              "\U00020000-\U0003ffff")
CJK_RUN = re.compile(f"[{_CJK_CLASS}]+")
_SPLIT = re.compile(f"([{_CJK_CLASS}]+)")


def font_path(role: str) -> Path:
    """The vendored file for `role`."""
    return FONT_DIR / FILES[role]


def runs(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (run, is_cjk) pieces, in order; empty pieces dropped."""
    if text.isascii():
        return [(text, False)] if text else []
    return [(part, i % 2 == 1) for i, part in enumerate(_SPLIT.split(text)) if part]


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")
_cmaps: dict[str, frozenset[str]] = {}


def right_to_left(ch: str) -> bool:
    """Whether character `ch` belongs to a right-to-left script."""
    return _RTL.match(ch) is not None


def _cmap(role: str) -> frozenset[str]:
    """The characters the font for `role` has glyphs for (from the font reportlab loaded)."""
    if role not in _cmaps:
        from reportlab.pdfbase import pdfmetrics

        _cmaps[role] = frozenset(map(chr, pdfmetrics.getFont(reportlab_name(role)).face.charToGlyph))
    return _cmaps[role]


def unshowable(text: str) -> str | None:
    """The first character the embedded fonts cannot show correctly, or None.

    Right-to-left scripts count as unshowable: reportlab draws them unshaped and in
    left-to-right order, which is wrong, not merely plain. Invisible format
    characters (joiners, direction marks) need no glyph.
    """
    if text.isascii():
        return None
    if (rtl := _RTL.search(text)) is not None:
        return rtl.group()
    for part, cjk in runs(text):
        missing = set(part) - _cmap("cjk" if cjk else "regular")
        if not missing:
            continue
        for ch in part:
            if ch in missing and unicodedata.category(ch) not in ("Cf", "Mn", "Zs"):
                return ch
    return None


# --- reportlab -----------------------------------------------------------------------

_registered: set[str] = set()


def _utf16_to_unicode(make_cmap):
    """reportlab's ToUnicode map with characters above U+FFFF written as PDF wants them.

    reportlab writes each entry as ``<%04X>``, so U+1D54A becomes five hex digits that
    readers misread: copying or searching "𝕊" in the PDF gave "ᵔ". PDF text strings
    are UTF-16, where such a character is a surrogate pair (``<D835DD4A>``).
    """
    def make(fontname, subset):
        cmap = make_cmap(fontname, subset)
        for i, code in enumerate(subset):
            if code > 0xFFFF:
                cmap = cmap.replace(f"<{i:02X}> <{code:04X}>", f"<{i:02X}> <{chr(code).encode('utf-16-be').hex().upper()}>")
        return cmap

    make.briefgen = True
    return make


def register(*roles: str) -> None:
    """Register the given roles (default: all but ``cjk``) with reportlab, once."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics, ttfonts
    from reportlab.pdfbase.ttfonts import TTFont

    if not getattr(ttfonts.makeToUnicodeCMap, "briefgen", False):
        ttfonts.makeToUnicodeCMap = _utf16_to_unicode(ttfonts.makeToUnicodeCMap)
    for role in roles or ("regular", "bold", "italic", "bolditalic", "mono"):
        if role in _registered:
            continue
        path = font_path(role)
        if not path.is_file():
            from briefgen.errors import BriefgenError

            raise BriefgenError.one(f"font file missing: {path}", kind="output",
                                    hint="reinstall briefgen; its package must ship briefgen/data/fonts")
        pdfmetrics.registerFont(TTFont(RL_NAMES[role], str(path)))
        _registered.add(role)
        if role == "mono":
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(MONO, bold, italic, MONO)
        elif role == "cjk":
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(CJK, bold, italic, CJK)
    if {"regular", "bold", "italic", "bolditalic"} <= _registered and "family" not in _registered:
        pdfmetrics.registerFontFamily(FAMILY, normal=RL_NAMES["regular"], bold=RL_NAMES["bold"],
                                      italic=RL_NAMES["italic"], boldItalic=RL_NAMES["bolditalic"])
        _registered.add("family")


def reportlab_name(role: str) -> str:
    """The registered reportlab font name for `role` (registering it if needed)."""
    if role not in _registered:
        register(role)
    return RL_NAMES[role]


def text_width(text: str, role: str, size: float) -> float:
    """Width in points of `text` set in `role` at `size`, CJK runs in the CJK font."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if text.isascii():
        return stringWidth(text, reportlab_name(role), size)
    total = 0.0
    for part, cjk in runs(text):
        total += stringWidth(part, reportlab_name("cjk" if cjk else role), size)
    return total


# --- Pillow --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def pil_font(role: str, size_px: float):
    """A Pillow FreeType font for `role` at `size_px` pixels."""
    from PIL import ImageFont

    register(role)          # the same metrics drive layout; also checks the file is there
    return ImageFont.truetype(str(font_path(role)), size_px)


def ellipsize(text: str, role: str, size: float, max_w: float) -> str:
    """`text`, shortened with "…" to fit `max_w` points."""
    if text_width(text, role, size) <= max_w:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + "…", role, size) <= max_w:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


# --- table columns ---------------------------------------------------------------------


def table_widths(table: t.Table, ncols: int, width: float, *, size: float, pad: float) -> list[float]:
    """Column widths in points for `table` across `width`: near the relative widths every
    writer uses (:func:`briefgen.tree.column_widths`), but no column narrower than its
    longest word at `size` (the header's in bold) plus `pad`, where the page allows.

    `pad` is the cell's own padding and a point more: a column exactly as wide as its
    word broke it ("Grad" / "e") in reportlab's line breaker.
    """
    return _fit_columns(t.column_widths(table, ncols), _min_widths(table, ncols, size, pad), width)


def _min_widths(b: t.Table, ncols: int, size: float, pad: float) -> list[float]:
    """Per column, the width of its longest word (header in bold), so no word breaks."""
    mins = [0.0] * ncols
    sample = [(b.header, "bold")] if b.header else []
    sample += [(row, "regular") for row in b.rows[:200]]
    for row, role in sample:
        for i, cell in enumerate(row[:ncols]):
            words = t.plain_text(cell).split()
            if words:
                longest = max(words, key=len)
                mins[i] = max(mins[i], text_width(longest[:40], role, size) + pad)
    return mins


def _fit_columns(rel: list[float], mins: list[float], width: float) -> list[float]:
    """Absolute widths near `rel` of `width` that respect `mins` where the page allows."""
    mins = [min(m, width * 0.4) for m in mins]
    if sum(mins) >= width:
        return [width * m / sum(mins) for m in mins]
    widths = [max(r * width, m) for r, m in zip(rel, mins)]
    for _ in range(len(widths)):
        excess = sum(widths) - width
        if excess <= 1e-6:
            break
        slack = [w - m for w, m in zip(widths, mins)]
        total = sum(s for s in slack if s > 0)
        widths = [w - excess * s / total if s > 0 else w for w, s in zip(widths, slack)]
    return widths
