"""What an export's references become: items with sources.yaml fields, and their ids."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from briefgen.model import ID_PATTERN

ORDER = ("type", "title", "title-short", "container-title", "publisher", "author", "editor",
         "issued", "language", "URL", "accessed", "note")  # how a new entry's fields are laid out
_ID = re.compile(ID_PATTERN)
OWN = ("title-short", "note")  # often the analyst's own words: --update fills them in, never replaces them


@dataclass(frozen=True)
class Item:
    """One reference of the export, as sources.yaml fields (only the ones it has)."""

    key: str                # the citation key as written in the export
    id: str                 # the briefgen id made from it
    fields: dict[str, Any]
    line: int | None
    ignored: tuple[str, ...] = ()   # the export's fields that sources.yaml has no place for
    dropped: tuple[str, ...] = ()   # values that could not be read (a date that is not one), said why


def to_id(key: str) -> str:
    """A citation key as a briefgen id: the key itself when it is valid, else mapped.

    A URL (Zotero's own item ids) gives its last path segment. Accents are dropped
    (``Müller`` -> ``Muller``), each run of characters other than letters, digits,
    ``.``, ``_`` and ``-`` becomes one ``-`` (``smith:2020`` -> ``smith-2020``), a
    leading or trailing ``-`` goes, and the id is cut to 80 characters. A key with
    nothing left (``:::``) becomes ``source``.
    """
    if _ID.match(key) and len(key) <= 80:
        return key
    if "://" in key:
        key = key.rstrip("/").rsplit("/", 1)[-1]
    text = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text)
    text = re.sub(r"^[^A-Za-z0-9]+", "", text)[:80].rstrip("-")
    return text or "source"


def unique(items: list[Item]) -> list[Item]:
    """Two keys that map to one id: the later ones get -2, -3, ..."""
    seen: Counter[str] = Counter()
    out = []
    for item in items:
        seen[item.id] += 1
        if seen[item.id] > 1:
            item = replace(item, id=f"{item.id[:76]}-{seen[item.id]}")
        out.append(item)
    return out


def iso_date(text: str) -> str | None:
    """YYYY, YYYY-MM, YYYY-MM-DD (a time of day dropped) or an EDTF interval; else None."""
    text = text.strip()
    day = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
    m = re.fullmatch(rf"({day})(?:[T ][0-9:.]+(?:Z|[+-]\d{{2}}:?\d{{2}})?)?", text)
    if m:
        return m.group(1)
    return text if re.fullmatch(rf"(?:{day}|\.\.)/(?:{day}|\.\.)|{day}[~?%]", text) else None


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def ordered(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields[k] for k in ORDER if k in fields}
