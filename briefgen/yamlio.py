"""Read YAML safely into plain Python data; find the line of any value when asked.

One walk over PyYAML's node graph does what the safe loader alone does not:
duplicate keys are errors (a key set by a merge ``<<:`` may be set again), alias
expansion is bounded (no "billion laughs"), an alias inside what it names is an error,
values written without quotes are read as written (:mod:`briefgen.yamlscalar`: no
YAML 1.1 octal, base 60 or ``yes``), timestamps stay text (dates are parsed by
:mod:`briefgen.dates`). Every problem has its file, line and field. Lines are looked up
only when a message needs one: the walk records none, and :attr:`YamlDoc.lines`
walks the kept text again the first time it is read, so a large valid project pays
nothing for them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import re

import yaml

from briefgen.errors import BriefgenError, display_path
from briefgen.yamlscalar import ScalarError, read_plain, read_tagged

MAX_BYTES = 20 * 1024 * 1024
MAX_NODES = 1_000_000  # values reached through aliases, counted as expanded
MAX_DEPTH = 100  # lists and mappings inside each other
RECORD_LINES_UP_TO = 256 * 1024  # characters: a file this small has its values' lines noted as it is read
# Characters a document cannot show: C0 and C1 controls except tab, newline and carriage
# return (XML cannot hold most; the rest print as nothing), DEL, lone surrogates and the
# non-characters U+FFFE and U+FFFF.
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_YAML = "tag:yaml.org,2002:"
_STR, _TIMESTAMP, _BINARY, _MERGE = _YAML + "str", _YAML + "timestamp", _YAML + "binary", _YAML + "merge"
_SEQ, _MAP = _YAML + "seq", _YAML + "map"
_TAGGED = {_YAML + name: name for name in ("int", "float", "bool", "null")}
_PLAIN = "tag:briefgen,2025:plain"  # a scalar written without quotes or tag: read_plain() reads it


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: same nodes, ~20x faster
    """Composes nodes only. A value written without quotes or tag gets the tag _PLAIN (the
    walk reads it as written), except the merge key ``<<``; a quoted or tagged one keeps
    its own tag."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:   # quoted, or tagged '!', is text: as SafeLoader, which has no path resolvers
            return (_MERGE if value == "<<" else _PLAIN) if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


_LOADER = _Loader

Path_ = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Parsed data, and the text it came from to locate values in."""

    file: str
    data: Any
    text: str = field(default="", repr=False)
    # the text of each decimal number (not quoted), by path: YAML reads 4.50 as 4.5
    decimals: dict[Path_, str] = field(default_factory=dict, repr=False)

    @cached_property
    def lines(self) -> dict[Path_, int]:
        """The 1-based line of every value, by path: recorded as a small file is read,
        else computed on first use (a large register's table of lines would outweigh its
        data, and most builds never look a line up)."""
        walker = _Walker(self.file, record=True)
        walker.walk(yaml.compose(self.text, Loader=_LOADER), ())
        return walker.lines

    def line(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest recorded ancestor."""
        lines = self.lines
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return lines.get((), None)


