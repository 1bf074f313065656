"""Compiled templates kept between processes: Jinja2's own bytecode cache, in the user's
cache folder, so that a command does not compile the same templates again (a third of
the seed briefing's rendering, 35 ms of every build).

Jinja2 keys each entry by the template's name and file and checks it against the
source's checksum, so an edited template is compiled anew. What Jinja2 does not know,
how briefgen's environment compiles (its options and code, :mod:`briefgen.render`), is
in the folder's name: another briefgen, or one whose rendering code changed, uses
another folder and those of earlier ones are removed.

Where: ``$BRIEFGEN_CACHE_DIR`` if set (``off`` or empty: no cache), else the platform's
cache folder (``$XDG_CACHE_HOME``, ``~/.cache``, ``~/Library/Caches``, ``%LOCALAPPDATA%``),
``briefgen`` in it. An entry is code this process runs, so the folder must be the user's
own and writable by no one else (as Jinja2 checks its default folder); if it is not, or
cannot be made, there is no cache and the build is as without one. Never for ``--sandbox``,
whose templates are compiled under a time limit (see :func:`briefgen.render.render`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

ENV = "BRIEFGEN_CACHE_DIR"


def base_dir() -> Path | None:
    """The folder the cache goes in (``briefgen`` in the user's cache folder), or None when
    ``BRIEFGEN_CACHE_DIR`` turns it off."""
    given = os.environ.get(ENV)
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "no") else Path(given)
    if sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Caches"
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "briefgen"


class _Cache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, where a damaged entry is compiled anew and a folder that went
    away is not an error: the cache only ever saves time."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a truncated or foreign file: compile the template
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@functools.cache
def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The cache, once per process; None when it is off or its folder is not safe to use."""
    base = base_dir()
    if base is None:
        return None
    folder = base / f"templates-{_fingerprint()}"
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _remove_older(base, folder.name)
        if not _private(folder):
            return None
    except OSError:
        return None
    return _Cache(str(folder), "%s.cache")


def _fingerprint() -> str:
    """What makes briefgen's compiled templates differ: its rendering code and Jinja2's
    version (Jinja2 checks its own bytecode format and Python's version itself)."""
    from briefgen import render

    digest = hashlib.sha256(jinja2.__version__.encode())
    try:
        digest.update(Path(render.__file__).read_bytes())
    except OSError:   # not a plain file (a zipped install): its version stands for it
        from briefgen import __version__

        digest.update(__version__.encode())
    return digest.hexdigest()[:16]


def _private(folder: Path) -> bool:
    """The folder is a real folder (not a link), the user's own, writable by no one else."""
    if os.name != "posix":
        return folder.is_dir()
    st = os.lstat(folder)
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def _remove_older(base: Path, keep: str) -> None:
    """The folders of other briefgens (or of this one's earlier code) in `base`."""
    for old in base.glob("templates-*"):
        if old.name != keep and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
