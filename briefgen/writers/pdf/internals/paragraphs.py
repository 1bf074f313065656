"""reportlab's private names for paragraphs: shaping, direction, lines and markers."""

from __future__ import annotations


from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, makeShapedFragWord
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _FK_BREAK, _getFragWords, _HSFrag, _InjectedFrag, _processed_frags

from briefgen import bidi, fonts
from briefgen.writers.pdf import reuse


# --- paragraphs ----------------------------------------------------------------------


class Para(Paragraph):
    """A Paragraph that remembers its lines for the last width it was wrapped at, and
    lays out shaped and right-to-left text.

    The footnote frame measures some flowables more than once (with and without their
    notes), and table cells are measured on every page a table spans; lines depend on
    the width only, so the second measure is free. Relies on ``wrap`` keeping the lines
    in ``blPara``. Split pieces are new objects.

    A paragraph whose style has ``shaping`` (see :func:`shaping_style`) takes its
    direction from its text (:func:`briefgen.bidi.paragraph_level`; a right-to-left one
    is set flush right), has its words shaped here with HarfBuzz, in runs of one
    bidirectional level, before reportlab wraps them (:func:`shaped_words`), and each
    wrapped line put in drawing order (:func:`visual_lines`).
    """

    def __init__(self, text, style=None, *args, **kw):
        found = reuse.parsed(text, style) if not args and "frags" not in kw else None
        if found is not None:
            Paragraph.__init__(self, text, style, frags=found.frags, **kw)
            self.text = found.text
        elif not args and "frags" not in kw and (plain := reuse.quick(text, style)) is not None:
            Paragraph.__init__(self, text, style, frags=plain[1], **kw)
            self.text = plain[0]
            found = reuse.keep(text, style, *plain)
        else:
            Paragraph.__init__(self, text, style, *args, **kw)
            if self.style is style and self.bulletText == (kw.get("bulletText") or getattr(style, "bulletText", None)):
                found = reuse.keep(text, style, self.text, self.frags)   # no <para> or <bullet> changed them
        if found is not None:
            self.__dict__["_bg_parsed"] = found
        st = self.style
        if st.shaping and not getattr(st, "_bg_level_of", None):
            self.style = _directed(st, bidi.paragraph_level(_plain(self.frags), st._bg_default_level))

    def wrap(self, availWidth, availHeight):
        d = self.__dict__
        if d.get("_bg_w") == availWidth and "blPara" in d:
            return self.width, self.height
        w, h = Paragraph.wrap(self, availWidth, availHeight)
        d["_bg_w"] = availWidth
        return w, h

    def breakLines(self, width):
        d = self.__dict__
        parsed = d.get("_bg_parsed")
        if parsed is None or not reuse.LINES or not isinstance(self.bulletText, (str, type(None))):
            return self._break_lines(width)
        key = (tuple(width) if isinstance(width, list) else width, self.bulletText, reuse.signature(self.style))
        found = parsed.lines.get(key)
        if found is None:
            if not reuse.keeping_lines():
                return self._break_lines(width)
            before = dict(d)
            lines = self._break_lines(width)
            found = parsed.lines[key] = (lines, {k: v for k, v in d.items() if before.get(k, _UNSET) is not v})
        lines, state = found
        d.update(state)
        d["_bg_shared"] = True
        return lines

    def split(self, availWidth, availHeight):
        d = self.__dict__
        if d.pop("_bg_shared", False) and "blPara" in d:
            # its lines are shared with paragraphs of the same markup, and reportlab's split
            # may change them (a line's last word gets a space): break them again, its own
            self.frags = d.pop("_bg_parsed").frags
            del d["blPara"]
            Para.wrap(self, d.pop("_bg_w", self.width), availHeight)
        return Paragraph.split(self, availWidth, availHeight)

    def _break_lines(self, width):
        if not self.style.shaping:
            return Paragraph.breakLines(self, width)
        level = self.style._bg_level
        if not _processed_frags(self.frags):
            first = width[0] if isinstance(width, (list, tuple)) else width
            self.frags = shaped_words(_getFragWords(self.frags, first), level)
        lines = Paragraph.breakLines(self, width)
        if lines.kind == 1:
            visual_lines(lines.lines, self.frags, level)
        return lines

    def beginText(self, x, y):
        # only shaped text has glyphs to mark or pieces to reorder: Latin is written as reportlab writes it
        return ActualText(self.canv, x, y) if self.style.shaping else Paragraph.beginText(self, x, y)


