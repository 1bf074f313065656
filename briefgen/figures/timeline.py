"""The timeline figure: dated events on a horizontal, compressed time axis.

:func:`layout` is pure: items and a width in, a :class:`~briefgen.figures.scene.Scene`
of primitives out (points, y growing downwards from the top-left corner). A painter per
target turns a scene into output: :mod:`.paint_drawing` (a reportlab vector Drawing, for
the PDF), :mod:`.paint_png` (Pillow, for the Word writer) and :mod:`.paint_svg` (SVG
text, for HTML).

How it reads:
- one band per year with the year under it; runs of two or more empty years collapse
  into a break (``//``); busy years get more width than quiet ones, and within a year
  time runs linearly, so month ticks stay honest;
- a day-precision event is a marker; a month- or year-precision event (or any range) is
  a bar spanning its month/year; an approximate date is hollow or dashed and its label
  reads "c."; an open range gets an arrow on its open side;
- ``occurred`` events are navy circles, ``announced`` teal squares, ``target`` amber
  diamonds; a legend names what the figure uses;
- labels (date line over text line) sit above the axis on stems, stacked in lanes so
  that no two labels overlap and, where possible, no stem crosses a label; long labels
  are shortened with an ellipsis; with many items the font shrinks and, past the lane
  limit, labels are left off (the legend says how many).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Sequence

from briefgen import fonts, look
from briefgen.figures.scene import WHITE, Label, Line, Marker, Primitive, Rect, Scene
from briefgen.fonts import ellipsize  # noqa: F401 - part of this module's API
from briefgen.tree import TimelineFigure, TimelineItem

# --- style -------------------------------------------------------------------------

INK = "#" + look.INK
MUTED = "#" + look.MUTED
FAINT = "#9AA3AE"
BAND = "#" + look.TINT
KIND_COLOR = {"occurred": "#" + look.NAVY, "announced": "#2E7D8C", "target": "#C55A11"}
KIND_SHAPE = {"occurred": "circle", "announced": "square", "target": "diamond"}
KIND_NAME = {"occurred": "Occurred", "announced": "Announced", "target": "Target"}
BAR_TINT = {"occurred": "#C3CEDF", "announced": "#C2DEE2", "target": "#F2CDB3"}
MONTHS = "JFMAMJJASOND"
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

PAD = 4.0          # left/right padding of the plot
MARKER_R = 3.3
BAR_H = 5.5
LABEL_GAP = 5.0    # horizontal air between labels in one lane
STEM_PAD = 2.5     # text starts this far from its stem
MIN_SEG = 30.0     # narrowest year band
BREAK_W = 16.0
AXIS_BELOW = 24.0  # axis to legend: year labels live here
# (font size, widest label, most lanes) tried in turn until every label fits
CONFIGS = ((7.0, 118.0, 5), (6.5, 100.0, 6), (6.0, 84.0, 7), (5.5, 70.0, 8))


# --- layout ------------------------------------------------------------------------


@dataclass(slots=True)
class _Event:
    lo: date
    hi: date            # inclusive
    bar: bool
    open: str           # "", "before", "after"
    kind: str
    approx: bool
    when: str
    label: str
    mid: date
    x0: float = 0.0
    x1: float = 0.0
    more: int = 0       # a group's label: how many other events share this date

    @property
    def x(self) -> float:
        return (self.x0 + self.x1) / 2

    def text(self, size: float, max_w: float) -> str:
        """The label line, shortened to `max_w`; a group's ends with "(+N more)"."""
        if not self.more:
            return ellipsize(self.label, "regular", size, max_w)
        suffix = f" (+{self.more} more)"
        room = max_w - fonts.text_width(suffix, "regular", size)
        return ellipsize(self.label, "regular", size, max(room, 12.0)) + suffix


