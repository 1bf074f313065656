"""What a long-running process keeps between builds of one project, so that a rebuild
after a small edit redoes only what the edit touched. ``briefgen watch`` holds one.

A :class:`Session` is the build's :class:`~briefgen.build.Stages` with four fast paths,
each checked against a cold build byte for byte (``tests/test_session.py``):

- **data files**: each file's parsed and validated result is kept with the SHA-256 of
  its bytes and reused while the bytes are the same. The key is the content, not the
  modification time: a file saved unchanged is not parsed again, and an edit within
  one tick of the file system's clock is still seen.
- **templates**: one Jinja2 environment per template search path and sandbox setting,
  so each template is compiled once. It is replaced when any file in the template
  folders changes (is added, removed or rewritten), or when told (:meth:`forget_templates`).
- **outputs**: a format whose inputs (the Markdown and meta the tree is parsed from,
  the writer's options, the bytes of the files it reads: logo, reference document) are
  those of the file in place, and whose file is still as it was written, is not
  written again.
- **two processes**: the writers' module-level caches (fonts registered with reportlab,
  parsed paragraph markup, styles, the Word package template) stay loaded because the
  processes do. With two formats or more, the PDF (the format whose writer has a
  ``prepare`` step) is written in the session's writer process (:class:`~briefgen.parallel.Worker`,
  a fresh interpreter started at the first such build and kept) while this one writes
  the others, instead of in a child forked for each build as a cold build does: a
  child's caches die with it, and forking a process that runs a watcher's and a preview
  server's threads can deadlock. If the writer process dies, its format is written
  here and the next build starts another; it ends with the session (:meth:`close`).

With ``--sandbox`` each build runs, as every sandboxed build does, in a confined child
process (:mod:`briefgen.confine`) holding a copy of the session; what the child learnt
(the data files it validated, the outputs it wrote, the files it read) comes back with
its result. Its compiled templates and the writers' caches do not, so a sandboxed
rebuild compiles its templates again: compiling runs template expressions (constant
folding), which must stay inside the child's limits.

A session also records what its builds read (:meth:`inputs`), which is what a watcher
watches.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen import build as pipeline
from briefgen import atomic, collector, confine
from briefgen.audiences import BUILTIN, project_templates
from briefgen.load import Checked, Project, check_files, load_project
from briefgen.model import FILES
from briefgen.parallel import Worker
from briefgen.render import make_environment
from briefgen.tree import Document, Meta
from briefgen.writers import Writer, options, writer


def file_digest(path: Path) -> str | None:
    """SHA-256 of the file's bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class DataFiles:
    """Each data file's :class:`~briefgen.load.Checked` result, kept while its bytes are
    the same. A file that changed while it was being read is not kept."""

    def __init__(self) -> None:
        self._kept: dict[Path, tuple[str, Checked]] = {}
        self.parsed: list[Path] = []   # the files the last call read and validated afresh

    def check(self, paths: list[Path]) -> dict[Path, Checked]:
        digests = {path: file_digest(path) for path in paths}
        kept = {path: self._kept[path][1] for path in paths
                if digests[path] is not None and self._kept.get(path, ("",))[0] == digests[path]}
        self.parsed = [path for path in paths if path not in kept]
        fresh = check_files(self.parsed) if self.parsed else {}
        for path, result in fresh.items():
            if digests[path] is not None and file_digest(path) == digests[path]:
                self._kept[path] = (digests[path], result)
            else:
                self._kept.pop(path, None)
        return {path: kept[path] if path in kept else fresh[path] for path in paths}


class Templates:
    """One Jinja2 environment per (search path, sandbox), replaced when a template
    folder's contents change."""

    def __init__(self) -> None:
        self._envs: dict[tuple[tuple[Path, ...], bool], tuple[tuple, Any]] = {}
        self.compiled = 0   # environments made: once per template change, not per build

    def environment(self, search_path: list[Path], sandbox: bool) -> Any:
        key = (tuple(search_path), sandbox)
        stamp = folder_stamp(search_path)
        kept = self._envs.get(key)
        if kept is None or kept[0] != stamp:
            kept = self._envs[key] = (stamp, make_environment(search_path, sandbox))
            self.compiled += 1
        return kept[1]

    def forget(self) -> None:
        self._envs.clear()


