"""The data model: what a chronology, a claims register and a project config hold.

Field names follow CSL-JSON where one exists (``title``, ``container-title``,
``author``, ``issued``, ``URL``, ``accessed``, ``note``), so sources exported from a
reference manager fit. Claims keep their text in ``statement`` and events their
date in ``date``: other tools read those names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from briefgen.dates import DateError, parse_date, parse_day, parse_offset
from briefgen.writers import DEFAULT_FORMATS, FORMATS

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=80,
                          description="A short unique name: letters, digits, '.', '_' or '-'.")]
Text = Annotated[str, Field(min_length=1, description="Plain text; Markdown characters print literally.")]

RELIABILITY = {
    "A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
    "D": "not usually reliable", "E": "unreliable", "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources", 2: "probably true", 3: "possibly true",
    4: "doubtful", 5: "improbable", 6: "truth cannot be judged",
}
SIGNIFICANCE = ("low", "medium", "high")
BOUNDS = ("exact", "over", "at-least", "about", "almost", "nearly", "under", "up-to")
# Claim statuses, in the order a tie in an audience's limit prefers them (analyse.py).
STATUSES = ("conflict", "corroborated", "vendor-only", "single-source", "superseded")
STATUS_ALIASES = {"disputed": "conflict"}  # the name before typed disagreements (issue 15)


class Strict(BaseModel):
    """Base: unknown fields are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True,
                              str_strip_whitespace=True)


def _edtf(value: Any) -> str:
    """Check a date string parses; keep it as written (EDTF)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
        raise ValueError("a date must be text such as 2025-09-24, 2025-02 or 2023")
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    try:
        parse_date(text)
    except DateError as exc:
        raise ValueError(str(exc)) from None
    return text


def _day(value: Any) -> dt.date:
    try:
        return parse_day(value)
    except DateError as exc:
        raise ValueError(str(exc)) from None


# A BCP 47 (RFC 5646) language tag, well formed: a language of two or three letters, then
# any extended language, script, region, variant, extension and private-use subtags.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-(?:[A-Za-z]{2}|\d{3}))?"
                           r"(-(?:[A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*(-[A-WY-Za-wy-z\d](-[A-Za-z\d]{2,8})+)*"
                           r"(-[Xx](-[A-Za-z\d]{1,8})+)?")


def _language(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if not _LANGUAGE_TAG.fullmatch(value.strip()):
        raise ValueError(f"{value!r} is not a language tag; write a BCP 47 tag such as ar, he, fa, ur, en "
                         f"or ar-Latn (Arabic written in Latin letters)")
    return value.strip()


Language = Annotated[str, BeforeValidator(_language), Field(
    json_schema_extra={"pattern": "^" + _LANGUAGE_TAG.pattern + "$"}, description=(
        "The language of this item's text, as a BCP 47 tag: ar, he, fa, ur, en, ar-Latn. It sets which way "
        "the text reads (right to left for ar, he, fa, ur and other right-to-left languages and scripts), "
        "instead of its first letter: an Arabic sentence that begins with a Latin name."))]

EdtfDate = Annotated[str, Field(
    description="EDTF date: 2023, 2025-02, 2025-09-24, 2025-09-22~ (approximate), "
                "2025? (uncertain), 2025-03/2025-05 (range), ../2032 (by 2032).",
    json_schema_extra={"type": ["string", "integer"]})]


class Name(Strict):
    """A CSL name: family and given, or a literal (an organisation)."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None

    @model_validator(mode="after")
    def _one_form(self) -> "Name":
        if not (self.family or self.literal):
            raise ValueError("a name needs 'family' (with 'given') or 'literal'")
        return self

    def display(self) -> str:
        return self.literal or " ".join(p for p in (self.given, self.family) if p)


class Citation(Strict):
    """Where a statement comes from: a source, the verbatim words, and where in it."""

    source: Id = Field(description="The id of a source in sources.yaml.")
    quote: Text = Field(description="The source's own words, verbatim.")
    locator: str | None = Field(None, description="Where in the source: 'para. 14'.")
    note: str | None = None
    language: Language | None = None


