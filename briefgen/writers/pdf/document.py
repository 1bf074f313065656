"""The document template: one page template whose body frame reserves room for notes,
the build's hooks, and the file's metadata. The entry point the package's
:func:`~briefgen.writers.pdf.write` calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from reportlab.platypus import PageTemplate
from reportlab.platypus.doctemplate import LayoutError

from briefgen import fonts, look
from briefgen import tree as t
from briefgen.errors import Problem
from briefgen.writers import TextError
from briefgen.writers.pdf import internals, reuse
from briefgen.writers.pdf.frame import NoteFrame
from briefgen.writers.pdf.furniture import Furniture, Outline, define_page_numbers, define_page_refs
from briefgen.writers.pdf.notes import MARK, Notes, texts_in
from briefgen.writers.pdf.story import Builder
from briefgen.writers.pdf.styles import BODY_SIZE, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X
from briefgen.writers.pdf.text import clean


def write(doc: t.Document, path: Path) -> None:
    """Write `doc` as a PDF file at `path`."""
    with open(path, "wb") as out:
        _write(doc, out)


def _write(doc: t.Document, out: BinaryIO) -> None:
    fonts.register()
    reuse.start_build()
    size = look.page_size(doc.meta.page_size).points
    width = size[0] - 2 * MARGIN_X
    height = size[1] - MARGIN_TOP - MARGIN_BOTTOM
    builder = Builder(doc, width, height)
    story = builder.story()
    notes = Notes(builder.notes, width, height)
    document = Document(out, doc.meta, size, notes, builder.page_refs)
    try:
        document.build(story)
    except LayoutError:
        raise unplaced(document.current) from None


def unplaced(f) -> TextError:
    """The error for flowable `f`, which reportlab could not place on any page, quoting
    the longest text it holds (the build finds which data item that is)."""
    text = max(texts_in(f) if f is not None else [], key=len, default="").strip()
    quoted = f": “{text[:60].rstrip()}{'…' if len(text) > 60 else ''}”" if text else ""
    return TextError([Problem(f"the PDF cannot fit this text on a page{quoted}",
                              hint="shorten it or break it up, or build only the Word file with --format docx")],
                     kind="template", text=text)


class Document(internals.DocumentEnd):
    def __init__(self, out: BinaryIO, meta: t.Meta, size, notes: Notes, page_refs=()) -> None:
        self.meta = meta
        self.notes = notes
        self.page_refs = list(page_refs)
        self.heading_pages: dict[str, int] = {}
        self.furniture = Furniture(meta, size)
        self.outline = Outline()
        self.current = None     # the flowable being laid out
        super().__init__(
            out, pagesize=size, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=clean(meta.title), author=clean(meta.author),
            subject=clean(meta.subject), creator="briefgen",
            keywords=[clean(k) for k in (*meta.keywords, meta.label, meta.classification) if k],
            invariant=1, pageCompression=1, lang=meta.language or None, displayDocTitle=1,
            initialFontName=fonts.FAMILY, initialFontSize=BODY_SIZE)
        frame = NoteFrame(notes, MARGIN_X, MARGIN_BOTTOM, size[0] - 2 * MARGIN_X,
                          size[1] - MARGIN_TOP - MARGIN_BOTTOM, leftPadding=0, rightPadding=0,
                          topPadding=0, bottomPadding=0, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self.furniture.draw, pagesize=size)])

    # hooks ----------------------------------------------------------------------------

    def beforeDocument(self) -> None:
        canv = self.canv
        canv.setNamedCB(MARK, self._on_reference)
        self.notes.canv = canv
        stamp = pdf_date(self.meta.date)
        canv.setDateFormatter(lambda *_: stamp)

    def handle_flowable(self, flowables) -> None:
        self.current = flowables[0] if flowables else None
        super().handle_flowable(flowables)

    def handle_pageBegin(self) -> None:
        self.notes.start_page()
        super().handle_pageBegin()

    def afterPage(self) -> None:
        frame = self.pageTemplate.frames[0]
        self.notes.end_page(self.canv, frame.x1, frame.y1)

    def afterFlowable(self, f) -> None:
        dest = getattr(f, "__dict__", {}).get("_bg_dest")
        if dest is not None:
            self.heading_pages.setdefault(dest, self.canv.getPageNumber())
        info = getattr(f, "_bg_outline", None)
        if info is None or "_bg_outline" not in getattr(f, "__dict__", {}):
            return
        title, dest, level = info
        self.outline.add(self.canv, title, dest, level)

    def _on_reference(self, canv, kind, label) -> None:
        self.notes.refs.append(int(label))

    def after_layout(self, canv) -> None:
        internals.publish_destinations(canv)
        define_page_numbers(canv, canv.getPageNumber() - 1)
        define_page_refs(canv, self.page_refs, self.heading_pages)


def pdf_date(iso: str) -> str:
    """A PDF date string for ISO date (and time) `iso`; 2000-01-01 if it is not one."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?", iso or "")
    if not m:
        return "D:20000101000000+00'00'"
    y, mo, d, hh, mi, ss = (int(v) if v else 0 for v in m.groups())
    return f"D:{y:04d}{mo:02d}{d:02d}{hh:02d}{mi:02d}{ss:02d}+00'00'"