def layout(fig: TimelineFigure | Sequence[TimelineItem], width: float) -> Scene:
    """The figure laid out `width` points wide; its height follows from the labels."""
    items = fig.items if isinstance(fig, TimelineFigure) else tuple(fig)
    events = [e for e in (_event(it) for it in items) if e is not None]
    if not events:
        return Scene(width, 24.0, (Label(width / 2, 15.0, "No dated events", 8.0, "italic", "middle", MUTED),))
    segments = _segments(events, width)
    for e in events:
        e.x0 = _x(segments, e.lo)
        e.x1 = _x(segments, e.hi + timedelta(days=1)) if e.bar else e.x0
    order = {id(e): i for i, e in enumerate(events)}
    events.sort(key=lambda e: (e.x, e.lo, order[id(e)]))     # ties keep the template's order
    heads = _groups(events)

    best = None
    for size, max_w, max_lanes in CONFIGS:
        placed, lanes, dropped, crossings = _place_labels(heads, width, size, max_w, max_lanes)
        score = (dropped, crossings)
        if best is None or score < best[0]:
            best = (score, size, placed, lanes, dropped)
        if dropped == 0 and crossings * 4 <= len(heads):
            break
    _, size, placed, lanes, dropped = best
    _widen(placed, width, size)
    return _compose(events, segments, placed, lanes, dropped, size, width)


def _groups(events: list[_Event]) -> list[_Event]:
    """One label per date: events drawn at the same place with the same date text share
    a label that names the first and counts the rest."""
    heads: list[_Event] = []
    index: dict[tuple, _Event] = {}
    for e in events:
        key = (e.when, round(e.x0, 1), round(e.x1, 1), e.open)
        head = index.get(key)
        if head is None:
            head = index[key] = replace(e)
            heads.append(head)
        else:
            head.more += 1
    return heads


def _event(it: TimelineItem) -> _Event | None:
    lo = _day(it.lo)
    hi = _day(it.hi)
    if lo is None and hi is None:
        return None
    open_side = ""
    if lo is None:
        lo, open_side = hi, "before"
    elif hi is None:
        hi, open_side = lo, "after"
    if hi < lo:
        lo, hi = hi, lo
    precision = it.precision if it.precision in ("year", "month", "day") else "day"
    bar = precision != "day" or hi > lo
    if open_side:
        # one known end: draw its month or year as the bar, the open side as an arrow
        bar = precision != "day"
        if precision == "month":
            lo, hi = lo.replace(day=1), _month_end(lo)
        elif precision == "year":
            lo, hi = lo.replace(month=1, day=1), lo.replace(month=12, day=31)
    kind = it.kind if it.kind in KIND_COLOR else "occurred"
    when = _when(it, lo, hi, precision)
    mid = lo + (hi - lo) / 2
    return _Event(lo, hi, bar, open_side, kind, bool(it.approximate), when, _clean(it.label), mid)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return d if 1000 <= d.year <= 9000 else None


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _when(it: TimelineItem, lo: date, hi: date, precision: str) -> str:
    text = _clean(it.display)
    if not text:
        if precision == "year":
            text = str(lo.year)
        elif precision == "month":
            text = f"{MONTH_ABBR[lo.month - 1]} {lo.year}"
        else:
            text = f"{lo.day} {MONTH_ABBR[lo.month - 1]} {lo.year}"
    if it.approximate and not text.lower().startswith(("c.", "c ", "ca.", "circa", "~", "about", "approx")):
        text = "c. " + text
    return text


# axis -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Segment:
    start: date | None   # None: a break
    end: date | None
    year: int
    x0: float = 0.0
    x1: float = 0.0


def _segments(events: list[_Event], width: float) -> list[_Segment]:
    first = min(e.lo for e in events)
    last = max(e.hi for e in events)
    start = _add_months(first.replace(day=1), -1)
    if start.year < first.year:
        start = date(first.year, 1, 1)
    end = _add_months(last.replace(day=1), 2)
    if end.year > last.year + 1 or (end.year == last.year + 1 and end.month > 1):
        end = date(last.year + 1, 1, 1)
    counts: dict[int, int] = {}
    covered: set[int] = set()
    for e in events:
        if e.hi.year - e.lo.year > 2:      # a long span: its ends matter, not the years between
            counts[e.lo.year] = counts.get(e.lo.year, 0) + 1
            covered.update((e.lo.year, e.hi.year))
        else:
            counts[e.mid.year] = counts.get(e.mid.year, 0) + 1
            covered.update(range(e.lo.year, e.hi.year + 1))
    years = list(range(start.year, (end - timedelta(days=1)).year + 1))
    segs: list[_Segment] = []
    weights: list[float] = []
    i = 0
    while i < len(years):
        y = years[i]
        if y not in covered:
            j = i
            while j < len(years) and years[j] not in covered:
                j += 1
            if j - i >= 2:           # two or more empty years: a break
                segs.append(_Segment(None, None, y))
                weights.append(0.0)
                i = j
                continue
        s, t = max(date(y, 1, 1), start), min(date(y + 1, 1, 1), end)
        frac = (t - s).days / 365.0
        segs.append(_Segment(s, t, y))
        weights.append(max(frac, 0.35) * (0.6 + 0.45 * counts.get(y, 0)))
        i += 1
    usable = width - 2 * PAD - BREAK_W * sum(1 for s in segs if s.start is None)
    real = sum(1 for s in segs if s.start is not None)
    least = min(MIN_SEG, usable / real)
    total = sum(weights) or 1.0
    widths = [0.0 if s.start is None else max(least, usable * w / total) for s, w in zip(segs, weights)]
    # give back what the minimums took, from the segments above the minimum
    excess = sum(widths) - usable
    if excess > 0:
        big = [k for k, w in enumerate(widths) if w > least]
        room = sum(widths[k] - least for k in big) or 1.0
        for k in big:
            widths[k] -= excess * (widths[k] - least) / room
    x = PAD
    for s, w in zip(segs, widths):
        s.x0 = x
        x += BREAK_W if s.start is None else w
        s.x1 = x
    return segs