class RelativeDate(Strict):
    """A date given relative to another event: 'days before the conference'."""

    relative_to: Id = Field(description="The id of the event this date is measured from.")
    offset: str = Field(description="ISO 8601 duration, signed: -P2D, P3M, or a range -P7D/-P1D.")
    approximate: bool = False
    label: str | None = Field(None, description="How the source puts it: 'just days before the conference'.")

    @field_validator("offset", mode="before")
    @classmethod
    def _offset(cls, value: Any) -> str:
        try:
            parse_offset(str(value))
        except DateError as exc:
            raise ValueError(str(exc)) from None
        return str(value)


class Source(Strict):
    """A document the briefing cites."""

    id: Id
    type: str = Field("article", description="CSL item type: article-newspaper, webpage, report, ...")
    title: Text
    title_short: str | None = Field(None, alias="title-short", description="Short label for tables and notes.")
    container_title: str | None = Field(None, alias="container-title", description="Site, journal or outlet.")
    publisher: str | None = None
    author: list[Name] = Field(default_factory=list)
    editor: list[Name] = Field(default_factory=list)
    issued: EdtfDate | None = Field(None, description="Publication date, if the source states it. Never guess.")
    language: str | None = None
    URL: str | None = Field(None, description="Only a URL you have; never invent one.")
    accessed: EdtfDate | None = None
    reliability: Literal["A", "B", "C", "D", "E", "F"] = Field(
        "F", description="Admiralty source reliability, A (completely reliable) to F (cannot be judged).")
    derived_from: list[Id] = Field(default_factory=list, description=(
        "Sources this one copies, translates or closely follows; they do not count as independent."))
    fulltext: str | None = Field(None, description="Path to the source's full text, for quote checking.")
    note: str | None = None

    _dates = field_validator("issued", "accessed", mode="before")(classmethod(lambda cls, v: None if v is None else _edtf(v)))

    @field_validator("URL")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s]+$", value):
            raise ValueError("URL must start with http:// or https:// and contain no spaces")
        return value

    @property
    def label(self) -> str:
        """How tables name this source: its short title, else its id."""
        return self.title_short or self.id

    def publisher_label(self) -> str:
        return self.container_title or self.publisher or ""

    def authors_label(self) -> str:
        return ", ".join(n.display() for n in self.author)


DateValue = Union[EdtfDate, RelativeDate]


class Event(Strict):
    """Something that happened (or is planned) on a date, at whatever precision is known."""

    id: Id
    date: DateValue
    title: Text
    summary: str | None = None
    kind: Literal["occurred", "announced", "target"] = Field(
        "occurred", description="'target' for a goal or deadline that has not happened yet.")
    actors: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    significance: Literal["low", "medium", "high"] = "medium"
    known_from: EdtfDate | None = Field(None, description=(
        "When this became known, if not on its date (a target announced years before it is due)."))
    pin: bool = Field(False, description="Keep in every audience whose profile honours pins (select.pins).")
    citations: list[Citation] = Field(min_length=1, description="At least one source for the event.")
    note: str | None = None
    language: Language | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else _edtf(value)

    _known = field_validator("known_from", mode="before")(classmethod(lambda cls, v: None if v is None else _edtf(v)))


class PairJudgement(Strict):
    """The analyst's judgement that this claim and another version can both be true."""

    claim: Id = Field(description="The other claim (same subject).")
    reason: Text = Field(description="Why they are consistent, shown in the briefing.")


Number = Union[int, float]


