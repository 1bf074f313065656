"""Rebuild a briefing whenever a file its build reads changes (``briefgen watch``).

Build once, then watch the folders holding what the build read, with watchfiles (Rust's
notify underneath): the project folder, its ``templates/``, the built-in templates when
briefgen runs from a source checkout, and the folders of a logo, reference document or
``previous`` project outside it. Folders are watched one level deep, never recursively,
so an output folder or a ``.git`` inside the project costs nothing. When a batch of
changes has settled (debounced), the same build as ``briefgen build`` runs again through
a :class:`~briefgen.session.Session`, which redoes only what the change touched.

A failed rebuild is reported and the loop goes on; its files were never moved into
place (:mod:`briefgen.atomic`), so the last good briefing stays. Once a second, with no
event, the inputs' sizes and times are compared with what the last build saw, which
catches a change made while the watcher was being restarted on new folders and on file
systems that send no events. Nothing here prints: each build is given to `report`.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from briefgen import atomic
from briefgen.build import BuildRequest
from briefgen.errors import BriefgenError
from briefgen.session import Inputs, Result, Session, folder_stamp, stat_key

DEBOUNCE_MS = 1600   # the longest a burst of changes is gathered before a rebuild
SETTLE_MS = 50       # a rebuild starts once no new change came for this long
CHECK_MS = 1000      # how often, with no event, the inputs are compared with the last build's


@dataclass(frozen=True)
class Report:
    """One build: what set it off (nothing for the first), and its result or its error."""

    changed: tuple[Path, ...]
    result: Result | None = None
    error: BriefgenError | None = None


def watch(req: BuildRequest, report: Callable[[Report], None], *,
          stop: threading.Event | None = None, session: Session | None = None) -> None:
    """Build `req`, then rebuild it on every change to what it reads, until `stop` is set
    or the process is interrupted (Ctrl-C, or SIGTERM under :func:`terminate_as_interrupt`).

    A usage error in the first build (an unknown format or audience, not a project) is
    raised; every other error is reported and watching goes on. No temporary output file
    is left behind, however the loop ends.
    """
    import watchfiles

    session = session or Session()
    try:
        seen = _build(session, req, (), report, first=True)
        while stop is None or not stop.is_set():
            inputs = session.inputs(req.project_dir)
            folders = inputs.directories()
            for changes in watchfiles.watch(*sorted(folders), watch_filter=_Filter(session, req),
                                            debounce=DEBOUNCE_MS, step=SETTLE_MS, rust_timeout=CHECK_MS,
                                            yield_on_timeout=True, stop_event=stop, recursive=False):
                # not a file that came and went within the batch (an editor's or sed's
                # temporary file renamed onto the real one): nothing the build reads
                changed = tuple(sorted(p for p in {Path(path) for _, path in changes} if p in seen or p.exists()))
                if not changed:   # a quiet second: anything the events missed?
                    changed = _differences(seen, _fingerprint(session.inputs(req.project_dir)))
                    if not changed:
                        continue
                if any(p in inputs.folders or p.parent in inputs.folders for p in changed):
                    session.forget_templates()   # even an edit within one tick of the file's clock
                seen = _build(session, req, changed, report)
                inputs = session.inputs(req.project_dir)
                if inputs.directories() != folders:
                    break   # watch the new set of folders
            else:
                return
    finally:
        session.close()   # its writer process, which removes its own unfinished file
        # its own unfinished files only: a build running beside it keeps its own, and
        # what a killed build left goes with the next build's sweep of the folder
        atomic.remove_live()


class _Filter:
    """watchfiles' filter: only changes to what the build reads, as known now."""

    def __init__(self, session: Session, req: BuildRequest) -> None:
        self.session, self.req = session, req

    def __call__(self, change: object, path: str) -> bool:
        return self.session.inputs(self.req.project_dir).relevant(Path(path))


def _build(session: Session, req: BuildRequest, changed: tuple[Path, ...],
           report: Callable[[Report], None], first: bool = False) -> dict:
    """One build, reported; what its inputs looked like when it started."""
    before = _fingerprint(session.inputs(req.project_dir))
    try:
        outcome = Report(changed, result=session.build(req))
    except BriefgenError as exc:
        if first and exc.kind == "usage":
            raise
        outcome = Report(changed, error=exc)
    except Exception as exc:  # noqa: BLE001 - a bug shown as build shows it; watching goes on
        if os.environ.get("BRIEFGEN_DEBUG"):
            raise
        outcome = Report(changed, error=BriefgenError.one(
            f"internal error: {type(exc).__name__}: {exc} (a bug in briefgen; "
            "run again with BRIEFGEN_DEBUG=1 for the traceback)", kind="internal"))
    report(outcome)
    session.tidy()
    # what the build read for the first time counts as seen now; a change during the
    # build to a file it already knew shows as a difference
    return {**_fingerprint(session.inputs(req.project_dir)), **before}


def _fingerprint(inputs: Inputs) -> dict[Path, object]:
    """Size and times of every input file and of every file in a template folder."""
    out: dict[Path, object] = {path: stat_key(path) for path in inputs.files}
    for folder in inputs.folders:
        out[folder] = folder.is_dir()
        for entry in folder_stamp([folder]):
            if inputs.relevant(Path(entry[0])):
                out[Path(entry[0])] = entry[1:]
    return out


def _differences(seen: dict[Path, object], now: dict[Path, object]) -> tuple[Path, ...]:
    """The paths added, removed or changed between two fingerprints."""
    return tuple(sorted(p for p in seen.keys() | now.keys() if seen.get(p, _GONE) != now.get(p, _GONE)))


_GONE = object()


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Inside the block, SIGTERM stops the process as Ctrl-C does (KeyboardInterrupt),
    so a watcher stopped by a service manager or a test ends as cleanly."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
