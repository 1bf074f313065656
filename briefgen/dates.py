"""Dates at mixed precision, written in a subset of EDTF (Library of Congress).

Accepted text forms (EDTF level 0 and the parts of level 1 a chronology needs):

* ``2023``, ``2025-02``, ``2025-09-24``: a year, a month, a day;
* a trailing ``~`` (approximate), ``?`` (uncertain) or ``%`` (both): ``2025-09-22~``;
* intervals ``2025-03/2025-05``; an open start ``../2032`` ("by 2032") or an open end
  ``2025-09/..`` ("from September 2025").

A relative date is a mapping instead: ``{relative_to: EVENT, offset: -P2D}`` with an
ISO 8601 duration (``P1Y``, ``-P3M``, ``-P2W``, ``-P5D``) or a range of them
(``-P7D/-P1D``: "days before"), plus optional ``approximate: true``. It resolves
against the other event's date and inherits that date's precision and uncertainty.

Every date resolves to a :class:`Span`: the earliest and latest day it can mean.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PRECISIONS = ("year", "month", "day")
MONTHS = [calendar.month_name[i] for i in range(13)]

_POINT = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?P<q>[~?%])?$")
_DURATION = re.compile(r"^(?P<sign>[+-])?P(?:(?P<y>\d+)Y)?(?:(?P<m>\d+)M)?(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?$")


class DateError(ValueError):
    """A date that cannot be read or cannot exist; the message says how to write it."""


@dataclass(frozen=True)
class Span:
    """The days a date can mean, with how precisely and how surely it is known.

    `lo`/`hi` are inclusive; `None` means open (".." in EDTF). `precision` is the
    coarsest unit either end was given in.
    """

    lo: dt.date | None
    hi: dt.date | None
    precision: str
    approximate: bool = False
    uncertain: bool = False
    is_interval: bool = False

    def sort_key(self) -> tuple:
        """Chronological order for mixed precision.

        Earliest possible day first; a date given more coarsely sorts before a finer
        one that starts on the same day (``2025`` before ``2025-01`` before
        ``2025-01-01``); among equals a single date comes before a range starting
        with it (the conference before "from the conference on"), and shorter
        ranges before longer; an open start ("by 2032") sorts by its end.
        """
        anchor = self.lo or self.hi or dt.date.max
        hi = self.hi or dt.date.max
        return (anchor, PRECISIONS.index(self.precision), self.is_interval, hi)

    def contains_or_before(self, day: dt.date) -> bool:
        """True if the date could have been reached by `day` (used for as-of filters)."""
        return (self.lo or self.hi or dt.date.min) <= day

    def display(self) -> str:
        """The date at its real precision: "2023", "February 2025", "c. 22 September 2025"."""
        if self.lo is None and self.hi is not None:
            text = "by " + _show_point(self.hi, self.precision, end=True)
        elif self.hi is None and self.lo is not None:
            text = "from " + _show_point(self.lo, self.precision)
        elif self.lo is None:
            text = "date unknown"
        elif not self.is_interval:
            text = _show_point(self.lo, self.precision)
        else:
            text = _show_range(self.lo, self.hi, self.precision)
        if self.approximate:
            text = "c. " + text
        if self.uncertain:
            text += " (uncertain)"
        return text

    def edtf(self) -> str:
        """The resolved date written back as EDTF text."""
        q = "%" if self.approximate and self.uncertain else "~" if self.approximate else "?" if self.uncertain else ""
        lo = _edtf_point(self.lo, self.precision) if self.lo else ".."
        if not self.is_interval and self.lo:
            return lo + q
        hi = _edtf_point(self.hi, self.precision, end=True) if self.hi else ".."
        return f"{lo}/{hi}{q}"


def _show_point(day: dt.date, precision: str, end: bool = False) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month]} {day.year}"
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def _show_range(lo: dt.date, hi: dt.date, precision: str) -> str:
    if precision == "day" and lo == hi:
        return _show_point(lo, precision)
    if precision == "day" and (lo.year, lo.month) == (hi.year, hi.month):
        return f"{lo.day}–{hi.day} {MONTHS[lo.month]} {lo.year}"
    if precision == "day" and lo.year == hi.year:
        return f"{lo.day} {MONTHS[lo.month]} – {hi.day} {MONTHS[hi.month]} {lo.year}"
    if precision == "month" and lo.year == hi.year:
        if lo.month == hi.month:
            return _show_point(lo, precision)
        return f"{MONTHS[lo.month]}–{MONTHS[hi.month]} {lo.year}"
    if precision == "year" and lo.year == hi.year:
        return str(lo.year)
    return f"{_show_point(lo, precision)} – {_show_point(hi, precision)}"


def _edtf_point(day: dt.date, precision: str, end: bool = False) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _point(text: str) -> Span:
    m = _POINT.match(text)
    if not m:
        raise DateError(
            f"'{text}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD "
            "(EDTF: add ~ for approximate, ? for uncertain)")
    y = int(m["y"])
    if y == 0:
        raise DateError(f"'{text}' is impossible: there is no year 0")
    q = m["q"] or ""
    approx, unsure = q in "~%" and bool(q), q in "?%" and bool(q)
    if m["d"]:
        mo, d = int(m["m"]), int(m["d"])
        _check_month(mo, text)
        last = calendar.monthrange(y, mo)[1]
        if not 1 <= d <= last:
            raise DateError(f"'{text}' is impossible: {MONTHS[mo]} {y} has {last} days")
        day = dt.date(y, mo, d)
        return Span(day, day, "day", approx, unsure)
    if m["m"]:
        mo = int(m["m"])
        _check_month(mo, text)
        return Span(dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), "month", approx, unsure)
    return Span(dt.date(y, 1, 1), dt.date(y, 12, 31), "year", approx, unsure)


def _check_month(mo: int, text: str) -> None:
    if not 1 <= mo <= 12:
        raise DateError(f"'{text}' is impossible: month {mo} does not exist (use 01-12)")


def _coarser(a: str, b: str) -> str:
    return PRECISIONS[min(PRECISIONS.index(a), PRECISIONS.index(b))]


def parse_date(value: object) -> Span:
    """Parse EDTF text (or a bare year number from YAML) into a :class:`Span`."""
    if isinstance(value, bool) or not isinstance(value, (str, int, dt.date)):
        raise DateError("a date must be text such as 2025-09-24, 2025-02 or 2023")
    text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
    if "/" not in text:
        return _point(text)
    left, _, right = text.partition("/")
    try:
        lo = None if left in ("..", "") else _point(left)
        hi = None if right in ("..", "") else _point(right)
    except DateError as exc:
        raise DateError(f"in the range '{text}': {exc}") from None
    if lo is None and hi is None:
        raise DateError(f"'{text}' is open at both ends; give at least one date")
    if lo and hi and hi.hi < lo.lo:
        raise DateError(f"'{text}' ends before it starts; swap the two dates")
    precision = _coarser(lo.precision, hi.precision) if lo and hi else (lo or hi).precision
    parts = [p for p in (lo, hi) if p]
    return Span(
        lo.lo if lo else None, hi.hi if hi else None, precision,
        any(p.approximate for p in parts), any(p.uncertain for p in parts), is_interval=True,
    )


@dataclass(frozen=True)
class Offset:
    """A signed ISO 8601 duration: years, months and days."""

    years: int = 0
    months: int = 0
    days: int = 0

    def apply(self, day: dt.date) -> dt.date:
        """`day` moved by this offset; DateError if that leaves the calendar (years 1 to 9999)."""
        month_index = day.year * 12 + (day.month - 1) + self.years * 12 + self.months
        y, m = divmod(month_index, 12)
        try:
            d = min(day.day, calendar.monthrange(y, m + 1)[1])
            return dt.date(y, m + 1, d) + dt.timedelta(days=self.days)
        except (ValueError, OverflowError):
            raise DateError(f"{self.text()} from {day.isoformat()} leaves the calendar (years 1 to 9999)") from None

    def text(self) -> str:
        """The offset as ISO 8601 duration text, e.g. -P2D."""
        parts = [(abs(n), unit) for n, unit in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if n]
        sign = "-" if min(self.years, self.months, self.days) < 0 else ""
        return sign + "P" + ("".join(f"{n}{unit}" for n, unit in parts) or "0D")

    @property
    def unit(self) -> str:
        return "day" if self.days else "month" if self.months else "year"


def parse_offset(text: str) -> tuple[Offset, Offset]:
    """Parse ``-P2D`` or a range ``-P7D/-P1D`` into (earliest, latest) offsets."""
    parts = str(text).split("/")
    if len(parts) > 2:
        raise DateError(f"offset '{text}' has more than one '/'")
    offs = [_duration(p.strip()) for p in parts]
    lo, hi = offs[0], offs[-1]
    probe = dt.date(5000, 6, 15)  # any offset _duration accepts stays in the calendar from here
    if hi.apply(probe) < lo.apply(probe):
        raise DateError(f"offset range '{text}' runs backwards; put the earlier offset first")
    return lo, hi


def _duration(text: str) -> Offset:
    m = _DURATION.match(text)
    if not m or text.lstrip("+-") == "P":
        raise DateError(
            f"offset '{text}' is not an ISO 8601 duration; write e.g. -P2D (2 days before), "
            "P3M (3 months after) or -P7D/-P1D (days before)")
    sign = -1 if m["sign"] == "-" else 1
    n = lambda k: int(m[k] or 0) if len(m[k] or "") <= 7 else 10**7  # noqa: E731 - digits past any calendar
    offset = Offset(sign * n("y"), sign * n("m"), sign * (n("d") + 7 * n("w")))
    if abs(offset.years) > 4999 or abs(offset.months) > 4999 * 12 or abs(offset.days) > 4999 * 365:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise DateError(f"offset '{shown}' is longer than the calendar can hold; write at most 4999 years "
                        "(P4999Y), in months or days alike")
    return offset


def shift(base: Span, offsets: tuple[Offset, Offset], approximate: bool = False) -> Span:
    """Resolve a relative date: `base` moved by `offsets`, keeping its uncertainty.

    A day offset from a month or year becomes a range of days (the base's whole
    extent, moved); an offset range ("days before") becomes a range too.
    """
    lo_off, hi_off = offsets
    finer = any(PRECISIONS.index(o.unit) > PRECISIONS.index(base.precision)
                for o in offsets if o != Offset())
    return Span(
        lo_off.apply(base.lo) if base.lo else None,
        hi_off.apply(base.hi) if base.hi else None,
        "day" if finer else base.precision,
        base.approximate or approximate,
        base.uncertain,
        is_interval=base.is_interval or lo_off != hi_off or finer,
    )


def parse_day(value: object) -> dt.date:
    """A full calendar day (for as-of and build dates), from text or a YAML date."""
    span = parse_date(value)
    if span.precision != "day" or span.is_interval or span.approximate or span.uncertain:
        raise DateError(f"'{value}' must be a single exact day, YYYY-MM-DD")
    return span.lo


def epoch_day(text: str | None) -> dt.date | None:
    """The UTC day of a ``SOURCE_DATE_EPOCH`` value (seconds since 1970), or None when it
    is unset or empty; DateError when it is anything but a whole number of seconds."""
    value = (text or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise DateError(f"'{value}' is not a whole number of seconds since 1970-01-01")
    try:
        return dt.datetime.fromtimestamp(int(value), dt.timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        raise DateError(f"'{value}' seconds since 1970-01-01 is after the year 9999") from None
