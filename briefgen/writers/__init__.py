"""Output formats: the one list of them, and what a writer provides.

A writer is a module or package under ``briefgen/writers/`` that sees only the
document tree and provides what :class:`Writer` names. Adding a format is adding its
writer and one line to ``_REGISTRY``: config validation, the JSON Schema, the CLI's help
and the build all read the formats from here.

This module imports no writer, so reading the names costs nothing; a writer and its
libraries (python-docx, reportlab) are imported when :func:`writer` is asked for it.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Sequence, cast

from briefgen.errors import BriefgenError

if TYPE_CHECKING:
    from briefgen.tree import Document

# format name -> the writer's module
_REGISTRY = {
    "docx": "briefgen.writers.docx",
    "pdf": "briefgen.writers.pdf",
    "html": "briefgen.writers.html",
}

FORMATS: tuple[str, ...] = tuple(_REGISTRY)

# What a project builds when its briefgen.yaml names no formats: the two a briefing is
# handed over in. HTML is asked for by name (`formats: [docx, pdf, html]`, `--format html`).
DEFAULT_FORMATS: tuple[str, ...] = ("docx", "pdf")


@dataclass
class TextError(BriefgenError):
    """A writer's error about one piece of the tree's text, `text`. Writers see only the
    tree, so the build looks the text up in the project's data and says which file, line
    and field it came from (:mod:`briefgen.locate`)."""

    text: str = ""

    def __reduce__(self):  # across processes, as BriefgenError
        return (type(self), (self.problems, self.kind, self.text))


class Notice(str):
    """A line a writer returns that informs rather than warns (how something was made)."""


class Writer(Protocol):
    """What a writer module declares."""

    NAME: str           # the format's name, as given to --format and formats:
    SUFFIX: str         # the output file's suffix, with its dot
    Options: type[Any]  # a dataclass of the writer's own settings, every field with a default;
                        # a field `last` is set by the build to the file the output replaces

    def write(self, tree: Document, options: Any, path: Path) -> Sequence[str] | None:
        """Write `tree` to the file at `path` (the build gives a temporary file and
        moves it into place). May return warnings: things the reader should know that
        do not stop the build, one line each."""

    # A writer may also provide, and the build then uses it (see :func:`tracks_changes`):
    #   write_redline(previous, tree, options, path) -> warnings
    # the briefing with every change since `previous` marked as tracked changes.
    #   prepare() -> None
    # work that needs no tree (importing the writer's libraries, loading fonts), which the
    # build may run ahead in the process that will write, while the tree is made.


def writer(name: str) -> Writer:
    """The writer of format `name`; an unknown name is a usage error listing the known ones."""
    if name not in _REGISTRY:
        raise BriefgenError.one(f"unknown output format {name!r}",
                                hint="use one of: " + ", ".join(FORMATS), kind="usage")
    module = cast(Writer, importlib.import_module(_REGISTRY[name]))
    if module.NAME != name or not dataclasses.is_dataclass(module.Options):  # pragma: no cover
        raise RuntimeError(f"{_REGISTRY[name]} does not declare the writer of {name!r}")
    return module


def options(name: str, settings: dict[str, Any] | None = None) -> Any:
    """The options of format `name`'s writer: its defaults, with `settings` given."""
    return writer(name).Options(**(settings or {}))


def tracks_changes(w: Writer) -> bool:
    """Whether writer `w` can write a briefing with the changes since a previous one
    tracked (``write_redline``): the build's changes file is written by such a writer."""
    return callable(getattr(w, "write_redline", None))


def takes(w: Writer, setting: str) -> bool:
    """Whether writer `w`'s options have a field named `setting` (``seal``, ``last``): the
    build fills such settings in for the writers that declare them, by name, not format."""
    return setting in {f.name for f in dataclasses.fields(w.Options)}
