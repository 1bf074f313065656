"""The whole pipeline for one briefing: load, analyse, render, parse, write.

Every output is staged beside its target and moved into place only when all requested
formats have been written (:mod:`briefgen.atomic`), so a failed build leaves the
previous briefing intact and no partial file behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from briefgen import atomic, collector, stopping
from briefgen.errors import BriefgenError, display_path
from briefgen.limits import Limits
from briefgen.parallel import Ahead, Job
from briefgen.writers import (DEFAULT_FORMATS, FORMATS, TextError, Writer, options, takes, tracks_changes,
                              writer)

# The stages' libraries (pydantic, PyYAML, Jinja2, markdown-it-py) are imported where a
# stage runs, not here: a build starts its writers' processes (Stages.start) before they
# load, so that the writers' libraries load in those processes meanwhile.
if TYPE_CHECKING:
    from briefgen.load import Project
    from briefgen.tree import Document, Meta


@dataclass(frozen=True)
class BuildRequest:
    project_dir: Path
    audience: str | None = None
    formats: tuple[str, ...] = ()
    out_dir: Path = Path("out")
    build_date: dt.date | None = None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)   # per format, its writer's options
    as_of: dt.date | None = None
    limits: Limits = Limits()


class Stages:
    """The stages a long-running process can reuse between builds, each done here from
    scratch, as ``briefgen build`` does. A watch session (:class:`briefgen.session.Session`)
    overrides them to reuse what did not change since its last build."""

    parallel = True  # with two formats or more, write some in other processes (start, ahead, write)

    def load(self, root: Path) -> Project:
        from briefgen.load import load_project

        return load_project(root)

    def environment(self, search_path: list[Path], sandbox: bool) -> Any:
        """The Jinja2 environment templates are compiled in."""
        from briefgen.render import make_environment

        return make_environment(search_path, sandbox)

    def parse(self, markdown: str, meta: Meta, origin: str) -> Document:
        from briefgen.parse import parse

        return parse(markdown, meta, origin=origin)

    def start(self, formats: Sequence[str]) -> dict[str, Ahead]:
        """With two formats or more, each one's writer that has work to do before it sees
        the tree (``prepare``: importing its libraries, reading fonts), forked now, before
        the data is loaded, to do that work meanwhile: {format: its process}. `formats` are
        the request's, or the default ones when it names none (the project's are known only
        once it is loaded: :meth:`ahead` then stops those it does not write)."""
        if not self.parallel or len(formats) < 2:
            return {}
        writers = [writer(f) for f in dict.fromkeys(formats) if f in FORMATS]   # an unknown one: said once loaded
        return {w.NAME: Ahead(w.prepare, stage_named) for w in writers if _prepares(w)}

    def ahead(self, plan: list[tuple[Writer, Any]], size: int, started: dict[str, Ahead]) -> dict[int, Ahead]:
        """The formats of `plan` to be written by processes started before the tree is made,
        {index in `plan`: its process}: each format whose writer has a ``prepare`` step, by
        the process :meth:`start` started for it, else one started now; a process started
        for a format not in the plan is stopped. None for one format, or for a project of
        more than AHEAD_UP_TO events and claims: its tree, sent to each writer pickled,
        costs more than the overlap saves; the first format is then forked once the tree is
        made, which copies it for free."""
        chosen: dict[int, Ahead] = {}
        if self.parallel and len(plan) > 1 and size <= AHEAD_UP_TO:
            chosen = {i: started.pop(w.NAME, None) or Ahead(w.prepare, stage_named)
                      for i, (w, _) in enumerate(plan) if _prepares(w)}
        for job in started.values():
            job.stop()
        started.clear()
        return chosen

    def write(self, plan: list[tuple[Writer, Any]], doc: Document, out_dir: Path,
              name: str, ahead: dict[int, Ahead] | None = None) -> tuple[list[tuple[Path, Path]], list[str]]:
        """Each format staged beside its target: (temporary, target) pairs, and the
        writers' warnings. With two formats or more, some are written in forked processes
        meanwhile: those started early (`ahead`, by :meth:`ahead`), given the tree now,
        and of the others, when more than one is left, the first, forked now (the fork
        copies the tree); the rest are written here."""
        away: dict[int, Any] = {}
        for i, job in (ahead or {}).items():
            w, opts = plan[i]
            job.give(w.NAME, opts, out_dir / (name + w.SUFFIX), doc)
            away[i] = job
        here = [i for i in range(len(plan)) if i not in away]
        if self.parallel and len(here) > 1:
            w, opts = plan[here[0]]
            away[here[0]] = Job(_stage, w, opts, doc, out_dir / (name + w.SUFFIX))
        staged, said = write_formats(plan, doc, out_dir, name, away)
        return staged, [line for lines in said for line in lines]

    def commit(self, staged: list[tuple[Path, Path]]) -> None:
        atomic.commit(staged)


COLD = Stages()
COLLECT_ABOVE = 500   # events and claims together: below this the models are left to the end (_document)
AHEAD_UP_TO = 500   # events and claims together (see Stages.ahead): at 1,000, pickling the tree took 0.19 s


def _prepares(w: Writer) -> bool:
    """Whether writer `w` has work to do before it sees the tree (``prepare``)."""
    return getattr(w, "prepare", None) is not None


def default_build_date(project: Project) -> dt.date:
    """SOURCE_DATE_EPOCH if set, else the project's as-of date, else today."""
    return source_date_epoch() or project.config.as_of or dt.date.today()


