"""The fonts briefgen ships and embeds, shared by the PDF writer and the figure painters.

TrueType files live in ``briefgen/data/fonts`` (licences beside them): DejaVu Sans in
four faces for Latin, Greek and Cyrillic, DejaVu Sans Mono for code, Noto Sans for
Arabic, Hebrew, Devanagari, Bengali, Tamil and Thai (regular and bold), Droid Sans
Fallback for Chinese, Japanese and Korean, and Noto Emoji (monochrome). A font is known
here by its *role*: ``regular``, ``bold``, ``italic``, ``bolditalic``, ``mono``, ``cjk``,
``emoji``, or a script's name (``arabic``, ``arabic-bold``, ...).

:data:`CHAIN` is the one fallback chain: text is cut into pieces by the font that draws
them (:func:`pieces`). A character of a script in the chain is drawn with that script's
font; anything else with the requested role's font if it has the character, else with
the first font of the chain that has it. Combining marks, joiners and variation
selectors stay with the character before them. Text no font can draw is
:func:`unshowable`. Pieces in a ``shaped`` font go through HarfBuzz (:func:`shape`);
Latin and CJK are drawn as they are. Registration with reportlab is lazy and happens
once per process: a font is parsed only when some text needs it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from briefgen import resources
from briefgen import tree as t
from briefgen.bidi import CONTROLS

FONT_DIR = resources.fonts()

FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bolditalic": "DejaVuSans-BoldOblique.ttf",
    "mono": "DejaVuSansMono.ttf",
    "cjk": "DroidSansFallback.ttf",
    "emoji": "NotoEmoji-Regular.ttf",
}

#: reportlab names; ``FAMILY`` maps <b>/<i> in paragraphs to the four DejaVu faces.
RL_NAMES = {
    "regular": "BriefSans",
    "bold": "BriefSans-Bold",
    "italic": "BriefSans-Italic",
    "bolditalic": "BriefSans-BoldItalic",
    "mono": "BriefMono",
    "cjk": "BriefCJK",
    "emoji": "BriefEmoji",
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


@dataclass(frozen=True)
class Fallback:
    """One font of the chain: its key, the characters it is first choice for (a regex
    class), whether its text is shaped, and whether it has a bold face."""

    key: str
    blocks: str
    shaped: bool
    bold: bool


#: The fallback chain, in order. Each script font is first choice for its own blocks;
#: for any other character the requested face comes first, then this chain in order.
CHAIN: tuple[Fallback, ...] = (
    Fallback("arabic", "\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdcf\ufdf0-\ufdff\ufe70-\ufefe",
             shaped=True, bold=True),
    Fallback("hebrew", "\u0590-\u05ff\ufb1d-\ufb4f", shaped=True, bold=True),
    Fallback("devanagari", "\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff", shaped=True, bold=True),
    Fallback("bengali", "\u0980-\u09ff", shaped=True, bold=True),
    Fallback("tamil", "\u0b80-\u0bff\U00011fc0-\U00011fff", shaped=True, bold=True),
    Fallback("thai", "\u0e00-\u0e7f", shaped=True, bold=True),
    Fallback("cjk", _CJK_CLASS, shaped=False, bold=False),
    Fallback("emoji", "\U0001f000-\U0001faff", shaped=True, bold=False),
)
_BY_KEY = {f.key: f for f in CHAIN}
SHAPED = frozenset(f.key for f in CHAIN if f.shaped)
for _f in CHAIN:
    if _f.key not in FILES:
        _name = "NotoSans" + _f.key.title()
        FILES[_f.key], FILES[_f.key + "-bold"] = f"{_name}-Regular.ttf", f"{_name}-Bold.ttf"
        RL_NAMES[_f.key], RL_NAMES[_f.key + "-bold"] = f"Brief{_f.key.title()}", f"Brief{_f.key.title()}-Bold"

_OWN = re.compile("|".join(f"(?P<{f.key}>[{f.blocks}])" for f in CHAIN))
# Characters that belong to the character before them: combining marks, joiners,
# variation selectors, emoji modifiers and tags.
_ATTACH = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u200c\u200d"
                     "\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef]")
#: Default-ignorable code points (Unicode's DerivedCoreProperties) but the soft hyphen:
#: invisible by definition, so never a reason to refuse text. Drawn where the font has a
#: glyph for them (as before), honoured by the bidirectional algorithm or by shaping,
#: and dropped otherwise.
IGNORABLE = re.compile("[\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
                       "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
_EMOJI_STYLE = "\ufe0f"


def font_path(role: str) -> Path:
    """The vendored file for `role`."""
    return FONT_DIR / FILES[role]


def script(ch: str) -> str | None:
    """The key of the :data:`CHAIN` font that is first choice for `ch` (``arabic``,
    ``thai``, ``cjk`` ...), or None for a character no script font claims."""
    m = _OWN.match(ch)
    return m.lastgroup if m is not None else None


def face(key: str, role: str) -> str:
    """The role that draws a piece of font `key` (from :func:`pieces`) in face `role`:
    the role itself for ``base``, else the chain font, in bold where it has one."""
    if key == "base":
        return role
    if _BY_KEY[key].bold and role in ("bold", "bolditalic"):
        return key + "-bold"
    return key


def family(key: str) -> str:
    """The reportlab family name for chain font `key`, whose bold and italic map to its faces."""
    register(key)
    return RL_NAMES[key]


def shaped(key: str) -> bool:
    """Whether pieces of font `key` are shaped."""
    return key in SHAPED


def plain(text: str) -> bool:
    """Whether every character of `text` is drawn by the base face as it is: no script of
    the chain, all in DejaVu Sans (most non-ASCII text: accents, dashes, quotes)."""
    return _OWN.search(text) is None and _cmap("regular").issuperset(text)


def pieces(text: str, role: str = "regular") -> list[tuple[str, str]]:
    """`text` cut into (piece, font key) in order: ``base`` for the requested `role`, or
    the key of a font of :data:`CHAIN`. Characters no font has go with the piece
    around them (:func:`unshowable` says whether there are any)."""
    if text.isascii() or plain(text):
        return [(text, "base")] if text else []
    out: list[tuple[str, str]] = []
    cur, start = None, 0
    n = len(text)
    for i, ch in enumerate(text):
        if cur is not None and (IGNORABLE.match(ch) or (_ATTACH.match(ch) and ch in _cmap(face(cur, role)))):
            continue
        key = _font_for(ch, role, text[i + 1] if i + 1 < n else "")
        if key is None:
            key = cur or "base"
        if key != cur:
            if cur is not None:
                out.append((text[start:i], cur))
            cur, start = key, i
    if cur is not None:
        out.append((text[start:], cur))
    return out


def _font_for(ch: str, role: str, nxt: str) -> str | None:
    """The font key that draws `ch` (followed by `nxt`), or None if none has it."""
    if ch.isascii():
        if nxt == _EMOJI_STYLE and ch in _cmap("emoji"):
            return "emoji"
        return "base"
    m = _OWN.match(ch)
    if m is not None:
        key = m.lastgroup
        if key == "cjk" or ch in _cmap(key):
            return key
    if nxt == _EMOJI_STYLE and ch in _cmap("emoji"):
        return "emoji"
    if ch in _cmap(role) or IGNORABLE.match(ch):
        return "base"
    for f in CHAIN:
        if ch in _cmap(f.key):
            return f.key
    return None


def key_of(role: str) -> str:
    """The font key (as :func:`pieces` gives) of `role`: ``base`` for the DejaVu faces."""
    key = role[:-5] if role.endswith("-bold") else role
    return key if key in _BY_KEY else "base"


def drawable(text: str, role: str) -> str:
    """`text` without the default-ignorable characters the font of `role` has no glyph
    for (invisible by definition, they would otherwise be drawn as empty boxes), nor the
    directional marks, embeddings and isolates, which the bidirectional algorithm has
    used by then (DejaVu has glyphs for LRM, RLM and LRE: a reader would copy them)."""
    if text.isascii() or not IGNORABLE.search(text):
        return text
    has = _cmap(role)
    return "".join(ch for ch in text if (ch in has and ch not in CONTROLS) or not IGNORABLE.match(ch))


def needs_layout(text: str, role: str = "regular") -> bool:
    """Whether one line of `text` has pieces to shape or to put right to left, so it
    cannot be drawn piece by piece as it is."""
    from briefgen import bidi

    return not text.isascii() and (bidi.bidirectional(text) or any(k in SHAPED for _, k in pieces(text, role)))


def line_runs(text: str, role: str, level: int) -> list[tuple[int, int, str, int]]:
    """One line of `text` in face `role`, in a paragraph of bidirectional `level`: its
    runs of one font and one level as (start, end, font role, level), in the order they
    are drawn from left to right (a run of odd level is itself drawn right to left)."""
    from briefgen import bidi

    levels = bidi.levels(text, level) if bidi.bidirectional(text) else [level] * len(text)
    runs: list[tuple[int, int, str, int]] = []
    at = 0
    for part, key in pieces(text, role):
        r = face(key, role)
        i = 0
        while i < len(part):
            j = i
            while j < len(part) and levels[at + j] == levels[at + i]:
                j += 1
            runs.append((at + i, at + j, r, levels[at + i]))
            i = j
        at += len(part)
    return [runs[i] for i in bidi.visual_order([r[3] for r in runs])]


def runs(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (run, is_cjk) pieces, in order; empty pieces dropped."""
    return [(part, key == "cjk") for part, key in pieces(text)]


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdcf\ufdf0-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")
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
    """The first character the embedded fonts cannot draw, or None.

    Combining marks and format characters count like any other: one no font has is
    unshowable, never an empty box. Default-ignorable characters (joiners, direction
    marks and isolates, variation selectors) need no glyph: they are honoured by shaping
    or the bidirectional algorithm, or dropped. Noncharacters, unassigned and
    private-use code points are unshowable.
    """
    if text.isascii():
        return None
    if plain(text):
        return None
    for part, key in pieces(text):
        has = _cmap(face(key, "regular"))
        for ch in part:
            if ch.isascii() or IGNORABLE.match(ch):
                continue
            if ch not in has or unicodedata.category(ch) in ("Cn", "Co", "Cs"):
                return ch
    return None


