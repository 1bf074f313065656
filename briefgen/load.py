"""Load a project folder into validated models, or raise every problem at once.

Each problem names the file, line and field and says what to do. Nothing here
prints or exits; the CLI does that.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from briefgen.dates import DateError, Span, parse_date, parse_offset, shift
from briefgen.errors import BriefgenError, Problem, display_path
from briefgen.model import (
    FILES, OPTIONAL_FILES, BottomLine, Claim, Config, Event, Judgment, RelativeDate, Source,
)
from briefgen.parallel import Job
from briefgen.topics import check_project as check_topics
from briefgen.yamlio import YamlDoc, dotted, load_yaml

CONFIG_FILE = "briefgen.yaml"


@dataclass
class Project:
    """A validated project: models plus the resolved date of every event."""

    root: Path = field(repr=False)  # never printed: a sandboxed template may print the project
    config: Config
    sources: dict[str, Source]
    events: list[Event]
    claims: list[Claim]
    judgments: list[Judgment] = field(default_factory=list)
    bottom_line: BottomLine | None = None
    spans: dict[str, Span] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    docs: dict[str, YamlDoc] = field(default_factory=dict, repr=False)

    def locate(self, file: str, *path: str | int) -> tuple[str, int | None]:
        """(file as shown to the user, line) of a value, for messages after loading."""
        doc = self.docs.get(file)
        return (doc.file, doc.line(tuple(path))) if doc else (file, None)

    @property
    def events_by_id(self) -> dict[str, Event]:
        return {e.id: e for e in self.events}

    @property
    def claims_by_id(self) -> dict[str, Claim]:
        return {c.id: c for c in self.claims}

    def fulltext_path(self, source: Source) -> Path | None:
        return (self.root / source.fulltext) if source.fulltext else None


def load_project(root: Path | str, check: Callable[[list[Path]], dict[Path, Checked]] | None = None) -> Project:
    """Read and check every data file in `root`; raise one error listing all problems.

    `check` reads and validates the files (default :func:`check_files`); a watch session
    passes one that reuses the results of files whose bytes did not change.
    """
    root = Path(root)
    if not (root / CONFIG_FILE).is_file():
        where = display_path(root)
        raise BriefgenError.one(
            f"no {CONFIG_FILE} here: not a briefgen project",
            file=where, hint="pass the project folder (e.g. `briefgen validate seeds`) "
            "or create one with `briefgen init DIR`", kind="usage")
    problems: list[Problem] = []
    docs: dict[str, YamlDoc] = {}
    models: dict[str, BaseModel] = {}
    checked = (check or check_files)([root / name for name in FILES
                                       if name not in OPTIONAL_FILES or (root / name).exists()])
    for name in FILES:
        result = checked.get(root / name)
        if result is None:
            continue
        problems.extend(result.problems)
        if result.doc is not None:
            docs[name] = result.doc
        if result.model is not None:
            models[name] = result.model
    project = _assemble(root, models)
    if project is not None:
        project.docs = docs
    if project is not None or models:
        problems.extend(_cross_check(models, docs, project))
    if problems:
        raise BriefgenError(problems)
    assert project is not None
    return project


def check_confined(root: Path) -> None:
    """A data error for each of the project's data files that is a link to a file outside
    `root`. A sandboxed build reads the project folder only: the project comes from
    someone else, and a data file linked to any file of the reader's would have its
    values printed by the project's templates."""
    top = root.resolve()
    problems = [Problem(f"data file is a link to {real}, outside the project folder, which --sandbox does not read",
                        file=display_path(root / name),
                        hint="copy the file into the project folder, or build without --sandbox if you trust it")
                for name in FILES if (root / name).is_symlink()
                and not (real := (root / name).resolve()).is_relative_to(top)]
    if problems:
        raise BriefgenError(problems)


@dataclass(frozen=True)
class Checked:
    """One data file read and validated: its text and data, its model, or its problems."""

    doc: YamlDoc | None
    model: BaseModel | None
    problems: tuple[Problem, ...] = ()


def check_files(paths: list[Path]) -> dict[Path, Checked]:
    """Each data file (named as in :data:`FILES`) parsed and validated against its model."""
    return {path: _check(path, read) for path, read in _read_all(paths).items()}


