"""The command line: the only place that prints and exits.

Every command catches :class:`BriefgenError` and prints its problems, one per line,
with an exit code per kind (1 data, 2 usage, 3 template, 4 output). An unexpected
exception prints one line (set BRIEFGEN_DEBUG=1 for the traceback).

The app and what commands share are in :mod:`briefgen.cli.common`; `templates` and
`init` in :mod:`briefgen.cli.templates`, registered on import below.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from briefgen import collector, stopping
from briefgen.cli.common import (AsOf, Audience, BuildDate, Formats, MemoryLimit, OutDir, ProjectDir,
                                 ReferenceDocx, Sandbox, TimeLimit, _day_option, _load, _problems, app,
                                 err, handled, leave, out, say)
from briefgen.console import Table
from briefgen.errors import EXIT_CODES, BriefgenError, display_path
from briefgen.writers import FORMATS


@app.command()
@handled
def validate(
    project_dir: ProjectDir = Path("."),
    audience: Annotated[Optional[str], typer.Option(help="Whose profile decides which warnings apply; default: the project's audience.")] = None,
) -> None:
    """Check a project's data files; list every problem with file, line and field.

    Also warns (without failing) when the bottom line or a key judgment says how likely
    in words off the likelihood scale (ICD 203, or the project's likelihood.yaml), mixes
    two bands in a sentence, contradicts a stated probability, or hedges ("could",
    "may") without saying how likely. A profile turns this off with
    `checks: {likelihood: false}`. And it warns about a unit it does not know (with a
    did-you-mean), versions of one subject whose values do not compare, and claims that
    cannot be dated (which --as-of then leaves out).

    Example: briefgen validate seeds
    """
    from briefgen.data_warnings import problems as analysis_problems
    from briefgen.likelihood import warnings_for
    from briefgen.load import load_project

    project = load_project(project_dir)
    warnings = warnings_for(project, audience) + analysis_problems(project)
    n_cit = sum(len(x.citations) for x in [*project.events, *project.claims])
    counts = ((len(project.sources), "source"), (len(project.events), "event"), (len(project.claims), "claim"),
              (len(project.judgments), "judgment"), (n_cit, "citation"))
    say(f"{display_path(project_dir)}: OK: " + ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts))
    _warn_problems(warnings)


def _warn_problems(problems) -> None:
    """Data warnings print like errors, on stderr, but do not change the exit code."""
    if len(problems) > 1:
        err.print(f"warning: {len(problems)} warnings", markup=False, soft_wrap=True)
    for problem in sorted(problems, key=lambda p: p.sort_key()):
        err.print(("warning: " if len(problems) == 1 else "  ") + problem.render(), markup=False, soft_wrap=True)


SCHEMA_NAMES = {"config": "briefgen.yaml", "sources": "sources.yaml", "events": "events.yaml",
                "claims": "claims.yaml", "judgments": "judgments.yaml"}


@app.command()
@handled
def schema(
    name: Annotated[Optional[str], typer.Argument(help="config, sources, events, claims or judgments.")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Write every schema into this folder.")] = None,
) -> None:
    """Print the JSON Schema of a data file, or write them all with --out.

    Example: briefgen schema events > events.schema.json
    """
    from briefgen.model import FILES

    def build(fname: str) -> str:
        doc = FILES[fname].model_json_schema(by_alias=True)
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        doc["title"] = f"briefgen {fname}"
        return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for key, fname in SCHEMA_NAMES.items():
            (out_dir / f"{key}.schema.json").write_text(build(fname), encoding="utf-8")
        say(f"wrote {len(SCHEMA_NAMES)} schemas to {display_path(out_dir)}")
        return
    if name not in SCHEMA_NAMES:
        raise BriefgenError.one(
            f"unknown schema {name!r}" if name else "name the data file whose schema you want",
            hint="use one of: " + ", ".join(SCHEMA_NAMES) + ", or --out DIR for all", kind="usage")
    sys.stdout.write(build(SCHEMA_NAMES[name]))


def _dump(data: object) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str, allow_nan=False) + "\n")


@app.command()
@handled
def timeline(
    project_dir: ProjectDir = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    as_of_day: AsOf = None,
) -> None:
    """Print the chronology in date order, each date at its real precision.

    Example: briefgen timeline seeds --json
    """
    from briefgen.analyse import chronology

    project = _load(project_dir, as_of_day)
    events = chronology(project)
    if as_json:
        _dump([{**d.event.model_dump(mode="json", by_alias=True, exclude_none=True),
                "date_display": d.date_display, "date_resolved": d.span.edtf(),
                "earliest": d.span.lo, "latest": d.span.hi, "precision": d.span.precision}
               for d in events])
        return
    table = Table(title=project.config.title, show_lines=False, expand=True)
    table.add_column("Date", max_width=25)   # a relative date says how the source put it: it may wrap
    table.add_column("Event", ratio=3, min_width=20)   # the widest: long source lists wrap, not the events
    table.add_column("Kind", no_wrap=True)
    table.add_column("Sources", max_width=12)
    for d in events:
        srcs = ", ".join(sorted({c.source for c in d.event.citations}))
        table.add_row(d.date_display, d.event.title, d.event.kind, srcs)
    out.print(table, markup=False)


@app.command()
@handled
def claims(
    project_dir: ProjectDir = Path("."),
    kind: Annotated[Optional[str], typer.Option(help="figure, forecast, assertion or reported-fact.")] = None,
    subject: Annotated[Optional[str], typer.Option(help="Only this subject key (prefix match).")] = None,
    source: Annotated[Optional[str], typer.Option(help="Only claims citing this source id.")] = None,
    status: Annotated[Optional[str], typer.Option(help="conflict, superseded, vendor-only, corroborated or single-source ('disputed' means conflict).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    as_of_day: AsOf = None,
) -> None:
    """Print the claims register with each claim's status, filtered as asked.

    Example: briefgen claims seeds --status conflict
    """
    from briefgen.analyse import STATUS_ALIASES, STATUSES, analyse

    status = STATUS_ALIASES.get(status, status) if status else None
    if status and status not in STATUSES:
        raise BriefgenError.one(f"unknown status {status!r}", hint="use one of: " + ", ".join(STATUSES), kind="usage")
    kinds = ("figure", "forecast", "assertion", "reported-fact")
    if kind and kind not in kinds:
        raise BriefgenError.one(f"unknown kind {kind!r}", hint="use one of: " + ", ".join(kinds), kind="usage")
    analysis = analyse(_load(project_dir, as_of_day))
    rows = [v for v in analysis.claims
            if (not kind or v.claim.kind == kind)
            and (not subject or v.claim.subject.startswith(subject))
            and (not source or any(c.source == source for c in v.claim.citations))
            and (not status or v.status == status)]
    if as_json:
        _dump([{**v.claim.model_dump(mode="json", by_alias=True, exclude_none=True),
                "status": v.status, "status_explanation": v.explanation,
                "independent_sources": [list(g) for g in v.origins], "conflicts_with": list(v.rivals),
                "superseded_by": list(v.superseded_by), "backed_by": list(v.backed_by),
                "relations": [{"kind": r.kind, "claim": r.b if r.a == v.claim.id else r.a,
                               **({"role": "earlier" if r.a == v.claim.id else "later"} if r.kind == "superseded" else {}),
                               **({"reason": r.reason} if r.reason else {})} for r in v.relations],
                "value_display": v.value_display} for v in rows])
        return
    table = Table(title=f"{len(rows)} of {len(analysis.claims)} claims", expand=True)
    for col, kw in (("Claim", {"ratio": 4}), ("Claimant", {"ratio": 2}), ("Value", {}),
                    ("Status", {"no_wrap": True}), ("Sources", {})):
        table.add_column(col, **kw)
    for v in rows:
        srcs = ", ".join(sorted({c.source for c in v.claim.citations}))
        table.add_row(v.claim.statement, v.claim.claimant, v.value_display, v.status, srcs)
    out.print(table, markup=False)


@app.command(help=f"""Build a briefing in one or more formats ({', '.join(FORMATS)}) with footnoted sources.

    Example: briefgen build seeds --format {','.join(FORMATS)} --out out
    """)
@handled
def build(
    project_dir: ProjectDir = Path("."),
    audience: Audience = None,
    fmt: Formats = None,
    out_dir: OutDir = Path("out"),
    date: BuildDate = None,
    reference_docx: ReferenceDocx = None,
    as_of_day: AsOf = None,
    all_audiences: Annotated[bool, typer.Option("--all", help="Build every audience, in parallel.")] = False,
    sandbox: Sandbox = False,
    time_limit: TimeLimit = 60.0,
    memory_limit: MemoryLimit = 2048,
    toc_pages: Annotated[bool, typer.Option("--toc-pages/--no-toc-pages", help="Word: write the contents' page numbers, from LibreOffice's layout of the file (when LibreOffice is installed; a few seconds). --no-toc-pages for quick drafts.")] = True,
    seal: Annotated[Optional[tuple[Path, Path]], typer.Option("--seal", metavar="KEY CERT", help="PDF: certify the file with this private key and its certificate (PEM or DER; needs briefgen[seal]). An encrypted key's passphrase comes from BRIEFGEN_SEAL_PASSPHRASE or --seal-passphrase-file, never the command line.")] = None,
    seal_passphrase_file: Annotated[Optional[Path], typer.Option("--seal-passphrase-file", help="A file whose first line is the seal key's passphrase.")] = None,
    no_seal: Annotated[bool, typer.Option("--no-seal", help="PDF: do not seal, even if the profile or briefgen.yaml asks to.")] = False,
) -> None:
    from briefgen.build import build as run_build, build_all

    req = _request(project_dir, audience, fmt, out_dir, date, reference_docx, as_of_day, sandbox, time_limit,
                   memory_limit, toc_pages, _seal_options(seal, seal_passphrase_file, no_seal))
    if all_audiences:
        if audience:
            raise BriefgenError.one("--all builds every audience; leave out --audience", kind="usage")
        _build_everything(req, build_all)
        return
    for path in run_build(req, warn=_warn):
        say(f"wrote {display_path(path)} ({path.stat().st_size:,} bytes)")


def _docx_options(reference: Path | None, toc_pages: bool) -> dict:
    """The Word writer's options from the command line (only those given)."""
    docx = ({"reference": reference} if reference else {}) | ({} if toc_pages else {"toc_pages": False})
    return {"docx": docx} if docx else {}


def _seal_options(seal: tuple[Path, Path] | None, passphrase_file: Path | None, no_seal: bool) -> dict:
    """The PDF's seal from the command line: the key and certificate given, none (--no-seal), or
    nothing said (the profile or briefgen.yaml decides)."""
    if no_seal and seal is not None:
        raise BriefgenError.one("--seal and --no-seal ask for opposite things; give one", kind="usage")
    if no_seal or seal is None:
        if passphrase_file is not None and seal is None:
            raise BriefgenError.one("--seal-passphrase-file needs --seal KEY CERT", kind="usage")
        return {"pdf": {"seal": None}} if no_seal else {}
    from briefgen.seal import SealSpec

    return {"pdf": {"seal": SealSpec(seal[0].absolute(), seal[1].absolute(), passphrase_file=passphrase_file)}}


def _warn(line: str) -> None:
    """One line a writer reported: a warning, or a note (a Notice) about how it worked."""
    from briefgen.writers import Notice

    err.print(f"{'note' if isinstance(line, Notice) else 'warning'}: {line}", markup=False, soft_wrap=True)


def _request(project_dir: Path, audience: str | None, fmt: list[str] | None, out_dir: Path, date: str | None,
             reference_docx: Path | None, as_of_day: str | None, sandbox: bool, time_limit: float,
             memory_limit: int, toc_pages: bool, more: dict | None = None):
    """The build the options of `build` and `watch` ask for (`more`: further writer options, by format)."""
    from briefgen.build import BuildRequest
    from briefgen.limits import Limits

    # `--format docx,pdf` or `--format docx --format pdf`; a format named twice is written once
    formats = tuple(dict.fromkeys(f.strip() for given in fmt or () for f in given.split(",") if f.strip()))
    return BuildRequest(project_dir, audience, formats, out_dir, _day_option(date, "--date"),
                        as_of=_day_option(as_of_day, "--as-of"), limits=Limits(time_limit, sandbox=sandbox, memory_mb=memory_limit),
                        options=_docx_options(reference_docx, toc_pages) | (more or {}))


def _build_everything(req, build_all) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from briefgen.audiences import audiences, misnamed, misnamed_warning

    total = len(audiences(req.project_dir))
    for path in misnamed(req.project_dir):
        _warn(misnamed_warning(path))
    with Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                  console=err.rich, transient=True, disable=not err.rich.is_terminal) as bar:
        task = bar.add_task("", total=total)
        outcomes = build_all(req, lambda o: bar.update(task, advance=1, description=o.audience))
    failed = [o for o in outcomes if o.error]
    for o in outcomes:
        for path in o.files:
            say(f"wrote {display_path(path)} ({path.stat().st_size:,} bytes)")
    from briefgen.build import merged_warnings

    for line in merged_warnings(outcomes):
        _warn(line)
    for o in failed:
        for line in o.error.render().splitlines():
            err.print(f"error: {o.audience}: {line}", markup=False, soft_wrap=True)
    say(f"{len(outcomes) - len(failed)} of {len(outcomes)} audiences built")
    if failed:
        raise typer.Exit(EXIT_CODES.get(failed[0].error.kind, 1))


