"""Emoji in the page, drawn with the monochrome Noto Emoji the PDF ships where the reader
has no emoji font of their own (a headless browser, a bare Linux desktop), instead of
empty boxes.

Only a page with emoji carries the font, and only the emoji it uses: HarfBuzz's
subsetter (uharfbuzz, which the PDF already uses for shaping) cuts the 870 kB font to a
few kilobytes, joiners and variation selectors kept so a sequence such as 👩‍🔬 stays one
glyph. The font comes after the colour emoji fonts systems have (Apple, Segoe UI, Noto
Color), so a reader who has one sees colour; its ``unicode-range`` names only the
page's emoji, so no other character is ever taken from it.
"""

from __future__ import annotations

import base64
import re
from functools import cache

from briefgen import fonts

FAMILY = "Brief Emoji"
#: The families tried for an emoji, after the page's own: the system's colour fonts, then ours.
FALLBACK = '"Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", "Brief Emoji"'

# An emoji: a character of the emoji blocks (the PDF's chain, briefgen/fonts.py), or any
# other non-ASCII character asking for emoji presentation (U+FE0F after it: ☀️, ❤️).
_EMOJI = re.compile("[\U0001f000-\U0001faff]")
_PRESENTED = re.compile("[^\x00-\x7f](?=\ufe0f)")
# What an emoji sequence is built with: joiner, variation selector, keycap, skin tones, tags.
_PARTS = re.compile("[\u200d\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def font_face(page_text: str) -> str:
    """The ``@font-face`` rule for the emoji in `page_text`, or "" when it has none the
    font draws."""
    if page_text.isascii():
        return ""
    has = _unicodes()
    found = set(_EMOJI.findall(page_text))
    if "\ufe0f" in page_text:
        found.update(_PRESENTED.findall(page_text))
    used = {ord(ch) for ch in found} & has
    if not used:
        return ""
    used |= {ord(ch) for ch in set(_PARTS.findall(page_text))} & has
    data = base64.b64encode(_subset(frozenset(used))).decode("ascii")
    ranges = ",".join(f"U+{cp:X}" for cp in sorted(used))
    return (f'@font-face{{font-family:"{FAMILY}";src:url(data:font/ttf;base64,{data}) format("truetype");'
            f"unicode-range:{ranges}}}\n")


@cache
def _face():
    import uharfbuzz as hb

    return hb.Face(hb.Blob(fonts.font_path("emoji").read_bytes()))


@cache
def _unicodes() -> frozenset[int]:
    return frozenset(_face().unicodes)


def _subset(codepoints: frozenset[int]) -> bytes:
    """The emoji font cut to `codepoints`, with the layout rules that join their sequences."""
    import uharfbuzz as hb

    wanted = hb.SubsetInput()
    for cp in codepoints:
        wanted.unicode_set.add(cp)
    return hb.subset(_face(), wanted).blob.data