def describe(ch: str) -> str:
    """How an error names character `ch`: its name and code point, or what it is."""
    code = f"U+{ord(ch):04X}"
    cat = unicodedata.category(ch)
    if cat == "Cn":
        if 0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE:
            return f"the noncharacter {code}, which Unicode reserves for programs' own use"
        return f"the unassigned code point {code}"
    if cat == "Co":
        return f"the private-use character {code}, which only a font made for it can show"
    if cat == "Cs":
        return f"the lone surrogate {code}"
    name = unicodedata.name(ch, code).title()
    shown = f"\u25cc{ch}" if unicodedata.combining(ch) or cat in ("Mn", "Me") else ch
    return f"the character {shown} ({name}, {code})"


@lru_cache(maxsize=None)
def _hb(role: str):
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(font_path(role))))
    return hb.Font(face), 1000.0 / face.upem


def advance(role: str, gid: int) -> float:
    """The advance of glyph `gid` of the font of `role`, in thousandths of the font size."""
    font, k = _hb(role)
    return font.get_glyph_h_advance(gid) * k


@dataclass(frozen=True, slots=True)
class Glyph:
    """One shaped glyph: font glyph id, index of its first character in the text
    shaped, and its advance and offsets in thousandths of the font size."""

    gid: int
    cluster: int
    x_advance: float
    y_advance: float
    x_offset: float
    y_offset: float