class Claim(Strict):
    """A figure, forecast or assertion, who made it, and who reports it."""

    id: Id
    statement: Text
    claimant: Text = Field(description="Who says it: a person, the company, an analyst firm, or the article itself.")
    claimant_kind: Literal["person", "company", "analyst", "media", "other"] = "person"
    claimant_org: str | None = Field(None, description="The organisation a person speaks for.")
    about: list[str] = Field(default_factory=list, description="Who the claim is about (for vendor-only status).")
    kind: Literal["figure", "forecast", "assertion", "reported-fact"]
    subject: Annotated[str, Field(pattern=ID_PATTERN, description=(
        "Key shared by every claim about the same quantity or fact, e.g. 'alibaba-cloud.revenue-growth'."))]
    value: Union[int, float, str, list[Number]] | None = Field(None, description=(
        "A number (with `unit`), a range [low, high], an EDTF date, or text."))
    unit: str | None = None
    bound: Literal["exact", "over", "at-least", "about", "almost", "nearly", "under", "up-to"] = "exact"
    period: str | None = Field(None, description="What the value covers: 'latest quarter', '2025-2027'.")
    as_of: EdtfDate | None = None
    credibility: Annotated[int, Field(ge=1, le=6)] | None = Field(
        None, description="Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged).")
    confidence: Literal["low", "moderate", "high"] | None = None
    significance: Literal["low", "medium", "high"] = Field(
        "medium", description="How much the claim matters to the briefing's readers; audiences select by it.")
    events: list[Id] = Field(default_factory=list, description=(
        "Events this claim reports; it cannot be known before they are (see --as-of)."))
    supersedes: list[Id] = Field(default_factory=list, description=(
        "Earlier claims on the same subject this one replaces: a revised forecast replacing the first."))
    consistent_with: list[PairJudgement] = Field(default_factory=list, description=(
        "Versions on the same subject the analyst judges consistent with this one, with the reason."))
    pin: bool = Field(False, description="Keep in every audience whose profile honours pins (select.pins).")
    tags: list[str] = Field(default_factory=list)
    citations: list[Citation] = Field(min_length=1)
    note: str | None = None
    language: Language | None = None

    _as_of = field_validator("as_of", mode="before")(classmethod(lambda cls, v: None if v is None else _edtf(v)))

    @field_validator("value", mode="before")
    @classmethod
    def _not_by_accident(cls, value: Any) -> Any:
        if isinstance(value, bool):
            word = "true" if value else "false"
            raise ValueError(f"YAML reads {word} without quotes as a yes/no answer, not as a value to show; "
                             f"write the number, or put the word in quotes for text: value: \"{word}\"")
        if value is None:
            raise ValueError("the value is empty (YAML reads nothing, ~ and null as no value); remove the "
                             "line if there is none, or put the text in quotes, e.g. value: \"null\"")
        if isinstance(value, list) and (len(value) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                                              for v in value)):
            raise ValueError("a range is two numbers, low then high: value: [20, 25]")
        return value

    @model_validator(mode="after")
    def _figure_has_value(self) -> "Claim":
        if self.kind == "figure" and self.value is None:
            raise ValueError("a figure needs a 'value' (and its 'unit')")
        if isinstance(self.value, (int, float, list)) and not self.unit:
            raise ValueError(f"value {self.value} has no 'unit'; add one such as '%', 'RMB bn' or 'count'")
        if isinstance(self.value, list):
            if self.value[0] > self.value[1]:
                raise ValueError(f"the range {self.value} runs backwards; write the low end first")
            if self.bound != "exact":
                raise ValueError(f"a range cannot also be '{self.bound}'; remove the bound")
        return self

    def value_display(self) -> str:
        """The value as a reader expects it: "about $15 billion", "over 9%", "by 2027"."""
        from briefgen.numbers import format_value  # numbers imports this module's names

        return format_value(self)


class Judgment(Strict):
    """An analyst's judgment, with its confidence and the claims and events it rests on."""

    id: Id
    statement: Text
    short: str | None = Field(None, description="One-sentence version for short briefings.")
    confidence: Literal["low", "moderate", "high"]
    basis: list[Id] = Field(min_length=1, description="Claim or event ids the judgment rests on.")
    language: Language | None = None


class BottomLine(Strict):
    statement: Text
    short: str | None = Field(None, description="One-sentence version for short briefings.")
    basis: list[Id] = Field(min_length=1)
    language: Language | None = None


class Seal(Strict):
    """Certify the PDF with a key and its certificate (needs briefgen[seal]). Paths are
    relative to the project folder; keep the key out of the repository."""

    key: str = Field(description="Private key, PEM or DER (encrypted or not).")
    cert: str = Field(description="The key's X.509 certificate, PEM or DER.")
    chain: list[str] = Field(default_factory=list, description="Intermediate certificates, if any.")
    passphrase_env: str = Field("BRIEFGEN_SEAL_PASSPHRASE", description=(
        "Environment variable holding the key's passphrase."))
    passphrase_file: str | None = Field(None, description="File whose first line is the passphrase (instead).")


