"""Quote checking: is every quote really in its source, and where?

A source's full text comes from its ``fulltext`` path (relative to the project) or
from a folder given on the command line (a file whose name starts with the source id
or with the file name in ``fulltext``). Paragraphs are the non-blank lines of the
text, numbered from 1. Matching forgives differences in whitespace, curly versus
straight quotes, dash variants and case of ellipsis characters; nothing else.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.load import Project
from briefgen.model import Citation

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": "...",
})
_WS = re.compile(r"\s+")
_LOCATOR = re.compile(r"^para(?:graph)?\.?\s*(\d+)$", re.I)


def normalise(text: str) -> str:
    """Text as compared: typographic quotes and dashes made plain, whitespace folded."""
    return _WS.sub(" ", text.translate(_TRANSLATE)).strip()


@dataclass(frozen=True)
class QuoteResult:
    """What checking one citation found."""

    owner: str                # event or claim id
    index: int                # citation index within its owner
    citation: Citation
    status: str               # "found", "found-normalised", "wrong-locator", "no-locator", "missing", "unchecked"
    paragraph: int | None = None
    closest: str | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("found", "found-normalised")


def paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def find_text(source_id: str, project: Project, texts_dir: Path | None) -> Path | None:
    src = project.sources[source_id]
    if texts_dir is not None:
        wanted = Path(src.fulltext).name if src.fulltext else None
        for f in sorted(texts_dir.iterdir()):
            if f.is_file() and (f.name == wanted or f.name.startswith(source_id)):
                return f
    path = project.fulltext_path(src)
    return path if path is not None and path.is_file() else None


def check_quotes(project: Project, texts_dir: Path | None = None) -> list[QuoteResult]:
    """Look every quote up in its source's text; one result per citation."""
    cache: dict[str, list[str] | None] = {}
    results = []
    for owner in [*project.events, *project.claims]:
        for i, cit in enumerate(owner.citations):
            if cit.source not in cache:
                path = find_text(cit.source, project, texts_dir)
                cache[cit.source] = paragraphs(path.read_text(encoding="utf-8")) if path else None
            results.append(_check_one(owner.id, i, cit, cache[cit.source]))
    return results


def _check_one(owner: str, index: int, cit: Citation, paras: list[str] | None) -> QuoteResult:
    if paras is None:
        return QuoteResult(owner, index, cit, "unchecked", note=f"no full text for source {cit.source!r} to check against")
    exact = [n for n, p in enumerate(paras, 1) if cit.quote in p]
    loose = exact or [n for n, p in enumerate(paras, 1) if normalise(cit.quote) in normalise(p)]
    if not loose:
        para, closest = _closest(cit.quote, paras)
        return QuoteResult(owner, index, cit, "missing", para, closest)
    found = "found" if exact else "found-normalised"
    wanted = _locator_paragraph(cit.locator)
    if cit.locator is None:
        return QuoteResult(owner, index, cit, "no-locator", loose[0], note=f"add `locator: para. {loose[0]}`")
    if wanted not in loose:
        return QuoteResult(owner, index, cit, "wrong-locator", loose[0],
                           note=f"locator says {cit.locator}; the quote is in para. {loose[0]}")
    return QuoteResult(owner, index, cit, found, wanted)


def _locator_paragraph(locator: str | None) -> int | None:
    m = _LOCATOR.match(locator.strip()) if locator else None
    return int(m.group(1)) if m else None


def _closest(quote: str, paras: list[str]) -> tuple[int | None, str | None]:
    """The paragraph and passage most like `quote`, to show the analyst what is there."""
    q = normalise(quote)
    best = (0.0, None, None)
    for n, para in enumerate(paras, 1):
        p = normalise(para)
        matcher = difflib.SequenceMatcher(None, q, p, autojunk=False)
        block = matcher.find_longest_match(0, len(q), 0, len(p))
        start = max(0, block.b - block.a)
        window = p[start:start + len(q)]
        ratio = difflib.SequenceMatcher(None, q, window, autojunk=False).ratio()
        if ratio > best[0]:
            best = (ratio, n, window)
    return (best[1], best[2]) if best[0] >= 0.4 else (None, None)