def source_date_epoch() -> dt.date | None:
    """The day SOURCE_DATE_EPOCH gives, or None if unset; a usage error if it is not a
    number of seconds (checked even with --date: the PDF library reads it too)."""
    from briefgen.dates import DateError, epoch_day

    try:
        return epoch_day(os.environ.get("SOURCE_DATE_EPOCH"))
    except DateError as exc:
        raise BriefgenError.one(str(exc), field="SOURCE_DATE_EPOCH", kind="usage",
                                hint="set it to the output of `date +%s` for the day wanted, or unset it") from None


def stem(project: Project, audience: str) -> str:
    base = project.config.filename or re.sub(r"[^a-z0-9]+", "-", project.config.title.lower()).strip("-")[:48]
    return f"{base or 'briefing'}-{audience}"


def document_for(project: Project, audience: str, build_date: dt.date, limits: Limits = Limits()) -> Document:
    """Render and parse: the tree every writer gets."""
    from briefgen.parse import parse

    markdown, meta = _markdown_for(project, audience, build_date, limits)
    return parse(markdown, meta, origin=f"{audience} template output")


def _markdown_for(project: Project, audience: str, build_date: dt.date, limits: Limits,
                  stages: Stages = COLD, as_of_day: dt.date | None = None) -> tuple[str, Meta]:
    """The audience's Markdown and the tree's meta. `as_of_day`: the day `project` was cut
    to (``--as-of``), which its previous version is cut to as well, so that what was not
    yet known on that day is not reported as withdrawn since."""
    from briefgen.analyse import analyse
    from briefgen.audiences import load_profile, logo_file
    from briefgen.look import NAVY
    from briefgen.render import render
    from briefgen.tree import Meta

    cfg = project.config
    profile = load_profile(project, audience)
    changes = None
    if cfg.previous:
        from briefgen.diff import diff, load_version

        file, line = project.locate("briefgen.yaml", "previous")
        old = load_version(cfg.previous, project.root, dict(file=file, line=line, field="previous"),
                           within=project.root if limits.sandbox else None)
        if as_of_day is not None:
            from briefgen.asof import as_of

            old = as_of(old, as_of_day)
        # the reader sees the previous version's date, never a path or a git revision
        day = old.config.as_of
        changes = diff(old, project, f"{day.day} {day:%B} {day.year}" if day else "", "this briefing")
    markdown = render(project, audience, build_date, analyse(project), changes, profile, limits,
                      stages.environment)
    look = profile.look
    logo = str(logo_file(project.root, look.logo, limits.sandbox)) if look.logo else ""
    meta = Meta(title=cfg.title, subject=cfg.subject, author=cfg.author or "", language=cfg.language,
                keywords=tuple(cfg.keywords),
                classification=look.classification or "", audience=audience, label=look.label or "",
                date=build_date.isoformat(), page_size=look.page_size or cfg.page_size,
                accent=(look.accent or NAVY).lstrip("#").upper(), font=look.font or "", logo=logo,
                header=look.header or "", footer=look.footer or "")
    return markdown, meta