def shaping_style(style: ParagraphStyle, default_level: int = 0) -> ParagraphStyle:
    """`style` for paragraphs with text to shape or to lay out right to left; `default_level`
    is the direction of one with no strong character (1 for right to left)."""
    key = f"_bg_shaping{default_level}"
    cached = style.__dict__.get(key)
    if cached is None:
        cached = ParagraphStyle(style.name + "-shaped", parent=style, shaping=1)
        cached._bg_default_level = default_level
        style.__dict__[key] = cached
    return cached


def _directed(style: ParagraphStyle, level: int) -> ParagraphStyle:
    """The shaping `style` for a paragraph of `level`: right to left is set flush right
    where left to right is flush left."""
    key = f"_bg_dir{level}"
    cached = style.__dict__.get(key)
    if cached is None:
        align = TA_RIGHT if level % 2 and style.alignment == TA_LEFT else style.alignment
        cached = ParagraphStyle(style.name + ("-rtl" if level % 2 else "-ltr"), parent=style, alignment=align)
        cached.shaping = 1
        cached._bg_level, cached._bg_level_of = level, style
        style.__dict__[key] = cached
    return cached


def _plain(frags) -> str:
    if _processed_frags(frags):
        return " ".join("".join(s for _, s in w[1:]) for w in frags)
    return "".join(getattr(f, "text", "") for f in frags)


# A piece of a word: reportlab's (fragment, text) pair. Each piece made here holds text of
# one bidirectional level, which its fragment records as ``_bg_level``; a word records
# the level of the space after it as ``_bg_gap``.

def shaped_words(words: list, level: int) -> list:
    """Paragraph `words` (reportlab's processed words: ``[width, (frag, text), ...]``) of
    a paragraph of `level`, cut into pieces of one level and shaped where their font is
    shaped or their level is right to left. Every word comes back marked as shaped, so
    reportlab shapes none again."""
    text, at = [], 0
    spans = []
    for w in words:
        starts = []
        for f, s in w[1:]:
            starts.append(at)
            if not hasattr(f, "cbDefn"):
                # a note's mark is an isolate: one neutral to its neighbours (UAX #9 X5c),
                # never a digit run with the number before it
                text.append(_MARK * len(s) if _is_mark(f) else s)
                at += len(s)
        gap = None
        if isinstance(w, _HSFrag):
            gap = at
            text.append(" ")
            at += 1
        spans.append((starts, gap))
    logical = "".join(text)
    levels = bidi.levels(logical, level) if bidi.bidirectional(logical) else [level] * len(logical)
    out = []
    for w, (starts, gap) in zip(words, spans):
        pieces, width = [], 0.0
        word_text = "".join(s for f, s in w[1:] if not hasattr(f, "cbDefn"))
        offset = starts[0] if starts else 0
        for (f, s), a in zip(w[1:], starts):
            if hasattr(f, "cbDefn") or not s:
                # nothing to draw (a marker, an empty piece): goes with the text before it
                near = levels[a - 1] if a else (levels[0] if levels else level)
                pieces.append((f.clone(_bg_level=near), s))
                continue
            if _is_mark(f):
                # drawn left to right ("12", not "21"), placed where the neutral goes
                run, run_w = shape_run(s, 0, len(s), f.fontName, f.fontSize, 0)
                pieces.append((f.clone(_bg_level=levels[a]), run))
                width += run_w
                continue
            i = 0
            while i < len(s):
                lv = levels[a + i]
                j = i
                while j < len(s) and levels[a + j] == lv:
                    j += 1
                run, run_w = shape_run(word_text, a - offset + i, a - offset + j, f.fontName, f.fontSize, lv)
                if run or not pieces:
                    pieces.append((f.clone(_bg_level=lv), run))
                    width += run_w
                i = j
        if not pieces:
            pieces = [(w[1][0], "")]
        new = makeShapedFragWord(w)([width, *pieces])
        new._bg_gap = levels[gap] if gap is not None else level
        out.append(new)
    return out


_UNSET = object()
_MARK = "\ufffc"     # OBJECT REPLACEMENT CHARACTER: bidi class ON, a neutral


def _is_mark(frag) -> bool:
    """Whether `frag` is a note's reference mark (the writer's only superscript)."""
    return getattr(frag, "__tag__", None) == "super"


class Drawn(ShapedStr):
    """Glyphs in drawing order, as reportlab draws shaped text, and the text they stand
    for, in reading order (`actual`), which :class:`ActualText` gives the PDF's readers."""

    def __new__(cls, glyphs: str, shape_data, actual: str):
        self = ShapedStr.__new__(cls, glyphs, shapeData=shape_data)
        self.actual = actual
        return self


