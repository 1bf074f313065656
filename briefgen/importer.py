"""`briefgen import`: sources from a reference manager's export, merged into sources.yaml.

Two formats, told apart by their first character:

- **CSL-JSON** (Zotero: File > Export Library, format "CSL JSON"). Its field names are
  the ones sources.yaml uses, so fields are taken as they are; names and dates are
  turned from CSL's structures into briefgen's (`{family, given}` or `{literal}`; EDTF
  dates from `date-parts`, `edtf` or an ISO `raw` date).
- **BibTeX / BibLaTeX**, read by bibtexparser 2, with LaTeX decoded to text by
  pylatexenc and fields mapped: title, shorttitle (title-short), author, editor,
  journal, journaltitle or booktitle (container-title), publisher (else institution or
  organization), date or year/month/day (issued), url (URL), urldate (accessed),
  language or langid, note. Entry types map to CSL types.

Nothing is invented: a field the export does not have is not written, and one that
sources.yaml has no place for is reported, not kept. Ids come from citation keys; a
key that is not a valid id is mapped (see :func:`to_id`). An id already in
sources.yaml is the same source: its fields change only with `update`, and even then
its own `title-short` and `note` are kept.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from briefgen.errors import BriefgenError, Problem, display_path
from briefgen.model import ID_PATTERN, FILES, Source

MAX_BYTES = 20 * 1024 * 1024
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


# --- ids ---------------------------------------------------------------------------


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


def _unique(items: list[Item]) -> list[Item]:
    """Two keys that map to one id: the later ones get -2, -3, ..."""
    seen: Counter[str] = Counter()
    out = []
    for item in items:
        seen[item.id] += 1
        if seen[item.id] > 1:
            item = replace(item, id=f"{item.id[:76]}-{seen[item.id]}")
        out.append(item)
    return out


# --- reading an export ---------------------------------------------------------------


def read_export(path: Path) -> list[Item]:
    """Every reference in a CSL-JSON or BibTeX file; one error listing every problem."""
    label = display_path(path)
    text = _read(path, label)
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        items, problems = _csl_json(text, label)
    elif "@" in text:
        items, problems = _bibtex(text, label)
    else:
        raise BriefgenError.one("not a CSL-JSON or BibTeX export", file=label, line=1,
                                hint="export from Zotero as \"CSL JSON\", \"BibTeX\" or \"BibLaTeX\"")
    if not items and not problems:
        problems.append(Problem("the export holds no references", file=label,
                                hint="export a library or collection that has items"))
    problems.extend(_duplicates(items, label))
    items = _unique(items)
    lines = text.splitlines()
    starts = sorted({i.line for i in items if i.line} | {len(lines) + 1})
    for item in items:
        end = next((s for s in starts if item.line and s > item.line), len(lines) + 1)
        problems.extend(_validate(item, label, lines, end))
    if problems:
        raise BriefgenError(problems)
    return items


def _read(path: Path, label: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BriefgenError.one("file not found", file=label, hint="give the path of the exported file",
                                kind="usage") from None
    except OSError as exc:
        raise BriefgenError.one(f"cannot read file: {exc.strerror}", file=label, kind="usage") from None
    if len(raw) > MAX_BYTES:
        raise BriefgenError.one(f"file is too large ({len(raw):,} bytes; the limit is {MAX_BYTES:,})", file=label,
                                hint="export a smaller collection")
    if b"\x00" in raw:
        raise BriefgenError.one("file is binary, not an export", file=label,
                                hint="export from Zotero as \"CSL JSON\" or \"BibTeX\", which are text files")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise BriefgenError.one(f"file is not UTF-8 (byte 0x{raw[exc.start]:02x})", file=label, line=line,
                                hint="export it again with the character encoding set to UTF-8") from None


def _duplicates(items: list[Item], label: str) -> list[Problem]:
    first: dict[str, Item] = {}
    problems = []
    for item in items:
        if item.key in first:
            problems.append(Problem(f"citation key '{item.key}' is used twice", file=label, line=item.line,
                                    hint=f"it is already used on line {first[item.key].line}; "
                                         "give each reference its own key"))
        first.setdefault(item.key, item)
    return problems


def _validate(item: Item, label: str, lines: list[str], end: int) -> list[Problem]:
    """The item as a sources.yaml entry must be valid; problems point into the export."""
    try:
        Source.model_validate({"id": item.id, **item.fields})
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False):
            name = str(err["loc"][0]) if err["loc"] else ""
            msg = err["msg"].removeprefix("Value error, ")
            line = _field_line(lines, item, end, name) or item.line
            if err["type"] == "missing":
                msg, hint = f"'{item.key}' has no {name}", f"sources.yaml needs one: add the {name} and export again"
            else:
                hint = "correct it in the reference manager and export again"
            out.append(Problem(msg, file=label, line=line, field=f"{item.key}.{name}" if name else item.key, hint=hint))
        return out
    return []


def _field_line(lines: list[str], item: Item, end: int, name: str) -> int | None:
    """The line where a field of `item` (which ends before line `end`) is written, if found."""
    if item.line is None or not name:
        return None
    names = {name, *(k for k, v in _BIB_FIELDS.items() if v == name)}
    pattern = re.compile(r'^\s*"?(%s)"?\s*[:=]' % "|".join(map(re.escape, names)), re.I)
    return next((n + 1 for n in range(item.line - 1, min(end - 1, len(lines))) if pattern.match(lines[n])), None)


# --- CSL-JSON ----------------------------------------------------------------------

_CSL_DIRECT = ("type", "title", "title-short", "container-title", "publisher", "language", "URL", "note")
_CSL_KEYS = ("citation-key", "id")


def _csl_json(text: str, label: str) -> tuple[list[Item], list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", file=label, line=exc.lineno,
                            hint="export it again from Zotero as \"CSL JSON\", or fix the file at that line")]
    objects = data if isinstance(data, list) else [data]
    starts = _item_lines(text) if isinstance(data, list) else [1]
    items, problems = [], []
    for n, obj in enumerate(objects):
        line = starts[n] if n < len(starts) else None
        if not isinstance(obj, dict):
            problems.append(Problem("expected a reference (a JSON object)", file=label, line=line,
                                    hint="a CSL-JSON export is a list of objects with \"id\", \"type\" and \"title\""))
            continue
        key = next((str(obj[k]).strip() for k in _CSL_KEYS if str(obj.get(k, "")).strip()), "")
        if not key:
            problems.append(Problem("reference has no \"id\" or \"citation-key\"", file=label, line=line,
                                    hint="give it a citation key in the reference manager and export again"))
            continue
        items.append(_csl_item(obj, key, line))
    return items, problems


def _item_lines(text: str) -> list[int]:
    """The line on which each element of a top-level JSON array starts."""
    decoder = json.JSONDecoder()
    pos = text.index("[") + 1
    lines = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)


def _csl_item(obj: dict, key: str, line: int | None) -> Item:
    fields: dict[str, Any] = {}
    dropped = []
    for name in _CSL_DIRECT:
        value = obj.get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            fields[name] = _clean(str(value)) if name != "note" else str(value).strip()
    for name in ("author", "editor"):
        names = [n for n in (_csl_name(x) for x in obj.get(name) or [] if isinstance(x, dict)) if n]
        if names:
            fields[name] = names
    for name in ("issued", "accessed"):
        if name in obj:
            value = _csl_date(obj[name])
            if value:
                fields[name] = value
            else:
                dropped.append(f"{name} {json.dumps(obj[name], ensure_ascii=False)} is not a date briefgen can read; left out")
    known = {*_CSL_DIRECT, "author", "editor", "issued", "accessed", *_CSL_KEYS}
    return Item(key, to_id(key), _ordered(fields), line, tuple(sorted(k for k in obj if k not in known)), tuple(dropped))


def _csl_name(name: dict) -> dict | None:
    if str(name.get("literal", "")).strip():
        return {"literal": _clean(str(name["literal"]))}
    family = " ".join(str(name[k]).strip() for k in ("non-dropping-particle", "family") if str(name.get(k, "")).strip())
    given = " ".join(str(name[k]).strip() for k in ("given", "dropping-particle") if str(name.get(k, "")).strip())
    if name.get("suffix"):
        family = f"{family} {str(name['suffix']).strip()}".strip()
    if not family:
        return {"literal": given} if given else None
    return {"family": family, "given": given} if given else {"family": family}


def _csl_date(value: Any) -> str | None:
    """An EDTF date from a CSL date object, or None if it has no date in it."""
    if isinstance(value, str):
        return _iso(value)
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("edtf"), str):
        return _iso(value["edtf"]) or None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts:
        ends = [_from_parts(p) for p in parts[:2]]
        if None in ends:
            return None
        text = "/".join(ends)  # type: ignore[arg-type]
        return text + "~" if value.get("circa") and len(ends) == 1 else text
    if isinstance(value.get("raw"), str):
        return _iso(value["raw"])
    return None


def _from_parts(parts: Any) -> str | None:
    if not isinstance(parts, list) or not parts or len(parts) > 3:
        return None
    try:
        numbers = [int(str(p).strip()) for p in parts]
    except ValueError:
        return None
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


def _iso(text: str) -> str | None:
    """YYYY, YYYY-MM, YYYY-MM-DD (a time of day dropped) or an EDTF interval; else None."""
    text = text.strip()
    day = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
    m = re.fullmatch(rf"({day})(?:[T ][0-9:.]+(?:Z|[+-]\d{{2}}:?\d{{2}})?)?", text)
    if m:
        return m.group(1)
    return text if re.fullmatch(rf"(?:{day}|\.\.)/(?:{day}|\.\.)|{day}[~?%]", text) else None


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _ordered(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: fields[k] for k in ORDER if k in fields}


# --- BibTeX / BibLaTeX -------------------------------------------------------------

_BIB_FIELDS = {  # BibTeX field -> sources.yaml field (the first present wins where two map to one)
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


def _bibtex(text: str, label: str) -> tuple[list[Item], list[Problem]]:
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
    detail = _clean(str(getattr(error, "abort_reason", None) or getattr(error, "message", None) or error))
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
    for bib, ours in _BIB_FIELDS.items():
        if bib not in raw or ours in fields or ours in ("issued", "accessed", "author", "editor", "URL"):
            continue
        text = _latex(str(raw[bib]))
        used.add(bib)
        if text:
            fields[ours] = text if ours == "note" else _clean(text)
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
        day = _iso(str(raw["urldate"]))
        if day:
            fields["accessed"] = day
        else:
            dropped.append(f"urldate {{{raw['urldate']}}} is not a date; left out")
    ignored = tuple(sorted(k for k in raw if k not in used))
    return Item(entry.key, to_id(entry.key), _ordered(fields), entry.start_line + 1, ignored, tuple(dropped))


def _bib_issued(raw: dict, used: set) -> tuple[str | None, str | None]:
    """issued from `date`, else from year, month and day; (None, why) when they are not a date."""
    if "date" in raw:
        used.update(k for k in ("date", "year", "month", "day") if k in raw)  # date is the whole of it
        day = _iso(str(raw["date"]))
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


# --- merging into sources.yaml ------------------------------------------------------


@dataclass
class Outcome:
    """What an import did (or, with dry_run, would do)."""

    added: list[Item] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)   # id, fields changed
    differs: list[tuple[str, list[str]]] = field(default_factory=list)   # id, fields --update would change
    same: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)
    file: str = "sources.yaml"
    written: bool = False


def merge(project_root: Path, items: list[Item], update: bool = False, dry_run: bool = False) -> Outcome:
    """Add new sources and (with `update`) update existing ones in sources.yaml.

    Only sources.yaml has to be valid: the other files may still cite sources that this
    import brings in. sources.yaml keeps its comments and layout and is replaced
    atomically, only if something changes and the new file reads back as exactly the
    sources intended.
    """
    from briefgen import roundtrip

    doc, current = _current_sources(project_root)
    path = project_root / "sources.yaml"
    out = Outcome(file=doc.file)
    edit = roundtrip.open_file(path)
    expected = dict(current)
    spaced = _entries_spaced(edit.text, doc, len(edit.data["sources"]))
    for item in items:
        out.ignored.update(item.ignored)
        out.notes.extend(f"{item.key}: {why}" for why in item.dropped)
        if item.key != item.id:
            out.notes.append(f"{item.key}: the citation key is not a valid id; used '{item.id}'")
        if item.id in current:
            expected[item.id] = _update(edit.data["sources"], current[item.id], item, update, out, roundtrip)
        else:
            expected[item.id] = _add(edit.data["sources"], item, spaced, roundtrip)
            out.added.append(item)
            out.notes.extend(_lookalikes(item, current))
    if dry_run or not (out.added or out.changed):
        return out
    tmp = roundtrip.stage_checked(path, (edit.new_text, edit.dump),
                                  lambda tmp: _same_sources(tmp, doc.file, list(expected.values()), roundtrip))
    roundtrip.replace_all([(tmp, path)])
    out.written = True
    return out


def _current_sources(project_root: Path):
    """sources.yaml as it is, validated on its own: (document, sources by id)."""
    from briefgen.load import CONFIG_FILE, _validate
    from briefgen.yamlio import load_yaml

    if not (project_root / CONFIG_FILE).is_file():
        raise BriefgenError.one(f"no {CONFIG_FILE} here: not a briefgen project", file=display_path(project_root),
                                hint="pass the project folder, or create one with `briefgen init DIR`", kind="usage")
    doc = load_yaml(project_root / "sources.yaml")
    problems: list[Problem] = []
    model = _validate(doc, FILES["sources.yaml"], problems)
    if model is not None:
        seen: dict[str, int] = {}
        for i, src in enumerate(model.sources):
            if src.id in seen:
                problems.append(Problem(f"duplicate id '{src.id}'", file=doc.file, line=doc.line(("sources", i, "id")),
                                        hint=f"already used at line {doc.line(('sources', seen[src.id], 'id'))}"))
            seen.setdefault(src.id, i)
    if problems or model is None:
        raise BriefgenError(problems)
    return doc, {s.id: s for s in model.sources}


def _add(seq, item: Item, spaced: bool, roundtrip) -> Source:
    """Append a new entry, laid out as the file lays out its others; return it as a model."""
    if seq.fa.flow_style():
        seq.fa.set_block_style()  # `sources: []` grows into a block list
    seq.append(roundtrip.new_value({"id": item.id, **item.fields}))
    if spaced:
        seq.yaml_set_comment_before_after_key(len(seq) - 1, before="\n")
    return Source.model_validate({"id": item.id, **item.fields})


def _update(seq, current: Source, item: Item, update: bool, out: Outcome, roundtrip) -> Source:
    """Compare an existing source with the export's item; with `update`, take the export's
    fields (never the entry's own title-short or note). Return the source as it will be."""
    was = current.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    diff = [k for k, v in item.fields.items() if was.get(k) != v and not (k == "type" and v == current.type)]
    own = [k for k in diff if k in OWN and k in was]
    diff = [k for k in diff if k not in own]
    if update and own:
        out.notes.append(f"{item.id}: kept its own {' and '.join(own)} "
                         f"(the export's differ{'s' if len(own) == 1 else ''})")
    if not diff:
        out.same.append(item.id)
        return current
    if not update:
        out.differs.append((item.id, diff))
        return current
    out.changed.append((item.id, diff))
    entry = next(e for e in seq if str(e.get("id")) == item.id)
    for k in diff:
        before = [f for f in ("id", *ORDER[:ORDER.index(k)]) if f in entry]
        roundtrip.set_key(entry, k, item.fields[k], after=before[-1] if before else None)
    return Source.model_validate({**was, **{k: item.fields[k] for k in diff}})


def _same_sources(tmp: Path, label: str, expected: list[Source], roundtrip) -> None:
    from briefgen.yamlio import load_yaml

    try:
        reread = FILES["sources.yaml"].model_validate(load_yaml(tmp, label=label).data).sources
    except (BriefgenError, ValueError) as exc:
        raise roundtrip.not_kept(label, f"the new text does not load: {exc}") from None
    if list(reread) != expected:
        raise roundtrip.not_kept(label, "sources other than the imported ones would change")


def _entries_spaced(text: str, doc, count: int) -> bool:
    """Whether the file separates its entries with blank lines (the seeds do, the starter not)."""
    if count < 2 or doc is None:
        return False
    lines = text.splitlines()
    starts = [doc.line(("sources", i)) for i in range(1, count)]
    return sum(n is not None and n >= 2 and not lines[n - 2].strip() for n in starts) * 2 >= len(starts)


def _lookalikes(item: Item, current: dict[str, Source]) -> list[str]:
    """A new item that may be a source already listed under another id."""
    title = str(item.fields.get("title", "")).casefold()
    for src in current.values():
        if item.fields.get("URL") and src.URL == item.fields["URL"]:
            return [f"{item.id}: has the same URL as {src.id}; if they are one source, keep one"]
        if title and src.title.casefold() == title:
            return [f"{item.id}: has the same title as {src.id}; if they are one source, keep one"]
    return []