def shape(text: str, role: str, rtl: bool, start: int = 0, end: int | None = None) -> list[Glyph]:
    """HarfBuzz's glyphs for ``text[start:end]`` in font `role`, right to left if `rtl`
    (so in drawing order either way), the rest of `text` as context (an Arabic word
    joins across a change of face). Clusters index `text`."""
    import uharfbuzz as hb

    font, k = _hb(role)
    buf = hb.Buffer()
    buf.add_codepoints([ord(c) for c in text], start, (len(text) if end is None else end) - start)
    buf.direction = "rtl" if rtl else "ltr"
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.flags = hb.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    hb.shape(font, buf)
    return [Glyph(i.codepoint, i.cluster, p.x_advance * k, p.y_advance * k, p.x_offset * k, p.y_offset * k)
            for i, p in zip(buf.glyph_infos, buf.glyph_positions)]


# --- reportlab -----------------------------------------------------------------------

_registered: set[str] = set()


def _unicode_map(cmap: str, fontname: str, subset) -> str:
    """reportlab's ToUnicode map of one font subset, with characters above U+FFFF and
    shaped glyphs written as PDF wants them.

    reportlab writes each entry as ``<%04X>``, so U+1D54A becomes five hex digits that
    readers misread: copying or searching "𝕊" in the PDF gave "ᵔ". PDF text strings
    are UTF-16, where such a character is a surrogate pair (``<D835DD4A>``). A shaped
    glyph no character maps to (see :func:`name_private`) reads as its characters.
    """
    private = _private_text.get(fontname.split("+", 1)[-1].encode("latin-1"), {})
    for i, code in enumerate(subset):
        text = private.get(code) or (chr(code) if code > 0xFFFF else None)
        if text:
            cmap = cmap.replace(f"<{i:02X}> <{code:04X}>", f"<{i:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    return cmap


#: The seam: a registered face is read from its file when first used (off: when registered).
LAZY = True


class _Unread:
    """A font's face until the font is used: registering reads only its name, any other
    attribute reads the file (``read``) and comes from the face read."""

    def __init__(self, font, name: bytes) -> None:
        self.font, self.name = font, name

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        face = self.font.face
        return getattr(self.font.read() if face is self else face, attr)


@functools.cache
def _font_class():
    """reportlab's TTFont, writing its subsets' ToUnicode maps through :func:`_unicode_map`
    (a subclass: reportlab's module stays as it is), and reading its face when first used.

    Reading a face (its glyph widths and character map) is most of what registering a
    font costs, about 10 ms a face; a briefing uses two or three of the faces registered.
    Until then the font holds only its name, and its face's name (which registering
    reads, from the file's name table); the first other attribute asked for, of the
    font or of its face, makes reportlab read the face as it would have when registering.
    """
    from reportlab.pdfbase.ttfonts import SUBSETN, TTFont, TTFontFile

    class Font(TTFont):
        def __new__(cls, *args, **kw):
            return object.__new__(Unread if LAZY and cls is Font else cls)

        def addObjects(self, doc):
            state = self.state.get(doc)
            subsets = [] if state is None else list(state.subsets)  # the state ends with the call
            super().addObjects(doc)
            for n, subset in enumerate(subsets):
                base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
                stream = doc.idToObject["toUnicodeCMap:" + base]  # the map reportlab made for it
                stream.content = _unicode_map(stream.content, base, subset)

    class Unread(Font):
        """The font until it is used; then, read, it is a :class:`Font`."""

        def __init__(self, name: str, filename: str) -> None:
            self.fontName = name
            self.__dict__["_bg_file"] = filename
            self.face = _Unread(self, TTFontFile(filename, charInfo=0).name)

        def read(self):
            """The face, read from the file now."""
            file = self.__dict__.pop("_bg_file")
            self.__class__ = Font           # no longer asks for the face on every missing attribute
            TTFont.__init__(self, self.fontName, file)
            return self.face

        def __getattr__(self, attr):
            # only called for what is not set: what TTFont sets when it reads the face
            if attr.startswith("__") or "_bg_file" not in self.__dict__:
                raise AttributeError(attr)
            self.read()
            return getattr(self, attr)

    return Font


_private_text: dict[bytes, dict[int, str]] = {}


def name_private(face: bytes, code: int, text: str) -> None:
    """Record that private-use `code` of font `face` (its PostScript name) stands for
    `text`: a shaped glyph no character maps to, which the PDF's text map then reads as
    the characters it was made from."""
    if text:
        _private_text.setdefault(face, {}).setdefault(code, text)


def register(*roles: str) -> None:
    """Register the given roles (default: the DejaVu faces) with reportlab, once; a chain
    font with its bold face, both under its family name."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    for role in roles or ("regular", "bold", "italic", "bolditalic", "mono"):
        if role in _registered:
            continue
        path = font_path(role)
        if not path.is_file():
            from briefgen.errors import BriefgenError

            raise BriefgenError.one(f"font file missing: {path}", kind="output",
                                    hint="reinstall briefgen; its package must ship briefgen/data/fonts")
        pdfmetrics.registerFont(_font_class()(RL_NAMES[role], str(path)))
        _registered.add(role)
        if role == "mono" or role in _BY_KEY:
            # one face, or a chain font's regular and bold: italic is drawn upright
            fallback = _BY_KEY.get(role)
            if fallback is not None and fallback.bold:
                register(role + "-bold")
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(RL_NAMES[role], bold, italic,
                               RL_NAMES[role + "-bold"] if bold and fallback is not None and fallback.bold
                               else RL_NAMES[role])
    if {"regular", "bold", "italic", "bolditalic"} <= _registered and "family" not in _registered:
        pdfmetrics.registerFontFamily(FAMILY, normal=RL_NAMES["regular"], bold=RL_NAMES["bold"],
                                      italic=RL_NAMES["italic"], boldItalic=RL_NAMES["bolditalic"])
        _registered.add("family")


def read(*roles: str) -> None:
    """Register `roles` and read their faces now, not at first use (a writer started ahead
    of the tree reads the faces every briefing uses while the tree is made)."""
    from reportlab.pdfbase import pdfmetrics

    register(*roles)
    for role in roles:
        font = pdfmetrics.getFont(RL_NAMES[role])
        if "_bg_file" in font.__dict__:   # not read yet
            font.read()


def reportlab_name(role: str) -> str:
    """The registered reportlab font name for `role` (registering it if needed)."""
    if role not in _registered:
        register(role)
    return RL_NAMES[role]


def text_width(text: str, role: str, size: float) -> float:
    """Width in points of `text` set in `role` at `size`, each piece in the font of the
    chain that draws it, shaped pieces as HarfBuzz sets them."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if text.isascii():
        return stringWidth(text, reportlab_name(role), size)
    if not needs_layout(text, role):
        return sum(stringWidth(part, reportlab_name(face(key, role)), size) for part, key in pieces(text, role))
    from briefgen import bidi

    total = 0.0
    for start, end, r, level in line_runs(text, role, bidi.paragraph_level(text)):
        if key_of(r) in SHAPED or level % 2:
            total += sum(g.x_advance for g in shape(text, r, bool(level % 2), start, end)) * size / 1000
        else:
            total += stringWidth(drawable(text[start:end], r), reportlab_name(r), size)
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