def build(req: BuildRequest, warn: Callable[[str], None] | None = None, stages: Stages = COLD) -> list[Path]:
    """Build one audience in each requested format; return the files written. A writer's
    warnings and a misspelt unit's (the build still succeeds) go to `warn`, one line each. `stages` does the
    stages a watch session reuses (:class:`Stages`)."""
    if req.limits.sandbox:
        from briefgen import confine

        if not confine.inside():  # the whole build, bounded in time and memory
            return confine.run(functools.partial(build, stages=stages), req, warn)
    started = stages.start(req.formats or DEFAULT_FORMATS)   # writers preparing while the data loads
    ahead: dict[int, Ahead] = {}   # those _document keeps, by index in the plan
    said: list[str] = []            # the data's warnings a build gives too
    try:
        with collector.paused():
            doc, name, plan, previous = _document(req, stages, started, ahead, said)
        collector.freeze()  # the tree lives until the end
        if req.limits.sandbox:
            atomic.check_real_dir(req.out_dir)
        out_dir = atomic.prepare_dir(req.out_dir)
    except BaseException:
        for job in [*started.values(), *ahead.values()]:
            job.stop()
        raise
    try:
        staged, warnings = stages.write(plan, doc, out_dir, name, ahead)
    except TextError as exc:    # about text from the tree: say where in the data it came from
        from briefgen.locate import located

        raise located(exc, req.project_dir, exc.text) from None
    if previous is not None:
        try:
            w, opts = next((w, o) for w, o in plan if tracks_changes(w))
            staged.append(_stage_changes(previous, doc, w, opts, out_dir / f"{name}-changes{w.SUFFIX}", warnings))
        except BaseException:
            atomic.discard(staged)
            raise
    stages.commit(staged)
    for line in dict.fromkeys([*said, *warnings]):   # the briefing's and the changes file's are often alike: once each
        if warn is not None:
            warn(line)
    return [target for _, target in staged]


def _document(req: BuildRequest, stages: Stages, started: dict[str, Ahead], ahead: dict[int, Ahead],
              said: list[str]) -> tuple[Document, str, list[tuple[Writer, Any]], Document | None]:
    """Load, render and parse: the tree, the output files' stem, each format's writer
    with its options (checked before any work), and the previous briefing's tree when a
    changes file is to be written. Of the writers `started` before the data was loaded,
    those the plan writes are put in `ahead` (:meth:`Stages.ahead`), the others stopped."""
    from briefgen.asof import as_of
    from briefgen.audiences import check_name

    if req.limits.sandbox:
        from briefgen.load import check_confined

        check_confined(req.project_dir)
    project = stages.load(req.project_dir)
    said.extend(p.render() for p in _misspelt_units(project))
    if req.as_of is not None:
        project = as_of(project, req.as_of)
    audience = check_name(req.audience) if req.audience is not None else project.config.audience
    formats = req.formats or tuple(project.config.formats)
    plan = [(writer(fmt), options(fmt, _settings(req, project, audience, fmt))) for fmt in formats]
    source_date_epoch()
    name = stem(project, audience)
    size = len(project.events) + len(project.claims)
    ahead.update(stages.ahead(plan, size, started))
    build_date = req.build_date or req.as_of or default_build_date(project)
    markdown, meta = _markdown_for(project, audience, build_date, req.limits, stages, req.as_of)
    previous = _previous_document(project, req, audience, build_date, plan)
    # Free a long briefing's models, then its Markdown, before the next stage grows. The
    # template context holds them in reference cycles, so they need a collection: a pass
    # over every object alive, modules included, which for a short briefing (a few MB of
    # models, 8,000 objects freed of 40,000) costs more than it frees: 50 ms of the seed
    # build's critical path, measured on a slow day.
    del project
    if size > COLLECT_ABOVE:
        collector.collect()
    return stages.parse(markdown, meta, f"{audience} template output"), name, plan, previous


def _misspelt_units(project: Project) -> list:
    """What ``validate`` warns about that the briefing would hide: a unit close to a known
    one (``bathces``), which compares with nothing, so a disagreement it is in is not shown."""
    from briefgen.analyse import vocabulary
    from briefgen.units import unit_problems

    return unit_problems(project, vocabulary(project), misspelt_only=True)


