"""Which way Word reads a paragraph and each run in it, and which runs are complex script.

Word runs the bidirectional algorithm itself, but takes two things from the file: a
paragraph's direction (``w:bidi``; without it every paragraph is left to right, flush
left) and, for each run, whether its text is right to left (``w:rtl``) or another
complex script (``w:cs``: Thai, the Indic scripts). Only such runs take the
complex-script font, size, bold and italic (``w:rFonts w:cs``, ``w:szCs``, ``w:bCs``,
``w:iCs``): without ``w:rtl`` Word sets Arabic and Hebrew in the Latin font slot
(ISO/IEC 29500-1, 17.3.2.26).

The rule is the PDF's, from :mod:`briefgen.bidi`: a paragraph's direction is that of its
first strong character, isolates skipped (UAX #9 P2, P3), else the document language's;
each character's embedding level comes from the algorithm, and a run of odd level is a
right-to-left run. Left-to-right text with no complex script needs none of this and
takes no time here (:func:`needs`).
"""

from __future__ import annotations

import copy
import re
from typing import NamedTuple

from lxml import etree

from briefgen import bidi, fonts
from briefgen import tree as t
from briefgen.writers.docx import schema

#: What the algorithm reads for a note reference (an object: neutral) and a line break.
OBJECT, BREAK = "\ufffc", "\u2028"

# Complex scripts written left to right: Indic to Myanmar (Word's own range), Khmer, the
# Vedic and Devanagari extensions, the Tamil supplement.
_COMPLEX = re.compile("[\u0900-\u109f\u1780-\u17ff\u19e0-\u19ff\u1cd0-\u1cff\ua8e0-\ua8ff\U00011fc0-\U00011fff]")
_LETTER = re.compile(r"[^\W\d_]")

#: The complex-script font of each script in the house style: fonts every Word has
#: (Windows and macOS). LibreOffice without them takes a font that has the script
#: (on Debian, fonts-noto-core's). With a reference document its styles decide.
CS_FONTS = {"arabic": "Arial", "hebrew": "Arial", "thai": "Tahoma", "devanagari": "Nirmala UI",
            "bengali": "Nirmala UI", "tamil": "Nirmala UI"}


class Script(NamedTuple):
    """How a run is marked: ``rtl`` (right to left) or ``cs`` (complex script, left to
    right), and its complex-script font ("" to leave it to the styles)."""

    mark: str
    font: str = ""


def needs(text: str) -> bool:
    """Whether `text` has right-to-left or complex-script characters, so its paragraph
    and runs need marks."""
    return not text.isascii() and (bidi.bidirectional(text) or _COMPLEX.search(text) is not None)


def text_of(items: tuple[t.Inline, ...]) -> str:
    """The text of a paragraph's inlines as the algorithm reads it, one character for
    each that :meth:`Runs.skip` or :meth:`Runs.cut` is given."""
    out = []
    for node in items:
        match node:
            case t.Text() | t.Code():
                out.append(node.text)
            case t.Strong() | t.Emph() | t.Link():
                out.append(text_of(node.children))
            case t.LineBreak():
                out.append(BREAK)
            case t.Note():
                out.append(OBJECT)
    return "".join(out)


