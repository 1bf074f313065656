"""Output formats: one module per format, each seeing only the document tree.

A writer module defines ``EXTENSION`` (e.g. ``".pdf"``) and
``write(doc: Document, out: BinaryIO) -> None``. Adding a format is adding a module
here and its name to ``FORMATS``; the build step handles temporary files and
atomic replacement, so writers only write bytes.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from briefgen.errors import BriefgenError

FORMATS = ("docx", "pdf")


def writer(name: str) -> ModuleType:
    """The writer module for format `name`."""
    if name not in FORMATS:
        raise BriefgenError.one(f"unknown output format {name!r}",
                                hint="use one of: " + ", ".join(FORMATS), kind="usage")
    return importlib.import_module(f"briefgen.writers.{name}")
