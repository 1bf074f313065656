"""Work the PDF writer does once and reuses: a paragraph's markup parsed, and its lines
broken, once per markup, style and width, within a build (a register's cells repeat:
half the seed briefing's paragraphs are a cell seen before) and across the builds of one
process (``briefgen watch`` rebuilds a briefing whose paragraphs are nearly all as they
were).

reportlab takes parsed fragments back through ``Paragraph(frags=...)``, and does not
change them, nor the lines it breaks them into, while it wraps and draws (it works on
clones), so paragraphs of the same markup share both. Splitting a paragraph can change
its lines, so a paragraph about to split breaks its own first
(:class:`~briefgen.writers.pdf.internals.Para`). ``tests/test_pdf_reuse.py`` checks
that PDFs written with the seams off are the same, byte for byte.

The memo is bounded by the builds: what the last build used is kept for the next one,
the rest dropped (:func:`start_build`), so a watch session holds at most two builds'
paragraphs, never every paragraph it ever wrote; and by :data:`LIMIT` paragraphs, past
which a long briefing's further paragraphs are parsed as reportlab parses them. Lines
are remembered only from a process's second document on (:func:`keeping_lines`).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

#: The seams: off, every paragraph is parsed from its markup (PARSED), and broken into
#: lines (LINES), as reportlab does it.
PARSED = True
LINES = True
#: ... and markup that is only text (no tag, no entity) is parsed from the style's one
#: fragment (QUICK): what reportlab's parser makes of it, with the text put in.
QUICK = True
#: At most this many paragraphs are remembered (about 7 kB each, lines included).
LIMIT = 10_000


@dataclass(slots=True)
class Parsed:
    """One markup in one style: the text reportlab keeps, its fragments, and its lines by
    the widths and bullet they were broken for (the lines and what breaking them set on
    the paragraph)."""

    text: str
    frags: list
    lines: dict = field(default_factory=dict)


_builds = 0             # documents started in this process
_current: dict = {}     # (markup, style signature) -> Parsed, used by this build
_last: dict = {}        # ... used by the build before, not yet by this one
_signatures: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # style -> its number
_numbers: dict[tuple, int] = {}
_templates: dict[int, object] = {}      # a style's number -> the fragment its text gets     # a style's values -> its number (a few dozen in a process)


def start_build() -> None:
    """A document is about to be written: keep what the last one used, drop the rest."""
    global _current, _last, _builds
    _current, _last = {}, _current
    _builds += 1


def keeping_lines() -> bool:
    """Whether lines broken now are remembered: from a process's second document on.
    A process that writes one (``briefgen build``) would only pay for them: within one
    document the lines repeated are a few short cells, and the lines of a long briefing
    are most of the memo's memory (36 of 44 MB at N = 1,000) and of its teardown."""
    return LINES and _builds > 1


def clear() -> None:
    """Forget everything (tests)."""
    _current.clear()
    _last.clear()


def signature(style) -> int | None:
    """What of paragraph `style` the parser reads, as a number: all its values (a style
    copies its parent's), briefgen's own marks left out; styles of the same values have
    the same number. None if a value cannot be a key."""
    try:
        return _signatures[style]
    except KeyError:
        pass
    # with each value's type: 9 and 9.0 are equal keys, and need not draw alike
    items = tuple(sorted((k, type(v).__qualname__, v) for k, v in vars(style).items()
                         if k != "parent" and not k.startswith("_bg_")))
    try:
        found = _numbers.setdefault(items, len(_numbers))
    except TypeError:
        found = None
    _signatures[style] = found
    return found


def parsed(markup, style) -> Parsed | None:
    """What `markup` in `style` was parsed to before, or None."""
    if not PARSED or not isinstance(markup, str) or style is None:
        return None
    sig = signature(style)
    if sig is None:
        return None
    key = (markup, sig)
    found = _current.get(key)
    if found is None:
        found = _last.pop(key, None)
        if found is not None:
            _current[key] = found
    return found


def keep(markup, style, text: str, frags: list) -> Parsed | None:
    """Remember that `markup` in `style` parses to `frags` (and cleans to `text`)."""
    if not PARSED or not isinstance(markup, str) or style is None or len(_current) >= LIMIT:
        return None
    if (sig := signature(style)) is None:
        return None
    found = _current[(markup, sig)] = Parsed(text, frags)
    return found


def quick(markup, style) -> tuple[str, list] | None:
    """(cleaned text, fragments) for `markup` that is only text, as reportlab's parser
    makes them: the text cleaned as it cleans it, in one fragment of the style (the one
    it makes for any text), or none for no text. None for other markup.

    Most paragraphs are such text (cells, plain sentences), and the parser, a general
    HTML parser, costs tens of microseconds each. ``tests/test_pdf_reuse.py`` compares
    the fragments with the parser's for any text."""
    if not QUICK or not isinstance(markup, str) or "<" in markup or "&" in markup or style is None \
            or getattr(style, "textTransform", None):
        return None
    sig = signature(style)
    if sig is None:
        return None
    from reportlab.platypus.paragraph import Paragraph, cleanBlockQuotedText

    template = _templates.get(sig)
    if template is None:
        template = _templates[sig] = Paragraph("x", style).frags[0]
    text = cleanBlockQuotedText(markup)
    return text, [template.clone(text=text)] if text else []