def _check(path: Path, read: YamlDoc | BriefgenError) -> Checked:
    if isinstance(read, BriefgenError):
        return Checked(None, None, tuple(read.problems))
    problems: list[Problem] = []
    model = _validate(read, FILES[path.name], problems)
    if model is not None:
        if path.name == "claims.yaml":
            _keep_written_numbers(read, model.claims)
        read.data = None  # the model holds it now; messages locate values through doc.text
    return Checked(read, model, tuple(problems))


#: Entries a data file's list may hold: ten times the largest project measured. A few
#: megabytes of `{}, {}, ...` are a million entries, each with problems to report.
MAX_ENTRIES = 100_000
PARALLEL_BYTES = 1_000_000  # a file this large is parsed in a second process while this one reads the rest


def _read_all(paths: list[Path]) -> dict[Path, YamlDoc | BriefgenError]:
    """Each file parsed, or the error that stopped it.

    YAML parsing is most of loading a large project and the files are independent, so
    when two or more are large the largest is parsed in a forked process (about 0.5 s
    sooner at N = 10,000 on two cores). Small projects never start a process.
    """
    sizes = {p: p.stat().st_size if p.is_file() else 0 for p in paths}
    if sum(size >= PARALLEL_BYTES for size in sizes.values()) < 2:
        return {p: _read_one(p) for p in paths}
    largest = max(paths, key=sizes.__getitem__)
    job = Job(_read_one, largest)
    out = {p: _read_one(p) for p in paths if p != largest}
    out[largest] = job.result()
    return {p: out[p] for p in paths}


def _read_one(path: Path) -> YamlDoc | BriefgenError:
    try:
        return load_yaml(path, label=display_path(path))
    except BriefgenError as exc:
        return exc


def _assemble(root: Path, models: dict[str, Any]) -> Project | None:
    required = ("briefgen.yaml", "sources.yaml", "events.yaml", "claims.yaml")
    if any(name not in models for name in required):
        return None
    judg = models.get("judgments.yaml")
    return Project(
        root=root, config=models["briefgen.yaml"],
        sources={s.id: s for s in models["sources.yaml"].sources},
        events=list(models["events.yaml"].events), claims=list(models["claims.yaml"].claims),
        subjects=dict(models["claims.yaml"].subjects),
        judgments=list(judg.judgments) if judg else [],
        bottom_line=judg.bottom_line if judg else None,
    )


def _keep_written_numbers(doc: YamlDoc, claims: list[Claim]) -> None:
    """Give each claim whose value holds a decimal number the text the file wrote it as.

    YAML reads 4.50 as 4.5; the briefing must show 4.50 and the analysis must know it was
    given to two decimals. The reader kept each decimal's text by its path."""
    if not doc.decimals:
        return
    from briefgen.numbers import Written

    for i, claim in enumerate(claims):
        value = claim.value
        values = value if isinstance(value, list) else [value]
        if not any(isinstance(v, float) for v in values):
            continue
        paths = [("claims", i, "value", j) for j in range(len(values))] if isinstance(value, list) \
            else [("claims", i, "value")]
        written = [doc.decimals.get(path) for path in paths]
        if any(isinstance(v, float) and w is None for v, w in zip(values, written)):
            continue   # not written as a number (a quoted one YAML did not read as a float)
        numbers = [Written(v, w) if isinstance(v, float) else v for v, w in zip(values, written)]
        # the same numbers, each decimal with its text: equal to what was validated
        claim.__dict__["value"] = numbers if isinstance(value, list) else numbers[0]


# --- schema validation -------------------------------------------------------------


def _validate(doc: YamlDoc, cls: type[BaseModel], problems: list[Problem]) -> BaseModel | None:
    if not isinstance(doc.data, dict):
        top = ", ".join(f"'{k}'" for k in cls.model_fields)
        problems.append(Problem(
            f"expected a mapping with {top} at the top", file=doc.file, line=1,
            hint=f"start the file with `{next(iter(cls.model_fields))}:`"))
        return None
    for key, value in doc.data.items():
        if isinstance(value, list) and len(value) > MAX_ENTRIES:
            problems.append(Problem(
                f"{len(value):,} entries in '{key}', more than briefgen reads ({MAX_ENTRIES:,})",
                file=doc.file, line=doc.line((key,)), field=str(key),
                hint="split the story into projects; briefgen is measured up to 10,000 events and claims"))
            return None     # checking each would take memory and time without bound
    try:
        return cls.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_explain(doc, cls, exc))
        return None


