"""Page furniture: the running header and footer, the outline, and the page numbers
that are not known until the document is laid out.

"Page N of M" and the contents' page numbers are form XObjects: each page (or
contents line) draws a named form, and :func:`define_page_numbers` and
:func:`define_page_refs` define them once the last page is done, so the document is
laid out once.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from briefgen import fonts
from briefgen import tree as t
from briefgen.errors import BriefgenError
from briefgen.writers.pdf import internals
from briefgen.writers.pdf.styles import BODY_SIZE, FOOTER_Y, HEADER_Y, INK, MARGIN_X, MARKING, MUTED, RULE
from briefgen.writers.pdf.text import clean, draw


class PageRef(Flowable):
    """A page number not known yet: a form XObject the document defines at the end."""

    def __init__(self, form: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.form = form
        self.style = style

    def wrap(self, aW, aH):
        self.width = aW
        return aW, self.style.leading

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.translate(self.width, self.style.leading - self.style.fontSize)
        canv.doForm(self.form)
        canv.restoreState()


def define_page_numbers(canv, total: int) -> None:
    """The "Page N of M" forms each page's footer draws."""
    for n in range(1, total + 1):
        canv.beginForm(f"bgpg{n}", lowerx=-300, lowery=-4, upperx=0, uppery=12)
        canv.setFont(fonts.FAMILY, 7.5)
        canv.setFillColor(MUTED)
        canv.drawRightString(0, 0, f"Page {n} of {total}")
        canv.endForm()


def define_page_refs(canv, refs, pages: dict[str, int]) -> None:
    """The forms of the contents' :class:`PageRef` s: for each (form, destination) in
    `refs`, the page the destination is on (blank if it was never drawn)."""
    for form, dest in refs:
        canv.beginForm(form, lowerx=-60, lowery=-4, upperx=0, uppery=12)
        canv.setFont(fonts.FAMILY, BODY_SIZE)
        canv.setFillColor(INK)
        page = pages.get(dest)
        canv.drawRightString(0, 0, str(page) if page else "")
        canv.endForm()


class Outline:
    """The PDF bookmarks, one per heading; levels never skip (0 to 2 is an error in PDF),
    and the root counts the entries a reader sees open, as strict readers check."""

    def __init__(self) -> None:
        self.level = -1
        self.shown = False

    def add(self, canv, title: str, dest: str, level: int) -> None:
        if not self.shown:
            internals.count_outline_openly(canv)
        lvl = max(0, min(level - 1, self.level + 1))
        self.level = lvl
        canv.addOutlineEntry(title, dest, level=lvl, closed=lvl >= 2)
        if not self.shown:
            canv.showOutline()
            self.shown = True


class Furniture:
    """What every page draws around the body: logo, header text, classification
    marking and date at the top; footer text, marking and "Page N of M" at the bottom."""

    def __init__(self, meta: t.Meta, pagesize) -> None:
        self.meta = meta
        self.pagesize = pagesize
        self.logo = load_logo(meta)

    def draw(self, canv, doc) -> None:
        """Draw the running header and footer (a page template's ``onPage``)."""
        w, h = self.pagesize
        left, right = MARGIN_X, w - MARGIN_X
        meta = self.meta
        canv.saveState()
        y = h - HEADER_Y
        marking = clean(meta.classification).strip()
        x = left
        if self.logo is not None:
            image, lw, lh = self.logo
            canv.drawImage(image, left, y - 2, width=lw, height=lh, mask="auto")
            x += lw + 6
        canv.setFillColor(MUTED)
        header = clean(getattr(meta, "header", "") or meta.title).strip()
        room = (w / 2 - x - 40) if marking else (right - x - 60)
        lang = meta.language
        draw(canv, x, y, fonts.ellipsize(header, "regular", 7.5, room), "regular", 7.5, "start", lang)
        if meta.date:
            draw(canv, right, y, clean(meta.date), "regular", 7.5, "end", lang)
        if marking:
            canv.setFillColor(MARKING)
            draw(canv, w / 2, y, marking, "bold", 8, "middle", lang)
            draw(canv, w / 2, FOOTER_Y, marking, "bold", 8, "middle", lang)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(left, y - 5, right, y - 5)
        canv.line(left, FOOTER_Y + 10, right, FOOTER_Y + 10)
        canv.setFillColor(MUTED)
        footer = clean(getattr(meta, "footer", "") or "").strip()
        if footer:
            room = (w / 2 - left - 50) if marking else (right - left - 90)
            draw(canv, left, FOOTER_Y, fonts.ellipsize(footer, "regular", 7.5, room), "regular", 7.5, "start", lang)
        canv.translate(right, FOOTER_Y)
        canv.doForm(f"bgpg{canv.getPageNumber()}")
        canv.restoreState()


def load_logo(meta: t.Meta):
    """The header logo as (image, width, height), 8 mm tall, or None."""
    path = getattr(meta, "logo", "") or ""
    if not path:
        return None
    from reportlab.lib.utils import ImageReader

    try:
        image = ImageReader(path)
        iw, ih = image.getSize()
    except Exception as exc:   # reportlab raises plain OSError/ValueError subclasses
        raise BriefgenError.one(f"cannot read the logo image: {exc}", file=path, field="look.logo",
                                hint="give a PNG or JPEG file", kind="template") from exc
    lh = 8 * mm
    return image, lh * iw / max(ih, 1), lh
