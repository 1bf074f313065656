"""What every output format shares: the house colours, the page sizes, and which
characters a document can hold.

Plain data, no libraries: the writers and the timeline figure turn these into their
own types (a reportlab colour, a python-docx length, a CSS value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefgen.errors import BriefgenError

# --- colours, as RRGGBB ------------------------------------------------------------

NAVY = "1B365D"      # the default accent: headings, title, table headers, callout edges
INK = "222222"       # text
MUTED = "5B6573"     # secondary text: subtitles, captions, running header and footer
GREY = "8A8F98"      # Word's rules and running header, the PDF's note separator
QUOTE = "3A4350"     # quoted text in the PDF
RULE = "C9CED6"      # table lines and page rules
TINT = "EEF2F7"      # callout background, the timeline's year bands
ZEBRA = "F6F8FA"     # every other table row in the PDF
CODE_BG = "F3F4F6"   # behind code in the PDF
LINK = "1F5FA8"      # hyperlinks and note marks
MARKING = "9B1C1C"   # the classification marking in the PDF
WHITE = "FFFFFF"
# Word and the PDF differ today in two roles; both are kept so that no output changes.
WORD_SECONDARY = "4A5568"   # Word's subtitle and caption (the PDF uses MUTED)
WORD_MARKING = "B00020"     # Word's classification marking (the PDF uses MARKING)


# --- page sizes ----------------------------------------------------------------------

_MM = 72.0 / 2.54 * 0.1   # a millimetre in points, computed as reportlab does, to the last bit


@dataclass(frozen=True)
class PageSize:
    """A paper size in millimetres (Word's page set-up) and in points (the PDF's)."""

    name: str
    mm: tuple[float, float]
    points: tuple[float, float]


PAGE_SIZES = {
    "A4": PageSize("A4", (210, 297), (210 * _MM, 297 * _MM)),
    "Letter": PageSize("Letter", (215.9, 279.4), (8.5 * 72.0, 11 * 72.0)),
}


def page_size(name: str) -> PageSize:
    """The page size called `name` (any case; empty means A4)."""
    key = (name or "A4").strip().lower()
    for size in PAGE_SIZES.values():
        if size.name.lower() == key:
            return size
    raise BriefgenError.one(f"unknown page size {name!r}", field="page_size",
                            hint="use " + " or ".join(PAGE_SIZES), kind="usage")


# --- text ----------------------------------------------------------------------------

# Characters no document can hold: what XML 1.0 forbids (C0 controls except tab, newline
# and carriage return; lone surrogates, which cannot even be encoded as UTF-8; U+FFFE and
# U+FFFF) and the C1 controls, which XML allows but no reader shows. The loader refuses
# the same set in data files (yamlio.ILLEGAL); a writer drops any that reach it.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def drop_illegal(text: str) -> str:
    """`text` without the characters no document can hold."""
    return ILLEGAL.sub("", text)
