"""Text for the PDF: paragraph markup made from literal text, and lines drawn on the canvas.

Both pick the font per piece from the fallback chain (:func:`briefgen.fonts.pieces`)
and refuse what the embedded fonts cannot show. Paragraph text is reportlab's
mini-XML, so every text node is escaped here and nowhere else. Text in a shaped script
(Arabic, Hebrew, the Indic scripts, Thai, emoji) or right to left is laid out by
:class:`~briefgen.writers.pdf.internals.Para` with a :func:`shaping` style, and drawn
on the canvas by :func:`draw`; everything else is drawn as reportlab draws it.
"""

from __future__ import annotations

import re

from briefgen import bidi, fonts, look
from briefgen.errors import Problem
from briefgen.writers import TextError
from briefgen.writers.pdf import internals

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
    """Paragraph markup for literal `text`: escaped, each piece in the font of the chain
    that draws it."""
    if clean_first:
        text = clean(text)
    if text.isascii():
        return _xml(text)
    if fonts.plain(text) and not bidi.bidirectional(text):   # most non-ASCII text: accents, dashes, quotes
        return _xml(fonts.drawable(text, "regular"))
    if (ch := fonts.unshowable(text)) is not None:
        raise unshowable(ch, text)
    if not bidi.bidirectional(text):
        text = "".join(ch for ch in text if ch not in bidi.CONTROLS)
    out = []
    for part, key in fonts.pieces(text):
        if key == "base":
            out.append(_xml(part if bidi.bidirectional(text) else fonts.drawable(part, "regular")))
        else:
            out.append(f'<font name="{fonts.family(key)}">{_xml(part)}</font>')
    return "".join(out)


_SHAPED_MARKUP = re.compile("|".join([f'<font name="{fonts.RL_NAMES[k]}(?:-Bold)?"' for k in sorted(fonts.SHAPED)]))
_CHAIN_FACE = re.compile('<font name="(%s)">' % "|".join(fonts.RL_NAMES[f.key] for f in fonts.CHAIN if f.bold))
_BOLD_ROLES = frozenset(fonts.RL_NAMES[r] for r in ("bold", "bolditalic"))


def bold(markup: str) -> str:
    """Markup from :func:`esc` set in bold: the pieces in a chain font with a bold face
    (Arabic, Hebrew, the Indic scripts, Thai) in that face. reportlab's ``<b>`` does not
    reach them: a ``<font name=...>`` sets the face itself. Chain fonts have no italic,
    so italic text in them stays upright."""
    return _CHAIN_FACE.sub(r'<font name="\1-Bold">', markup) if "<font" in markup else markup


def bold_style(style) -> bool:
    """Whether paragraph `style` sets its text in bold (headings, table heads)."""
    return style.fontName in _BOLD_ROLES


def needs_shaping(markup: str) -> bool:
    """Whether paragraph `markup` (from :func:`esc`) has text to shape or to lay out
    right to left."""
    return not markup.isascii() and (_SHAPED_MARKUP.search(markup) is not None or bidi.bidirectional(markup))


def shaping(style, language: str = ""):
    """The paragraph style for markup that :func:`needs_shaping`, in a document in `language`."""
    return internals.shaping_style(style, bidi.default_level(language))


def unshowable(ch: str, text: str) -> TextError:
    """The error for character `ch` of `text`, which the PDF cannot show: the character
    named, quoted in the whole words around it (the build names the data item `text`
    came from: file, line and field)."""
    shown = "".join(c for c in text if c not in bidi.CONTROLS)    # the isolates round values
    return TextError([Problem(
        f"the PDF cannot show {fonts.describe(ch)}, in: “{around(shown, shown.index(ch))}”",
        hint="remove it from the data, or build only the Word file with --format docx, which shows it")],
        kind="data", text=text)


def around(text: str, at: int, reach: int = 30, word: int = 20) -> str:
    """The whole words of `text` within about `reach` characters of index `at` (a word
    longer than `word` more is cut), "…" where the text goes on."""
    start, end = max(0, at - reach), min(len(text), at + reach + 1)
    lo, hi = max(0, start - word), min(len(text), end + word)
    while start > lo and not text[start - 1].isspace():
        start -= 1
    while end < hi and not text[end].isspace():
        end += 1
    quoted = text[start:end].strip()
    return ("…" if text[:start].strip() else "") + quoted + ("…" if text[end:].strip() else "")


def long_cjk(markup: str) -> bool:
    """A run of CJK long enough to need breaking between characters."""
    return not markup.isascii() and any(len(m.group()) > 12 for m in fonts.CJK_RUN.finditer(markup))


def draw(canv, x: float, y: float, text: str, role: str, size: float, anchor: str, language: str = "") -> None:
    """Draw one line, each piece in its font; anchor is start, middle or end. Shaped or
    right-to-left text is shaped and put in drawing order (:func:`line_runs`); the
    direction of a line with no strong character is that of the document's `language`."""
    if fonts.needs_layout(text, role):
        placed = line_runs(text, role, size, bidi.paragraph_level(text, bidi.default_level(language)), starts=True)
        runs = [r[1:] for r in placed]
        if anchor != "start":
            w = sum(r[3] for r in runs)
            x -= w / 2 if anchor == "middle" else w
        internals.draw_runs(canv, x, y, runs, [r[0] for r in placed])
        return
    if anchor != "start":
        w = fonts.text_width(text, role, size)
        x -= w / 2 if anchor == "middle" else w
    for part, key in fonts.pieces(text, role):
        r = fonts.face(key, role)
        part = fonts.drawable(part, r)
        canv.setFont(fonts.reportlab_name(r), size)
        canv.drawString(x, y, part)
        x += fonts.text_width(part, r, size)


def line_runs(text: str, role: str, size: float, level: int, starts: bool = False) -> list[tuple]:
    """One line of `text` in face `role` at `size`, in a paragraph of `level`, as the runs
    :func:`briefgen.fonts.line_runs` gives, each ready to draw: (font name, size, text or
    shaped glyphs, width), in drawing order; with `starts`, each led by the index in
    `text` where it starts (its place in reading order)."""
    out = []
    for start, end, r, lv in fonts.line_runs(text, role, level):
        name = fonts.reportlab_name(r)
        drawn, width = internals.shape_run(text, start, end, name, size, lv)
        if drawn:
            out.append((start, name, size, drawn, width) if starts else (name, size, drawn, width))
    return out