def _explain(doc: YamlDoc, cls: type[BaseModel], exc: ValidationError) -> list[Problem]:
    grouped: dict[tuple, list[dict]] = {}
    for err in exc.errors(include_url=False):
        path = _data_path(doc.data, err["loc"], err["type"] in ("missing", "extra_forbidden"))
        grouped.setdefault(path, []).append(err)
    out = []
    for path, errs in grouped.items():
        deeper = any(len(p) > len(path) and p[:len(path)] == path for p in grouped)
        if deeper and all(e["type"].endswith("_type") for e in errs):
            continue  # a union branch that did not apply; the deeper error explains
        specific = [e for e in errs if not e["type"].endswith("_type") and e["type"] != "union_tag_invalid"]
        for err in _dedupe(specific or errs[:1]):
            out.append(_problem(doc, cls, path, err))
    return out


def _dedupe(errs: list[dict]) -> list[dict]:
    seen, out = set(), []
    for e in errs:
        if e["msg"] not in seen:
            seen.add(e["msg"])
            out.append(e)
    return out


def _data_path(data: Any, loc: tuple, key_error: bool) -> tuple:
    """Keep the steps of a pydantic `loc` that index into the YAML data itself."""
    path, node = [], data
    for step in loc:
        if isinstance(node, dict) and step in node:
            node = node[step]
            path.append(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
            path.append(step)
        elif key_error and step == loc[-1] and isinstance(node, dict):
            path.append(step)  # the missing or unknown key itself
    return tuple(path)


def _problem(doc: YamlDoc, cls: type[BaseModel], path: tuple, err: dict) -> Problem:
    kind, msg = err["type"], err["msg"]
    where = dict(file=doc.file, line=doc.line(path), field=dotted(path) or None)
    key = path[-1] if path else ""
    if kind == "missing":
        return Problem(f"required field '{key}' is missing", **{**where, "line": doc.line(path[:-1])},
                       hint=f"add `{key}:` to this entry")
    if kind == "extra_forbidden":
        known = _known_fields(cls, path[:-1])
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(sorted(known))}"
        return Problem(f"unknown field '{key}'", **where, hint=hint)
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", (err.get("ctx") or {}).get("expected", ""))   # "'low', 'medium' or 'high'"
        close = difflib.get_close_matches(str(err.get("input")), allowed, n=1, cutoff=0.6)
        hint = msg.replace("Input should be", "use")
        return Problem(f"{_shown(err.get('input'))} is not allowed", **where,
                       hint=f"did you mean '{close[0]}'? {hint[:1].upper()}{hint[1:]}" if close else hint)
    if kind == "string_pattern_mismatch":
        return Problem(f"{_shown(err.get('input'))} is not a valid id", **where,
                       hint="use letters, digits, '.', '_' or '-', starting with a letter or digit")
    if kind == "too_short" and isinstance(err.get("input"), list):
        return Problem("must not be empty", **where, hint=f"add at least one entry to '{key}'")
    if kind == "string_too_short":
        return Problem("must not be empty", **where, hint="write the text, or remove the field if optional")
    if kind in _EXPECTED:
        got = err.get("input")
        # YAML reads 2024, 1.5 and yes as a number or true/false: text must be quoted
        quoted = f'"{_yaml_text(got)}"'
        hint = (f"put it in quotes: {f'{key}: ' if isinstance(key, str) else ''}{quoted}"
                if kind == "string_type" and isinstance(got, (int, float, bool)) else None)
        return Problem(f"expected {_EXPECTED[kind]}, got {_kind_of(got)}", **where, hint=hint)
    text = msg.removeprefix("Value error, ")
    return Problem(text, **where)


_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "int_parsing": "a whole number",
    "float_type": "a number", "float_parsing": "a number", "bool_type": "true or false",
    "bool_parsing": "true or false", "list_type": "a list (lines starting with '- ')",
    "dict_type": "a mapping (lines of `field: value`)", "model_type": "a mapping (lines of `field: value`)",
    "model_attributes_type": "a mapping (lines of `field: value`)",
}


