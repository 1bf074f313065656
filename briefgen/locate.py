"""Where a piece of a briefing's text came from in the project's data.

Writers see only the document tree, so an error a writer raises about some text
(:class:`briefgen.writers.TextError`) knows nothing of files. The build looks that text
up here, in the data files as the analyst wrote them, and names the file, line and
field of the value it came from. Only an error pays for this: the files are read again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from briefgen.errors import BriefgenError, Problem
from briefgen.model import FILES
from briefgen.yamlio import YamlDoc, dotted, load_yaml

_WS = re.compile(r"\s+")
MIN_VALUE = 20      # shorter values (a claimant, a unit) are in too many places to name one
PROBE = 60          # a piece of text split across pages starts inside the value it came from


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _strings(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, path + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, path + (i,))


def find(root: Path, text: str) -> tuple[str, int | None, str] | None:
    """(file, line, field) of the data value `text` shows: the longest value written in
    it, or one it starts inside (a part of the value). None if no value is long enough."""
    probe = _norm(text)
    start = probe[:PROBE]
    best: tuple[int, YamlDoc, tuple] | None = None
    for name in FILES:
        path = root / name
        if not path.is_file():
            continue
        try:
            doc = load_yaml(path)
        except BriefgenError:
            continue
        for where, value in _strings(doc.data):
            v = _norm(value)
            if len(v) < MIN_VALUE:
                continue
            score = len(v) if v in probe else (len(probe) + len(v) if len(start) >= MIN_VALUE and start in v else 0)
            if score and (best is None or score > best[0]):
                best = (score, doc, where)
    if best is None:
        return None
    _, doc, where = best
    return doc.file, doc.line(where), dotted(where)


def located(exc: BriefgenError, root: Path, text: str) -> BriefgenError:
    """`exc` with its problems placed at the data value `text` came from; a problem found
    in the data is the data's (exit 1), one that is not stays as it was (the template's)."""
    found = find(root, text) if text else None
    if found is None:
        return BriefgenError(list(exc.problems), kind=exc.kind)
    file, line, field = found
    return BriefgenError([Problem(p.message, file=file, line=line, field=field, hint=p.hint) for p in exc.problems],
                         kind="data")
