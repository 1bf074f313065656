"""Pure functions over a loaded project: order, independence, status, disagreements.

Nothing here reads files or prints; everything returns new values. The README's
"How briefgen reads the register" gives these rules with worked examples.

**Versions.** Claims with the same ``subject`` are versions of one quantity or fact.
Each pair of versions is, in this order of precedence:

1. **superseded** when the later one lists the earlier in ``supersedes:``;
2. **consistent** when the analyst says so (``consistent_with:`` with a reason, on either
   claim): shown with the reason, never as a dispute;
3. **superseded** when the earlier is a ``forecast`` and the later a ``reported-fact``
   (an estimate replaced by the reported actual), unless the actual became known
   before the forecast (see as-of below);
4. otherwise what their values allow (:mod:`briefgen.versions`): **agree**, **variant**
   (compatible, stated differently), **conflict** (no single true value fits both), or
   **incomparable** (different kinds of value, or units that measure different things).

A version that has been superseded takes no part in conflicts and backs up no other.

**Status** (the first rule that applies):

* **conflict**: another current version cannot also be true.
* **superseded**: a later version replaces this one ("estimate EUR 140 million, later
  reported as EUR 128 million"; "by December 2026, later revised to 2027").
* **vendor-only**: every claimant of this version and of the versions backing it up is
  the party it is about (its ``about`` list names the claimant or the organisation the
  claimant speaks for).
* **corroborated**: two or more independent sources back it up. A source backs it up if
  it cites this claim or another version that agrees with it or implies it
  (:func:`briefgen.versions.supports`); sources joined by ``derived_from``, directly or
  through a chain, count as one. Variants that do not imply it neither add to this nor
  take from it.
* **single-source**: everything else.

**As of a day**: :mod:`briefgen.asof`.

**Selection** (:func:`select`): an audience's filters, then its limits. With
``select.pins`` claims and events marked ``pin: true`` pass every filter; with
``select.cited`` the claims and events the bottom line and the key judgments rest on are
kept whatever the limit cuts. The limit keeps those first, then the most significant,
then by status (conflict, corroborated, vendor-only, single-source, superseded), then in
file order; what is kept stays in file order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations

from briefgen.asof import known_dates
from briefgen.dates import Span, parse_date
from briefgen.load import Project
from briefgen.model import SIGNIFICANCE, STATUS_ALIASES, STATUSES, Claim, Event, Selection, Source
from briefgen.numbers import format_value
from briefgen.units import Vocabulary
from briefgen.versions import AGREE, CONFLICT, INCOMPARABLE, VARIANT, Reading, read, relation, supports

__all__ = ["STATUSES", "STATUS_ALIASES", "analyse", "select", "chronology"]

SUPERSEDED, CONSISTENT = "superseded", "consistent"
KINDS = (CONFLICT, SUPERSEDED, CONSISTENT, VARIANT)  # a subject's kind: the first its pairs show


@dataclass(frozen=True)
class DatedEvent:
    """An event with its resolved date."""

    event: Event
    span: Span

    @property
    def date_display(self) -> str:
        """The date at its real precision, and for a date given relative to another
        event, how the source puts it: "c. 17–23 September 2025 (just days before the
        Yunqi Conference)", so the window worked out from "days before" never reads as
        more than the source said."""
        label = getattr(self.event.date, "label", None)
        text = self.span.display()
        return f"{text} ({label.strip()})" if label and label.strip() else text


@dataclass(frozen=True)
class Relation:
    """How two versions of one subject stand. For `superseded`, `a` is the earlier."""

    kind: str    # conflict, variant, superseded or consistent
    a: str
    b: str
    reason: str = ""  # consistent: the analyst's reason


@dataclass(frozen=True)
class ClaimView:
    """A claim with what analysis found out about it."""

    claim: Claim
    status: str
    explanation: str
    origins: tuple[tuple[str, ...], ...]  # independent groups of the sources backing it up
    rivals: tuple[str, ...] = ()          # ids of current versions it conflicts with
    reason: str = ""                      # the explanation, short enough for a table cell
    value_display: str = ""               # the value as the briefing shows it
    relations: tuple[Relation, ...] = ()  # every typed relation it takes part in
    backed_by: tuple[str, ...] = ()       # other versions counted towards its corroboration
    superseded_by: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({c.source for c in self.claim.citations}))


@dataclass(frozen=True)
class Side:
    """Versions that agree, shown as one: 'EUR 4.5 billion (Fenwick note, Ledger, Wire)'."""

    views: tuple[ClaimView, ...]

    @property
    def value_display(self) -> str:
        return self.views[0].value_display

    @property
    def sources(self) -> tuple[str, ...]:
        """Ids of the sources citing any of these versions, in order of first citation."""
        return tuple(dict.fromkeys(c.source for v in self.views for c in v.claim.citations))


@dataclass(frozen=True)
class Revision:
    """An earlier version replaced by a later one."""

    old: ClaimView
    new: ClaimView

    @property
    def reported(self) -> bool:
        """True when a reported actual replaced a forecast ("later reported as")."""
        return _reported(self.old.claim, self.new.claim)


def _reported(old: Claim, new: Claim) -> bool:
    return old.kind == "forecast" and new.kind == "reported-fact"


@dataclass(frozen=True)
class Judged:
    """A pair the analyst judges consistent, with the reason."""

    a: ClaimView
    b: ClaimView
    reason: str


@dataclass(frozen=True)
class Disagreement:
    """One subject whose versions differ, typed by the most serious way they do.

    `kind` is conflict, superseded, consistent or variant. `sides` are the current
    versions taking part in its conflicts (or, for a variant, its variants), versions that
    agree grouped together; `revisions` and `judged` list its superseded and judged pairs.
    """

    subject: str
    versions: tuple[ClaimView, ...]
    title: str = ""
    kind: str = CONFLICT
    relations: tuple[Relation, ...] = ()
    sides: tuple[Side, ...] = ()
    revisions: tuple[Revision, ...] = ()
    judged: tuple[Judged, ...] = ()


Dispute = Disagreement  # the name templates and callers used before typed disagreements


@dataclass
class Analysis:
    events: list[DatedEvent]
    claims: list[ClaimView]
    disputes: list[Disagreement]   # subjects in conflict: values that cannot all be true
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    revised: list[Disagreement] = field(default_factory=list)    # estimates later replaced
    judged: list[Disagreement] = field(default_factory=list)     # consistent in the analyst's judgement
    variants: list[Disagreement] = field(default_factory=list)   # stated differently, compatible
    cited: frozenset[str] = frozenset()  # ids the bottom line and key judgments rest on
    bottom_line: frozenset[str] = frozenset()  # ids the bottom line rests on

    @property
    def claims_by_id(self) -> dict[str, ClaimView]:
        return {c.claim.id: c for c in self.claims}

    @property
    def disagreements(self) -> list[Disagreement]:
        """Every typed disagreement: conflicts, revisions, judged pairs, variants."""
        return [*self.disputes, *self.revised, *self.judged, *self.variants]


# --- independence and order ------------------------------------------------------------


def best_reliability(project: Project, claim: Claim) -> str:
    """The best (lowest) Admiralty reliability letter among the sources citing `claim`."""
    return min((project.sources[c.source].reliability for c in claim.citations), default="F")


def chronology(project: Project) -> list[DatedEvent]:
    """Events in date order (see :meth:`Span.sort_key`); ties keep file order."""
    dated = [DatedEvent(e, project.spans[e.id]) for e in project.events]
    return sorted(dated, key=lambda d: d.span.sort_key())


def origin_groups(sources: dict[str, Source]) -> dict[str, tuple[str, ...]]:
    """For each source, the sorted ids of every source linked to it by derivation."""
    parent = {sid: sid for sid in sources}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for src in sources.values():
        for ref in src.derived_from:
            if ref in parent:
                parent[find(src.id)] = find(ref)
    groups: dict[str, list[str]] = {}
    for sid in sources:
        groups.setdefault(find(sid), []).append(sid)
    return {sid: tuple(sorted(groups[find(sid)])) for sid in sources}


def vocabulary(project: Project) -> Vocabulary:
    """The built-in units plus the project's own."""
    return Vocabulary.for_project(project.config.units)


