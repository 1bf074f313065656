"""The language of judgments: how likely, said in the words of a likelihood scale.

The scale is data: ``briefgen/data/likelihood.yaml`` (ICD 203's seven bands, their
probability ranges and synonyms), or a project's own ``likelihood.yaml``. Each
sentence of the bottom line and of every key judgment is read for

- a likelihood word that is not on the scale ("highly likely");
- two bands in one sentence ("likely ... very unlikely");
- a term paired with a stated probability outside its band ("likely (30%)");
- a vague hedge ("could", "may", "possibly") with no term of the scale;
- a confidence level and a likelihood in one sentence, which ICD 203 keeps apart.

Findings are warnings (:class:`Problem` records with file and line); they never fail
a command. Nothing here prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import Field, model_validator

from briefgen import resources
from briefgen.errors import BriefgenError, Problem, display_path
from briefgen.load import Project, _validate
from briefgen.model import Strict
from briefgen.yamlio import dotted, load_yaml

PACKAGED = resources.folder("briefgen", "data") / "likelihood.yaml"
PROJECT_FILE = "likelihood.yaml"
Phrase = Annotated[str, Field(min_length=1)]


class Band(Strict):
    """One band of the scale: its term, its probability range in percent, other words for it."""

    term: Phrase
    probability: tuple[Annotated[float, Field(ge=0, le=100)], Annotated[float, Field(ge=0, le=100)]]
    synonyms: list[Phrase] = Field(default_factory=list)

    @property
    def range(self) -> str:
        lo, hi = self.probability
        return f"{lo:g}-{hi:g}%"

    @property
    def label(self) -> str:
        return f"'{self.term}' ({self.range})"


class Scale(Strict):
    """likelihood.yaml: the words a judgment may use to say how likely, and the ones it may not."""

    name: Phrase
    bands: list[Band] = Field(min_length=2)
    outside: dict[str, list[str]] = Field(default_factory=dict, description=(
        "Likelihood words not on the scale, each with the terms of the scale to use instead."))
    hedges: list[Phrase] = Field(default_factory=list)
    ignore: list[Phrase] = Field(default_factory=list)
    confidence: list[Phrase] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> "Scale":
        terms = {b.term for b in self.bands}
        for phrase, use in self.outside.items():
            unknown = [t for t in use if t not in terms]
            if unknown:
                raise ValueError(f"outside.{phrase}: {unknown[0]!r} is not the term of a band "
                                 f"(use one of: {', '.join(sorted(terms))})")
        for band in self.bands:
            lo, hi = band.probability
            if lo > hi:
                raise ValueError(f"band '{band.term}': probability [{lo:g}, {hi:g}] runs backwards")
        return self

    @cached_property
    def _kinds(self) -> dict[str, tuple[str, Any]]:
        """Every phrase (lower case, single spaces) and what it is: ('band', Band), ('outside', [terms]), ..."""
        kinds: dict[str, tuple[str, Any]] = {}
        for band in self.bands:
            for phrase in (band.term, *band.synonyms):
                kinds[_key(phrase)] = ("band", band)
        for phrase, use in self.outside.items():
            kinds.setdefault(_key(phrase), ("outside", [b for t in use for b in self.bands if b.term == t]))
        for kind in ("hedges", "ignore", "confidence"):
            for phrase in getattr(self, kind):
                kinds.setdefault(_key(phrase), (kind, None))
        return kinds

    @cached_property
    def pattern(self) -> re.Pattern:
        """One pattern for every phrase, longest first, so "very likely" wins over "likely"."""
        phrases = sorted(self._kinds, key=len, reverse=True)
        words = "|".join(r"\s+".join(map(re.escape, p.split(" "))) for p in phrases)
        return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", re.IGNORECASE)

    def kind(self, phrase: str) -> tuple[str, Any]:
        return self._kinds[_key(phrase)]

    def terms(self) -> str:
        return ", ".join(b.term for b in self.bands)


def _key(phrase: str) -> str:
    return " ".join(phrase.lower().split())


def load_scale(project_root: Path) -> Scale:
    """The project's likelihood.yaml if it has one, else the packaged ICD 203 scale."""
    path = project_root / PROJECT_FILE
    if not path.is_file():
        path = PACKAGED
    doc = load_yaml(path, label=display_path(path))
    problems: list[Problem] = []
    scale = _validate(doc, Scale, problems)
    if problems or scale is None:
        raise BriefgenError(problems)
    return scale


# --- reading sentences ---------------------------------------------------------------

