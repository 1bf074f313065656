"""Office files (.docx, .xlsx) rewritten with fixed entry times and attributes, so the
same input gives the same bytes. Standard library only: the Word writer and the
spreadsheet export both use it, and neither loads the other's library for it."""

from __future__ import annotations

import datetime as dt
import zipfile
from typing import BinaryIO


def restamp_zip(buffer: BinaryIO, out: BinaryIO, date: dt.date, fix=None) -> None:
    """Copy an OOXML zip with fixed entry times and attributes (any Office file).

    `fix(name, data) -> data`, if given, may rewrite an entry (a timestamp inside it).
    """
    buffer.seek(0)
    stamp = zip_stamp(date)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            data = src.read(info.filename)
            dst.writestr(entry, fix(info.filename, data) if fix else data, compresslevel=6)


def zip_stamp(date: dt.date) -> tuple[int, int, int, int, int, int]:
    """A zip entry time for `date`: a zip stores 1980 to 2107, so a date outside is clamped
    to that range's end. The document's own dates (core.xml) keep the true date."""
    day = min(max(date, dt.date(1980, 1, 1)), dt.date(2107, 12, 31))
    return (day.year, day.month, day.day, 0, 0, 0)