@app.command()
@handled
def check(
    project_dir: ProjectDir = Path("."),
    texts: Annotated[Optional[Path], typer.Option(help="Folder of source texts (files named by source id or by their fulltext name).")] = None,
    require_text: Annotated[bool, typer.Option("--require-text", help="Fail if any source has no text to check against.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Write `locator: para. N` where it is missing or wrong and the quote is in one paragraph only.")] = False,
) -> None:
    """Check every quote verbatim against its source's full text, and its locator.

    Whitespace, curly versus straight quotes and dash variants are forgiven; anything
    else is a mismatch, shown with the closest passage in the source. With --fix, the
    locators that can be decided are written into events.yaml and claims.yaml (comments
    and layout kept, quotes never changed); what cannot be decided is listed.

    Example: briefgen check seeds --texts path/to/texts --fix
    """
    from briefgen.check import check_quotes, fix_locators, report, why_no_text
    from briefgen.load import load_project

    project = load_project(project_dir)
    if texts is not None and not texts.is_dir():
        raise BriefgenError.one("not a folder", file=display_path(texts), field="--texts", kind="usage",
                                hint="give the folder that holds the sources' texts, each file named by "
                                     "its source id or as its fulltext names it")
    results = check_quotes(project, texts)
    found = report(project, results, require_text)
    for line in found.lines():
        say(line)
    for source_id in sorted({r.citation.source for r in results if r.status == "unchecked"}):
        say(f"  {source_id}: {why_no_text(source_id, project, texts)}")
    if not fix:
        if found.problems:
            raise BriefgenError(found.problems)
        return
    outcome = fix_locators(project, results, require_text)
    for change in outcome.fixed:
        say(f"fixed {change.render()}")
    for file in outcome.written:
        n = sum(c.file == file for c in outcome.fixed)
        say(f"wrote {file} ({n} locator{'' if n == 1 else 's'})")
    if not outcome.fixed:
        say("no locator to fix")
    if outcome.left:
        say(f"{len(outcome.left)} left for you to decide (listed below)")
        raise BriefgenError(outcome.left)