def _tolerance(project: Project) -> Fraction:
    return Fraction(str(project.config.about_tolerance))


def _is_vendor(claim: Claim) -> bool:
    about = {a.lower() for a in claim.about}
    speakers = {claim.claimant.lower(), (claim.claimant_org or "").lower()}
    return bool(about) and any(s in about or any(a in s for a in about) for s in speakers if s)


# --- versions of one subject -----------------------------------------------------------


@dataclass
class _Subject:
    """The pairwise facts about one subject's versions, before the views are made."""

    claims: list[Claim]
    readings: dict[str, Reading | None]
    pairs: dict[tuple[str, str], str]            # (a, b) in file order -> agree/variant/conflict/...
    relations: list[Relation]
    superseded_by: dict[str, list[str]]
    backers: dict[str, list[str]]                 # claim -> versions backing it up

    def of(self, claim_id: str) -> tuple[Relation, ...]:
        """The relations `claim_id` takes part in."""
        return tuple(r for r in self.relations if claim_id in (r.a, r.b)) if self.relations else ()


def _subject_facts(claims: list[Claim], readings: dict[str, Reading | None],
                   known: dict[str, dt.date | None]) -> _Subject:
    if len(claims) == 1:  # most subjects: nothing to compare
        return _Subject(claims, readings, {}, [], {}, {})
    by_id = {c.id: c for c in claims}
    judged = {frozenset((c.id, j.claim)): j.reason for c in claims for j in c.consistent_with if j.claim in by_id}
    explicit = {(old, c.id) for c in claims for old in c.supersedes if old in by_id}
    pairs: dict[tuple[str, str], str] = {}
    relations: list[Relation] = []
    superseded_by: dict[str, list[str]] = {}
    for a, b in combinations(claims, 2):
        kind = relation(readings[a.id], readings[b.id])
        pairs[(a.id, b.id)] = kind
        key = frozenset((a.id, b.id))
        order = _explicit_order(a, b, explicit)
        if order is None and key not in judged:
            order = _forecast_then_actual(a, b, kind, known)
        if order is not None:
            old, new = order
            relations.append(Relation(SUPERSEDED, old.id, new.id))
            superseded_by.setdefault(old.id, []).append(new.id)
            pairs[(a.id, b.id)] = SUPERSEDED
        elif key in judged:
            relations.append(Relation(CONSISTENT, a.id, b.id, judged[key]))
            pairs[(a.id, b.id)] = CONSISTENT
    current = [c for c in claims if c.id not in superseded_by]
    for a, b in combinations(current, 2):
        if pairs[(a.id, b.id)] in (CONFLICT, VARIANT):
            relations.append(Relation(pairs[(a.id, b.id)], a.id, b.id))
    backers = {c.id: [o.id for o in current if o.id != c.id and _pair(pairs, c.id, o.id) in (AGREE, VARIANT)
                      and supports(readings[o.id], readings[c.id])] for c in claims}
    return _Subject(claims, readings, pairs, relations, superseded_by, backers)