class _Walker:
    def __init__(self, file: str, record: bool = False) -> None:
        self.file = file
        self.record = record
        self.lines: dict[Path_, int] = {}
        self.seen: set[int] = set()  # collection nodes already walked: meeting one again is an alias
        self.open: set[int] = set()  # collection nodes being walked: meeting one of them is a loop
        self.expanded = 0
        self.decimals: dict[Path_, str] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def walk(self, node: yaml.Node, path: Path_, aliased: bool = False) -> Any:
        if self.record:
            self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            if aliased:
                self._count(node)
            return self._scalar(node, path)
        if id(node) in self.open:
            raise self._error("an alias refers to the list or mapping it is inside, which would never end", node,
                              path, "give the values themselves instead of the '*alias'")
        if len(self.open) >= MAX_DEPTH:
            raise self._error(f"lists and mappings are nested more than {MAX_DEPTH} deep", node, path[:4],
                              "flatten the data; briefgen data is never nested this deep")
        if node.tag not in (_SEQ, _MAP):
            raise self._error(f"unsupported YAML tag {node.tag}", node, path, "remove the '!' tag")
        if id(node) in self.seen:
            aliased = True
        else:
            self.seen.add(id(node))
        if aliased:
            self._count(node)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, aliased)
            return [self.walk(item, path + (i,), aliased) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _error(self, message: str, node: yaml.Node, path: Path_, hint: str | None = None) -> BriefgenError:
        return BriefgenError.one(message, file=self.file, line=node.start_mark.line + 1,
                                 field=_dotted(path) or None, hint=hint)

    def _count(self, node: yaml.Node) -> None:
        self.expanded += 1
        if self.expanded > MAX_NODES:
            raise BriefgenError.one(
                f"too many values (over {MAX_NODES:,}) after expanding aliases",
                file=self.file, line=node.start_mark.line + 1,
                hint="remove nested '*alias' references; briefgen data never needs them",
            )

    def _mapping(self, node: yaml.MappingNode, path: Path_, aliased: bool) -> dict:
        own = {id(key) for key, _ in node.value if key.tag != _MERGE}  # written here, not merged in
        self._flatten(node, path)
        out: dict = {}
        written: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise BriefgenError.one(
                    "mapping keys must be plain words", file=self.file,
                    line=key_node.start_mark.line + 1, hint="write `name: value`")
            key = str(key)
            if id(key_node) in own:
                if key in written:  # set twice here; a merged value set again here is an override
                    raise BriefgenError.one(
                        f"duplicate key '{key}'", file=self.file,
                        line=key_node.start_mark.line + 1, field=_dotted(path + (key,)),
                        hint=f"it is already set on line {written[key].start_mark.line + 1}; keep one")
                written[key] = key_node
            if self.record:
                self.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = self.walk(value_node, path + (key,), aliased)  # merged first: what is written here wins
        return out

    def _flatten(self, node: yaml.MappingNode, path: Path_) -> None:
        """Put the pairs a merge key ``<<`` names into `node` (PyYAML's own merge)."""
        merges = [value for key, value in node.value if key.tag == _MERGE]
        if any(id(value) in self.open or value is node for value in merges):
            raise self._error("a merge '<<' names the mapping it is inside, which would never end", node, path,
                              "merge a mapping defined before this one")
        try:
            self.constructor.flatten_mapping(node)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            raise BriefgenError.one(
                "a merge '<<' must name a mapping, as in `<<: *defaults`, or a list of them",
                file=self.file, line=mark.line + 1, field=_dotted(path) or None,
                hint="give `<<:` an '*alias' of a mapping, or write the fields out") from None
        except RecursionError:
            raise self._error("merges '<<' name each other in a loop, which would never end", node, path,
                              "merge mappings defined before this one") from None

    def _scalar(self, node: yaml.ScalarNode, path: Path_ = ()) -> Any:
        tag, value = node.tag, node.value
        # read_text refused raw control characters; only a double-quoted escape makes one
        if node.style == '"' and (bad := ILLEGAL.search(value)) is not None:
            raise BriefgenError.one(
                f"text contains the control character U+{ord(bad.group()):04X}, which a document cannot show",
                file=self.file, line=node.start_mark.line + 1, field=_dotted(path) or None,
                hint="remove it; it was probably written as an escape such as \\x07")
        try:
            if tag == _PLAIN:
                read = read_plain(value)
                if type(read) is float:
                    self.decimals[path] = value
                return read
            if tag == _STR or tag == _TIMESTAMP or tag == _BINARY:
                return value
            if tag in _TAGGED:
                read = read_tagged(_TAGGED[tag], value)
                if type(read) is float:
                    self.decimals[path] = value
                return read
        except ScalarError as exc:
            raise self._error(str(exc), node, path, exc.hint) from None
        raise self._error(f"unsupported YAML tag {tag}", node, path, "remove the '!' tag")


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


dotted = _dotted


_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
                (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_bytes(path: Path, *, label: str | None = None, limit: int = MAX_BYTES, kind: str = "data",
               field: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or a clear error.

    A pipe, a device (a link to ``/dev/zero``), a folder or a socket is refused before
    anything is read, and never more than `limit` + 1 bytes are read.
    """
    name = label or display_path(path)
    try:  # O_NONBLOCK: opening a named pipe must not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BriefgenError.one("file not found", file=name, field=field, hint="check the project folder holds it",
                                kind=kind) from None
    except OSError as exc:
        raise BriefgenError.one(f"cannot read file: {exc.strerror}", file=name, field=field, kind=kind) from None
    try:
        mode = os.fstat(fd)
        if not stat.S_ISREG(mode.st_mode):
            what = next((label for test, label in _NOT_REGULAR if test(mode.st_mode)), "a special file")
            raise BriefgenError.one(f"not a regular file (it is {what})", file=name, field=field,
                                    hint="give the path of an ordinary file", kind=kind)
        raw = os.read(fd, limit + 1) if mode.st_size <= limit else b""
        while len(raw) <= limit and (more := os.read(fd, limit + 1 - len(raw))):
            raw += more
    finally:
        os.close(fd)
    if mode.st_size > limit or len(raw) > limit:
        size = max(mode.st_size, len(raw))
        raise BriefgenError.one(
            f"file is too large ({size:,} bytes{'' if size == mode.st_size else ' or more'}; the limit is {limit:,})",
            file=name, field=field, hint="split the data or check this is the right file", kind=kind)
    return raw


def decode(raw: bytes, *, label: str, what: str = "file", kind: str = "data") -> str:
    """`raw` as UTF-8 text, or an error naming the line of the first byte that is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BriefgenError.one(f"{what} is not UTF-8 (byte 0x{raw[exc.start]:02x})", file=label,
                                line=raw[:exc.start].count(b"\n") + 1, hint=f"re-save the {what} as UTF-8", kind=kind) from None


def read_text(path: Path, *, label: str | None = None) -> str:
    """The file's text as UTF-8, or a clear error for binary, huge or mis-encoded files."""
    name = label or display_path(path)
    raw = read_bytes(path, label=name)
    if b"\x00" in raw:
        raise BriefgenError.one("file is binary, not YAML text", file=name,
                                hint="save it as UTF-8 text")
    text = decode(raw, label=name)
    if (bad := ILLEGAL.search(text)) is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise BriefgenError.one(
            f"control character U+{ord(bad.group()):04X} at column {column}", file=name, line=line,
            hint="delete it; YAML text cannot contain control characters")
    return text


def load_yaml(path: Path, *, label: str | None = None) -> YamlDoc:
    """Parse one YAML file into a :class:`YamlDoc`; raise a located error if it cannot."""
    name = label or display_path(path)
    text = read_text(path, label=name)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, name, text) from None
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML marks nearly everything
        raise BriefgenError.one(f"YAML error: {exc}", file=name) from None
    if node is None:
        raise BriefgenError.one("file is empty", file=name, line=1,
                                hint="add the data, or delete the file")
    walker = _Walker(name, record=len(text) <= RECORD_LINES_UP_TO)
    doc = YamlDoc(name, walker.walk(node, ()), text, walker.decimals)
    if walker.record:
        doc.__dict__["lines"] = walker.lines   # the cached property, already known
    return doc


def _indentation(text: str, line: int) -> str:
    """The leading whitespace of 1-based `line` of `text`."""
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    row = lines[line - 1]
    return row[: len(row) - len(row.lstrip())]


def _syntax_error(exc: yaml.MarkedYAMLError, name: str, text: str) -> BriefgenError:
    problem = (exc.problem or "syntax error").strip()
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # an unclosed quote or bracket: point where it opened
        problem = f"{exc.context}: {problem}" if exc.context else problem
    line = mark.line + 1 if mark else None
    hint = "check indentation, colons and quotes on this line or the one before"
    if line and "\t" in _indentation(text, line):
        problem = "a tab character is used for indentation"
        hint = "YAML indents with spaces only; replace the tab with spaces"
    return BriefgenError.one(f"YAML syntax error: {problem}", file=name, line=line, hint=hint)
