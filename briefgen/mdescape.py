"""Make any string render literally in Markdown (CommonMark + GFM tables).

Used as the Jinja2 ``finalize`` hook, so every value a template prints from data is
escaped unless the template marks it ``|safe``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from briefgen.bidi import bidirectional

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE = re.compile(r"[\t\r\n\u2028\u2029]+")
# Characters with a meaning anywhere in a line: escapes, code, emphasis, links, notes and
# images, inline notes (^[...]), autolinks, entities, table cells, strikethrough, a
# heading's closing hashes.
_INLINE = {ord(c): "\\" + c for c in "\\`*_[]<>&|~#!^"}  # a str.translate table
# Characters with a meaning only where a line starts (lists, rules, setext underlines,
# quotes, containers, "1." and "1)"): a value never makes a new line, so only its start.
_LEAD = re.compile(r"^(\d{1,9}(?=[.)])|)([-+=:>.)])")
_LEAD_FIRST = frozenset("-+=:>.)0123456789")


def clean_text(value: str) -> str:
    """Strip control characters (XML cannot hold them) and fold line breaks to spaces."""
    if value.isprintable():  # the usual case: nothing to strip or fold
        return value
    return _SPACE.sub(" ", _CONTROL.sub("", value))


def md_escape(value: object) -> str:
    """Backslash-escape what Markdown would read as markup; fold newlines; strip controls and leading spaces.

    The result, placed anywhere in a Markdown line or table cell, prints as the
    original characters: `*`, `#`, `|`, `[^1]`, `<b>`, `&amp;`, a leading `1.` or `-`
    included. Line breaks are folded, so a value cannot start a line of its own and only
    its first characters need the line-start escapes. Escaping less than every
    punctuation mark keeps the Markdown, and the parser's work, small.
    """
    text = clean_text(str(value)).lstrip(" ").translate(_INLINE)
    return _LEAD.sub(r"\1\\\2", text, count=1) if text[:1] in _LEAD_FIRST else text


class Directed(str):
    """The text of a field whose record says its language (``language: ar``; the render
    stage makes it): a str in every way, printed after a direction mark (:data:`mark`),
    which the writers' rule for a paragraph's direction (its first strong character,
    :func:`briefgen.bidi.paragraph_level`) and the isolate round the value (FSI: first
    strong) then follow. An operation on it (``~``, ``|upper``) gives plain text, which
    takes its direction from its letters."""

    __slots__ = ()
    mark = ""


class RightToLeft(Directed):
    __slots__ = ()
    mark = "\u200f"   # RIGHT-TO-LEFT MARK: strong, invisible, never drawn


class LeftToRight(Directed):
    __slots__ = ()
    mark = "\u200e"   # LEFT-TO-RIGHT MARK


def marked(value: Any, text: str) -> str:
    """`text` (`value` as it will be printed) after `value`'s direction mark, if it has
    one: always for right to left, and for left to right only where `text` holds
    right-to-left letters (elsewhere left to right is what it reads as anyway)."""
    if isinstance(value, Directed) and (isinstance(value, RightToLeft) or bidirectional(text)):
        return value.mark + text
    return text


_ISOLATES = re.compile("[\u2066-\u2069]")


def isolate(text: str) -> str:
    """`text` between Unicode isolates (FSI U+2068 ... PDI U+2069) when it holds
    right-to-left text, so that a value quoted in a sentence neither sets the
    paragraph's direction (an Arabic source title opening an English note) nor pulls its
    neighbours into its own ("صحيفة الساحل، 12 January" keeps 12 with January). Text
    without right-to-left characters is returned as it is. Isolates already in the text
    are balanced first, so none closes or outlasts the one added."""
    if not bidirectional(text):
        return text
    if _ISOLATES.search(text):
        text = _balanced(text)
    return f"\u2068{text}\u2069"


def _balanced(text: str) -> str:
    """`text` without isolate ends (PDI) that close nothing, and with one for each isolate it opens."""
    out, depth = [], 0
    for ch in text:
        if ch == "\u2069":
            if not depth:
                continue
            depth -= 1
        elif ch in "\u2066\u2067\u2068":
            depth += 1
        out.append(ch)
    return "".join(out) + "\u2069" * depth


def md_url(value: object) -> str:
    """A URL made safe for a Markdown link destination (percent-encoded)."""
    return quote(clean_text(str(value)).strip(), safe=":/?#[]@!$&'*+,;=%~-._")
