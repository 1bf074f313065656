"""The files briefgen ships: built-in templates, fonts and the starter project.

They are found through ``importlib.resources``, as part of the installed packages
(``briefgen.templates`` is the repository's top-level ``templates/`` folder, mapped in
pyproject.toml), so briefgen runs the same from a checkout, a wheel installed anywhere
or a zip, and never reads the folder it was built in.
"""

from __future__ import annotations

import atexit
import functools
import importlib.resources
import importlib.util
import shutil
from pathlib import Path


def folder(package: str, *parts: str) -> Path:
    """A real folder holding a package's resource tree (`parts` below the package).

    Installed packages are folders already. When briefgen runs zipped (from a .whl on
    PYTHONPATH, a zipapp), its files are copied out once per process into a temporary
    folder removed at exit, because Jinja2's loader, reportlab and `init` want real
    files; processes forked later reuse that copy. A package that is not installed
    gives the path it would have: callers check that what they need is there.
    """
    if importlib.util.find_spec(package) is None:
        return _package_root().joinpath(*package.split(".")[1:], *parts)
    root = importlib.resources.files(package).joinpath(*parts)
    if isinstance(root, Path):
        return root
    return _unzipped().joinpath(*package.split(".")[1:], *parts)


def _package_root() -> Path:
    root = importlib.resources.files("briefgen")
    return root if isinstance(root, Path) else _unzipped()


@functools.cache
def _unzipped() -> Path:
    """A copy of the zipped briefgen package's files, made once per process."""
    from briefgen import atomic

    copy = atomic.scratch_dir("zip")
    atexit.register(shutil.rmtree, copy, True)
    _copy_tree(importlib.resources.files("briefgen"), copy)
    return copy


def _copy_tree(src, dest: Path) -> None:
    for item in src.iterdir():
        if item.is_dir():
            (dest / item.name).mkdir()
            _copy_tree(item, dest / item.name)
        else:
            (dest / item.name).write_bytes(item.read_bytes())


def builtin_templates() -> Path:
    """The folder of built-in audiences (NAME.md.j2 plus NAME.yaml)."""
    return folder("briefgen.templates")


def fonts() -> Path:
    return folder("briefgen", "data", "fonts")


def starter() -> Path:
    """The project `briefgen init` copies."""
    return folder("briefgen", "data", "starter")
