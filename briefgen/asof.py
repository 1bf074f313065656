"""The project as it stood on a day: only what could be known then (``--as-of``).

A source is known from the day it was issued, and no earlier than the sources it is
``derived_from`` (a copy, a translation or a summary is no older than what it follows);
an undated source with no dated original, from any day. A claim is known no earlier than
the latest of its own ``as_of``, the earliest day among its sources (those known) that a
source is known from, and the days the events it reports (``events:``) became known; an
event no earlier than its ``known_from``, else its date. Every date counts from the first
day it can mean ("2025" from 1 January 2025; "by 2032" from its end).

:func:`as_of` keeps what is known by a day and still has a citation. A claim that cannot
be dated at all (no ``as_of``, no dated source known that day, no ``events:``) could have
been learnt any time, so it is left out on every day; ``validate`` lists such claims
(:func:`briefgen.data_warnings.problems`) so that they can be dated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from briefgen.dates import Span, parse_date
from briefgen.load import Project
from briefgen.model import Claim, Event, Source


def _first_day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    span = parse_date(text)
    return span.lo or span.hi


def _latest(days) -> dt.date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def sources_known(sources: dict[str, Source]) -> dict[str, dt.date | None]:
    """The first day each source could be known: the latest of its issue date and the
    first days of the sources it derives from, for a copy, a translation or a summary is
    no older than what it follows (an undated blog post copying a 20 March article is
    known from 20 March); None for an undated source with no dated original among
    `sources`. ``derived_from`` has no loops (the loader refuses them)."""
    out: dict[str, dt.date | None] = {}
    for start in sources:
        stack = [start]
        while stack:          # depth first, without recursion: a chain may be long
            sid = stack[-1]
            if sid in out:
                stack.pop()
                continue
            parents = [p for p in sources[sid].derived_from if p in sources]
            waiting = [p for p in parents if p not in out]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            out[sid] = _latest([_first_day(sources[sid].issued), *(out[p] for p in parents)])
    return out


def _earliest_issue(item, known: dict[str, dt.date | None]) -> dt.date | None:
    days = [known[c.source] for c in item.citations if c.source in known]
    days = [d for d in days if d is not None]
    return min(days) if days else None


def event_known(event: Event, span: Span | None) -> dt.date | None:
    """The first day `event` could be known: its ``known_from``, else its date."""
    if event.known_from:
        return _first_day(event.known_from)
    return (span.lo or span.hi) if span else None


def claim_known(claim: Claim, project: Project, sources: dict[str, Source] | None = None) -> dt.date | None:
    """The first day `claim` could be known: the latest of its ``as_of``, the earliest
    issued date among its `sources` (default: all the project's), and the days the events
    it reports could be known; None if none of these is there."""
    return known_dates(project, sources, [claim])[claim.id]


def known_dates(project: Project, sources: dict[str, Source] | None = None,
                claims: list[Claim] | None = None) -> dict[str, dt.date | None]:
    """:func:`claim_known` for many claims (default: all), the events looked up once."""
    issued = sources_known(project.sources if sources is None else sources)
    events = {e.id: event_known(e, project.spans.get(e.id)) for e in project.events}
    return {c.id: _latest([_first_day(c.as_of), _earliest_issue(c, issued), *(events.get(e) for e in c.events)])
            for c in (project.claims if claims is None else claims)}


def as_of(project: Project, day: dt.date) -> Project:
    """The project as it stood on `day`: only what could be known then.

    Sources known only after `day` go (:func:`sources_known`: issued after it, or copying
    one that was, so no source kept derives from one gone), and with them their
    citations; an event or claim goes when it is known only after `day`
    (:func:`event_known`, :func:`claim_known`), when it cannot be dated at all, or when
    it keeps no citation. Judgments and the bottom line go if anything they rest on does.
    """
    first = sources_known(project.sources)
    sources = {k: s for k, s in project.sources.items() if (first[k] or day) <= day}

    def trimmed(item):
        kept = [c for c in item.citations if c.source in sources]
        return item.model_copy(update={"citations": kept}) if kept else None

    def by(known: dt.date | None) -> bool:
        return known is not None and known <= day

    events = [k for e in project.events if by(event_known(e, project.spans.get(e.id))) and (k := trimmed(e)) is not None]
    known = known_dates(project, sources)
    claims = [k for c in project.claims if by(known[c.id]) and (k := trimmed(c)) is not None]
    present = {x.id for x in [*events, *claims]}
    judgments = [j for j in project.judgments if set(j.basis) <= present]
    bottom = project.bottom_line if project.bottom_line and set(project.bottom_line.basis) <= present else None
    config = project.config.model_copy(update={"as_of": day})
    return replace(project, config=config, sources=sources, events=events, claims=claims,
                   judgments=judgments, bottom_line=bottom,
                   spans={e.id: project.spans[e.id] for e in events})