def shape_run(text: str, start: int, end: int, font_name: str, size: float, level: int):
    """``text[start:end]``, all of one bidirectional `level`, ready to draw in reportlab
    font `font_name` at `size`: (text or :class:`Drawn` glyphs, width in points). Shaped
    with HarfBuzz when the font is shaped or the level is right to left (HarfBuzz
    reverses and mirrors it); default-ignorable characters the font cannot draw are
    dropped, the rest of `text` is shaping context."""
    role = _ROLE[font_name]
    part = text[start:end]
    key = fonts.key_of(role)
    if not fonts.shaped(key) and not level % 2:
        part = fonts.drawable(part, role)
        return part, pdfmetrics.stringWidth(part, font_name, size)
    glyphs = fonts.shape(text, role, rtl=bool(level % 2), start=start, end=end)
    if not glyphs:
        return "", 0.0
    ttf = pdfmetrics.getFont(font_name)
    face = ttf.face
    chars, data = [], []
    bounds = sorted({g.cluster for g in glyphs} | {end})
    for g in glyphs:
        found = face.glyphToChar.get(g.gid)
        if found:
            code = found[0]
        else:
            cluster = text[g.cluster:bounds[bounds.index(g.cluster) + 1]]
            code = _private(ttf, g.gid, role, cluster)
        chars.append(chr(code))
        data.append(ShapeData(g.cluster, g.x_advance, g.y_advance, g.x_offset, g.y_offset, face.charWidths[code]))
    # Left to right, the glyphs carry their text in reading order. Right to left they do
    # not: poppler reverses an ActualText there, so the glyphs' own characters (Arabic
    # presentation forms, Hebrew letters) are what reads back in order.
    actual = None if level % 2 else "".join(ch for ch in part if ch not in bidi.CONTROLS)
    width = sum(g.x_advance for g in glyphs) * size / 1000
    return Drawn("".join(chars), data, actual), width


_ROLE = {name: role for role, name in fonts.RL_NAMES.items()}


def _private(ttf, gid: int, role: str, text: str) -> int:
    """A private-use code for glyph `gid`, which no character maps to (a ligature, a
    conjunct): reportlab's own assignment, so the glyph is in the embedded subset. The
    PDF maps it back to `text`, the characters it was shaped from
    (:func:`briefgen.fonts.name_private`)."""
    if not hasattr(ttf, "hbAddPrivate"):
        ttf.hbFont(10)        # sets up the assignment
    code = ttf.hbAddPrivate(f"gid{gid}", gid, fonts.advance(role, gid))
    fonts.name_private(ttf.face.name, code, "".join(ch for ch in text if ch not in bidi.CONTROLS))
    return code


def visual_lines(lines: list, words: list, level: int) -> None:
    """Put the pieces of each wrapped line (reportlab's ``FragLine``, whose ``sFW`` is the
    index in `words` of its first word) in drawing order: the line's pieces and the
    spaces between its words, by their levels (UAX #9 L1, L2)."""
    for n, line in enumerate(lines):
        end = lines[n + 1].sFW if n + 1 < len(lines) else len(words)
        mine = [w for w in words[line.sFW:end]
                if not isinstance(w, _InjectedFrag) and not (len(w) > 1 and w[1][0]._fkind == _FK_BREAK)]
        units, lv = [], []
        for k, w in enumerate(mine):
            for f, s in w[1:]:
                g = f.clone()
                g.text = s
                units.append(g)
                lv.append(getattr(f, "_bg_level", level))
            if k + 1 < len(mine) and isinstance(w, _HSFrag):
                text_frags = [f for f, s in w[1:] if not hasattr(f, "cbDefn")] or [w[-1][0]]
                g = text_frags[-1].clone()
                g.text = " "
                units.append(g)
                lv.append(getattr(w, "_bg_gap", level))
        order = bidi.visual_order(lv)
        if order != sorted(order):
            # reordered: each piece remembers its place in reading order (see ActualText)
            for i, g in enumerate(units):
                g.text = in_reading_order(g.text, i)
        line.words = [units[i] for i in order] or line.words


class Logical(str):
    """Text of a reordered line, with its place `at` in the line's reading order."""

    at = 0


def in_reading_order(text: str, at: int):
    """`text` (plain or :class:`Drawn`) marked with its place `at` in its line's reading order."""
    if isinstance(text, ShapedStr):
        out = Drawn(text, text.__shapeData__, getattr(text, "actual", None))
    else:
        out = Logical(text)
    out.at = at
    return out


