"""PDF writer: the document tree as a print-ready PDF with footnotes at the page bottom.

Layout is reportlab's platypus, with the notes placed by briefgen:

- :mod:`.story`: the tree to flowables and note bodies (:mod:`.tables` for tables,
  :mod:`.text` for markup from literal text, :mod:`.styles` for the look);
- :mod:`.notes`: which notes a flowable references, and where they fit on the page;
- :mod:`.frame`: the body frame, which reserves room for those notes below each
  flowable it accepts and asks split pieces the same, so each note lands on the page
  of its reference;
- :mod:`.furniture`: running header and footer, outline, and the page numbers known
  only at the end ("Page N of M", the contents), drawn as forms defined then;
- :mod:`.document`: the document template and its build hooks;
- :mod:`.internals`: every use of reportlab's private names, pinned by
  ``tests/test_pdf_internals.py``.

Fonts are the vendored DejaVu Sans family and Droid Sans Fallback for CJK runs
(:mod:`briefgen.fonts`), embedded as subsets. The creation date comes from
``doc.meta.date`` and reportlab's invariant mode, so the same tree gives the same bytes.

With :attr:`Options.seal`, the finished file is then sealed (:mod:`briefgen.seal`).

This module only declares the writer (see :class:`briefgen.writers.Writer`); reportlab
is imported when a document is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import tree as t   # the stage before the writers: loaded already, imports nothing

if TYPE_CHECKING:
    from briefgen.seal import SealSpec

NAME = "pdf"
SUFFIX = ".pdf"


@dataclass(frozen=True)
class Options:
    """The look comes from the tree's meta; the options say what is done to the file."""

    seal: SealSpec | None = None    # certify the finished file with this key and certificate

    def __post_init__(self) -> None:
        if self.seal is not None:   # key, certificate and passphrase checked before any work
            from briefgen import seal

            seal.check(self.seal)


def prepare() -> None:
    """What needs no tree: reportlab imported, the body fonts registered, and the faces
    every briefing uses (regular, bold, and italic for quotes and titles) read."""
    from briefgen import fonts
    from briefgen.writers.pdf import document  # noqa: F401 - imports reportlab's layout

    fonts.register()
    fonts.read("regular", "bold", "italic")


def write(tree: t.Document, options: Options, path: Path) -> None:
    """Write `tree` as a PDF file at `path`, sealed if the options say so."""
    from briefgen.writers.pdf import document

    document.write(tree, path)
    if options.seal is not None:
        from briefgen import seal

        seal.apply(options.seal, path)
