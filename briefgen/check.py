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

from briefgen import atomic
from briefgen.errors import BriefgenError, Problem, display_path
from briefgen.load import Project
from briefgen.model import FILES, Citation
from briefgen.yamlio import decode, read_bytes

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
    found_in: tuple[int, ...] = ()  # every paragraph holding the quote

    @property
    def fixable(self) -> bool:
        """A locator is missing or wrong and the quote is in exactly one paragraph."""
        return self.status in ("no-locator", "wrong-locator") and len(self.found_in) == 1

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


def why_no_text(source_id: str, project: Project, texts_dir: Path | None) -> str:
    """Where a source's text was looked for, for a source `find_text` found none for."""
    src = project.sources[source_id]
    looked = []
    if texts_dir is not None:
        named = f"named {Path(src.fulltext).name} or " if src.fulltext else ""
        looked.append(f"no file in {texts_dir} {named}starting with '{source_id}'")
    if src.fulltext:
        index = list(project.sources).index(source_id)
        file, line = project.locate("sources.yaml", "sources", index, "fulltext")
        where = (project.root / src.fulltext).resolve()
        looked.append(f"its fulltext '{src.fulltext}' ({file}:{line}) is not there: no file {where}")
    else:
        looked.append("it has no fulltext in sources.yaml")
    return "; ".join(looked)


def check_quotes(project: Project, texts_dir: Path | None = None) -> list[QuoteResult]:
    """Look every quote up in its source's text; one result per citation."""
    cache: dict[str, list[str] | None] = {}
    results = []
    for owner in [*project.events, *project.claims]:
        for i, cit in enumerate(owner.citations):
            if cit.source not in cache:
                path = find_text(cit.source, project, texts_dir)
                cache[cit.source] = paragraphs(_full_text(path)) if path else None
            results.append(_check_one(owner.id, i, cit, cache[cit.source]))
    return results


def _full_text(path: Path) -> str:
    """A source's full text, or a clear error if it is not an ordinary UTF-8 file."""
    return decode(read_bytes(path, label=display_path(path)), label=display_path(path), what="full text")


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
    where = tuple(loose)
    if cit.locator is None:
        note = (f"add `locator: para. {loose[0]}`" if len(loose) == 1 else
                f"the quote is in {_paras(loose)}; add the locator of the one meant")
        return QuoteResult(owner, index, cit, "no-locator", loose[0], note=note, found_in=where)
    if wanted not in loose:
        return QuoteResult(owner, index, cit, "wrong-locator", loose[0], found_in=where,
                           note=f"locator says {cit.locator}; the quote is in {_paras(loose)}")
    return QuoteResult(owner, index, cit, found, wanted, found_in=where)