@app.command()
@handled
def export(
    project_dir: ProjectDir = Path("."),
    out_file: Annotated[Path, typer.Option("--out", help="File to write: .csv or .xlsx.")] = Path("out/claims.csv"),
    as_of_day: AsOf = None,
) -> None:
    """Export the claims register (with status and sources) as CSV or XLSX.

    Example: briefgen export seeds --out out/claims.xlsx
    """
    from briefgen.analyse import analyse
    from briefgen.atomic import write_file
    from briefgen.build import default_build_date
    from briefgen.export import register_rows, write_csv, write_xlsx

    project = _load(project_dir, as_of_day)
    if out_file.is_dir():
        raise BriefgenError.one("is a folder, not a file", file=display_path(out_file), field="--out",
                                hint=f"name a file in it, e.g. --out {display_path(out_file / 'claims.csv')}", kind="usage")
    rows = register_rows(project, analyse(project))
    suffix = out_file.suffix.lower()
    if suffix == ".csv":
        write_file(out_file, lambda fh: write_csv(rows, fh), "csv")
    elif suffix == ".xlsx":
        date = default_build_date(project)
        write_file(out_file, lambda fh: write_xlsx(rows, fh, project.config.title, date), "xlsx")
    else:
        raise BriefgenError.one(f"cannot export to '{suffix or out_file.name}'", field="--out",
                                hint="name a .csv or .xlsx file", kind="usage")
    say(f"wrote {display_path(out_file)} ({len(rows)} claims)")


