"""Pure functions over a loaded project: order, independence, status, conflicts.

Nothing here reads files or prints; everything returns new values.

Status rules (first that applies):

* **disputed**: another claim with the same ``subject`` gives a value that cannot
  also be true: different wording; numbers in the same unit whose ranges do not
  overlap ("26%" vs "11%", "90%" vs "over 90%"; but not "over 9%" vs "over 7%");
  or EDTF dates that cannot mean the same day ("2025-02" vs "2025-03"; but not
  "2025-02" vs "2025-02-10").
  Every version is shown with its sources.
* **vendor-only**: every claimant is the party the claim is about (its ``about`` list
  names the claimant or the organisation the claimant speaks for).
* **corroborated**: cited by two or more independent sources. Sources joined by
  ``derived_from``, directly or through a chain, count as one.
* **single-source**: everything else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from briefgen.dates import Span, parse_date
from briefgen.load import Project
from briefgen.model import SIGNIFICANCE, Claim, Event, Selection, Source

STATUSES = ("disputed", "vendor-only", "corroborated", "single-source")


@dataclass(frozen=True)
class DatedEvent:
    """An event with its resolved date."""

    event: Event
    span: Span

    @property
    def date_display(self) -> str:
        return self.span.display()


@dataclass(frozen=True)
class ClaimView:
    """A claim with what analysis found out about it."""

    claim: Claim
    status: str
    explanation: str
    origins: tuple[tuple[str, ...], ...]  # independent groups of the sources citing it
    rivals: tuple[str, ...] = ()          # ids of claims on the same subject with other values
    reason: str = ""                      # the explanation, short enough for a table cell


@dataclass(frozen=True)
class Dispute:
    """One subject on which sources give different values."""

    subject: str
    versions: tuple[ClaimView, ...]
    title: str = ""  # readable name of the subject (claims.yaml `subjects:`), else the key


@dataclass
class Analysis:
    events: list[DatedEvent]
    claims: list[ClaimView]
    disputes: list[Dispute]
    origins: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def claims_by_id(self) -> dict[str, ClaimView]:
        return {c.claim.id: c for c in self.claims}


def as_of(project: Project, day: dt.date) -> Project:
    """The project as it stood on `day`: only what was known then.

    A source counts if it was issued by `day` (undated sources are assumed known). A
    citation counts if its source does. An event counts if it was known by `day`
    (``known_from``, else the start of its date) and keeps a citation; a claim counts if
    its ``as_of`` (if any) is not after `day` and it keeps a citation. Judgments and the
    bottom line drop out if anything they rest on does.
    """
    def known(text: str | None) -> bool:
        return text is None or parse_date(text).contains_or_before(day)

    sources = {k: s for k, s in project.sources.items() if known(s.issued)}

    def trimmed(item):
        kept = [c for c in item.citations if c.source in sources]
        return item.model_copy(update={"citations": kept}) if kept else None

    events = []
    for e in project.events:
        when = parse_date(e.known_from) if e.known_from else project.spans[e.id]
        if when.contains_or_before(day) and (kept := trimmed(e)) is not None:
            events.append(kept)
    claims = [k for c in project.claims if known(c.as_of) and (k := trimmed(c)) is not None]
    present = {x.id for x in [*events, *claims]}
    judgments = [j for j in project.judgments if set(j.basis) <= present]
    bottom = project.bottom_line if project.bottom_line and set(project.bottom_line.basis) <= present else None
    config = project.config.model_copy(update={"as_of": day})
    return replace(project, config=config, sources=sources, events=events, claims=claims,
                   judgments=judgments, bottom_line=bottom,
                   spans={e.id: project.spans[e.id] for e in events})


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


def _as_date(value: object) -> Span | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _value_key(claim: Claim) -> tuple:
    """What a value is compared by: its dates, its wording, or its unit (numbers)."""
    value = claim.value
    if (span := _as_date(value)) is not None:
        return ("date", span)
    if isinstance(value, str):
        return ("text", " ".join(value.lower().split()))
    return ("num", (claim.unit or "").strip().lower())


def _interval(claim: Claim) -> tuple[float, float, bool, bool]:
    """The numbers a figure allows: (low, high, low open, high open). 'about' allows ±5%."""
    x = float(claim.value)
    inf = float("inf")
    return {
        "exact": (x, x, False, False), "over": (x, inf, True, False), "at-least": (x, inf, False, False),
        "under": (-inf, x, False, True), "up-to": (-inf, x, False, False),
        "about": (x - abs(x) * 0.05, x + abs(x) * 0.05, False, False),
    }[claim.bound]


def _compatible(a: Claim, b: Claim) -> bool:
    """Whether two versions of the same subject can both be true."""
    ka, kb = _value_key(a), _value_key(b)
    if ka[0] == kb[0] == "date":  # dates agree if the days they can mean overlap
        lo_a, hi_a = ka[1].lo or dt.date.min, ka[1].hi or dt.date.max
        lo_b, hi_b = kb[1].lo or dt.date.min, kb[1].hi or dt.date.max
        return lo_a <= hi_b and lo_b <= hi_a
    if ka[0] != "num" or kb[0] != "num":
        return ka == kb
    if ka != kb:
        return True  # different units measure different things; nothing to compare
    lo_a, hi_a, lo_open_a, hi_open_a = _interval(a)
    lo_b, hi_b, lo_open_b, hi_open_b = _interval(b)
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    if lo < hi:
        return True
    if lo > hi:
        return False
    open_at_lo = (lo_open_a and lo_a == lo) or (lo_open_b and lo_b == lo)
    open_at_hi = (hi_open_a and hi_a == hi) or (hi_open_b and hi_b == hi)
    return not (open_at_lo or open_at_hi)


def _is_vendor(claim: Claim) -> bool:
    about = {a.lower() for a in claim.about}
    speakers = {claim.claimant.lower(), (claim.claimant_org or "").lower()}
    return bool(about) and any(s in about or any(a in s for a in about) for s in speakers if s)


def _rivals(claim: Claim, same_subject: list[Claim]) -> tuple[str, ...]:
    if claim.value is None:
        return ()
    return tuple(o.id for o in same_subject
                 if o.id != claim.id and o.value is not None and not _compatible(claim, o))


def claim_view(claim: Claim, same_subject: list[Claim], origins: dict[str, tuple[str, ...]],
               labels: dict[str, str] | None = None) -> ClaimView:
    """Work out one claim's status and say why, naming the sources."""
    name = (labels or {}).get
    cited = sorted({c.source for c in claim.citations})
    groups = tuple(sorted({origins.get(s, (s,)) for s in cited}))
    rivals = _rivals(claim, same_subject)
    n = len(groups)
    # each independent group, named by the sources in it that cite this claim
    named = ["; ".join(name(s, s) for s in g if s in cited) for g in groups]
    reporters = f"{n} independent source{'s' if n != 1 else ''} ({' | '.join(named)})"
    linked = [g for g in groups if len(set(g) & set(cited)) > 1]
    joined = "".join(f"; {' and '.join(name(s, s) for s in g if s in cited)} count as one source, as one copies or translates another"
                     for g in linked)
    if rivals:
        others = {c.id: c for c in same_subject}
        versions = "; ".join(f"{others[r].value_display()} ({', '.join(sorted({name(c.source, c.source) for c in others[r].citations}))})"
                             for r in rivals)
        return ClaimView(claim, "disputed", f"other sources give {versions}", groups, rivals, f"vs {versions}")
    if _is_vendor(claim):
        return ClaimView(claim, "vendor-only", f"only {claim.claimant} says so; reported by {reporters}{joined}",
                         groups, reason=f"only {claim.claimant} says so")
    if n >= 2:
        return ClaimView(claim, "corroborated", f"reported by {reporters}{joined}", groups,
                         reason=f"{n} independent sources")
    short = f"{len(cited)} sources, not independent" if len(cited) > 1 else "one source"
    return ClaimView(claim, "single-source", f"reported by {reporters}{joined}", groups, reason=short)