def _pair(pairs: dict[tuple[str, str], str], a: str, b: str) -> str:
    return pairs.get((a, b)) or pairs.get((b, a)) or INCOMPARABLE


def _explicit_order(a: Claim, b: Claim, explicit: set[tuple[str, str]]) -> tuple[Claim, Claim] | None:
    if (a.id, b.id) in explicit:
        return a, b
    if (b.id, a.id) in explicit:
        return b, a
    return None


def _forecast_then_actual(a: Claim, b: Claim, kind: str, known: dict[str, dt.date | None]) -> tuple[Claim, Claim] | None:
    """(forecast, actual) if one is a forecast the other, a reported fact, replaces."""
    if kind == INCOMPARABLE:
        return None
    for old, new in ((a, b), (b, a)):
        if old.kind == "forecast" and new.kind == "reported-fact":
            k_old, k_new = known.get(old.id), known.get(new.id)
            if k_old is None or k_new is None or k_new >= k_old:
                return old, new
    return None


class _Namer:
    """Names for sources and versions in explanations."""

    def __init__(self, project: Project, views: dict[str, str]) -> None:
        self.labels = {k: s.label for k, s in project.sources.items()}
        self.values = views

    def source_labels(self, claim: Claim) -> list[str]:
        return sorted({self.labels.get(c.source, c.source) for c in claim.citations})

    def sources(self, claim: Claim) -> str:
        return ", ".join(self.source_labels(claim))

    def version(self, claim: Claim) -> str:
        return f"{self.values[claim.id]} ({self.sources(claim)})"