@app.command("diff")
@handled
def diff_cmd(
    old: Annotated[str, typer.Argument(help="Earlier version: a folder, or REV:PATH (e.g. HEAD~1:seeds).")],
    new: Annotated[str, typer.Argument(help="Later version: a folder, or REV:PATH.")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    redline: Annotated[Optional[Path], typer.Option("--redline", help="Also write NEW's briefing as a .docx with every change from OLD's as Word tracked changes.")] = None,
    audience: Annotated[Optional[str], typer.Option(help="With --redline: which briefing; default: NEW's.")] = None,
) -> None:
    """Show new, removed and changed events and claims, and claims whose status changed.

    Example: briefgen diff HEAD~1:seeds seeds --redline out/changes.docx
    """
    import dataclasses

    from briefgen.diff import diff, load_version

    old_project, new_project = load_version(old), load_version(new)
    if redline is not None:
        from briefgen.audiences import check_name
        from briefgen.build import default_build_date, write_changes

        name = check_name(audience) if audience else new_project.config.audience
        for line in write_changes(old_project, new_project, name, default_build_date(new_project), redline):
            _warn(line)
        wrote = f"wrote {display_path(redline)} ({redline.stat().st_size:,} bytes)"
        err.print(wrote, markup=False) if as_json else say(wrote)
    result = diff(old_project, new_project, old, new)
    if as_json:
        _dump(dataclasses.asdict(result))
        return
    if result.empty:
        say(f"no changes between {old} and {new}")
        return
    sections = (("New events", result.events_added), ("Removed events", result.events_removed),
                ("Changed events", result.events_changed), ("New claims", result.claims_added),
                ("Removed claims", result.claims_removed), ("Changed claims", result.claims_changed),
                ("Status changes", result.status_changed))
    for title, changes in sections:
        if not changes:
            continue
        say(f"{title} ({len(changes)}):")
        for c in changes:
            extra = f" [{', '.join(c.fields)}]" if c.fields else ""
            status = f" {c.old_status} -> {c.new_status}" if c.old_status else ""
            say(f"  {c.id}: {c.title}{extra}{status}")


@app.command("import")
@handled
def import_cmd(
    project_dir: Annotated[Path, typer.Argument(help="Project folder (holds briefgen.yaml and sources.yaml).")],
    export_file: Annotated[Path, typer.Argument(metavar="FILE", help="A Zotero export: CSL JSON (.json) or BibTeX/BibLaTeX (.bib).")],
    update: Annotated[bool, typer.Option("--update", help="Also update sources already in sources.yaml with the export's fields.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
) -> None:
    """Merge a reference manager's export into sources.yaml, keeping its comments and layout.

    New ids come from citation keys (a key that is not a valid id is mapped: smith:2020
    becomes smith-2020). Sources already listed are left as they are unless --update is
    given. Only fields the export has are written; briefgen's own (reliability,
    derived_from, fulltext) are never touched.

    Example: briefgen import seeds zotero-export.json
    """
    from briefgen.importer import merge, read_export
    from briefgen.load import load_project

    outcome = merge(project_dir, read_export(export_file), update=update, dry_run=dry_run)
    for item in outcome.added:
        say(f"added {item.id}: {item.fields.get('title', '')}")
    for sid, fields in outcome.changed:
        say(f"changed {sid}: {', '.join(fields)}")
    for sid, fields in outcome.differs:
        say(f"kept {sid} as it is; the export differs in {', '.join(fields)} (--update takes the export's)")
    if outcome.same:
        say(f"already up to date: {', '.join(outcome.same)}")
    for note in outcome.notes:
        say(f"note: {note}")
    if outcome.ignored:
        say("not imported (sources.yaml has no field for them): "
            + ", ".join(f"{k} ({n})" for k, n in sorted(outcome.ignored.items())))
    counts = f"{len(outcome.added)} added, {len(outcome.changed)} changed"
    if dry_run:
        say(f"dry run: {counts}; nothing written")
    elif outcome.written:
        say(f"wrote {outcome.file}: {counts}")
        try:
            load_project(project_dir)
        except BriefgenError as exc:
            n = len(exc.problems)
            say(f"note: the project still has {n} problem{'' if n == 1 else 's'} elsewhere; "
                f"briefgen validate {display_path(project_dir)} lists {'it' if n == 1 else 'them'}")
    else:
        say(f"{outcome.file} unchanged: nothing to add" + ("" if update or not outcome.differs else " (--update to take the export's fields)"))


from briefgen.cli import templates  # noqa: E402,F401 - registers `templates` and `init`


@app.command(help="""Rebuild the briefing whenever a file its build reads changes: data files, templates
    and profiles, a logo or reference document. Problems are shown as build shows them and
    the last good files stay in place; Ctrl-C stops. A rebuild after a small edit redoes
    only what the edit touched.

    With --serve, the HTML briefing is also written and served on this computer
    (http://127.0.0.1:PORT/), and the browser page reloads after each rebuild.

    Example: briefgen watch seeds --audience executive --serve
    """)
@handled
def watch(
    project_dir: ProjectDir = Path("."),
    audience: Audience = None,
    fmt: Formats = None,
    out_dir: OutDir = Path("out"),
    date: BuildDate = None,
    reference_docx: ReferenceDocx = None,
    as_of_day: AsOf = None,
    sandbox: Sandbox = False,
    time_limit: TimeLimit = 60.0,
    memory_limit: MemoryLimit = 2048,
    serve: Annotated[bool, typer.Option("--serve", help="Also write the HTML briefing and serve it on 127.0.0.1, reloading the page on each rebuild.")] = False,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port for --serve (0: any free port).")] = 8000,
    toc_pages: Annotated[bool, typer.Option("--toc-pages/--no-toc-pages", help="Word: write the contents' page numbers from LibreOffice's layout (a few seconds each rebuild; off while watching unless asked).")] = False,
) -> None:
    from briefgen.session import Session
    from briefgen.watch import terminate_as_interrupt, watch as run_watch

    req = _request(project_dir, audience, fmt, out_dir, date, reference_docx, as_of_day, sandbox, time_limit,
                   memory_limit, toc_pages)
    preview = None
    if serve:
        from briefgen.serve import Preview

        preview = Preview(port)
        say(f"serving the HTML briefing at {preview.url} (the page reloads after each rebuild)")
    try:
        with terminate_as_interrupt():
            run_watch(req, lambda report: _watched(report, project_dir, preview),
                      session=Session(also=("html",) if serve else ()))
    except KeyboardInterrupt:
        say("stopped watching")
    finally:
        if preview is not None:
            preview.close()


def _watched(report, project_dir: Path, preview) -> None:
    """One line for one build of `watch` (after its problems, if it failed)."""
    import time

    what = _changes(report.changed, project_dir) if report.changed else "built"
    stamp = time.strftime("%H:%M:%S")
    for line in report.result.warnings if report.result else ():
        _warn(line)
    if report.error is not None:
        _problems(report.error)
        say(f"{stamp} {what}: not rebuilt; the last good files stay in place")
        if preview is not None:
            preview.failed(report.error.render())
        return
    result = report.result
    done = [f"wrote {', '.join(display_path(p) for p in result.written)}"] if result.written else []
    if result.unchanged:
        done.append(f"{', '.join(p.name for p in result.unchanged)} unchanged")
    say(f"{stamp} {what}: {'; '.join(done)} in {result.seconds:.2f} s")
    pages = [p for p in (*result.written, *result.unchanged) if p.suffix == ".html"]
    if preview is not None and pages:
        preview.built(pages[0], pages[0] in result.written)
    if not report.changed:
        say(f"watching {display_path(project_dir)} for changes (Ctrl-C to stop)")


def _changes(paths, project_dir: Path) -> str:
    """'claims.yaml changed', or 'claims.yaml and 2 more changed'."""
    from briefgen.session import absolute

    def name(path: Path) -> str:
        try:
            return path.relative_to(absolute(project_dir)).as_posix()
        except ValueError:
            return display_path(path)

    names = [name(p) for p in paths]
    return f"{names[0]} changed" if len(names) == 1 else f"{names[0]} and {len(names) - 1} more changed"


def main() -> None:
    # pydantic looks for plugins (reading every installed package's entry points) when the
    # data model is first built, a tenth of a short command; briefgen uses none. A value
    # the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    collector.tune()
    stopping.raise_on_term(stopping.DEADLINE)  # SIGTERM unwinds like Ctrl-C: temporary files are removed
    try:
        try:
            app()
        except stopping.Terminated:
            from briefgen.atomic import remove_live

            remove_live()  # those whose removal a library's bare `except:` swallowed
            err.print("error: stopped by SIGTERM before it finished; no temporary file was left", markup=False)
            sys.exit(stopping.EXIT)
    except SystemExit as exc:
        leave(exc.code)

