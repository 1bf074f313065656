"""Edit a data file the user wrote, keeping its comments and layout.

`briefgen check --fix` and `briefgen import` change a few values in a file an analyst
keeps by hand. ruamel.yaml's round-trip mode keeps comments, key order, quoting, flow
or block style and blank lines; the indentation is read off the file so an unchanged
file dumps back byte for byte. Every edit is checked before anything is written: the
new text must parse, with briefgen's own loader, into exactly the data intended.
Files are replaced atomically (a temporary file beside the target, then a rename), so
a failed run leaves the user's file as it was.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from briefgen.errors import BriefgenError, display_path
from briefgen.yamlio import read_text

_RESOLVER = yaml.resolver.Resolver()


@dataclass
class Editable:
    """A YAML file loaded for editing: its text, its round-trip data and how to dump it."""

    path: Path
    text: str
    data: Any
    _yaml: YAML

    def dump(self) -> str:
        buffer = io.StringIO()
        self._yaml.dump(self.data, buffer)
        return buffer.getvalue()

    @property
    def label(self) -> str:
        return display_path(self.path)

    def relaid_lines(self) -> int:
        """Lines the YAML writer would lay out differently with no edit at all (0 for most files)."""
        fresh = open_file(self.path)
        before, after = fresh.text.splitlines(), fresh.dump().splitlines()
        return sum(a != b for a, b in zip(before, after)) + abs(len(before) - len(after))


def open_file(path: Path) -> Editable:
    """Load `path` for a round-trip edit; errors carry file and line."""
    text = read_text(path)
    try:
        _, indent, offset = load_yaml_guess_indent(text)
        rt = YAML(typ="rt")
        rt.preserve_quotes = True
        rt.width = 4096  # never re-wrap the user's long lines
        indent = indent or 2
        rt.indent(mapping=offset or indent, sequence=indent, offset=offset or 0)
        data = rt.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BriefgenError.one(f"YAML syntax error: {getattr(exc, 'problem', None) or exc}",
                                file=display_path(path), line=mark.line + 1 if mark else None,
                                hint="fix the file (`briefgen validate` shows every problem), then run again") from None
    return Editable(path, text, data, rt)


def new_value(value: Any) -> Any:
    """A value to put into the file, in the style a person would write it.

    Text that YAML 1.1 (the loader briefgen uses) would read as something else (`yes`,
    `2025`, `null`, `1e3`) is double-quoted; text over several lines becomes a literal
    block; lists of names are written as one flow mapping per line.
    """
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        if _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str":
            return DoubleQuotedScalarString(value)
        return value
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = new_value(item)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(new_value(v) for v in value)
        for item in seq:
            if isinstance(item, CommentedMap) and all(not isinstance(v, (dict, list)) for v in item.values()):
                item.fa.set_flow_style()
        return seq
    return value


def set_key(mapping: CommentedMap, key: str, value: Any, after: str | None = None) -> None:
    """Set `key`; a new key goes right after `after` (if present), else at the end."""
    if key in mapping:
        mapping[key] = new_value(value)
        return
    keys = list(mapping)
    position = keys.index(after) + 1 if after in keys else len(keys)
    mapping.insert(position, key, new_value(value))
    if position:
        _move_following_lines(mapping, keys[position - 1], key)


def _move_following_lines(mapping: CommentedMap, before: str, key: str) -> None:
    """Keep the blank lines and full-line comments that followed `before` after the new `key`.

    ruamel.yaml attaches them to the value before them, which would put them between
    that value and the key just inserted; an end-of-line comment stays where it is.
    """
    slots = mapping.ca.items.get(before)
    token = slots[2] if slots and len(slots) > 2 else None
    if token is None or "\n" not in token.value:
        return
    head, tail = token.value.split("\n", 1)
    if not tail:
        return
    token.value = head + "\n"
    mapping.ca.items[key] = [None, None, CommentToken("\n" + tail, token.start_mark, None), None]


def stage(target: Path, text: str) -> Path:
    """Write `text` to a temporary file beside `target`, with the target's permissions;
    return its path (the caller renames it into place)."""
    from briefgen.build import atomic_write  # the one atomic writer; imported only when a file is written

    tmp = atomic_write(target, lambda fh: fh.write(text.encode("utf-8")), target.name)
    try:
        os.chmod(tmp, target.stat().st_mode & 0o7777)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def replace_all(staged: list[tuple[Path, Path]]) -> None:
    """Move each staged (temporary, target) pair into place; remove any temporary left over."""
    try:
        for tmp, target in staged:
            os.replace(tmp, target)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def not_kept(label: str, detail: str) -> BriefgenError:
    """The error for an edit whose result would not read back as intended (a bug)."""
    return BriefgenError.one(
        f"briefgen could not write this file without changing other data ({detail}); nothing was written",
        file=label, hint="this is a bug in briefgen; please report it with the file", kind="internal")