class UnitDef(Strict):
    """A unit a project adds to the built-in vocabulary (briefgen/units.py)."""

    name: Text = Field(description="The unit as the data writes it: 'GWh', 'AUD', 'crore'.")
    kind: Literal["count", "currency", "scale"] = Field("count", description=(
        "'count': compares only with itself; 'currency': name is its code; 'scale': a multiplier."))
    synonyms: list[Text] = Field(default_factory=list, description="Other spellings of the same unit.")
    factor: Annotated[int, Field(ge=2)] | None = Field(None, description="For a scale: what it multiplies by.")

    @model_validator(mode="after")
    def _scale_has_factor(self) -> "UnitDef":
        if (self.kind == "scale") != (self.factor is not None):
            raise ValueError("a scale needs a 'factor' (e.g. 10000000 for crore), and only a scale has one")
        return self


class Config(Strict):
    """briefgen.yaml: the project's settings."""

    title: Text
    subject: Text
    author: str | None = None
    language: Language = Field("en", description=(
        "The briefing's language, as a BCP 47 tag (default en): the document's language in each format "
        "(the PDF's /Lang, Word's, the HTML page's lang), and the direction of a paragraph whose text has "
        "no letter of its own to decide it (ar, he, fa, ur: right to left)."))
    audience: str = "full"
    as_of: Annotated[dt.date, Field(json_schema_extra={"type": "string", "format": "date"})] | None = None
    formats: list[Literal[FORMATS]] = Field(default_factory=lambda: list(DEFAULT_FORMATS), min_length=1)  # type: ignore[valid-type]
    classification: str | None = Field(None, description="Marking shown on every page, e.g. 'CONFIDENTIAL'.")
    keywords: list[str] = Field(default_factory=list)
    page_size: Literal["A4", "Letter"] = "A4"
    previous: str | None = Field(None, description=(
        "The version the last briefing was built from, for a 'since the last briefing' section: "
        "a folder, or REV:PATH at a git revision (paths relative to this project folder)."))
    filename: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] | None = Field(
        None, description="Output file name stem; default: from the title.")
    seal: Seal | None = Field(None, repr=False,  # a template may print the config: not where the key is
                              description="Seal every audience's PDF (a profile's seal overrides it).")
    units: list[Union[Text, UnitDef]] = Field(default_factory=list, description=(
        "Units this project uses beyond the built-in ones: 'GWh', or {name, kind, synonyms, factor}."))
    about_tolerance: Annotated[float, Field(ge=0, lt=1)] = Field(0, description=(
        "How far 'about', 'almost' and 'nearly' reach, as a share of the value (0.05: 5%); "
        "never less than half a unit in the last digit given."))
    topics: dict[str, list[str]] = Field(default_factory=dict, description=(
        "What the built-in audiences read, in this project's tags: each topic (capital, revenue, "
        "market, outlook, technology, operations) names the tags that mean it here."))
    tags: list[str] | None = Field(None, description=(
        "Every tag the data may use. When given, a tag on an event or claim that is not listed is an error."))

    _as_of = field_validator("as_of", mode="before")(classmethod(lambda cls, v: None if v is None else _day(v)))


class SourcesFile(Strict):
    sources: list[Source]


class EventsFile(Strict):
    events: list[Event]


class ClaimsFile(Strict):
    subjects: dict[str, Text] = Field(default_factory=dict, description=(
        "Readable names for subject keys, used as headings where sources disagree."))
    claims: list[Claim]


class JudgmentsFile(Strict):
    bottom_line: BottomLine | None = None
    judgments: list[Judgment] = Field(default_factory=list)


FILES: dict[str, type[Strict]] = {
    "briefgen.yaml": Config,
    "sources.yaml": SourcesFile,
    "events.yaml": EventsFile,
    "claims.yaml": ClaimsFile,
    "judgments.yaml": JudgmentsFile,
}
OPTIONAL_FILES = {"judgments.yaml"}