def analyse(project: Project) -> Analysis:
    """Everything the templates need, computed once."""
    origins = origin_groups(project.sources)
    by_subject: dict[str, list[Claim]] = {}
    for c in project.claims:
        by_subject.setdefault(c.subject, []).append(c)
    labels = {k: s.label for k, s in project.sources.items()}
    views = [claim_view(c, by_subject[c.subject], origins, labels) for c in project.claims]
    by_id = {v.claim.id: v for v in views}
    disputes = []
    for subject, claims in by_subject.items():
        if any(by_id[c.id].rivals for c in claims):
            disputes.append(Dispute(subject, tuple(by_id[c.id] for c in claims),
                                    project.subjects.get(subject, subject)))
    return Analysis(chronology(project), views, disputes, origins)


def select(analysis: Analysis, selection: Selection) -> Analysis:
    """What one audience sees. Disputes keep every version of a selected subject:
    a disagreement is never shown from one side only."""
    ev, cl = selection.events, selection.claims
    rank = SIGNIFICANCE.index

    def event_ok(d: DatedEvent) -> bool:
        e = d.event
        lo, hi = d.span.lo, d.span.hi
        return (rank(e.significance) >= rank(ev.significance)
                and (not ev.tags or bool(set(ev.tags) & set(e.tags)))
                and (not ev.kinds or e.kind in ev.kinds)
                and (ev.date_from is None or hi is None or hi >= parse_date(ev.date_from).lo)
                and (ev.date_to is None or lo is None or lo <= parse_date(ev.date_to).hi))

    def claim_ok(v: ClaimView) -> bool:
        c = v.claim
        return (rank(c.significance) >= rank(cl.significance)
                and (not cl.kinds or c.kind in cl.kinds)
                and (not cl.claimant_kinds or c.claimant_kind in cl.claimant_kinds)
                and (not cl.tags or bool(set(cl.tags) & set(c.tags)))
                and (not cl.subjects or any(c.subject.startswith(p) for p in cl.subjects))
                and (not cl.statuses or v.status in cl.statuses)
                and (cl.min_credibility is None or (c.credibility or 6) <= cl.min_credibility))

    events = _most_significant([d for d in analysis.events if event_ok(d)], ev.limit, lambda d: d.event)
    claims = _most_significant([v for v in analysis.claims if claim_ok(v)], cl.limit, lambda v: v.claim)
    chosen = {v.claim.subject for v in claims}
    disputes = {"all": analysis.disputes, "none": [],
                "selected": [d for d in analysis.disputes if d.subject in chosen]}[selection.disputes]
    return Analysis(events, claims, list(disputes), analysis.origins)


def _most_significant(items: list, limit: int | None, model) -> list:
    """At most `limit` items, the most significant first, kept in their original order."""
    if limit is None or len(items) <= limit:
        return items
    order = sorted(range(len(items)), key=lambda i: -SIGNIFICANCE.index(model(items[i]).significance))
    keep = set(order[:limit])
    return [x for i, x in enumerate(items) if i in keep]
