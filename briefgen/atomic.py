"""Output files written whole or not at all.

A file is first written to a temporary file beside its target (same folder, so the
move is a rename on one file system), flushed to disk, and moved into place only when
everything it belongs with is written. A failed build leaves the previous files as
they were and no partial or temporary file behind.

A build that is killed (SIGKILL, a power cut) cannot remove its temporary files. Their
names carry the machine and the process that made them, ``.NAME.HOST-PID.RANDOM.tmp``,
so that the next build into the folder removes those whose process is gone
(:func:`sweep`), and never the files of a build still running beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from briefgen import stopping
from briefgen.errors import BriefgenError, display_path


def prepare_dir(out_dir: Path) -> Path:
    """`out_dir`, created if missing; a usable folder or an output error saying why not."""
    if out_dir.exists() and not out_dir.is_dir():
        raise BriefgenError.one("output path is a file, not a folder", file=display_path(out_dir),
                                field="--out", hint="choose a folder, or move the file", kind="output")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefgenError.one(f"cannot create output folder: {exc.strerror}", file=display_path(out_dir),
                                field="--out", kind="output") from None
    if not os.access(out_dir, os.W_OK):
        raise BriefgenError.one("output folder is not writable", file=display_path(out_dir), field="--out",
                                hint="choose another folder with --out", kind="output")
    sweep(out_dir)
    sweep_scratch()
    return out_dir


def check_real_dir(out_dir: Path) -> None:
    """An output error if `out_dir`, or a folder on the way to it below the working folder,
    is a symbolic link: a sandboxed build writes into a real folder only, since a project
    sent by someone else may ship an ``out`` that links to any folder of the reader's."""
    steps = [out_dir] if out_dir.is_absolute() else [Path(*out_dir.parts[:n]) for n in range(1, len(out_dir.parts) + 1)]
    for step in steps:
        if step.is_symlink():
            raise BriefgenError.one(f"the output folder goes through a link ({display_path(step)} -> {os.readlink(step)}), "
                                    "and a sandboxed build writes only into a real folder", file=display_path(out_dir),
                                    field="--out", hint="remove the link, or choose a folder of your own with --out",
                                    kind="output")


def _host() -> str:
    """Six hex digits naming this machine (a folder may be shared with others)."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:6]


def owner_tag() -> str:
    """``HOST-PID``: which machine and process a temporary file belongs to, for
    :func:`abandoned`: the process that moves it into place (:func:`committed_by`)."""
    return f"{_host()}-{_committer or os.getpid()}"


_committer: int | None = None


def committed_by(pid: int) -> None:
    """The files this process stages will be moved into place by process `pid` (the
    build that started it to write one format), so they carry its pid: once this
    process has ended, a sweep by another build into the same folder (``build --all``)
    must not take them for a killed build's before they are committed."""
    global _committer
    _committer = pid


def _forked() -> None:
    global _committer
    _committer = None
    _live.clear()   # a child removes its own files only


#: A temporary file of :func:`stage`, or the lock file LibreOffice leaves beside one it opened.
_LEFT = re.compile(r"(?P<lock>\.~lock\.)?\..+\.(?P<host>[0-9a-f]{6})-(?P<pid>[0-9]+)\.[a-z0-9_]+\.tmp(?(lock)#)")


def abandoned(match: re.Match | None) -> bool:
    """Whether a name matched with groups ``host`` and ``pid`` was made on this machine by
    a process that is gone (a pid of another user's process counts as running)."""
    if match is None or match["host"] != _host():
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files in `folder` that builds on this machine left when they
    were killed (their process is gone); return them. Other files are never touched."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        path = folder / name
        if not abandoned(_LEFT.fullmatch(name)):
            continue
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # removed meanwhile, or not ours to remove
    return removed


#: A scratch folder of :func:`scratch_dir` in the temporary folder.
_SCRATCH = re.compile(r"briefgen-(?:sandbox|lo|diff|zip)-(?P<host>[0-9a-f]{6})-(?P<pid>[0-9]+)-[a-z0-9_]+")