class EventSelection(Strict):
    """Which events an audience sees (all conditions must hold)."""

    significance: Literal["low", "medium", "high"] = Field("low", description="Minimum significance.")
    tags: list[str] = Field(default_factory=list, description="Keep events with any of these tags (empty: all).")
    kinds: list[Literal["occurred", "announced", "target"]] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description=(
        "Keep events with a tag the project maps to any of these topics (with `tags`: either). "
        "Ignored when the project maps none of them."))
    date_from: EdtfDate | None = Field(None, alias="from", description="Keep events that can fall on or after this date.")
    date_to: EdtfDate | None = Field(None, alias="to", description="Keep events that can fall on or before this date.")
    limit: Annotated[int, Field(ge=1)] | None = Field(None, description="At most this many, most significant first.")

    _dates = field_validator("date_from", "date_to", mode="before")(
        classmethod(lambda cls, v: None if v is None else _edtf(v)))


class ClaimSelection(Strict):
    """Which claims an audience sees (all conditions must hold)."""

    significance: Literal["low", "medium", "high"] = "low"
    kinds: list[Literal["figure", "forecast", "assertion", "reported-fact"]] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list, description=(
        "Keep claims with a tag the project maps to any of these topics (with `tags`: either). "
        "Ignored when the project maps none of them."))
    claimant_kinds: list[Literal["person", "company", "analyst", "media", "other"]] = Field(
        default_factory=list, description="Keep claims whose claimant is of one of these kinds (empty: all).")
    subjects: list[str] = Field(default_factory=list, description="Subject key prefixes (empty: all).")
    statuses: list[Literal["conflict", "superseded", "vendor-only", "corroborated", "single-source", "disputed"]] = Field(
        default_factory=list, description="Keep claims with these statuses ('disputed' means 'conflict').")
    min_credibility: Annotated[int, Field(ge=1, le=6)] | None = Field(
        None, description="Keep claims graded this credible or better (1 best); ungraded claims count as 6.")
    limit: Annotated[int, Field(ge=1)] | None = None

    _alias = field_validator("statuses", mode="after")(
        classmethod(lambda cls, v: list(dict.fromkeys(STATUS_ALIASES.get(s, s) for s in v))))


class Selection(Strict):
    events: EventSelection = Field(default_factory=EventSelection)
    claims: ClaimSelection = Field(default_factory=ClaimSelection)
    disputes: Literal["all", "selected", "none"] = Field(
        "selected", description="'all': every disagreement in the data; 'selected': those touching a selected claim.")
    judgments: bool = True
    cited: Literal["none", "bottom-line", "all"] = Field("none", description=(
        "Claims the bottom line and key judgments rest on, when they pass the conditions: 'all': "
        "kept whatever the limit; 'bottom-line': the bottom line's kept whatever the limit, the key "
        "judgments' chosen first; 'none': no preference."))
    pins: bool = Field(False, description="Keep claims and events marked `pin: true`, whatever the filters and limits.")


class Look(Strict):
    """How an audience's briefing looks (both formats unless noted)."""

    page_size: Literal["A4", "Letter"] | None = Field(None, description="Default: the project's page_size.")
    font: str | None = Field(None, description="Word: body font name (PDF embeds its own fonts).")
    accent: Annotated[str, Field(pattern=r"^#?[0-9A-Fa-f]{6}$")] | None = Field(
        None, description="Heading and rule colour, e.g. '#1B365D'.")
    logo: str | None = Field(None, description="PNG or JPEG for the header, relative to the project folder.")
    label: str | None = Field(None, description=(
        "What the briefing calls itself in its title block and properties, e.g. 'Board briefing'; "
        "default: the audience's name and 'briefing'."))
    classification: str | None = Field(None, description="Overrides the project's marking for this audience.")
    header: str | None = Field(None, description="Running header text; default: the title.")
    footer: str | None = Field(None, description="Footer text before 'Page N of M'.")
    citation_style: str = Field("_citations.md.j2", description="Template file defining the `note` macro.")


class Checks(Strict):
    """Which of `briefgen validate`'s warnings apply to an audience's briefing."""

    likelihood: bool = Field(True, description=(
        "Warn when the bottom line or a key judgment says how likely in words off the likelihood "
        "scale (ICD 203 unless the project has likelihood.yaml)."))


class Profile(Strict):
    """templates/NAME.yaml: what an audience's briefing contains and how it looks."""

    description: str = ""
    select: Selection = Field(default_factory=Selection)
    look: Look = Field(default_factory=Look)
    checks: Checks = Field(default_factory=Checks)
    seal: Seal | None = Field(None, repr=False, description="Seal this audience's PDF (overrides briefgen.yaml's seal).")