_ABBREVIATIONS = {"e.g.", "i.e.", "cf.", "vs.", "etc.", "para.", "paras.", "p.", "pp.", "no.", "nos.", "fig.",
                  "approx.", "mr.", "mrs.", "ms.", "dr.", "st.", "inc.", "ltd.", "co.", "corp.", "jr.", "sr."}
_END = re.compile(r"[.!?]+[\"”’)\]]*(?=\s|$)")
_NUMBER = r"\d{1,3}(?:\.\d+)?"
_PERCENT = r"\s*(?:%|per\s?cent\b|percent\b)"
_STATED = rf"(?P<lo>{_NUMBER})(?:{_PERCENT})?\s*(?:-|–|—|to)\s*(?P<hi>{_NUMBER}){_PERCENT}|(?P<one>{_NUMBER}){_PERCENT}"
_ABOUT = r"(?:about|around|approximately|roughly|some|~|c\.)?\s*"
_ATTACHED = re.compile(rf"\s*[(\[]\s*{_ABOUT}(?:{_STATED})(?:\s+(?:chance|probability|likelihood))?\s*[)\]]")
_FREE = (re.compile(rf"(?:{_STATED})\s+(?:chance|probability|likelihood|odds)", re.I),
         re.compile(rf"(?:chance|probability|likelihood|odds)\s+(?:of\s+|is\s+|at\s+)?{_ABOUT}(?:{_STATED})", re.I))


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; abbreviations, initials and decimals do not end a sentence."""
    out, start = [], 0
    for m in _END.finditer(text):
        token = re.sub(r"^[(\[\"“‘']+", "", text[:m.end()].rsplit(None, 1)[-1]).lower().rstrip("\"”’)]")
        following = text[m.end():].lstrip()[:1]
        if token in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.){1,3}", token) or following.islower():
            continue
        out.append((start, text[start:m.end()]))
        start = m.end() + (len(text[m.end():]) - len(text[m.end():].lstrip()))
    if text[start:].strip():
        out.append((start, text[start:]))
    return out


@dataclass(frozen=True)
class Finding:
    """One warning about one sentence: where in the text it starts, what, and what to do."""

    offset: int
    message: str
    hint: str


def read(text: str, scale: Scale) -> list[Finding]:
    """Every finding in `text`, sentence by sentence."""
    return [f for offset, sentence in sentences(text) for f in _sentence(sentence, offset, scale)]


def _sentence(sentence: str, offset: int, scale: Scale) -> list[Finding]:
    found = [(m, *scale.kind(m.group())) for m in scale.pattern.finditer(sentence)]
    found = [(m, kind, what) for m, kind, what in found if kind != "hedges" or not _is_name(sentence, m)]
    checks = (_off_scale, _two_bands, _stated, _hedged, _with_confidence)
    return [Finding(offset + at, message, hint)
            for check in checks for at, message, hint in check(sentence, found, scale)]


def _bands(found: list) -> list[tuple[re.Match, Band]]:
    return [(m, what) for m, kind, what in found if kind == "band"]


def _off_scale(sentence: str, found: list, scale: Scale):
    for m, kind, use in found:
        if kind == "outside":
            hint = ("use " + " or ".join(b.label for b in use)) if use else f"say how likely with one of: {scale.terms()}"
            yield m.start(), f"'{m.group()}' is not on the {scale.name} likelihood scale", hint


def _two_bands(sentence: str, found: list, scale: Scale):
    bands = _bands(found)
    labels = list(dict.fromkeys(b.label for _, b in bands))
    if len(labels) > 1:
        yield (bands[1][0].start(), f"one sentence mixes two likelihood bands: {' and '.join(labels)}",
               "give each judgment its own sentence, or keep to one band")


def _hedged(sentence: str, found: list, scale: Scale):
    if any(kind in ("band", "outside") for _, kind, _ in found):
        return
    hedge = next((m for m, kind, _ in found if kind == "hedges"), None)
    if hedge is not None:
        yield (hedge.start(), f"'{hedge.group()}' hedges without saying how likely",
               f"say how likely with one of: {scale.terms()}; or state it plainly")


def _with_confidence(sentence: str, found: list, scale: Scale):
    bands = _bands(found)
    confidence = next((m for m, kind, _ in found if kind == "confidence"), None)
    if confidence is not None and bands:
        yield (confidence.start(), f"one sentence gives both a confidence level ('{confidence.group()}') "
               f"and a likelihood ('{bands[0][0].group()}')",
               f"{scale.name} keeps them apart: say the confidence in its own sentence, "
               "or leave it to the judgment's `confidence` field")


def _is_name(sentence: str, m: re.Match) -> bool:
    """A capitalised word inside a sentence ("in May 2025"), or one followed by a number, is not a hedge."""
    word = m.group()
    if not word[:1].isupper():
        return False
    return bool(sentence[:m.start()].strip()) or bool(re.match(r"\s*\d", sentence[m.end():]))


def _stated(sentence: str, found: list, scale: Scale):
    """A probability stated beside a term of the scale that falls outside the term's band:
    in brackets right after the term ("likely (30%)"), else a "30% chance" in the sentence,
    paired with the nearest term."""
    bands = _bands(found)
    pairs = [(m, band, a) for m, band in bands if (a := _ATTACHED.match(sentence, m.end()))]
    if not pairs and bands:
        for stated in (m for pattern in _FREE for m in pattern.finditer(sentence)):
            m, band = min(bands, key=lambda mb: abs(mb[0].start() - stated.start()))
            pairs.append((m, band, stated))
    for m, band, stated in pairs:
        lo, hi = _range(stated)
        if band.probability[0] <= lo and hi <= band.probability[1]:
            continue
        given = f"{lo:g}%" if lo == hi else f"{lo:g}-{hi:g}%"
        fits = [b for b in scale.bands if b.probability[0] <= (lo + hi) / 2 <= b.probability[1]]
        hint = (f"{given} is {' or '.join(b.label for b in fits)}; use that term or correct the figure" if fits
                else "correct the term or the figure")
        yield m.start(), f"'{m.group()}' means {band.range} on the {scale.name} scale, but the sentence gives {given}", hint


def _range(m: re.Match) -> tuple[float, float]:
    if m.group("one") is not None:
        value = float(m.group("one"))
        return value, value
    lo, hi = float(m.group("lo")), float(m.group("hi"))
    return min(lo, hi), max(lo, hi)


# --- judgments.yaml ----------------------------------------------------------------


def judgment_warnings(project: Project, scale: Scale) -> list[Problem]:
    """Warnings for the bottom line and every key judgment, with file and line."""
    doc = project.docs.get("judgments.yaml")
    if doc is None:
        return []
    texts: list[tuple[tuple, str]] = []
    if project.bottom_line is not None:
        texts += [(("bottom_line", k), getattr(project.bottom_line, k)) for k in ("statement", "short")]
    for i, judgment in enumerate(project.judgments):
        texts += [(("judgments", i, k), getattr(judgment, k)) for k in ("statement", "short")]
    root = None
    problems = []
    for path, text in texts:
        findings = read(text, scale) if text else []
        if findings and root is None:
            root = yaml.compose(doc.text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for f in findings:
            line = _line_of(doc.text, _node(root, path), text, f.offset) or doc.line(path)
            problems.append(Problem(f.message, file=doc.file, line=line, field=dotted(path), hint=f.hint))
    return problems


def _node(root: yaml.Node | None, path: tuple) -> yaml.Node | None:
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node if isinstance(node, yaml.ScalarNode) else None


def _line_of(text: str, node: yaml.ScalarNode | None, value: str, offset: int) -> int | None:
    """The file line holding character `offset` of a scalar's value.

    Folding and quoting change only the spaces and line breaks between words, so the
    n-th word of the value is the n-th word written in the file.
    """
    if node is None:
        return None
    source = text[node.start_mark.index:node.end_mark.index]
    skip = source.index("\n") + 1 if node.style in (">", "|") and "\n" in source else 0
    nth = len(re.findall(r"\S+", value[:offset] + "x")) - 1
    words = list(re.finditer(r"\S+", source[skip:]))
    if not words:
        return None
    at = node.start_mark.index + skip + words[min(nth, len(words) - 1)].start()
    return text.count("\n", 0, at) + 1


def warnings_for(project: Project, audience: str | None = None) -> list[Problem]:
    """The judgment-language warnings `validate` shows, unless the audience's profile turns
    them off (`checks: {likelihood: false}`). The default audience is the project's; if
    it cannot be found (a project in the making), the check applies."""
    from briefgen.audiences import load_profile

    try:
        profile = load_profile(project, audience or project.config.audience)
    except BriefgenError:
        if audience is not None:
            raise
        profile = None
    if profile is not None and not profile.checks.likelihood:
        return []
    return judgment_warnings(project, load_scale(project.root))
