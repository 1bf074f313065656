"""BibTeX and BibLaTeX, read by bibtexparser 2 with LaTeX decoded by pylatexenc, and
mapped field by field onto sources.yaml."""

from __future__ import annotations

import logging
import re
from typing import Any

from briefgen.errors import Problem
from briefgen.importer.items import Item, clean, iso_date, ordered, to_id

FIELDS = {  # BibTeX field -> sources.yaml field (the first present wins where two map to one)
    "title": "title", "shorttitle": "title-short", "journaltitle": "container-title",
    "journal": "container-title", "booktitle": "container-title", "publisher": "publisher",
    "institution": "publisher", "organization": "publisher", "date": "issued", "year": "issued",
    "url": "URL", "urldate": "accessed", "language": "language", "langid": "language", "note": "note",
    "author": "author", "editor": "editor", "month": "issued", "day": "issued",
}
_BIB_TYPES = {
    "article": "article-journal", "book": "book", "mvbook": "book", "inbook": "chapter",
    "incollection": "chapter", "bookinbook": "chapter", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "collection": "book",
    "techreport": "report", "report": "report", "online": "webpage", "www": "webpage",
    "electronic": "webpage", "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "unpublished": "manuscript", "manual": "report", "booklet": "pamphlet", "dataset": "dataset",
    "software": "software", "patent": "patent", "misc": "document", "periodical": "periodical",
}
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def parse(text: str, label: str) -> tuple[list[Item], list[Problem]]:
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors

    log = logging.getLogger("bibtexparser")
    level = log.level
    log.setLevel(logging.CRITICAL)  # its warnings repeat the failed blocks reported below
    try:
        library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    finally:
        log.setLevel(level)
    problems = [_bib_failure(block, label, text) for block in library.failed_blocks]
    items = [_bib_item(entry, library) for entry in library.entries]
    return items, problems


def _bib_failure(block, label: str, text: str) -> Problem:
    from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock

    line = block.start_line + 1 if block.start_line is not None else None
    if isinstance(block, DuplicateBlockKeyBlock):
        return Problem(f"citation key '{block.key}' is used twice", file=label, line=line,
                       hint="give each entry its own key, or delete the repeated entry")
    if isinstance(block, DuplicateFieldKeyBlock):
        return Problem(f"an entry sets the same field twice ({', '.join(sorted(block.duplicate_keys))})",
                       file=label, line=line, hint="keep one of them")
    error = block.error
    detail = clean(str(getattr(error, "abort_reason", None) or getattr(error, "message", None) or error))
    stopped = getattr(error, "end_index", None)
    where = f"reading stopped on line {text.count(chr(10), 0, stopped) + 1}; " if stopped else ""
    return Problem(f"not valid BibTeX: {detail.rstrip('. ') or 'this entry cannot be read'}", file=label, line=line,
                   hint=f"{where}check the entry's braces, quotes and commas, or export it again")


def _bib_item(entry, library) -> Item:
    raw = {f.key.lower(): f.value for f in entry.fields}
    fields: dict[str, Any] = {"type": _BIB_TYPES.get(entry.entry_type.lower(), "document")}
    if entry.entry_type.lower() == "article" and str(raw.get("entrysubtype", "")).lower() in ("newspaper", "magazine"):
        fields["type"] = f"article-{str(raw['entrysubtype']).lower()}"
    used = {"entrysubtype"} if "entrysubtype" in raw else set()
    for bib, ours in FIELDS.items():
        if bib not in raw or ours in fields or ours in ("issued", "accessed", "author", "editor", "URL"):
            continue
        text = _latex(str(raw[bib]))
        used.add(bib)
        if text:
            fields[ours] = text if ours == "note" else clean(text)
    dropped = []
    for role in ("author", "editor"):
        if role in raw:
            used.add(role)
            given = _as_list(raw[role])
            names = [n for n in (_bib_name(x) for x in given) if n]
            if names:
                fields[role] = names
            if any(x.strip().lower() == "others" for x in given):
                dropped.append(f"{role} list ends with 'and others': only the names it gives are kept")
    if "url" in raw:
        used.add("url")
        url = re.sub(r"\\([_%&#~])", r"\1", re.sub(r"^\\url\{(.*)\}$", r"\1", str(raw["url"]).strip()))
        if url:
            fields["URL"] = url
    issued, why = _bib_issued(raw, used)
    if issued:
        fields["issued"] = issued
    elif why:
        dropped.append(why)
    if "urldate" in raw:
        used.add("urldate")
        day = iso_date(str(raw["urldate"]))
        if day:
            fields["accessed"] = day
        else:
            dropped.append(f"urldate {{{raw['urldate']}}} is not a date; left out")
    ignored = tuple(sorted(k for k in raw if k not in used))
    return Item(entry.key, to_id(entry.key), ordered(fields), entry.start_line + 1, ignored, tuple(dropped))


def _bib_issued(raw: dict, used: set) -> tuple[str | None, str | None]:
    """issued from `date`, else from year, month and day; (None, why) when they are not a date."""
    if "date" in raw:
        used.update(k for k in ("date", "year", "month", "day") if k in raw)  # date is the whole of it
        day = iso_date(str(raw["date"]))
        return (day, None) if day else (None, f"date {{{raw['date']}}} is not a date; left out")
    if "year" not in raw:
        return None, None
    used.update(k for k in ("year", "month", "day") if k in raw)
    year = str(raw["year"]).strip()
    if not re.fullmatch(r"\d{4}", year):
        return None, f"year {{{year}}} is not a year; left out"
    month = _month(raw.get("month"))
    if "month" in raw and month is None:
        return year, None  # an unreadable month: the year alone is still right
    if month is None:
        return year, None
    text = f"{year}-{month:02d}"
    day = str(raw.get("day", "")).strip()
    return (f"{text}-{int(day):02d}", None) if day.isdigit() else (text, None)


def _month(value: Any) -> int | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return _MONTHS.get(text[:3]) if text[:3] in _MONTHS and text.isalpha() else None


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _bib_name(text: str) -> dict | None:
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    text = text.strip()
    if not text or text.lower() == "others":
        return None
    if re.fullmatch(r"\{[^{}]*\}", text):  # {Reuters Staff}: an organisation, kept whole
        return {"literal": _latex(text)}
    parts = parse_single_name_into_parts(text, strict=False)
    family = " ".join(_latex(p) for p in [*parts.von, *parts.last, *parts.jr] if p)
    given = " ".join(_latex(p) for p in parts.first if p)
    if not family:
        return {"literal": given} if given else None
    return {"family": family, "given": given} if given else {"family": family}


_DECODER = None


def _latex(text: str) -> str:
    """LaTeX markup as plain text: accents, escapes and braces resolved (pylatexenc)."""
    global _DECODER
    if _DECODER is None:
        from pylatexenc.latex2text import LatexNodes2Text

        _DECODER = LatexNodes2Text(math_mode="verbatim")
    try:
        return _DECODER.latex_to_text(text).strip()
    except Exception:  # noqa: BLE001 - pylatexenc is lenient; anything it cannot read stays as written
        return text.strip()