class Runs:
    """One paragraph's direction, and its text cut into marked runs in order, as a writer
    goes through it (:meth:`cut` for each piece of text, :meth:`skip` for the rest)."""

    def __init__(self, text: str, language: str, house_fonts: bool) -> None:
        self.level = bidi.paragraph_level(text, bidi.default_level(language))
        self.levels = bidi.levels(text, self.level) if bidi.bidirectional(text) else None
        self.swap = _isolates_written(text, self.levels) if self.levels and _ISOLATE.search(text) else {}
        self.house_fonts = house_fonts
        self.fonts: dict[str, str] = {}   # the last complex-script font of each mark
        self.at = 0

    @property
    def rtl(self) -> bool:
        """Whether the paragraph is right to left."""
        return self.level % 2 == 1

    def skip(self, n: int = 1) -> None:
        self.at += n

    def cut(self, text: str) -> list[tuple[str, Script | None]]:
        """The next characters of the paragraph, `text`, as (piece, how it is marked)."""
        start, self.at = self.at, self.at + len(text)
        if self.levels is None and _COMPLEX.search(text) is None:
            return [(text, None)]
        marks = [self._mark(ch, self.levels[start + i] if self.levels else self.level) for i, ch in enumerate(text)]
        _settle(marks)
        out: list[tuple[str, Script | None]] = []
        begin, font = 0, None
        for i, ch in enumerate(text):
            own = CS_FONTS.get(fonts.script(ch) or "", None) if self.house_fonts and marks[i] else None
            if i and (marks[i] != marks[begin] or (own and font and own != font)):
                out.append((text[begin:i], _script(marks[begin], font)))
                begin, font = i, None
            font = font or own
        out.append((text[begin:], _script(marks[begin], font)))
        if self.swap:
            out = self._swapped(out, start)
        return self._fill_fonts(out)

    def _swapped(self, pieces: list[tuple[str, Script | None]], at: int) -> list[tuple[str, Script | None]]:
        """`pieces` (of the paragraph text from `at` on) with each isolate written as
        :func:`_isolates_written` says."""
        out = []
        for piece, script in pieces:
            out.append(("".join(self.swap.get(at + i, ch) for i, ch in enumerate(piece)), script))
            at += len(piece)
        return out

    def _fill_fonts(self, pieces: list[tuple[str, Script | None]]) -> list[tuple[str, Script | None]]:
        """A marked piece with no script of its own (a full stop, a number) takes the font of
        the piece before it with that mark in this paragraph, or of the next."""
        if not self.house_fonts:
            return pieces
        for i in [*range(len(pieces)), *range(len(pieces) - 1, -1, -1)]:
            piece, script = pieces[i]
            if script is not None:
                if script.font:
                    self.fonts[script.mark] = script.font
                elif script.mark in self.fonts:
                    pieces[i] = (piece, script._replace(font=self.fonts[script.mark]))
        return pieces

    @staticmethod
    def _mark(ch: str, level: int) -> str | None:
        if level % 2:
            return "rtl"
        if _COMPLEX.match(ch):
            return "cs"
        return None if _LETTER.match(ch) else "?"


_ISOLATE = re.compile("[\u2066-\u2069]")
_MARK, _EMBED, _POP = ("\u200e", "\u200f"), ("\u202a", "\u202b"), "\u202c"


def _isolates_written(text: str, levels: list[int]) -> dict[int, str]:
    """What each isolate character of `text` is written as in Word: the index of each
    with its replacement.

    LibreOffice 7.4 orders isolates (U+2066-U+2069) right but draws the text around them
    overlapping in a right-to-left paragraph, and Word's support for them is not
    documented (ISO/IEC 29500 Annex I.7 names the older controls only). So an isolate is
    written as the older equivalent: a mark of the surrounding direction on each side
    (LRM or RLM), so nothing around it is drawn into it, and inside, an embedding (LRE or
    RLE ... PDF) where its own direction differs from the surrounding one."""
    swap: dict[int, str] = {}
    opened: list[int] = []
    for i, ch in enumerate(text):
        if ch in "\u2066\u2067\u2068":
            opened.append(i)
        elif ch == "\u2069":
            if not opened:
                swap[i] = ""
                continue
            start = opened.pop()
            outer = levels[start] % 2
            opener = text[start]
            inner = 1 if opener == "\u2067" else 0 if opener == "\u2066" else bidi.paragraph_level(text[start + 1:i], outer)
            swap[start] = _MARK[outer] + (_EMBED[inner] if inner != outer else "")
            swap[i] = (_POP if inner != outer else "") + _MARK[outer]
    for start in opened:   # never closed: to the end of the paragraph
        swap[start] = _MARK[levels[start] % 2]
    return swap


