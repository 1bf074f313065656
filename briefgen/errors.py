"""The one error type every stage raises; only the CLI renders and exits.

A :class:`BriefgenError` carries one or more :class:`Problem` records, each naming
where the problem is (file, line, field) and what to do about it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we know."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def where(self) -> str:
        parts = [self.file or "", str(self.line) if self.line else ""]
        loc = ":".join(p for p in parts if p)
        return loc

    def render(self) -> str:
        loc = self.where()
        head = f"{loc}: " if loc else ""
        fld = f"{self.field}: " if self.field else ""
        text = f"{head}{fld}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text.replace("\r", "\\r").replace("\n", "\\n")  # one problem, one line

    def sort_key(self) -> tuple:
        return (self.file or "", self.line or 0, self.field or "", self.message)


@dataclass
class BriefgenError(Exception):
    """Raised for bad input or a failed build; `kind` selects the exit code."""

    problems: list[Problem] = field(default_factory=list)
    kind: str = "data"

    def __post_init__(self) -> None:
        super().__init__(self.render())

    @classmethod
    def one(cls, message: str, *, kind: str = "data", **where) -> "BriefgenError":
        return cls([Problem(message, **where)], kind=kind)

    def __reduce__(self):  # keep problems intact across processes (build --all)
        return (type(self), (self.problems, self.kind))

    def render(self) -> str:
        return "\n".join(p.render() for p in sorted(self.problems, key=Problem.sort_key))

    def __str__(self) -> str:
        return self.render()


EXIT_CODES = {"data": 1, "usage": 2, "template": 3, "output": 4, "internal": 70}


def display_path(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory if below it.
    A link is named as itself, not as the file it points to."""
    p = Path(path)
    full = Path(os.path.normpath(os.path.join(p.parent.resolve(), p.name)))
    try:
        return str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