class ActualText(PDFTextObject):
    """A text object that marks each run of shaped glyphs with the text it stands for
    (a ``/Span`` with ``/ActualText``), so copying and searching read the characters in
    their order, not the glyphs in theirs, and writes a reordered line's pieces in
    reading order.

    A line with right-to-left text is drawn left to right in pieces whose text is marked
    with its place in reading order (:func:`in_reading_order`). Text extraction that
    follows the content stream (pypdf, ``pdftotext -raw``, a screen reader) reads the
    pieces in the order they are written, so they are held until the line ends and then
    written in reading order, each moved to where it is drawn (``Td`` from the line's
    start) and setting its own font, colour and rise. Other text is written as reportlab
    writes it."""

    _bg_held = None

    def _formatText(self, text):
        code = PDFTextObject._formatText(self, text)
        actual = getattr(text, "actual", None)
        if actual is None:
            return code
        return f"/Span <</ActualText <FEFF{actual.encode('utf-16-be').hex().upper()}>>> BDC {code} EMC"

    def _textOut(self, text, TStar=0):
        at = getattr(text, "at", None)
        held = self._bg_held
        if at is None and held is None:
            return PDFTextObject._textOut(self, text, TStar)
        if held is None:
            held = self._bg_held = [0.0, []]
        if at is not None:
            self._curSubset = -1               # each piece sets its own font
            state = self._code
            self._code = []
            self.setFillColor(getattr(self, "_fillColorObj", None) or self._canvas._fillColorObj)
            self._code.append(f"{fp_str(self._rise)} Ts")
            self._code.append(self._formatText(text))
            held[1].append((at, held[0], " ".join(self._code)))
            self._code = state
            held[0] += pdfmetrics.stringWidth(text, self._fontname, self._fontsize) + getattr(self, "_wordSpace", 0) * text.count(" ")
        if TStar:
            self._bg_held = None
            x, code = 0.0, self._code
            for _, to, piece in sorted(held[1], key=lambda p: p[0]):
                code.append(f"{fp_str(to - x)} 0 Td {piece}")
                x = to
            code.append(f"{fp_str(-x)} 0 Td T*" if x else "T*")
            self._curSubset = -1


def draw_runs(canv, x: float, y: float, runs, reading=None) -> None:
    """Draw (font name, size, text or :class:`Drawn`, width) runs left to right from (x, y);
    `reading`, if given, is each run's place in reading order, in which they are written."""
    tx = ActualText(canv, x, y)
    placed = []
    for run in runs:
        placed.append((x, run))
        x += run[3]
    if reading is not None:
        placed = [placed[i] for i in sorted(range(len(placed)), key=reading.__getitem__)]
    for at, (name, size, text, width) in placed:
        tx.setFont(name, size)
        tx.setTextOrigin(at, y)
        tx._textOut(text)
    canv.drawText(tx)


def lines(p: Paragraph) -> list | None:
    """The lines of wrapped paragraph `p` (each of one leading), or None when it is not
    wrapped or its lines are not all one leading tall."""
    if not hasattr(p, "blPara") or getattr(p.style, "autoLeading", ""):
        return None
    return p.blPara.lines


def lost_lines(p) -> bool:
    """Whether `p` is a paragraph that must be wrapped again before it is drawn: a split
    that found no room (a failed trial split of a note) throws its lines away."""
    return isinstance(p, Paragraph) and "blPara" not in p.__dict__


def plain_text(p: Paragraph) -> str:
    """The text of paragraph `p`, split pieces too: reportlab's ``getPlainText`` gives ''
    for those, whose one fragment holds their words (a plain paragraph's) or their lines."""
    text = p.getPlainText()
    if text:
        return text
    out = []
    for frag in p.frags:
        words = getattr(frag, "words", None) or []
        if words and isinstance(words[0], str):
            out.append(" ".join(words))
        for line in getattr(frag, "lines", None) or []:
            if isinstance(line, tuple):
                out.append(" ".join(line[1]))
            else:
                out.append("".join(getattr(w, "text", "") for w in getattr(line, "words", None) or []))
    return " ".join(out)


def _labels(frags, name: str) -> list[int]:
    out = []
    for f in frags:
        if isinstance(f, list):          # processed word: [width, (frag, text), ...]
            for item in f[1:]:
                cb = getattr(item[0], "cbDefn", None)
                if cb is not None and getattr(cb, "name", None) == name:
                    out.append(int(cb.label))
        else:
            cb = getattr(f, "cbDefn", None)
            if cb is not None and getattr(cb, "name", None) == name:
                out.append(int(cb.label))
    return out


def markers(p: Paragraph, name: str) -> list[int]:
    """The integer labels of the ``<onDraw name=NAME label=N/>`` markers in `p`, in
    order. Cached on the paragraph for as long as its fragments are the same object."""
    cache = p.__dict__.get("_bgn")
    frags = p.frags
    if cache is not None and cache[0] is frags:
        return cache[1]
    nums = _labels(frags, name)
    p.__dict__["_bgn"] = (frags, nums)
    return nums


def line_markers(line, name: str) -> list[int]:
    """The labels of the markers named `name` on one line of :func:`lines`."""
    words = getattr(line, "words", None)
    return _labels(words, name) if words and not isinstance(line, tuple) else []
