"""HTML writer: the document tree as one self-contained web page, for phones, mail
previews and intranets.

- :mod:`.body`: blocks, inlines and notes as HTML, every value escaped;
- :mod:`.page`: the page around them (head, header, contents, sections, footer);
- :mod:`.style`: the inline stylesheet for narrow and wide screens and for print.

This module only declares the writer (see :class:`briefgen.writers.Writer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefgen.tree import Document

NAME = "html"
SUFFIX = ".html"


@dataclass(frozen=True)
class Options:
    """The HTML writer has no settings of its own: the look comes from the profile."""


def write(tree: Document, options: Options, path: Path) -> None:
    """Write `tree` as an HTML file at `path`."""
    from briefgen.writers.html import page

    path.write_bytes(page.page(tree).encode("utf-8"))
