"""Edit a data file the user wrote, keeping its comments and layout.

`briefgen check --fix` and `briefgen import` change a few values in a file an analyst
keeps by hand. Two ways, each checked before anything is written (the new text must
parse, with briefgen's own loader, into exactly the data intended):

- :func:`rewrite` sets string values by replacing or inserting only their own
  characters, located through the YAML node marks (fast on a register of thousands
  of claims, and exact). If that text does not check out, it falls back to:
- ruamel.yaml's round trip (:func:`open_file`), which keeps comments, key order,
  quoting, flow or block style and blank lines; the indentation is read off the file so
  an unchanged file dumps back byte for byte, and :func:`keep_layout` keeps the few
  layouts the writer would change wherever the edit did not touch them. `import` uses
  it to append whole entries.

Files are replaced atomically (a temporary file beside the target, then a rename), so
a failed run leaves the user's file as it was.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
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

from briefgen import atomic
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
    _baseline: str  # the data dumped before any edit: the writer's layout of the unchanged file

    def dump(self) -> str:
        """The edited data, all of it laid out by the YAML writer."""
        buffer = io.StringIO()
        self._yaml.dump(self.data, buffer)
        return buffer.getvalue()

    def new_text(self) -> str:
        """The edited file: lines the edit did not touch exactly as the user wrote them.

        The writer keeps most layouts byte for byte, but not all (a plain scalar folded
        over lines, extra spaces after a colon, CRLF line ends, a `---` marker). Lines
        the writer would lay out anew are kept from the original unless the edit
        touched them.
        """
        return keep_layout(self.text, self._baseline, self.dump())


def open_file(path: Path) -> Editable:
    """Load `path` for a round-trip edit; errors carry file and line."""
    text = read_text(path)
    try:
        rt = YAML(typ="rt")
        rt.preserve_quotes = True
        rt.width = 4096  # never re-wrap the user's long lines
        data, indent, offset = load_yaml_guess_indent(text, yaml=rt)
        indent = indent or 2
        rt.indent(mapping=offset or indent, sequence=indent, offset=offset or 0)
        baseline = io.StringIO()
        rt.dump(data, baseline)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise BriefgenError.one(f"YAML syntax error: {getattr(exc, 'problem', None) or exc}",
                                file=display_path(path), line=mark.line + 1 if mark else None,
                                hint="fix the file (`briefgen validate` shows every problem), then run again") from None
    return Editable(path, text, data, rt, baseline.getvalue())


def keep_layout(original: str, baseline: str, edited: str) -> str:
    """Apply the change from `baseline` to `edited` onto `original`, line by line.

    `baseline` and `edited` are the writer's dumps before and after the edit; `original`
    is the file as written, which differs from `baseline` in layout only. Lines equal
    in all three anchor the merge; between two anchors the original's lines are kept
    if the edit left that stretch alone, else the edited lines are used (in the
    original's line-end style).
    """
    ours, base, theirs = (t.splitlines(keepends=True) for t in (original, baseline, edited))
    if base == ours:
        return edited  # the common case: the writer keeps this file's layout exactly
    newline = "\r\n" if "\r\n" in original else "\n"
    key = [line.rstrip("\r\n") for line in base]
    to_ours, to_theirs = _same_lines(key, ours), _same_lines(key, theirs)
    anchors = [(-1, -1, -1), *((i, to_ours[i], to_theirs[i]) for i in range(len(base))
                               if i in to_ours and i in to_theirs), (len(base), len(ours), len(theirs))]
    out: list[str] = []

    def emit(lines) -> None:
        for line in lines:
            if out and not out[-1].endswith("\n"):
                out[-1] += newline  # the original's last line had no line end, and something now follows it
            out.append(line)

    for (b0, o0, t0), (b1, o1, t1) in zip(anchors, anchors[1:]):
        if o0 >= 0:
            emit([ours[o0]])
        emit(_stretch(ours[o0 + 1:o1], key[b0 + 1:b1], theirs[t0 + 1:t1], newline))
    return "".join(out)


def _stretch(ours: list[str], base: list[str], theirs: list[str], newline: str) -> list[str]:
    """One stretch between anchors: the user's lines where the edit left them alone.

    When the user's lines and the writer's correspond one to one (only spacing or line
    ends differ), each line the edit kept is taken from the user's; otherwise the
    whole stretch is the edited text.
    """
    edited = [line.rstrip("\r\n") for line in theirs]
    if edited == base:
        return ours
    if len(ours) != len(base):
        return [line + newline for line in edited]
    out: list[str] = []
    for tag, b0, b1, t0, t1 in difflib.SequenceMatcher(None, base, edited, autojunk=False).get_opcodes():
        out.extend(ours[b0:b1] if tag == "equal" else (line + newline for line in edited[t0:t1]))
    return out


def _same_lines(key: list[str], lines: list[str]) -> dict[int, int]:
    """Index in `key` -> index in `lines`, for the lines difflib finds unchanged between them."""
    matcher = difflib.SequenceMatcher(None, key, [line.rstrip("\r\n") for line in lines])
    return {a + k: b + k for a, b, size in matcher.get_matching_blocks() for k in range(size)}


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
    return its path (:func:`replace_all` moves it into place)."""
    def write(tmp: Path) -> None:
        tmp.write_bytes(text.encode("utf-8"))
        os.chmod(tmp, target.stat().st_mode & 0o7777)  # the user's file keeps its permissions

    return atomic.stage(target, write, target.name)


def stage_checked(path: Path, candidates, check) -> Path:
    """Stage the first of `candidates` (functions giving the new text, tried in order)
    that reads back right; `check(tmp)` raises if a staged text's data is not the
    intended data. The last candidate's error is raised if none does."""
    error: BriefgenError | None = None
    tried: set[str] = set()
    for make in candidates:
        try:
            text = make()
        except CannotEdit:
            continue
        if text in tried:
            continue
        tried.add(text)
        tmp = stage(path, text)
        try:
            check(tmp)
            return tmp
        except BriefgenError as exc:
            tmp.unlink(missing_ok=True)
            error = exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    assert error is not None
    raise error


class CannotEdit(Exception):
    """An in-place edit this text's shape does not allow; the round trip is tried instead."""


@dataclass(frozen=True)
class ScalarEdit:
    """Set `key` of the mapping at `path` to the string `value`; a new key goes after `after`."""

    path: tuple
    key: str
    value: str
    after: str | None = None


def rewrite(path: Path, text: str, edits: list[ScalarEdit], check, tree: yaml.Node | None = None) -> Path:
    """Stage `text` with `edits` made, changing no other character; if that does not
    check out, make them through the round trip instead. Returns the staged file."""
    def by_round_trip(whole: bool):
        edit = open_file(path)
        for e in edits:
            node = edit.data
            for step in e.path:
                node = node[step]
            set_key(node, e.key, e.value, after=e.after)
        return edit.dump() if whole else edit.new_text()

    return stage_checked(path, (lambda: edit_scalars(text, edits, tree), lambda: by_round_trip(False),
                                lambda: by_round_trip(True)), check)


def compose(text: str) -> yaml.Node:
    """The node tree of `text`, whose marks say where each value is written."""
    return yaml.compose(text, Loader=_LOADER)


def line_of(tree: yaml.Node, path: tuple, key: str) -> int | None:
    """The line of `key`'s value in the mapping at `path` (of the mapping if it lacks the key)."""
    try:
        mapping = _mapping_at(tree, path)
    except CannotEdit:
        return None
    node = next((v for k, v in mapping.value if k.value == key), mapping)
    return node.start_mark.line + 1


def edit_scalars(text: str, edits: list[ScalarEdit], tree: yaml.Node | None = None) -> str:
    """`text` with each edit made in place: a value's own characters replaced, or a new
    `key: value` inserted after the `after` key (on its own line in a block mapping,
    as `, key: value` in a flow mapping). `tree` is `text` composed, if already at hand."""
    root = tree if tree is not None else compose(text)
    changes = []
    for e in edits:
        mapping = _mapping_at(root, e.path)
        pairs = {k.value: (k, v) for k, v in mapping.value}
        value = _scalar_text(e.value)
        if e.key in pairs:
            _, old = pairs[e.key]
            if not isinstance(old, yaml.ScalarNode) or old.style in ("|", ">"):
                raise CannotEdit(f"{e.key} is not a one-line value")
            changes.append((old.start_mark.index, old.end_mark.index, value))
            continue
        key, before = pairs.get(e.after) or mapping.value[-1]
        if not isinstance(before, yaml.ScalarNode):
            raise CannotEdit(f"{key.value} does not hold a single value")
        if mapping.flow_style:
            changes.append((before.end_mark.index, before.end_mark.index, f", {e.key}: {value}"))
            continue
        end = len(text[:before.end_mark.index].rstrip())
        eol = text.find("\n", end)
        eol = len(text) if eol < 0 else eol - (text[eol - 1] == "\r")
        newline = "\r\n" if text[eol:eol + 2] == "\r\n" else "\n"
        changes.append((eol, eol, f"{newline}{' ' * key.start_mark.column}{e.key}: {value}"))
    pieces, at = [], 0
    for start, end, new in sorted(changes, key=lambda c: c[0]):
        pieces += [text[at:start], new]
        at = end
    return "".join(pieces) + text[at:]


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _mapping_at(root: yaml.Node, path: tuple) -> yaml.MappingNode:
    node = root
    try:
        for step in path:
            if isinstance(node, yaml.MappingNode):
                node = next(v for k, v in node.value if k.value == step)
            else:
                node = node.value[step]
    except (StopIteration, IndexError, TypeError):
        raise CannotEdit(f"nothing at {path}") from None
    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise CannotEdit(f"no mapping at {path}")
    return node


def _scalar_text(value: str) -> str:
    """`value` as YAML text: plain where that reads back as the same text anywhere, else
    double-quoted (JSON string syntax is valid YAML)."""
    plain = (re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._/-]*", value) and not value.endswith(" ")
             and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str")
    return value if plain else json.dumps(value, ensure_ascii=False)


def replace_all(staged: list[tuple[Path, Path]]) -> None:
    """Move each staged (temporary, target) pair into place, all or none."""
    atomic.commit(staged)


def not_kept(label: str, detail: str) -> BriefgenError:
    """The error for an edit whose result would not read back as intended (a bug)."""
    return BriefgenError.one(
        f"briefgen could not write this file without changing other data ({detail}); nothing was written",
        file=label, hint="this is a bug in briefgen; please report it with the file", kind="internal")
