"""Make any string render literally in Markdown (CommonMark + GFM tables).

Used as the Jinja2 ``finalize`` hook, so every value a template prints from data is
escaped unless the template marks it ``|safe``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE = re.compile(r"[\t\r\n\u2028\u2029]+")
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def clean_text(value: str) -> str:
    """Strip control characters (XML cannot hold them) and fold line breaks to spaces."""
    return _SPACE.sub(" ", _CONTROL.sub("", value))


def md_escape(value: object) -> str:
    """Backslash-escape all ASCII punctuation; fold newlines; strip controls and leading spaces.

    The result, placed anywhere in a Markdown line or table cell, prints as the
    original characters: `*`, `#`, `|`, `[^1]`, `<b>`, `&amp;` included.
    """
    text = clean_text(str(value)).lstrip(" ")
    return _PUNCT.sub(r"\\\1", text)


def md_url(value: object) -> str:
    """A URL made safe for a Markdown link destination (percent-encoded)."""
    return quote(clean_text(str(value)).strip(), safe=":/?#[]@!$&'*+,;=%~-._")