def _settle(marks: list[str | None]) -> None:
    """Give each neutral character (``?``: digits, spaces, punctuation) of a left-to-right
    stretch the mark of the run it is in: the one before it, or after a right-to-left run
    (or at the start) the one after it. Right-to-left runs keep their own."""
    after: str | None = None
    ahead = [None] * len(marks)
    for i in range(len(marks) - 1, -1, -1):   # the next mark that is not neutral, from each place
        ahead[i] = after
        if marks[i] != "?":
            after = marks[i]
    for i, m in enumerate(marks):
        if m == "?":
            before = marks[i - 1] if i else "rtl"
            marks[i] = before if before != "rtl" else (ahead[i] if ahead[i] != "rtl" else None)


def _script(mark: str | None, font: str | None) -> Script | None:
    return Script(mark, font or "") if mark else None


def run_props(script: Script | None, bold: bool, italic: bool) -> tuple[str, ...]:
    """The ``w:rPr`` children a run marked `script` adds (none for an unmarked one): the
    mark, its complex-script font, and bold and italic for complex script."""
    if script is None:
        return ()
    return (f"<w:{script.mark}/>", "<w:bCs/>" if bold else "", "<w:iCs/>" if italic else "")


def cs_font(script: Script | None) -> str:
    """The ``w:rFonts`` attribute naming the complex-script font of `script`, or ""."""
    return f' w:cs="{script.font}"' if script is not None and script.font else ""


# --- paragraphs built as elements (the running header and footer) --------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def mark_paragraph(p: etree._Element, language: str, house_fonts: bool = True) -> None:
    """Give `p`, a ``w:p`` element built run by run, the direction and run marks the body's
    paragraphs get: ``w:bidi`` if it is right to left, and each run with right-to-left or
    complex-script text cut into runs marked as :meth:`Runs.cut` says."""
    runs = list(p.iterchildren(_W + "r"))
    texts = ["".join(_seen(child) for child in r) for r in runs]
    whole = "".join(texts)
    if not needs(whole):
        return
    marks = Runs(whole, language, house_fonts)
    if marks.rtl:
        ppr = p.find(_W + "pPr")
        if ppr is None:
            ppr = etree.Element(_W + "pPr")
            p.insert(0, ppr)
        schema.insert(ppr, etree.Element(_W + "bidi"))
    for r, text in zip(runs, texts):
        if r.find(_W + "t") is None:
            marks.skip(len(text))
            continue
        pieces = marks.cut(text)
        if len(pieces) == 1 and pieces[0][1] is None:
            continue
        for piece, script in pieces:
            new = copy.deepcopy(r)
            new.find(_W + "t").text = piece
            if script is not None:
                _mark_run(new, script)
            r.addprevious(new)
        p.remove(r)


def _seen(child: etree._Element) -> str:
    """What the algorithm reads of a run's child: its text, a tab, an object for a picture."""
    if child.tag == _W + "t":
        return child.text or ""
    return {_W + "tab": "\t", _W + "drawing": OBJECT}.get(child.tag, "")


def _mark_run(r: etree._Element, script: Script) -> None:
    rpr = r.find(_W + "rPr")
    if rpr is None:
        rpr = etree.Element(_W + "rPr")
        r.insert(0, rpr)
    if script.font:
        fonts_el = rpr.find(_W + "rFonts")
        if fonts_el is None:
            fonts_el = etree.Element(_W + "rFonts")
            schema.insert(rpr, fonts_el)
        fonts_el.set(_W + "cs", script.font)
    schema.insert(rpr, etree.Element(_W + script.mark))
    complex_twins(rpr)


def complex_twins(rpr: etree._Element) -> None:
    """Give run properties `rpr` the complex-script bold, italic and size (``w:bCs``,
    ``w:iCs``, ``w:szCs``) of its Latin ones, so complex-script text is set alike."""
    for latin, twin in (("b", "bCs"), ("i", "iCs"), ("sz", "szCs")):
        source = rpr.find(_W + latin)
        if source is None:
            continue
        for old in rpr.findall(_W + twin):
            rpr.remove(old)
        schema.insert(rpr, etree.Element(_W + twin, dict(source.attrib)))
