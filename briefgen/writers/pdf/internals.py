"""Every use of reportlab's private names, behind names that say what they do.

The footnote layout needs more than platypus's public API: how much room a frame has
left and where its bottom is, how a table measures and restyles its rows, which
onDraw markers a paragraph's lines hold, when the document's last page is done. This
module is the only one in the PDF writer that reads or writes reportlab's underscore
names (``Frame._add``, ``Table._argH``, ``canvas._code``, …) or relies on undocumented
attributes (``Paragraph.blPara``, a fragment's ``cbDefn``), and
``tests/test_pdf_internals.py`` pins each behaviour used here. After a reportlab
upgrade, that test file says whether the writer still holds; nothing else should need
reading. Checked against reportlab 5.1.
"""

from __future__ import annotations

from contextlib import contextmanager

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFOutlines
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr, makeShapedFragWord
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Frame, ListFlowable, ListItem, Paragraph, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.flowables import DDIndenter, Flowable, FrameBG, _FBGBag
from reportlab.platypus.paragraph import _FK_BREAK, _getFragWords, _HSFrag, _InjectedFrag, _processed_frags

from briefgen import bidi, fonts

FUZZ = 1e-6

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
        Paragraph.__init__(self, text, style, *args, **kw)
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


# --- what a flowable holds -------------------------------------------------------------


def contents(f) -> list:
    """The flowables (or table cells) inside flowable `f`, in reading order; [] for a
    flowable that holds none."""
    if isinstance(f, DDIndenter):
        return [f._flowable]
    if isinstance(f, Table):
        return [cell for row in f._cellvalues for cell in row]
    if isinstance(f, ListItem):
        return f._flowables
    if isinstance(f, ListFlowable):
        return f.__dict__.get("_list_content") or f.__dict__.get("_flowables") or []
    content = f.__dict__.get("_content") if hasattr(f, "__dict__") else None
    return content or []


def right_to_left(f) -> bool:
    """Whether flowable `f` is a paragraph laid out right to left."""
    return bool(getattr(getattr(f, "style", None), "_bg_level", 0) % 2)


class Bullets(ListFlowable):
    """A list whose items may run right to left: such an item (made with
    ``bulletDir="rtl"``, ``bulletAlign="right"`` and its indent on the right) has its
    bullet or number flush with the right edge, as a left-to-right item's is with the
    left. reportlab works out one bullet offset for the whole list, from its left indent."""

    def _makeBullet(self, value, params=None):
        bullet = ListFlowable._makeBullet(self, value, params)
        if params is not None and params.get("bulletDir") == "rtl":
            bullet._bulletDedent = params.get("rightIndent", 0)
        return bullet


def indented(f):
    """The flowable a list's indenter wraps, or `f` itself."""
    return f._flowable if isinstance(f, DDIndenter) else f


def frame_action(f) -> bool:
    """Whether `f` acts on the frame (an indenter, a frame break) instead of taking room."""
    return bool(getattr(f, "frameAction", None))


def zero_size(f) -> bool:
    """Whether the frame places `f` even with no room left (markers, frame actions)."""
    return bool(getattr(f, "_ZEROSIZE", False))


class ZeroSize(Flowable):
    """A flowable the frame offers a place to however full it is."""

    _ZEROSIZE = 1


# --- tables ----------------------------------------------------------------------------


def cells(table: Table) -> list[list]:
    """The rows of `table`'s cell values."""
    return table._cellvalues


def row_heights(table: Table) -> list | None:
    """The heights of `table`'s rows, None for each row not measured yet."""
    return getattr(table, "_rowHeights", None)


def row_count(table: Table) -> int:
    """How many rows `table` holds, repeated header rows included."""
    return table._nrows


def cell_styles(rows: list, widths: list[float], cmds: list) -> list:
    """The per-cell styles reportlab makes from `cmds` for `rows`: what a table built with
    ``cellStyles=`` and ``normalizedData=1`` takes, so the styling is done once."""
    return Table(rows, colWidths=widths, style=TableStyle(cmds))._cellStyles


def measure_rows(table: Table, width: float) -> list | None:
    """Measure the rows of `table` given without a height (``rowHeights`` holding None),
    and fix them; the heights of all its rows, or None if all were given."""
    if None not in table._argH:
        return None
    table._calc(width, 1e9)
    table._argH = table._rowHeights
    return table._rowHeights


# --- frames ----------------------------------------------------------------------------


@contextmanager
def attached(f, frame, canv):
    """Give flowable `f` the frame and canvas reportlab's wrap/split expect, then take them back."""
    f._frame, f.canv = frame, canv
    try:
        yield
    finally:
        for a in ("canv", "_frame"):
            if hasattr(f, a):
                delattr(f, a)


