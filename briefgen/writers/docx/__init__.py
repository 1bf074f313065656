"""Word writer: the document tree as a .docx with real footnotes and Word's own styles.

- :mod:`.body`: the body and the notes, as WordprocessingML text;
- :mod:`.house`: briefgen's own look, used when no reference document is given;
- :mod:`.ooxml`: the package parts python-docx lacks (footnotes, built-in styles,
  numbering, fields) and byte-reproducible saving.

This module only declares the writer (see :class:`briefgen.writers.Writer`); python-docx
is imported when a document is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError, display_path

if TYPE_CHECKING:
    from briefgen.tree import Document

NAME = "docx"
SUFFIX = ".docx"


@dataclass(frozen=True)
class Options:
    reference: Path | None = None   # a .docx whose styles, page set-up, headers and footers to use
    toc_pages: bool = True          # page numbers in the contents, from LibreOffice's layout, when it is there
    last: Path | None = None        # the file this build replaces (the build sets it): its page numbers are reused

    def __post_init__(self) -> None:
        if self.reference is not None and not self.reference.is_file():
            raise BriefgenError.one("reference document not found", file=display_path(self.reference),
                                    field="--reference-docx", hint="give the path of an existing .docx",
                                    kind="usage")
        if self.reference is not None:
            from briefgen.writers.docx.package import check_package

            check_package(self.reference)


def write(tree: Document, options: Options, path: Path) -> list[str]:
    """Write `tree` as a .docx file at `path`; return warnings (styles a reference lacks)."""
    from briefgen.writers.docx import body

    return body.write(tree, options.reference, path, _toc_pages(options), last=options.last)


def _toc_pages(options: Options) -> bool:
    """BRIEFGEN_TOC_PAGES=off turns the LibreOffice layout off for every build (the test suite
    does, and turns it on where it tests it)."""
    return options.toc_pages and os.environ.get("BRIEFGEN_TOC_PAGES", "").lower() not in ("off", "0", "no")


def write_redline(previous: Document, tree: Document, options: Options, path: Path) -> list[str]:
    """Write `tree` as a .docx at `path` with every change from `previous` (the last
    briefing's tree) as a Word tracked change; return warnings as :func:`write` does. Its
    contents' page numbers are those of the document with the changes shown (deleted text
    struck through where it was), as LibreOffice lays it out."""
    from briefgen.writers.docx import body

    return body.write(tree, options.reference, path, _toc_pages(options), previous=previous, last=options.last)
