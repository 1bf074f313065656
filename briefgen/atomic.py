"""Output files written whole or not at all.

A file is first written to a temporary file beside its target (same folder, so the
move is a rename on one file system), flushed to disk, and moved into place only when
everything it belongs with is written. A failed build leaves the previous files as
they were and no partial or temporary file behind.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

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
    return out_dir


def stage(target: Path, write: Callable[[Path], None], what: str) -> Path:
    """Call `write(path)` on a temporary file beside `target`; return the temporary path.

    The file is on disk (fsync) when this returns; :func:`commit` moves it into place.
    """
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise BriefgenError.one(f"cannot write {what}: {exc.strerror}", file=display_path(target),
                                hint="check the folder's permissions and free space", kind="output") from None
    tmp = Path(name)
    try:
        try:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; a briefing gets the usual permissions
        finally:
            os.close(fd)
        write(tmp)
        _fsync(tmp)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BriefgenError.one(f"cannot write {what}: {exc.strerror}", file=display_path(target),
                                hint="check free disk space and permissions", kind="output") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def leftovers(target: Path) -> list[Path]:
    """Temporary files :func:`stage` made beside `target` and nothing removed: only a
    process stopped at the wrong instant leaves one (a watcher sweeps them as it ends)."""
    return sorted(target.parent.glob(f".{glob.escape(target.name)}.*.tmp"))


def commit(staged: list[tuple[Path, Path]]) -> None:
    """Move each (temporary, target) pair into place; remove any temporary file left."""
    try:
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        discard(staged)


def discard(staged: list[tuple[Path, Path]]) -> None:
    """Remove the temporary files of `staged`, leaving the targets as they were."""
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)


def write_file(target: Path, write: Callable[[BinaryIO], None], what: str) -> Path:
    """Write one file atomically through the binary stream `write(fh)` is given."""
    prepare_dir(target.parent)

    def to_path(path: Path) -> None:
        with open(path, "wb") as fh:
            write(fh)

    commit([(stage(target, to_path, what), target)])
    return target


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