class FrameState(Frame):
    """A frame whose state reportlab keeps privately, read and set under plain names.

    :attr:`free_top` is the top of the free space, ``y1`` (reportlab's public geometry)
    the frame's bottom edge; content may go down to :meth:`set_limit`, which starts at ``y1``
    on every page (:meth:`on_reset` runs then).
    """

    def _reset(self):
        super()._reset()
        self.on_reset()

    def on_reset(self) -> None:
        """Called at the start of every page, after the frame is emptied."""

    @property
    def free_top(self) -> float:
        return self._y

    @property
    def at_top(self) -> bool:
        return bool(self._atTop)

    def set_limit(self, y: float) -> None:
        """Let flowables reach down to `y` (above the frame's bottom to leave room)."""
        self._y1p = y

    def space_before(self, f) -> float:
        """The space the frame would leave above `f` if it went here."""
        if self._atTop:
            return 0.0
        s = f.getSpaceBefore()
        if self._oASpace:
            s = max(s - self._prevASpace, 0)
        return s

    def avail_width(self) -> float:
        return self._getAvailableWidth()

    def place(self, f, canv, trySplit=0) -> int:
        """reportlab's own add: draw `f` here if it fits above the limit (1), else 0."""
        return Frame._add(self, f, canv, trySplit)


def build_state(f) -> tuple:
    """(document, frame) being laid out, from inside flowable `f`'s wrap."""
    doc = getattr(getattr(f, "canv", None), "_doctemplate", None)
    return doc, f._doctemplateAttr("frame")


# --- the document ------------------------------------------------------------------------


class DocumentEnd(BaseDocTemplate):
    """A document template that can still draw once the last page is laid out:
    :meth:`after_layout` runs then, before the file is written (page counts are
    known, and forms the pages used can be defined)."""

    def _endBuild(self) -> None:
        self._doSave = 0
        super()._endBuild()
        self.after_layout(self.canv)
        self.canv.save()

    def after_layout(self, canv) -> None:
        """Called once every page is done and before the file is saved."""


def publish_destinations(canv) -> None:
    """Put the named destinations the pages drew (bookmarks) in the catalog, in name
    order, so file.pdf#name opens there."""
    dests = {k: d for k, d in sorted(canv._destinations.items())
             if getattr(d, "fmt", None) is not None and getattr(d, "page", None) is not None}
    if dests:
        canv._doc.Catalog.Dests = PDFDictionary(dests)


class _Outlines(PDFOutlines):
    """reportlab's outline root with the /Count a strict reader expects: the number of
    entries shown open. reportlab 5.1 sets the count right, then uses the same attribute
    as its counter while it makes the tree's objects, so the root's count grows by one
    for every entry that has entries under it."""

    def prepare(self, document, canvas):
        super().prepare(document, canvas)
        if self.ready == 1:
            self.count = pdfdoc.count(self.mydestinations, self.closedict)


def count_outline_openly(canv) -> None:
    """Give `canv` an outline whose root counts the open entries (see :class:`_Outlines`).
    Call before the first outline entry is added."""
    doc = canv._doc
    if type(doc.outline) is PDFOutlines and doc.outline.currentlevel == -1:
        doc.outline = doc.Outlines = doc.Catalog.Outlines = _Outlines()


# --- boxes drawn behind frame content ---------------------------------------------------


class _BoxBag(_FBGBag):
    """A tinted box with a bar down its left edge, grown flowable by flowable: the frame
    renders it under each flowable, and on the same page the first rectangles drawn are
    stretched down instead of drawing new ones."""

    def render(self, canv, frame, fbx, fby, fbw, fbh):
        if abs(fbw) <= FUZZ or abs(fbh) <= FUZZ:
            return
        pn = canv.getPageNumber()
        if self.fid == id(frame) and self.cid == id(canv) and self.pn == pn:
            for pos in self.codePos:
                inst = canv._code[pos].split()
                ox, oy, ow, oh = map(float, inst[1:5])
                inst[1:5] = [f"{ox:.2f} {fby:.2f} {ow:.2f} {oh + oy - fby:.2f}"]
                canv._code[pos] = " ".join(inst)
            return
        self.fid, self.cid, self.pn = id(frame), id(canv), pn
        canv.saveState()
        self.codePos = []
        if self.fillColor is not None:
            canv.setFillColor(self.fillColor)
            self.codePos.append(len(canv._code))
            canv.rect(fbx, fby, fbw, fbh, stroke=0, fill=1)
        canv.setFillColor(self.strokeColor)
        self.codePos.append(len(canv._code))
        canv.rect(fbx, fby, 2.5, fbh, stroke=0, fill=1)
        canv.restoreState()


class Box(FrameBG):
    """Start a box behind the following flowables (until :class:`BoxEnd`), filled with
    `fill` (or not, if None) and with a `bar` coloured bar down its left edge."""

    def __init__(self, fill, bar) -> None:
        super().__init__(color=fill, start=True)
        self.bar = bar

    def draw(self):
        frame = getattr(self, "_frame", None)
        if frame is None:
            return
        frame._frameBGs.append(_BoxBag(left=0, right=0, fillColor=self.color, start=None,
                                       strokeColor=self.bar, strokeWidth=None, strokeDashArray=None,
                                       fid=0, cid=0, pn=-1, codePos=None, active=True))


class BoxEnd(FrameBG):
    def __init__(self) -> None:
        super().__init__(start=False)