def folder_stamp(folders: list[Path]) -> tuple:
    """What changes when a file in `folders` is added, removed or rewritten."""
    out = []
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            out.append((str(folder), None))
            continue
        for entry in entries:
            try:
                st = entry.stat()
            except OSError:
                continue
            out.append((entry.path, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def stat_key(path: Path) -> tuple | None:
    """(modification time, size, inode) of a file, or None if it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(frozen=True)
class Inputs:
    """What a build reads: files, and folders in which any file may matter (templates)."""

    files: frozenset[Path]
    folders: frozenset[Path]
    root: Path

    def directories(self) -> frozenset[Path]:
        """The existing folders to watch, not recursively, to see every change to these."""
        dirs = {p.parent for p in self.files} | set(self.folders) | {self.root}
        return frozenset(d for d in dirs if d.is_dir())

    def relevant(self, path: Path) -> bool:
        """Whether a change to `path` can change the build (an editor's swap or backup
        file in a template folder cannot)."""
        if path in self.files or path in self.folders:
            return True
        return path.parent in self.folders and not _scratch(path.name)


def _scratch(name: str) -> bool:
    """An editor's temporary, swap or backup file name."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


@dataclass
class Result:
    """What one build did."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    parsed: tuple[Path, ...]      # data files read afresh
    seconds: float
    warnings: tuple[str, ...] = ()   # the writers' warnings and notes, as build gives them


class Session(pipeline.Stages):
    """The build's stages, reusing what did not change since this session's last build.

    Pass it to :func:`briefgen.build.build`, or call :meth:`build`."""

    parallel = False   # no child forked per build: one format goes to the writer process (module notes)

    def __init__(self, also: tuple[str, ...] = ()) -> None:
        self.also = also   # formats written beside those a build asks for (a preview's HTML)
        self.files = DataFiles()
        self.templates = Templates()
        self._outputs: dict[Path, tuple] = {}   # target -> (inputs key, stat, warnings) of the file in place
        self._tree: tuple[Document, tuple] | None = None
        self._pending: dict[Path, tuple] = {}
        self._read: set[Path] = set()   # every file a build of this session read
        self.unchanged: list[Path] = []
        self.builds = 0
        self.worker = Worker()   # writes one format while this process writes the others

    # --- the stages ------------------------------------------------------------------

    def load(self, root: Path) -> Project:
        self._read |= {Path(root) / name for name in FILES}
        project = load_project(root, self.files.check)
        previous = project.config.previous
        if previous and (Path(root) / previous).is_dir():
            self._read |= {Path(root) / previous / name for name in FILES}
        return project

    def environment(self, search_path: list[Path], sandbox: bool) -> Any:
        return self.templates.environment(search_path, sandbox)

    def parse(self, markdown: str, meta: Meta, origin: str) -> Document:
        doc = super().parse(markdown, meta, origin)
        self._tree = (doc, (hashlib.sha256(markdown.encode("utf-8")).hexdigest(), meta, origin))
        if meta.logo:
            self._read.add(Path(meta.logo))
        return doc

    def write(self, plan: list[tuple[Writer, Any]], doc: Document, out_dir: Path,
              name: str, ahead: Any = None) -> tuple[list[tuple[Path, Path]], list[str]]:
        """Each format whose output in place is not already this one, staged (one after
        another, so a failure raises the earliest format's error, as a cold build does);
        an unchanged format's warnings are those it gave when written."""
        self.unchanged, self._pending = [], {}
        plan = plan + [(writer(fmt), options(fmt)) for fmt in self.also if fmt not in {w.NAME for w, _ in plan}]
        todo, kept_said = [], {}
        for i, (w, opts) in enumerate(plan):
            target = out_dir / (name + w.SUFFIX)
            key = self._output_key(w, opts, doc)
            kept = self._outputs.get(target)
            if kept is not None and kept[0] == key and kept[1] == stat_key(target):
                self.unchanged.append(target)
                kept_said[i] = list(kept[2])
            else:
                todo.append((i, w, opts, target, key))
        away = self._away(todo)
        if away is not None:
            _, w, opts, target, _ = todo[away]
            self.worker.submit(pipeline.stage_named, w.NAME, opts, target, doc)
        staged, said = pipeline.write_formats([(w, opts) for _, w, opts, _, _ in todo], doc, out_dir, name,
                                              {} if away is None else {away: self.worker})
        for (i, _, _, target, key), lines in zip(todo, said):
            self._pending[target] = (key, tuple(lines))
        said_all = {**kept_said, **{job[0]: lines for job, lines in zip(todo, said)}}
        return staged, [line for i in sorted(said_all) for line in said_all[i]]

    def _away(self, todo: list[tuple]) -> int | None:
        """Of two formats or more to write, the index in `todo` of the one written
        meanwhile in the session's writer process (:attr:`worker`): the first whose writer
        has work that needs no tree (``prepare``: the PDF's), else none. Never inside a
        sandbox's confined process, whose limits the writer process would not have."""
        if len(todo) < 2 or confine.inside() or not self.worker.usable():
            return None
        return next((n for n, job in enumerate(todo) if getattr(job[1], "prepare", None) is not None), None)

    def commit(self, staged: list[tuple[Path, Path]]) -> None:
        for _, target in staged:
            self._outputs.pop(target, None)
        super().commit(staged)
        for _, target in staged:
            if target in self._pending:   # not a file the build adds beside the formats (changes)
                key, said = self._pending[target]
                self._outputs[target] = (key, stat_key(target), said)

    def _output_key(self, w: Writer, opts: Any, doc: Document) -> tuple:
        """Everything a writer's output depends on: the tree, its options, the files it reads."""
        tree = self._tree[1] if self._tree and self._tree[0] is doc else (id(doc), time.monotonic())
        read = [Path(doc.meta.logo)] if doc.meta.logo else []
        read += files_named(opts)
        self._read |= set(read)
        return (tree, w.NAME, opts, tuple((str(p), file_digest(p)) for p in read))

    # --- around a build ----------------------------------------------------------------

    def build(self, req: pipeline.BuildRequest) -> Result:
        """Build as :func:`briefgen.build.build` does, reusing what this session kept."""
        start = time.perf_counter()
        self.unchanged, self.files.parsed = [], []
        said: list[str] = []
        try:
            if req.limits.sandbox and not confine.inside():
                written, state = confine.run(self._confined, req, said.append)
                self._restore(state)
            else:
                written = pipeline.build(req, said.append, self)
        finally:
            self._tree = None
        self.builds += 1
        return Result(tuple(written), tuple(self.unchanged), tuple(self.files.parsed),
                      time.perf_counter() - start, tuple(said))

    def _confined(self, req: pipeline.BuildRequest, warn) -> tuple[list[Path], tuple]:
        """In the sandbox's child process: the build, and what this session learnt from it."""
        written = pipeline.build(req, warn, self)
        return written, (self._read, self._outputs, self.unchanged,
                         self.files.parsed, self.files._kept)

    def _restore(self, state: tuple) -> None:
        """What a confined build learnt, kept here for the next (its compiled templates die
        with the child: compiling runs an untrusted template's expressions)."""
        self._read, self._outputs, self.unchanged, self.files.parsed, self.files._kept = state

    def close(self) -> None:
        """End the session's writer process."""
        self.worker.close()

    def tidy(self) -> None:
        """Between builds (after reporting one): free what it left, so the next is not slowed."""
        collector.between_builds()

    def forget_templates(self) -> None:
        """Compile every template afresh at the next build."""
        self.templates.forget()

    def inputs(self, project_dir: Path) -> Inputs:
        """What this session's builds read, and the template folders, for a watcher
        (absolute paths, as a watcher reports them)."""
        root = Path(project_dir)
        folders = {project_templates(root)} | ({BUILTIN} if developing() else set())
        files = self._read | {root / name for name in FILES}
        return Inputs(frozenset(map(absolute, files)), frozenset(map(absolute, folders)), absolute(root))


def files_named(value: Any) -> list[Path]:
    """The files a writer's options name: Paths, also inside a dataclass or a tuple (the
    key, certificate and passphrase file of a PDF seal)."""
    if isinstance(value, Path):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [p for f in dataclasses.fields(value) for p in files_named(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [p for v in value for p in files_named(v)]
    return []


def absolute(path: Path) -> Path:
    """`path` from the root, symbolic links kept (a watcher reports paths as it was given them)."""
    return Path(os.path.abspath(path))


def developing() -> bool:
    """Whether briefgen runs from a source checkout (its built-in templates are editable)."""
    return not any(part in ("site-packages", "dist-packages") for part in BUILTIN.parts)