def _add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    return date(d.year + m // 12, m % 12 + 1, 1)


def _x(segs: list[_Segment], d: date) -> float:
    for s in segs:
        if s.start is not None and s.start <= d < s.end:
            return s.x0 + (s.x1 - s.x0) * (d - s.start).days / max((s.end - s.start).days, 1)
    real = [s for s in segs if s.start is not None]
    if d < real[0].start:
        return real[0].x0
    if d >= real[-1].end:
        return real[-1].x1
    for s in real:               # inside a break: its start
        if d < s.start:
            return s.x0
    return real[-1].x1


# labels -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Placed:
    event: _Event
    when: str
    text: str
    bx0: float       # label box, horizontally
    bx1: float
    lane: int
    flag: str        # "right": text starts at the stem; "left": text ends at it


def _place_labels(events: list[_Event], width: float, size: float, max_w: float, max_lanes: int):
    """Lanes for the labels, right to left, so earlier labels climb over later stems."""
    placed: list[_Placed] = []
    by_x: list[tuple[float, int]] = []      # (stem x, index into placed), sorted
    dropped = crossings = 0
    date_size = size - 0.5
    for e in reversed(events):
        when = ellipsize(e.when, "bold", date_size, max_w)
        text = e.text(size, max_w)
        w = max(fonts.text_width(when, "bold", date_size), fonts.text_width(text, "regular", size)) + STEM_PAD
        x = e.x
        if x + w <= width - 1:
            bx0, bx1, flag = x, x + w, "right"
        else:
            bx0, bx1, flag = max(0.0, x - w), x, "left"
        lo_i = bisect.bisect_left(by_x, (bx0 - LABEL_GAP - max_w - 10, -1))
        hi_i = bisect.bisect_right(by_x, (bx1 + LABEL_GAP + max_w + 10, len(placed)))
        window = [placed[k] for _, k in by_x[lo_i:hi_i]]
        near = [p for p in window
                if p.bx0 - LABEL_GAP < bx1 and p.bx1 + LABEL_GAP > bx0      # boxes overlap
                or bx0 - LABEL_GAP <= p.event.x <= bx1 + LABEL_GAP]          # its stem under our box
        busy = {p.lane for p in near if p.bx0 - LABEL_GAP < bx1 and p.bx1 + LABEL_GAP > bx0}
        lane = None
        for j in range(max_lanes):
            if j in busy:
                continue
            ok = all(not (bx0 - LABEL_GAP <= p.event.x <= bx1 + LABEL_GAP and p.lane > j) for p in near)
            ok = ok and all(not (p.bx0 <= x <= p.bx1 and p.lane < j) for p in near)
            if ok:
                lane = j
                break
        if lane is None:
            free = [j for j in range(max_lanes) if j not in busy]
            if not free:
                dropped += 1
                continue
            lane = free[0]
            crossings += 1
        placed.append(_Placed(e, when, text, bx0, bx1, lane, flag))
        bisect.insort(by_x, (x, len(placed) - 1))
    lanes = 1 + max((p.lane for p in placed), default=-1)
    return placed, lanes, dropped, crossings


def _widen(placed: list[_Placed], width: float, size: float, limit: float = 190.0) -> None:
    """Give shortened labels back their text where their lane has room for it."""
    date_size = size - 0.5
    for p in sorted(placed, key=lambda q: q.event.x):
        e = p.event
        if p.when == e.when and p.text == e.text(size, 1e9):
            continue
        full = max(fonts.text_width(e.when, "bold", date_size), fonts.text_width(e.text(size, 1e9), "regular", size))
        need = min(full, limit) + STEM_PAD
        cur = p.bx1 - p.bx0
        if need <= cur:
            continue
        if p.flag == "right":
            lo, hi = p.bx0, min(p.bx0 + need, width - 1)
        else:
            lo, hi = max(0.0, p.bx1 - need), p.bx1
        for q in placed:
            if q is p:
                continue
            if q.lane == p.lane and q.bx0 - LABEL_GAP < hi and q.bx1 + LABEL_GAP > lo:
                # shrink towards our stem to stop short of the neighbour
                if p.flag == "right" and q.bx0 > p.bx0:
                    hi = min(hi, q.bx0 - LABEL_GAP)
                elif p.flag == "left" and q.bx1 < p.bx1:
                    lo = max(lo, q.bx1 + LABEL_GAP)
                else:
                    hi, lo = p.bx1, p.bx0
            if q.lane > p.lane and lo - LABEL_GAP <= q.event.x <= hi + LABEL_GAP and q.event.x != e.x:
                if p.flag == "right" and q.event.x > e.x:
                    hi = min(hi, q.event.x - LABEL_GAP)
                elif p.flag == "left" and q.event.x < e.x:
                    lo = max(lo, q.event.x + LABEL_GAP)
        room = hi - lo - STEM_PAD
        if room <= cur - STEM_PAD + 1:
            continue
        p.when = ellipsize(e.when, "bold", date_size, room)
        p.text = e.text(size, room)
        w = max(fonts.text_width(p.when, "bold", date_size), fonts.text_width(p.text, "regular", size)) + STEM_PAD
        if p.flag == "right":
            p.bx1 = p.bx0 + w
        else:
            p.bx0 = p.bx1 - w


# composition -------------------------------------------------------------------------


def _compose(events, segs, placed, lanes, dropped, size, width) -> Scene:
    date_size = size - 0.5
    lane_h = date_size * 1.25 + size * 1.25 + 4.0
    top = 4.0
    axis_y = top + max(lanes, 1) * lane_h + 12.0
    out: list[Primitive] = []

    # year bands, ticks, breaks
    band_top, band_h = axis_y - 5.0, 10.0
    real = [s for s in segs if s.start is not None]
    for k, s in enumerate(real):
        if k % 2 == 0:
            out.append(Rect(s.x0, band_top, s.x1 - s.x0, band_h, fill=BAND))
    for s in segs:
        if s.start is None:
            continue
        out.append(Line(s.x0, axis_y, s.x1, axis_y, MUTED, 0.8))
        months = _months(s.start, s.end)
        per_month = (s.x1 - s.x0) / max(len(months), 1)
        for m in months[1:]:
            mx = _x(segs, m)
            out.append(Line(mx, axis_y, mx, axis_y + 2.0, FAINT, 0.4))
        if per_month >= 9.0:
            for m in months:
                mx = _x(segs, m) + per_month / 2
                out.append(Label(mx, axis_y + 10.5, MONTHS[m.month - 1], 5.0, "regular", "middle", FAINT))
        if s.start == date(s.year, 1, 1):
            out.append(Line(s.x0, axis_y - 5, s.x0, axis_y + 5, MUTED, 0.6))
        out.append(Label((s.x0 + s.x1) / 2, axis_y + 19.5, str(s.year), 7.0, "bold", "middle", MUTED))

    # bars, longest first so shorter ones stay visible; spans of years drawn thin
    for e in sorted((e for e in events if e.bar), key=lambda e: -(e.x1 - e.x0)):
        color = KIND_COLOR[e.kind]
        h = BAR_H / 2 if e.hi.year - e.lo.year > 2 else BAR_H
        out.append(Rect(e.x0, axis_y - h / 2, max(e.x1 - e.x0, 2.0), h,
                        fill=WHITE if e.approx else BAR_TINT[e.kind], stroke=color, width=0.6,
                        dash=(1.5, 1.2) if e.approx else ()))
    # broken axis: a gap with two slashes, cut through anything that spans it
    for s in segs:
        if s.start is None:
            cx = (s.x0 + s.x1) / 2
            out.append(Rect(cx - 5.5, axis_y - BAR_H, 11.0, 2 * BAR_H, fill=WHITE))
            for dx in (-2.5, 2.5):
                out.append(Line(cx + dx - 2, axis_y + 4, cx + dx + 2, axis_y - 4, MUTED, 0.8))
    for e in events:
        color = KIND_COLOR[e.kind]
        if e.open:
            sign = -1 if e.open == "before" else 1
            edge = e.x0 if sign < 0 else (e.x1 if e.bar else e.x0)
            tip = edge + sign * 12.0
            out.append(Line(edge, axis_y, tip, axis_y, color, 0.9, (1.5, 1.2)))
            out.append(Marker("triangle", tip, axis_y, 2.4, color, False, "left" if sign < 0 else "right"))

    # stems, label backgrounds, label text
    for p in placed:
        top_y = axis_y - 12.0 - (p.lane + 1) * lane_h + 4.0
        stem_from = axis_y - (BAR_H / 2 if p.event.bar else MARKER_R)
        out.append(Line(p.event.x, stem_from, p.event.x, top_y, FAINT, 0.45))
    for p in placed:
        top_y = axis_y - 12.0 - (p.lane + 1) * lane_h + 4.0
        out.append(Rect(p.bx0, top_y - 0.5, p.bx1 - p.bx0, lane_h - 4.0 + 1.0, fill=WHITE))
    for p in placed:
        top_y = axis_y - 12.0 - (p.lane + 1) * lane_h + 4.0
        if p.flag == "right":
            tx, anchor = p.event.x + STEM_PAD, "start"
        else:
            tx, anchor = p.event.x - STEM_PAD, "end"
        out.append(Label(tx, top_y + date_size, p.when, date_size, "bold", anchor, KIND_COLOR[p.event.kind]))
        out.append(Label(tx, top_y + date_size * 1.25 + size, p.text, size, "regular", anchor, INK))

    # markers on top
    for e in events:
        if not e.bar:
            out.append(Marker(KIND_SHAPE[e.kind], e.x0, axis_y, MARKER_R, KIND_COLOR[e.kind], e.approx))

    legend_y = axis_y + AXIS_BELOW + 6.0
    legend, height = _legend(events, dropped, width, legend_y)
    out.extend(legend)
    return Scene(width, round(height, 2), tuple(out))


def _months(start: date, end: date) -> list[date]:
    out, d = [], start.replace(day=1)
    if d < start:
        d = _add_months(d, 1)
    while d < end:
        out.append(d)
        d = _add_months(d, 1)
    return out


def _legend(events, dropped: int, width: float, y: float) -> tuple[list[Primitive], float]:
    entries: list[tuple[str, Primitive | None]] = []
    kinds = [k for k in KIND_COLOR if any(e.kind == k and not e.bar for e in events)]
    for k in KIND_COLOR:
        if any(e.kind == k for e in events):
            entries.append((KIND_NAME[k], Marker(KIND_SHAPE[k], 0, 0, MARKER_R, KIND_COLOR[k])))
    if any(e.bar for e in events):
        entries.append(("Month or year precision",
                        Rect(0, 0, 12, BAR_H, BAR_TINT["occurred"], KIND_COLOR["occurred"], 0.7)))
    if any(e.approx for e in events):
        shape = KIND_SHAPE[kinds[0]] if kinds else "circle"
        entries.append(("Approximate (c.)", Marker(shape, 0, 0, MARKER_R, MUTED, True)))
    if any(e.open for e in events):
        entries.append(("Open-ended", Marker("triangle", 0, 0, 2.4, MUTED, False, "right")))
    if dropped:
        entries.append((f"{dropped} further event{'s' if dropped != 1 else ''} not labelled", None))
    out: list[Primitive] = []
    x, size = PAD, 6.5
    row_h = 11.0
    for text, sym in entries:
        sym_w = 0.0 if sym is None else (14.0 if isinstance(sym, Rect) else 9.0)
        w = sym_w + fonts.text_width(text, "regular", size) + 12.0
        if x > PAD and x + w > width:
            x, y = PAD, y + row_h
        if isinstance(sym, Marker):
            out.append(Marker(sym.shape, x + MARKER_R, y - 2.3, sym.r, sym.color, sym.hollow, sym.direction))
        elif isinstance(sym, Rect):
            out.append(Rect(x, y - 2.3 - BAR_H / 2, sym.w, sym.h, sym.fill, sym.stroke, sym.width))
        out.append(Label(x + sym_w, y, text, size, "regular", "start", MUTED))
        x += w
    return out, y + 5.0
