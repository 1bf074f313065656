"""The template folders as Jinja sees them: a loader that refuses what
:func:`briefgen.audiences.read_template` refuses.

Apart from :mod:`briefgen.audiences` so that listing audiences and reading profiles
(``validate``, ``templates list``) does not load Jinja; only rendering does.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from briefgen.audiences import BUILTIN, read_template


class _FolderLoader(jinja2.BaseLoader):
    """Jinja's file system loader, refusing what :func:`read_template` refuses. A name
    that exists in a folder is that folder's template: a refused file never falls back
    to the built-in of the same name."""

    def __init__(self, folders: list[Path], all_folders: list[Path]) -> None:
        self.folders, self.all_folders = folders, all_folders

    def get_source(self, environment: jinja2.Environment, template: str):
        pieces = split_template_path(template)  # refuses '..'
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if os.path.lexists(path):
                source = read_template(path, self.all_folders)
                mtime = _mtime(path)
                return source, str(path), lambda: _mtime(path) == mtime
        raise jinja2.TemplateNotFound(template)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def template_loader(folders: list[Path]) -> jinja2.BaseLoader:
    """Templates from `folders` in order, and the built-ins again as ``builtin/NAME``."""
    every = [*folders, BUILTIN]
    return jinja2.ChoiceLoader([_FolderLoader(folders, every),
                                jinja2.PrefixLoader({"builtin": _FolderLoader([BUILTIN], every)})])
