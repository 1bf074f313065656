"""Text for the PDF: paragraph markup made from literal text, and lines drawn on the canvas.

Both pick the font per script run (:func:`briefgen.fonts.runs`: CJK runs in the CJK
font) and refuse what the embedded fonts cannot show. Paragraph text is reportlab's
mini-XML, so every text node is escaped here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata

from briefgen import fonts, look
from briefgen.errors import BriefgenError

_SPACE = re.compile(r"[\t\n\r\f\v\u2028\u2029]")


def clean(text: str) -> str:
    """Text with XML-illegal characters removed and line breaks turned into spaces."""
    return _SPACE.sub(" ", look.ILLEGAL.sub("", text))


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(text: str) -> str:
    """`text` as the value of a markup attribute (between double quotes)."""
    return _xml(clean(text)).replace('"', "&quot;")


def esc(text: str, *, clean_first: bool = True) -> str:
    """Paragraph markup for literal `text`: escaped, CJK runs in the CJK font."""
    if clean_first:
        text = clean(text)
    if text.isascii():
        return _xml(text)
    if (ch := fonts.unshowable(text)) is not None:
        raise unshowable(ch, text)
    out = []
    for part, cjk in fonts.runs(text):
        if cjk:
            fonts.register("cjk")
            out.append(f'<font name="{fonts.CJK}">{_xml(part)}</font>')
        else:
            out.append(_xml(part))
    return "".join(out)


def unshowable(ch: str, text: str) -> BriefgenError:
    """The error for character `ch` of `text`, which the PDF cannot show."""
    name = unicodedata.name(ch, f"U+{ord(ch):04X}").title()
    at = text.index(ch)
    snippet = text[max(0, at - 30): at + 30].strip()
    what = "right-to-left text" if fonts.right_to_left(ch) else f"the character {ch} ({name}, U+{ord(ch):04X})"
    return BriefgenError.one(
        f"the PDF cannot show {what}, in: “{snippet}”", kind="data",
        hint="remove it from the data, or build only the Word file with --format docx, which shows it")


def long_cjk(markup: str) -> bool:
    """A run of CJK long enough to need breaking between characters."""
    return not markup.isascii() and any(len(m.group()) > 12 for m in fonts.CJK_RUN.finditer(markup))


def draw(canv, x: float, y: float, text: str, role: str, size: float, anchor: str) -> None:
    """Draw one line with CJK runs in the CJK font; anchor is start, middle or end."""
    if anchor != "start":
        w = fonts.text_width(text, role, size)
        x -= w / 2 if anchor == "middle" else w
    for part, cjk in fonts.runs(text):
        r = "cjk" if cjk else role
        canv.setFont(fonts.reportlab_name(r), size)
        canv.drawString(x, y, part)
        x += fonts.text_width(part, r, size)