def _paras(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"para. {numbers[0]}"
    return "paras. " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


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


# --- what the results mean for the user ---------------------------------------------


@dataclass(frozen=True)
class Report:
    """The results of a check, counted, and the problems they amount to."""

    results: list[QuoteResult]
    problems: list[Problem]

    def lines(self) -> list[str]:
        """The summary the CLI prints: counts, then the sources that had no text."""
        counts = {status: 0 for status in ("found", "found-normalised", "missing", "wrong-locator",
                                           "no-locator", "unchecked")}
        for r in self.results:
            counts[r.status] += 1
        out = [f"{len(self.results)} quotes: {counts['found'] + counts['found-normalised']} found "
               f"({counts['found-normalised']} after normalising quotes, dashes or spaces), "
               f"{counts['missing']} missing, {counts['wrong-locator']} with a wrong locator, "
               f"{counts['no-locator']} without a locator, {counts['unchecked']} unchecked"]
        unchecked = sorted({r.citation.source for r in self.results if r.status == "unchecked"})
        if unchecked:
            out.append("unchecked (no full text): " + ", ".join(unchecked) +
                       " (give --texts DIR or a fulltext path in sources.yaml)")
        return out


class _Places:
    """Where each citation is written: file, list key and index of its owner."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.index = {**{e.id: ("events.yaml", "events", i) for i, e in enumerate(project.events)},
                      **{c.id: ("claims.yaml", "claims", i) for i, c in enumerate(project.claims)}}

    def of(self, r: QuoteResult, key: str = "quote") -> tuple[str, int | None, str]:
        fname, listkey, i = self.index[r.owner]
        file, line = self.project.locate(fname, listkey, i, "citations", r.index, key)
        return file, line, f"{r.owner} citation {r.index + 1}"


def report(project: Project, results: list[QuoteResult], require_text: bool = False) -> Report:
    """Turn results into located problems: misquotes, missing or wrong locators, and (if
    `require_text`) sources that had no text to check against."""
    places = _Places(project)
    problems = [_problem(r, *places.of(r)) for r in results
                if not r.ok and (r.status != "unchecked" or require_text)]
    return Report(results, problems)


def _problem(r: QuoteResult, file: str, line: int | None, field: str) -> Problem:
    if r.status == "missing":
        closest = f"closest in para. {r.paragraph}: \"{r.closest}\"" if r.closest else "nothing similar in the text"
        return Problem(f"quote not found in {r.citation.source}", file=file, line=line, field=field, hint=closest)
    return Problem(r.note or r.status, file=file, line=line, field=field)


# --- check --fix: write the locators that can be decided ------------------------------


@dataclass(frozen=True)
class LocatorFix:
    """One locator written: where, what it said before (None: there was none) and what it says now."""

    file: str
    line: int | None
    field: str
    old: str | None
    new: str

    def render(self) -> str:
        change = f"locator {self.old} -> {self.new}" if self.old else f"added locator {self.new}"
        return f"{self.file}:{self.line}: {self.field}: {change}"


@dataclass(frozen=True)
class FixOutcome:
    fixed: list[LocatorFix]
    left: list[Problem]  # what a person has to decide: quotes not found, or found in several places
    written: list[str]   # the files rewritten, as shown to the user


def fix_locators(project: Project, results: list[QuoteResult], require_text: bool = False) -> FixOutcome:
    """Write `locator: para. N` wherever it is missing or wrong and the quote is in one
    paragraph only; never touch a quote. Comments and layout of the files are kept, and
    the files are replaced atomically, all or none. Running it again changes nothing."""
    from briefgen import roundtrip

    places = _Places(project)
    todo = [r for r in results if r.fixable]
    staged, fixed, written = [], [], []
    try:
        for fname in ("events.yaml", "claims.yaml"):
            mine = [r for r in todo if places.index[r.owner][0] == fname]
            if mine:
                tmp, path, fixes = _rewrite(project, fname, mine, roundtrip)
                staged.append((tmp, path))
                fixed += fixes
                written.append(project.docs[fname].file)
    except BaseException:
        atomic.discard(staged)
        raise
    roundtrip.replace_all(staged)
    left = report(project, [r for r in results if not r.fixable], require_text).problems
    return FixOutcome(fixed, left, written)


def _rewrite(project: Project, fname: str, todo: list[QuoteResult], roundtrip):
    """Stage the new text of one file after checking it reads back as intended:
    (temporary file, target, the fixes with their lines)."""
    from briefgen.yamlio import load_yaml

    listkey = fname.removesuffix(".yaml")
    doc = project.docs[fname]
    tree = roundtrip.compose(doc.text)  # once, for the edits and for the lines they are reported at
    owners = {x.id: i for i, x in enumerate(getattr(project, listkey))}
    expected = list(getattr(project, listkey))
    edits, fixes = [], []
    for r in todo:
        i, new = owners[r.owner], f"para. {r.found_in[0]}"
        where = (listkey, i, "citations", r.index)
        edits.append(roundtrip.ScalarEdit(where, "locator", new, after="quote"))
        line = roundtrip.line_of(tree, where, "locator" if r.citation.locator else "quote")
        fixes.append(LocatorFix(doc.file, line, f"{r.owner} citation {r.index + 1}", r.citation.locator, new))
        cits = list(expected[i].citations)
        cits[r.index] = cits[r.index].model_copy(update={"locator": new})
        expected[i] = expected[i].model_copy(update={"citations": cits})

    def same(tmp: Path) -> None:
        try:
            reread = FILES[fname].model_validate(load_yaml(tmp, label=doc.file).data)
        except (BriefgenError, ValueError) as exc:
            raise roundtrip.not_kept(doc.file, f"the new text does not load: {exc}") from None
        if getattr(reread, listkey) != expected or (fname == "claims.yaml" and reread.subjects != project.subjects):
            raise roundtrip.not_kept(doc.file, "data other than the locators would change")

    path = project.root / fname
    return roundtrip.rewrite(path, doc.text, edits, same, tree), path, fixes