def _yaml_text(value: Any) -> str:
    """How a scalar YAML read as a number or true/false was most likely written."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return _shown(value)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_fields(cls: type[BaseModel], path: tuple) -> list[str]:
    """The field names a mapping at `path` may hold (for 'did you mean')."""
    current: Any = cls
    for step in path:
        current = _step_type(current, step)
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _step_type(current: Any, step: Any) -> Any:
    for t in _unwrap(current):
        if isinstance(step, int) and typing.get_origin(t) is list:
            return typing.get_args(t)[0]
        if isinstance(step, str) and isinstance(t, type) and issubclass(t, BaseModel):
            for name, f in t.model_fields.items():
                if step in (name, f.alias):
                    return f.annotation
    return None


def _unwrap(t: Any) -> list[Any]:
    origin = typing.get_origin(t)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(t)[0])
    if origin in (typing.Union, types.UnionType):
        return [u for arg in typing.get_args(t) for u in _unwrap(arg)]
    return [t]


# --- references across files ------------------------------------------------------


def _cross_check(models: dict[str, Any], docs: dict[str, YamlDoc], project: Project | None) -> list[Problem]:
    problems: list[Problem] = []
    have = {name: name in models for name in FILES}
    ids = _collect_ids(models, docs, problems)
    sources = ids.get("sources", {})
    entries = {**ids.get("events", {}), **ids.get("claims", {})}

    nouns = {"sources.yaml": "source", "events.yaml": "event", "claims.yaml or events.yaml": "claim or event"}

    def check(ref: str, known: dict, doc: YamlDoc, path: tuple, what: str, file_ok: bool) -> None:
        if file_ok and ref not in known:
            close = difflib.get_close_matches(ref, list(known), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"add it to {what}, or fix the id"
            problems.append(Problem(f"unknown {nouns[what]} id '{ref}'",
                                    file=doc.file, line=doc.line(path), field=dotted(path), hint=hint))

    for fname, listkey in (("events.yaml", "events"), ("claims.yaml", "claims")):
        if fname not in models:
            continue
        doc = docs[fname]
        for i, item in enumerate(getattr(models[fname], listkey)):
            for j, cit in enumerate(item.citations):
                check(cit.source, sources, doc, (listkey, i, "citations", j, "source"), "sources.yaml", have["sources.yaml"])
            if listkey == "claims":
                for j, ev in enumerate(item.events):
                    check(ev, ids.get("events", {}), doc, ("claims", i, "events", j), "events.yaml", have["events.yaml"])
            elif isinstance(item.date, RelativeDate):
                check(item.date.relative_to, ids.get("events", {}), doc, ("events", i, "date", "relative_to"), "events.yaml", True)
    if "claims.yaml" in models:
        cf, doc = models["claims.yaml"], docs["claims.yaml"]
        problems.extend(_version_links(cf.claims, doc))
        used = {c.subject for c in cf.claims}
        for key in cf.subjects:
            if key not in used:
                close = difflib.get_close_matches(key, sorted(used), n=1, cutoff=0.6)
                problems.append(Problem(f"no claim has the subject '{key}'", file=doc.file,
                                        line=doc.line(("subjects", key)), field=f"subjects.{key}",
                                        hint=f"did you mean '{close[0]}'?" if close else "remove the label or fix the key"))
    if "sources.yaml" in models:
        doc = docs["sources.yaml"]
        for i, src in enumerate(models["sources.yaml"].sources):
            for j, ref in enumerate(src.derived_from):
                check(ref, sources, doc, ("sources", i, "derived_from", j), "sources.yaml", True)
        problems.extend(_derivation_cycles(models["sources.yaml"].sources, doc))
    if "judgments.yaml" in models and have["events.yaml"] and have["claims.yaml"]:
        doc, jf = docs["judgments.yaml"], models["judgments.yaml"]
        if jf.bottom_line:
            for j, ref in enumerate(jf.bottom_line.basis):
                check(ref, entries, doc, ("bottom_line", "basis", j), "claims.yaml or events.yaml", True)
        for i, jd in enumerate(jf.judgments):
            for j, ref in enumerate(jd.basis):
                check(ref, entries, doc, ("judgments", i, "basis", j), "claims.yaml or events.yaml", True)
    problems.extend(check_topics(models, docs))
    if "events.yaml" in models:
        spans, date_problems = resolve_dates(models["events.yaml"].events, docs["events.yaml"])
        problems.extend(date_problems)
        if project is not None:
            project.spans = spans
    return problems


def _version_links(claims: list[Claim], doc: YamlDoc) -> list[Problem]:
    """`supersedes` and `consistent_with` name another claim on the same subject."""
    subject = {c.id: c.subject for c in claims}
    out = []
    for i, c in enumerate(claims):
        links = [(("claims", i, "supersedes", j), ref) for j, ref in enumerate(c.supersedes)]
        links += [(("claims", i, "consistent_with", j, "claim"), p.claim) for j, p in enumerate(c.consistent_with)]
        for path, ref in links:
            if ref not in subject or ref == c.id:
                close = difflib.get_close_matches(ref, [k for k, v in subject.items() if v == c.subject and k != c.id], n=1, cutoff=0.6)
                why, hint = ((f"'{ref}' is this claim itself", "name another version of the same subject")
                             if ref == c.id else (f"unknown claim id '{ref}'",
                                                  f"did you mean '{close[0]}'?" if close else "fix the id"))
            elif subject[ref] != c.subject:
                why, hint = (f"'{ref}' is about '{subject[ref]}', not '{c.subject}'",
                             "only versions of the same subject can replace or be consistent with each other")
            else:
                continue
            out.append(Problem(why, file=doc.file, line=doc.line(path), field=dotted(path), hint=hint))
    return out


def _collect_ids(models: dict[str, Any], docs: dict[str, YamlDoc], problems: list[Problem]) -> dict[str, dict]:
    """Ids per kind; duplicates are reported. Events, claims and judgments share one namespace."""
    out: dict[str, dict] = {}
    shared: dict[str, tuple[YamlDoc, tuple]] = {}
    for fname, key in (("sources.yaml", "sources"), ("events.yaml", "events"),
                       ("claims.yaml", "claims"), ("judgments.yaml", "judgments")):
        if fname not in models:
            continue
        doc, seen = docs[fname], {}
        for i, item in enumerate(getattr(models[fname], key)):
            space = seen if key == "sources" else shared
            if item.id in space:  # lines are looked up only now: a valid project never pays for them
                first_doc, first_path = space[item.id]
                problems.append(Problem(
                    f"duplicate id '{item.id}'", file=doc.file, line=doc.line((key, i, "id")),
                    field=dotted((key, i, "id")),
                    hint=f"already used at {first_doc.file}:{first_doc.line(first_path)}; ids must be unique"))
                continue
            space[item.id] = (doc, (key, i, "id"))
            out.setdefault(key, {})[item.id] = item
    return out


def _derivation_cycles(sources: list[Source], doc: YamlDoc) -> list[Problem]:
    graph = {s.id: s.derived_from for s in sources}
    problems = []
    for i, src in enumerate(sources):
        if _reaches(graph, src.id, src.id):
            problems.append(Problem(
                f"source '{src.id}' is derived from itself through derived_from",
                file=doc.file, line=doc.line(("sources", i, "derived_from")),
                field=dotted(("sources", i, "derived_from")), hint="remove one link of the loop"))
    return problems


def _reaches(graph: dict[str, list[str]], start: str, target: str) -> bool:
    stack, seen = list(graph.get(start, [])), set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.get(node, []))
    return False


def resolve_dates(events: list[Event], doc: YamlDoc | None = None) -> tuple[dict[str, Span], list[Problem]]:
    """Each event's date as a :class:`Span`; relative dates follow their chain."""
    by_id = {e.id: (i, e) for i, e in enumerate(events)}
    spans: dict[str, Span] = {}
    problems: list[Problem] = []
    loops: set[frozenset] = set()

    def where(i: int) -> dict:
        path = ("events", i, "date")
        return dict(file=doc.file if doc else None, line=doc.line(path) if doc else None, field=dotted(path))

    def resolve(eid: str, trail: tuple[str, ...]) -> Span | None:
        if eid in spans:
            return spans[eid]
        i, ev = by_id[eid]
        if not isinstance(ev.date, RelativeDate):
            spans[eid] = parse_date(ev.date)
            return spans[eid]
        ref = ev.date.relative_to
        if ref in trail or ref == eid:
            cycle = (trail[trail.index(ref):] if ref in trail else ()) + (eid, ref)
            if frozenset(cycle) not in loops:
                loops.add(frozenset(cycle))
                problems.append(Problem(f"relative dates form a loop: {' -> '.join(cycle)}", **where(i),
                                        hint="give one of these events an absolute date"))
            return None
        if ref not in by_id:
            return None  # reported as an unknown id
        base = resolve(ref, trail + (eid,))
        if base is None:
            return None
        try:
            spans[eid] = shift(base, parse_offset(ev.date.offset), ev.date.approximate)
        except DateError as exc:
            problems.append(Problem(f"offset {exc}", **where(i), hint=f"check the offset, or the date of '{ref}'"))
            return None
        return spans[eid]

    for ev in events:
        resolve(ev.id, ())
    return spans, problems
