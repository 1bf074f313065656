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

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from briefgen.errors import BriefgenError, Problem, display_path
from briefgen.importer.items import ORDER, OWN, Item, to_id, unique
from briefgen.model import FILES, Source

__all__ = ["Item", "Outcome", "merge", "read_export", "to_id"]
MAX_BYTES = 20 * 1024 * 1024


def read_export(path: Path) -> list[Item]:
    """Every reference in a CSL-JSON or BibTeX file; one error listing every problem."""
    label = display_path(path)
    text = _read(path, label)
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        from briefgen.importer import csl

        items, problems = csl.parse(text, label)
    elif "@" in text:
        from briefgen.importer import bibtex

        items, problems = bibtex.parse(text, label)
    else:
        raise BriefgenError.one("not a CSL-JSON or BibTeX export", file=label, line=1,
                                hint="export from Zotero as \"CSL JSON\", \"BibTeX\" or \"BibLaTeX\"")
    if not items and not problems:
        problems.append(Problem("the export holds no references", file=label,
                                hint="export a library or collection that has items"))
    problems.extend(_duplicates(items, label))
    items = unique(items)
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
    from briefgen.importer.bibtex import FIELDS

    names = {name, *(k for k, v in FIELDS.items() if v == name)}
    pattern = re.compile(r'^\s*"?(%s)"?\s*[:=]' % "|".join(map(re.escape, names)), re.I)
    return next((n + 1 for n in range(item.line - 1, min(end - 1, len(lines))) if pattern.match(lines[n])), None)


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