def _view(claim: Claim, facts: _Subject, origins: dict[str, tuple[str, ...]], name: _Namer) -> ClaimView:
    """Work out one claim's status and say why, naming the sources."""
    by_id = {c.id: c for c in facts.claims} if len(facts.claims) > 1 else {claim.id: claim}
    mine = facts.of(claim.id)
    other = lambda r: by_id[r.b if r.a == claim.id else r.a]  # noqa: E731
    rivals = tuple(other(r).id for r in mine if r.kind == CONFLICT)
    replaced_by = tuple(facts.superseded_by.get(claim.id, ()))
    backers = [by_id[b] for b in facts.backers.get(claim.id, ())] if not replaced_by else []
    pool = [claim, *backers]
    cited = sorted({c.source for x in pool for c in x.citations})
    groups = tuple(sorted({origins.get(s, (s,)) for s in cited}))
    n = len(groups)
    named = ["; ".join(name.labels.get(s, s) for s in g if s in cited) for g in groups]
    reporters = f"{n} independent source{'s' if n != 1 else ''} ({' | '.join(named)})"
    linked = [g for g in groups if len(set(g) & set(cited)) > 1]
    joined = "".join(f"; {' and '.join(name.labels.get(s, s) for s in g if s in cited)} count as one source, "
                     "as one copies or translates another" for g in linked)
    counted = "".join(f"; counted with {name.version(b)}, which "
                      f"{'agrees' if _pair(facts.pairs, claim.id, b.id) == AGREE else 'implies it'}"
                      for b in backers)
    notes = "".join(_note(r, other(r), name) for r in mine if r.kind in (VARIANT, CONSISTENT))
    extra = dict(value_display=name.values[claim.id], relations=mine, backed_by=tuple(b.id for b in backers),
                 superseded_by=replaced_by)
    if rivals:
        versions = "; ".join(_grouped([by_id[r] for r in rivals], name))
        return ClaimView(claim, CONFLICT, f"other sources give {versions}{notes}", groups, rivals,
                         f"vs {versions}", **extra)
    if replaced_by:
        newer = by_id[replaced_by[-1]]
        verb = "reported as" if _reported(claim, newer) else "revised to"
        text = f"later {verb} {name.version(newer)}"
        return ClaimView(claim, SUPERSEDED, text, groups, reason=text, **extra)
    if all(_is_vendor(x) for x in pool):
        parties = sorted({x.claimant_org or x.claimant for x in pool})
        names = [claim.claimant] if len(pool) == 1 else parties
        who = " and ".join(names) + (" say so" if len(names) > 1 else " says so")
        return ClaimView(claim, "vendor-only", f"only {who}; reported by {reporters}{joined}{counted}{notes}",
                         groups, reason=f"only {who}", **extra)
    if n >= 2:
        return ClaimView(claim, "corroborated", f"reported by {reporters}{joined}{counted}{notes}", groups,
                         reason=f"{n} independent sources", **extra)
    own = {c.source for c in claim.citations}
    short = f"{len(own)} sources, not independent" if len(own) > 1 else "one source"
    return ClaimView(claim, "single-source", f"reported by {reporters}{joined}{counted}{notes}", groups,
                     reason=short, **extra)


def _grouped(claims: list[Claim], name: _Namer) -> list[str]:
    """'EUR 4.5 billion (Fenwick note, Ledger, Wire)': versions shown alike named once."""
    by_value: dict[str, list[str]] = {}
    for c in claims:
        labels = by_value.setdefault(name.values[c.id], [])
        labels += [s for s in name.source_labels(c) if s not in labels]
    return [f"{value} ({', '.join(labels)})" for value, labels in by_value.items()]


def _note(r: Relation, other: Claim, name: _Namer) -> str:
    if r.kind == VARIANT:
        return f"; stated differently, and compatibly, as {name.version(other)}"
    return f"; consistent, in the analyst's judgement, with {name.version(other)}: {r.reason}"


def _disagreement(subject: str, title: str, facts: _Subject, views: dict[str, ClaimView]) -> Disagreement | None:
    kinds = {r.kind for r in facts.relations}
    kind = next((k for k in KINDS if k in kinds), None)
    if kind is None:
        return None
    side_kind = CONFLICT if kind == CONFLICT else VARIANT
    taking_part = {x for r in facts.relations if r.kind == side_kind for x in (r.a, r.b)}
    sides: list[list[str]] = []
    for c in facts.claims:
        if c.id not in taking_part:
            continue
        home = next((s for s in sides if _pair(facts.pairs, s[0], c.id) == AGREE), None)
        if home is None:
            sides.append([c.id])
        else:
            home.append(c.id)
    return Disagreement(
        subject, tuple(views[c.id] for c in facts.claims), title, kind, tuple(facts.relations),
        tuple(Side(tuple(views[i] for i in s)) for s in sides),
        tuple(Revision(views[r.a], views[r.b]) for r in facts.relations if r.kind == SUPERSEDED),
        tuple(Judged(views[r.a], views[r.b], r.reason) for r in facts.relations if r.kind == CONSISTENT))


