"""How a YAML value written without quotes is read: as the analyst wrote it, or refused.

PyYAML follows YAML 1.1, where ``017`` is 15 (octal), ``1:30`` is 90 (base 60), ``yes``
and ``on`` are true and ``.nan`` is a number; YAML 1.2 readers disagree on each. briefgen
reads the forms every reader agrees on, keeps text as text, and refuses (saying how to
write it) a form that readers take in different ways or a document cannot show:

=====================================================  ===============================
written                                                read as
=====================================================  ===============================
``12``, ``-3``, ``+4``                                 a whole number
``2.5``, ``.5``, ``1e3``, ``1.5E-2``                   a number
``true``, ``false`` (also ``True``, ``FALSE``)         true or false
``null``, ``~``, nothing                               no value
``yes``, ``no``, ``on``, ``off``, ``1:30``             text, as written
``017``, ``0x1F``, ``0o17``, ``0b101``, ``1_000``      refused: write ``17``, or ``"017"``
``.nan``, ``.inf``, ``1e999``                          refused: not a number to show
a number of more than 4,300 digits                     refused: write it in quotes
=====================================================  ===============================

A value with an explicit tag (``!!int 12``) is read the same way and must be of that kind.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_DIGITS = 4300  # Python's limit for turning digits into a number

_WORDS: dict[str, Any] = {"": None, "~": None, "null": None, "Null": None, "NULL": None,
                          "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMBER_START = frozenset("0123456789+-.")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")
_RADIX = re.compile(r"[-+]?0(?:x[0-9a-fA-F_]+|o[0-7_]+|b[01_]+)")
_UNDERSCORES = re.compile(r"[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?")
_SPECIAL = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_KINDS = {"int": (int,), "float": (int, float), "bool": (bool,), "null": (type(None),)}
_NAMES = {"int": "a whole number", "float": "a number", "bool": "true or false", "null": "an empty value"}


class ScalarError(ValueError):
    """A value that cannot be read as written; `hint` says how to write it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def read_plain(text: str) -> Any:
    """The value of `text` written without quotes (see the table above)."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] not in _NUMBER_START:
        return text
    if _SPECIAL.fullmatch(text):
        raise ScalarError(f"{_shown(text)} is not a number a document can show",
                          "write the number, or leave the field out if it is not known")
    if _RADIX.fullmatch(text):
        raise ScalarError(f"{_shown(text)} is a number in another base, which YAML readers read in different ways",
                          f"write {int(text.replace('_', ''), 0)} for the number, or \"{text}\" in quotes for text")
    if _INT.fullmatch(text) or _FLOAT.fullmatch(text):
        return _number(text)
    if "_" in text and _UNDERSCORES.fullmatch(text):
        plain = text.replace("_", "")
        raise ScalarError(f"{_shown(text)} has underscores, which YAML readers read in different ways",
                          f"write {plain} for the number, or \"{text}\" in quotes for text")
    return text


def read_tagged(tag: str, text: str) -> Any:
    """The value of `text` written with the tag ``!!TAG`` (int, float, bool or null)."""
    value = read_plain(text)
    if not isinstance(value, _KINDS[tag]) or (tag != "bool" and isinstance(value, bool)):
        raise ScalarError(f"{_shown(text)} is not {_NAMES[tag]}, so it cannot be tagged !!{tag}",
                          f"remove the tag, or write {_NAMES[tag]}")
    return float(value) if tag == "float" else value


def _number(text: str) -> int | float:
    if _LEADING_ZERO.match(text):
        decimal = _number(text.lstrip("+-").lstrip("0") or "0")
        raise ScalarError(f"{_shown(text)} has a leading zero, which YAML readers read in different ways",
                          f"write {'-' if text.startswith('-') else ''}{decimal} for the number, "
                          f"or \"{text}\" in quotes for text")
    if sum(c.isdigit() for c in text) > MAX_DIGITS:
        raise ScalarError(f"a number of {sum(c.isdigit() for c in text):,} digits is too long to read",
                          f"write it as text in quotes; numbers have at most {MAX_DIGITS:,} digits")
    if _INT.fullmatch(text):
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise ScalarError(f"{_shown(text)} is too large a number to show", "write it as text in quotes, or in another unit")
    return value


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")