def scratch_dir(kind: str) -> Path:
    """A new folder in the system's temporary folder for work of `kind` (``sandbox``,
    ``lo``, ``diff``, ``zip``), named ``briefgen-KIND-HOST-PID-RANDOM`` so that, should
    this process be killed before it removes the folder, a later one does (:func:`sweep_scratch`)."""
    sweep_scratch()
    return Path(tempfile.mkdtemp(prefix=f"briefgen-{kind}-{owner_tag()}-"))


@contextlib.contextmanager
def scratch(kind: str) -> Iterator[Path]:
    """:func:`scratch_dir`, removed with what it holds when the block ends."""
    import shutil

    path = scratch_dir(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def sweep_scratch() -> None:
    """Remove the scratch folders that processes on this machine, since gone, left."""
    import shutil

    root = Path(tempfile.gettempdir())
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        path = root / name
        try:
            if abandoned(_SCRATCH.fullmatch(name)) and not path.is_symlink() \
                    and path.is_dir() and path.stat().st_uid == os.getuid():
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def stage(target: Path, write: Callable[[Path], None], what: str) -> Path:
    """Call `write(path)` on a temporary file beside `target`; return the temporary path.

    The file is on disk (fsync) when this returns; :func:`commit` moves it into place.
    """
    held = _hold_stop_signals()  # a stop between making the file and knowing it would leave it behind
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{owner_tag()}.", suffix=".tmp",
                                    dir=target.parent)
    except OSError as exc:
        _release(held)
        raise BriefgenError.one(f"cannot write {what}: {exc.strerror}", file=display_path(target),
                                hint="check the folder's permissions and free space", kind="output") from None
    tmp = Path(name)
    _live.add(tmp)
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a briefing gets the usual permissions
        finally:
            os.close(fd)
            _release(held)  # a stop signal that came meanwhile is raised here, and the file removed below
        write(tmp)
        _fsync(tmp)
    except OSError as exc:
        _remove(tmp)
        raise BriefgenError.one(f"cannot write {what}: {exc.strerror}", file=display_path(target),
                                hint="check free disk space and permissions", kind="output") from None
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def commit(staged: list[tuple[Path, Path]]) -> None:
    """Move each (temporary, target) pair into place; remove any temporary file left.
    A stop signal waits until all are moved, so that the files stay one build's."""
    held = _hold_stop_signals()
    try:
        for tmp, target in staged:
            os.replace(tmp, target)
            _live.discard(tmp)
    finally:
        discard(staged)
        _release(held)


def discard(staged: list[tuple[Path, Path]]) -> None:
    """Remove the temporary files of `staged`, leaving the targets as they were."""
    for tmp, _ in staged:
        _remove(tmp)


#: The temporary files this process has made and not yet moved or removed.
_live: set[Path] = set()


def _remove(tmp: Path) -> None:
    tmp.unlink(missing_ok=True)
    _live.discard(tmp)


def remove_live() -> None:
    """Remove every temporary file this process made and has not moved into place: what a
    stop signal left when a library swallowed it."""
    for tmp in list(_live):
        try:
            _remove(tmp)
        except OSError:
            _live.discard(tmp)


stopping.at_stop(remove_live)
os.register_at_fork(after_in_child=_forked)


def write_file(target: Path, write: Callable[[BinaryIO], None], what: str) -> Path:
    """Write one file atomically through the binary stream `write(fh)` is given."""
    prepare_dir(target.parent)

    def to_path(path: Path) -> None:
        with open(path, "wb") as fh:
            write(fh)

    commit([(stage(target, to_path, what), target)])
    return target


_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


def _hold_stop_signals() -> set | None:
    """Hold back SIGTERM and Ctrl-C (delivered on :func:`_release`); the previous mask."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)


def _release(held: set | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