def analyse(project: Project) -> Analysis:
    """Everything the templates need, computed once."""
    origins = origin_groups(project.sources)
    vocab, tolerance = vocabulary(project), _tolerance(project)
    by_subject: dict[str, list[Claim]] = {}
    for c in project.claims:
        by_subject.setdefault(c.subject, []).append(c)
    name = _Namer(project, {c.id: format_value(c, vocab) for c in project.claims})
    facts: dict[str, _Subject] = {}
    shared = [c for claims in by_subject.values() if len(claims) > 1 for c in claims]
    known = known_dates(project, claims=shared)
    for subject, claims in by_subject.items():  # a claim alone on its subject has no pairs to read
        readings = {c.id: read(c, vocab, tolerance) for c in claims} if len(claims) > 1 else {}
        facts[subject] = _subject_facts(claims, readings, known)
    views = {c.id: _view(c, facts[c.subject], origins, name) for c in project.claims}
    lists: dict[str, list[Disagreement]] = {k: [] for k in KINDS}
    for subject, f in facts.items():
        d = _disagreement(subject, project.subjects.get(subject, subject), f, views)
        if d is not None:
            lists[d.kind].append(d)
    bottom = frozenset(project.bottom_line.basis if project.bottom_line else ())
    basis = bottom | {b for j in project.judgments for b in j.basis}
    return Analysis(chronology(project), [views[c.id] for c in project.claims], lists[CONFLICT], origins,
                    lists[SUPERSEDED], lists[CONSISTENT], lists[VARIANT], basis, bottom)


# --- what one audience sees --------------------------------------------------------------


def select(analysis: Analysis, selection: Selection) -> Analysis:
    """What one audience sees. Disagreements keep every version of a selected subject:
    a disagreement is never shown from one side only."""
    ev, cl = selection.events, selection.claims
    rank = SIGNIFICANCE.index
    statuses = {STATUS_ALIASES.get(s, s) for s in cl.statuses}

    def pinned(item) -> bool:
        return selection.pins and item.pin

    def event_ok(d: DatedEvent) -> bool:
        e = d.event
        lo, hi = d.span.lo, d.span.hi
        return pinned(e) or (
            rank(e.significance) >= rank(ev.significance)
            and (not ev.tags or bool(set(ev.tags) & set(e.tags)))
            and (not ev.kinds or e.kind in ev.kinds)
            and (ev.date_from is None or hi is None or hi >= parse_date(ev.date_from).lo)
            and (ev.date_to is None or lo is None or lo <= parse_date(ev.date_to).hi))

    def claim_ok(v: ClaimView) -> bool:
        c = v.claim
        return pinned(c) or (
            rank(c.significance) >= rank(cl.significance)
            and (not cl.kinds or c.kind in cl.kinds)
            and (not cl.claimant_kinds or c.claimant_kind in cl.claimant_kinds)
            and (not cl.tags or bool(set(cl.tags) & set(c.tags)))
            and (not cl.subjects or any(c.subject.startswith(p) for p in cl.subjects))
            and (not statuses or v.status in statuses)
            and (cl.min_credibility is None or (c.credibility or 6) <= cl.min_credibility))

    always = analysis.bottom_line if selection.cited == "bottom-line" else analysis.cited
    first = analysis.cited if selection.cited != "none" else frozenset()

    def must(claim) -> bool:
        return pinned(claim) or (selection.cited != "none" and claim.id in always)

    events = _limited([d for d in analysis.events if event_ok(d)], ev.limit, lambda d: d.event, pinned)
    claims = _limited([v for v in analysis.claims if claim_ok(v)], cl.limit, lambda v: v.claim, must,
                      lambda v: v.claim.id in first, lambda v: STATUSES.index(v.status))
    chosen = {v.claim.subject for v in claims}

    def shown(items: list[Disagreement]) -> list[Disagreement]:
        return {"all": list(items), "none": [],
                "selected": [d for d in items if d.subject in chosen]}[selection.disputes]

    return Analysis(events, claims, shown(analysis.disputes), analysis.origins, shown(analysis.revised),
                    shown(analysis.judged), shown(analysis.variants), analysis.cited, analysis.bottom_line)


def _limited(items: list, limit: int | None, model, must, prefer=lambda item: False,
             status=lambda item: 0) -> list:
    """At most `limit` items (more if more `must` stay), kept in their original order.

    Chosen in this order: those that must stay, those preferred, the most significant,
    by `status`, in file order."""
    if limit is None or len(items) <= limit:
        return items

    def rank(i: int) -> tuple:
        x = items[i]
        return (not must(model(x)), not prefer(x), -SIGNIFICANCE.index(model(x).significance), status(x), i)

    order = sorted(range(len(items)), key=rank)
    chosen = set(order[:max(limit, sum(1 for x in items if must(model(x))))])
    return [x for i, x in enumerate(items) if i in chosen]