def _settings(req: BuildRequest, project: Project, audience: str, fmt: str) -> dict[str, Any] | None:
    """Format `fmt`'s writer options: the request's, with the seal the audience's profile
    or briefgen.yaml asks for (for a writer that seals: the PDF's) unless the request
    says (``--seal``, ``--no-seal``)."""
    given = req.options.get(fmt)
    if "seal" not in (given or {}) and takes(writer(fmt), "seal"):
        from briefgen.seal import from_settings

        spec = from_settings(project, audience)
        if spec is not None and req.limits.sandbox:
            # the project's files chose the key: a project sent for a sandboxed build could
            # have its own text certified with the analyst's key
            raise BriefgenError.one(
                f"{spec.where} asks to seal the PDF, which --sandbox does not do with a key the "
                "project's files name", kind="usage",
                hint="to seal it, name the key yourself: --seal KEY CERT; or build with --no-seal")
        if spec is not None:
            return {**(given or {}), "seal": spec}
    return given


def _previous_document(project: Project, req: BuildRequest, audience: str, build_date: dt.date,
                       plan: list[tuple[Writer, Any]]) -> Document | None:
    """With `previous:` set and a format asked for whose writer tracks changes (Word's),
    the previous briefing's tree (same audience, build date and limits), for the changes
    file; else None."""
    if not project.config.previous or not any(tracks_changes(w) for w, _ in plan):
        return None
    from briefgen.asof import as_of
    from briefgen.diff import load_version
    from briefgen.parse import parse

    old = briefed_as(load_version(project.config.previous, project.root,
                                  within=project.root if req.limits.sandbox else None), project)
    if req.as_of is not None:
        old = as_of(old, req.as_of)
    markdown, meta = _markdown_for(old, audience, build_date, req.limits)
    return parse(markdown, meta, origin=f"{audience} template output (previous version)")


def briefed_as(old: Project, new: Project) -> Project:
    """The previous version `old` as `new`'s briefing would show it: its own data, without
    a "Since the last briefing" of its own, through `new`'s templates and profiles. A
    version read from git or a folder of data may lack the project's audiences, and the
    changes file shows what changed in the data, not in the templates."""
    return replace(without_previous(old), root=new.root)


def without_previous(project: Project) -> Project:
    """`project` as its own briefing, without a "Since the last briefing" of its own."""
    return replace(project, config=project.config.model_copy(update={"previous": None}))


def write_changes(old: Project, new: Project, audience: str, build_date: dt.date, target: Path,
                  reference: Path | None = None) -> list[str]:
    """The briefing of `new` as a Word file at `target`, with every change from the
    briefing of `old` (same audience and build date) tracked; returns warnings."""
    able = [w for w in map(writer, FORMATS) if tracks_changes(w)]
    w = next((w for w in able if w.SUFFIX == target.suffix.lower()), None)
    if w is None:
        suffixes = " or ".join(w.SUFFIX for w in able)
        raise BriefgenError.one(f"the changes file must be a {suffixes}, not '{target.name}'", field="--redline",
                                hint=f"name a file ending in {suffixes}", kind="usage")
    opts = options(w.NAME, {"reference": reference} if reference else None)
    previous = document_for(briefed_as(old, new), audience, build_date)
    doc = document_for(new, audience, build_date)
    atomic.prepare_dir(target.parent)
    warnings: list[str] = []
    atomic.commit([_stage_changes(previous, doc, w, opts, target, warnings)])
    return warnings


def _stage_changes(previous: Document, doc: Document, w: Writer, opts: Any, target: Path,
                   warnings: list[str]) -> tuple[Path, Path]:
    """The file with the changes since the previous briefing tracked, by writer `w`, staged."""
    if takes(w, "last"):   # the changes file it replaces: its work (page numbers) is reused
        opts = replace(opts, last=target)
    tmp = atomic.stage(target, lambda path: warnings.extend(w.write_redline(previous, doc, opts, path)), w.NAME)
    return tmp, target


def write_formats(plan: list[tuple[Writer, Any]], doc: Document, out_dir: Path, name: str,
                  away: dict[int, Any] | None = None) -> tuple[list[tuple[Path, Path]], list[list[str]]]:
    """Each format of `plan` written to a temporary file beside its target: (temporary,
    target) pairs, and each format's warnings.

    `away` maps the index of a format in `plan` to a job already writing it in another
    process (its ``result()`` is :func:`_stage`'s, ``cancel()`` stops it); the others are
    written here meanwhile. If any fails, every temporary file is removed and the error
    of the earliest format is raised, as when they are written in order.
    """
    away = away or {}
    done: dict[int, tuple[tuple[Path, Path], list[str]]] = {}
    errors: dict[int, BaseException] = {}
    for i, (w, opts) in enumerate(plan):
        if i in away:
            continue
        target = out_dir / (name + w.SUFFIX)
        try:
            tmp, said = _stage(w, opts, doc, target)
            done[i] = ((tmp, target), said)
        except BaseException as exc:  # noqa: BLE001 - raised below, once the other side is collected
            errors[i] = exc
            break
    for i, job in sorted(away.items()):
        if any(isinstance(e, (stopping.Terminated, KeyboardInterrupt)) for e in errors.values()):
            job.cancel()  # stopping: no need for the other formats
        try:
            tmp, said = job.result()
            done[i] = ((tmp, out_dir / (name + plan[i][0].SUFFIX)), said)
        except BaseException as exc:  # noqa: BLE001
            errors[i] = exc
    staged = [done[i][0] for i in sorted(done)]
    if errors:
        atomic.discard(staged)
        raise errors[min(errors)]
    return staged, [done[i][1] for i in sorted(done)]


