"""reportlab's private names for flowables, tables, frames, the document and boxes."""

from __future__ import annotations

from contextlib import contextmanager

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFOutlines
from reportlab.platypus import Frame, ListFlowable, ListItem, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.flowables import DDIndenter, Flowable, FrameBG, _FBGBag


FUZZ = 1e-6


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
