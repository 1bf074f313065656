"""What changed between two versions of a project: events, claims and claim status.

A version is a folder, or ``REV:PATH`` for a folder as it was at a git revision of the
repository holding the current directory (``HEAD~1:seeds``).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import atomic
from briefgen.analyse import analyse
from briefgen.errors import BriefgenError
from briefgen.load import CONFIG_FILE, Project, check_confined, load_project
from briefgen.model import FILES
from briefgen.yamlio import MAX_BYTES


@dataclass(frozen=True)
class Change:
    id: str
    title: str
    fields: tuple[str, ...] = ()
    old_status: str | None = None
    new_status: str | None = None


@dataclass
class Diff:
    old_label: str
    new_label: str
    events_added: list[Change] = field(default_factory=list)
    events_removed: list[Change] = field(default_factory=list)
    events_changed: list[Change] = field(default_factory=list)
    claims_added: list[Change] = field(default_factory=list)
    claims_removed: list[Change] = field(default_factory=list)
    claims_changed: list[Change] = field(default_factory=list)
    status_changed: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.events_added, self.events_removed, self.events_changed, self.claims_added,
                        self.claims_removed, self.claims_changed, self.status_changed))


def load_version(spec: str, base: Path = Path("."), where: dict | None = None, within: Path | None = None) -> Project:
    """Load a project folder, or a folder at a git revision (REV:PATH); paths are relative to `base`.

    `where` (file, line, field) locates `spec` when it comes from data, not the command line.
    `within`, if given, is the folder the version must lie in (a sandboxed build's project:
    its `previous:` must not bring another project's data to its templates)."""
    path = base / spec
    git = not path.is_dir() and ":" in spec
    if within is not None:
        folder = (base / spec.partition(":")[2]).resolve() if git else path.resolve()
        if not folder.is_relative_to(within.resolve()):
            raise BriefgenError.one(f"{spec!r} is outside the project folder, which --sandbox does not read",
                                    **(where or {}), kind="data" if where else "usage",
                                    hint="keep the previous version inside the project, or build without --sandbox")
    if not git:
        if within is not None:
            check_confined(path)
        return load_project(path)
    rev, _, sub = spec.partition(":")
    folder = (base / sub).resolve()
    try:
        # the repository the path is in (its nearest folder that still exists), wherever briefgen runs
        near = next(p for p in (folder, *folder.parents) if p.is_dir())
        top = Path(_git("-C", str(near), "rev-parse", "--show-toplevel").decode().strip())
        inside = folder.relative_to(top.resolve()).as_posix()
        commit = _commit(top, rev)
        files = _data_files(top, commit, inside)
    except (BriefgenError, ValueError) as exc:
        why = exc.problems[0].message if isinstance(exc, BriefgenError) else "the path is outside the repository"
        raise BriefgenError.one(f"cannot read {spec!r} from git: {why}", **(where or {}),
                                hint="give REV:PATH with a revision git knows, e.g. HEAD~1:seeds",
                                kind="data" if where else "usage") from None
    with atomic.scratch("diff") as tmp:
        for name, data in files.items():
            (Path(tmp) / name).write_bytes(data)
        return load_project(Path(tmp))


def _data_files(top: Path, commit: str, inside: str) -> dict[str, bytes]:
    """The project's data files in folder `inside` at `commit`, as git stores them.

    Read as raw objects (``ls-tree``, ``cat-file``), never checked out or archived: those
    apply the repository's own filters (``.gitattributes`` with a ``filter.*.smudge`` in
    ``.git/config``), which run any command the repository's sender chose. Only the data
    files at the folder's top are read, each no larger than the loader reads."""
    prefix = f"{inside}/" if inside not in ("", ".") else ""
    listing = _git("-C", str(top), "ls-tree", "-z", "-l", "--end-of-options", commit, "--", prefix or ".")
    wanted: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.decode("utf-8", errors="replace").partition("\t")
        mode, kind, oid, size = meta.split()
        name = path[len(prefix):]
        if kind == "blob" and mode in ("100644", "100755") and name in FILES:
            if int(size) > MAX_BYTES:
                raise BriefgenError.one(f"{path} is larger than {MAX_BYTES // 2**20} MB at that revision")
            wanted[name] = oid
    if CONFIG_FILE not in wanted:
        raise BriefgenError.one(f"no briefgen project at '{inside}' in that revision")
    return {name: _git("-C", str(top), "cat-file", "blob", oid) for name, oid in wanted.items()}


def _commit(top: Path, rev: str) -> str:
    """The commit id `rev` names. Revisions are data: one that git could read as an
    option (a leading '-') or that names no commit is refused before git sees it elsewhere."""
    if not rev or rev.startswith("-") or any(c.isspace() or not c.isprintable() for c in rev):
        raise BriefgenError.one(f"{rev!r} is not a git revision")
    try:
        out = _git("-C", str(top), "rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}")
    except BriefgenError:
        raise BriefgenError.one(f"{rev!r} is not a commit in this repository") from None
    commit = out.decode().strip()
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        raise BriefgenError.one(f"{rev!r} is not a commit in this repository")
    return commit


def _git(*args: str) -> bytes:
    """Run git with `args`; every value in them comes after an option that takes it, or
    after '--' / '--end-of-options', so none can be read as an option."""
    try:
        # the repository's hooks and monitor off, whatever its config says (none of these
        # commands should run them; this makes sure)
        proc = subprocess.run(["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", *args],
                              capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BriefgenError.one(f"git failed: {exc}") from None
    if proc.returncode != 0:
        raise BriefgenError.one(proc.stderr.decode(errors="replace").strip().splitlines()[-1] if proc.stderr.strip() else "git failed")
    return proc.stdout


def _fields(old, new) -> tuple[str, ...]:
    a, b = old.model_dump(), new.model_dump()
    return tuple(k for k in a if a[k] != b.get(k))


def diff(old: Project, new: Project, old_label: str = "old", new_label: str = "new") -> Diff:
    """Compare two loaded projects."""
    out = Diff(old_label, new_label)
    for kind, title in (("events", "title"), ("claims", "statement")):
        a = {x.id: x for x in getattr(old, kind)}
        b = {x.id: x for x in getattr(new, kind)}
        getattr(out, f"{kind}_added").extend(Change(i, getattr(b[i], title)) for i in b if i not in a)
        getattr(out, f"{kind}_removed").extend(Change(i, getattr(a[i], title)) for i in a if i not in b)
        getattr(out, f"{kind}_changed").extend(
            Change(i, getattr(b[i], title), _fields(a[i], b[i])) for i in b if i in a and a[i] != b[i])
    sa = {v.claim.id: v.status for v in analyse(old).claims}
    for v in analyse(new).claims:
        if v.claim.id in sa and sa[v.claim.id] != v.status:
            out.status_changed.append(Change(v.claim.id, v.claim.statement, (), sa[v.claim.id], v.status))
    return out