def stage_named(fmt: str, opts: Any, target: Path, doc: Document) -> tuple[Path, list[str]]:
    """:func:`_stage` for the writer of format `fmt`, the tree last: a call another
    process can be sent, or started before the tree is made (:class:`~briefgen.parallel.Ahead`)."""
    return _stage(writer(fmt), opts, doc, target)


def _stage(w: Writer, opts: Any, doc: Document, target: Path) -> tuple[Path, list[str]]:
    said: list[str] = []
    if takes(w, "last"):  # a writer that reuses work from the file it replaces
        opts = replace(opts, last=target)
    tmp = atomic.stage(target, lambda path: said.extend(w.write(doc, opts, path) or ()), w.NAME)
    return tmp, said


@dataclass(frozen=True)
class Outcome:
    audience: str
    files: tuple[Path, ...] = ()
    error: BriefgenError | None = None
    warnings: tuple[str, ...] = ()


def _build_one(req: BuildRequest) -> Outcome:
    said: list[str] = []
    try:
        with stopping.unwinding():
            return Outcome(req.audience or "", tuple(build(req, said.append)), warnings=tuple(said))
    except BriefgenError as exc:
        return Outcome(req.audience or "", error=exc)
    except Exception as exc:  # noqa: BLE001 - one audience's bug must not stop the others
        return Outcome(req.audience or "", error=BriefgenError.one(
            f"internal error: {type(exc).__name__}: {exc} (a bug in briefgen; "
            "build this audience alone with BRIEFGEN_DEBUG=1 for details)", kind="internal"))


def build_all(req: BuildRequest, progress=None) -> list[Outcome]:
    """Every audience of the project, each in its own process; a failure does not stop the others.

    `progress(outcome)` is called as each audience finishes.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from briefgen.audiences import audiences
    from briefgen.load import load_project

    load_project(req.project_dir)  # bad data fails once, before any worker starts
    names = [a.name for a in audiences(req.project_dir)]
    if not names:
        raise BriefgenError.one("no audience to build", file=display_path(req.project_dir), kind="template",
                                hint="`briefgen templates list` shows where audiences are looked for")
    requests = [replace(req, audience=name) for name in names]
    workers = max(1, min(len(requests), os.cpu_count() or 1))
    results: dict[str, Outcome] = {}
    with ProcessPoolExecutor(max_workers=workers, initializer=stopping.pool_worker, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_build_one, r) for r in requests]
        try:
            for future in as_completed(futures):
                outcome = future.result()
                results[outcome.audience] = outcome
                if progress:
                    progress(outcome)
        except BaseException:  # stopped (SIGTERM, Ctrl-C): so are the audiences being built, removing their files
            pool.shutdown(wait=False, cancel_futures=True)
            stopping.stop_children()
            atomic.sweep(req.out_dir)  # what a worker that had to be killed left
            raise
    return [results[n] for n in names]


def merged_warnings(outcomes: list[Outcome]) -> list[str]:
    """The warnings of a build of every audience, each once, in the order they first
    appear: prefixed with the audiences that reported it ("full, board: ..."), or with none
    when every audience did (a reference's missing styles, said once, not once each)."""
    said: dict[str, list[str]] = {}
    for o in outcomes:
        for line in o.warnings:
            said.setdefault(line, []).append(o.audience)
    everyone = len(outcomes) > 1 and [o.audience for o in outcomes]
    return [line if names == everyone else type(line)(f"{', '.join(names)}: {line}")
            for line, names in ((line, list(dict.fromkeys(names))) for line, names in said.items())]


__all__ = ["BuildRequest", "Stages", "build", "build_all", "document_for", "merged_warnings"]
