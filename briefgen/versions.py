"""What a version of a claim allows, and how two versions of one subject relate.

Each value is read as the set of true values it allows (a :class:`Reading`):

* a **number** at the precision it was written: ``15`` allows 14.5 to 15.5 (not the
  ends), ``4.5 billion`` 4.45 to 4.55 billion, ``45.0`` 44.95 to 45.05;
* **about** X allows X give or take the larger of half a unit in X's last digit and the
  project's ``about_tolerance`` share of X (``about 15``: 14.5 to 15.5 by default; with
  ``about_tolerance: 0.1``, 13.5 to 16.5);
* **almost** / **nearly** X allows up to that much nearer zero than X, and not X itself
  (``nearly 7``: 6.5 to 7; ``nearly -7``, a fall of nearly 7%: -7 to -6.5);
* **over** X: more than X; **at least** X: X or more; **under** X: less than X;
  **up to** X: X or less (bounds are taken at their word, on the number line: a fall of
  over 7% is ``under -7``);
* a **range** [A, B] allows A to B, each end at its precision (``12 to 15``: 11.5 to 15.5);
* a **date** allows the days it can mean (``2027``: 1 January to 31 December 2027;
  ``by December 2026``: up to 31 December 2026);
* **text** is compared by its words, ignoring case, spacing and punctuation, and as a
  list when it is one (items split at commas, semicolons, "and" and "&").

Two versions are then:

* **agree** when they say the same once units are normalised: the same bound and the same
  number (``EUR 1.2 billion`` = ``EUR 1,200 million``), the same date, or the same words;
* a **variant** when they differ but some true value fits both (``40 GWh`` and ``about
  40 GWh``; ``between 20 and 25 million`` and ``about 24 million``; a list in another
  order);
* a **conflict** when no true value fits both (``under 5%`` and ``about 6%``; ``2026-12``
  and ``2027``; different words);
* **incomparable** when their values are of different kinds or their units measure
  different things (``%`` and ``US$ bn``).

For numbers and dates, sets of values that fit pairwise all share one value (intervals
on a line do), so "no pair conflicts" is the same as "one true value fits every version".
One version **supports** another when they agree, when everything it allows the other
allows too (``about 24 million`` supports ``between 20 and 25 million``; ``over 9%``
supports ``over 7%``), or when it is the same list in another order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from briefgen.dates import DateError, parse_date
from briefgen.numbers import to_decimal, written_numbers
from briefgen.units import BUILTIN, Vocabulary

if TYPE_CHECKING:
    from briefgen.model import Claim

AGREE, VARIANT, CONFLICT, INCOMPARABLE = "agree", "variant", "conflict", "incomparable"


@dataclass(frozen=True)
class Interval:
    """The real numbers between `lo` and `hi` (None: no end), each end open or closed."""

    lo: Fraction | None
    hi: Fraction | None
    lo_closed: bool = False
    hi_closed: bool = False

    def meets(self, other: "Interval") -> bool:
        """True if some number lies in both."""
        lo, lo_closed = _tighter_lo(self, other)
        hi, hi_closed = _tighter_hi(self, other)
        if lo is None or hi is None:
            return True
        return lo < hi or (lo == hi and lo_closed and hi_closed)

    def within(self, other: "Interval") -> bool:
        """True if every number in this interval lies in `other`."""
        lo_ok = other.lo is None or (self.lo is not None and (
            self.lo > other.lo or (self.lo == other.lo and (other.lo_closed or not self.lo_closed))))
        hi_ok = other.hi is None or (self.hi is not None and (
            self.hi < other.hi or (self.hi == other.hi and (other.hi_closed or not self.hi_closed))))
        return lo_ok and hi_ok

    def contains(self, x: Fraction) -> bool:
        return ((self.lo is None or x > self.lo or (x == self.lo and self.lo_closed))
                and (self.hi is None or x < self.hi or (x == self.hi and self.hi_closed)))


def _tighter_lo(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.lo is None:
        return b.lo, b.lo_closed
    if b.lo is None or a.lo > b.lo:
        return a.lo, a.lo_closed
    if b.lo > a.lo:
        return b.lo, b.lo_closed
    return a.lo, a.lo_closed and b.lo_closed


def _tighter_hi(a: Interval, b: Interval) -> tuple[Fraction | None, bool]:
    if a.hi is None:
        return b.hi, b.hi_closed
    if b.hi is None or a.hi < b.hi:
        return a.hi, a.hi_closed
    if b.hi < a.hi:
        return b.hi, b.hi_closed
    return a.hi, a.hi_closed and b.hi_closed


@dataclass(frozen=True)
class Reading:
    """What one version's value allows. `dimension` says what it can be compared with;
    `same` is what must be equal for two versions to agree."""

    dimension: tuple
    same: tuple
    interval: Interval | None = None   # numbers and dates
    items: tuple[str, ...] = ()        # text: its list items, sorted

    @property
    def is_text(self) -> bool:
        return self.interval is None


def number_interval(value: Fraction, half_unit: Fraction, bound: str, tolerance: Fraction) -> Interval:
    """The numbers a figure `value` allows, written to a precision of 2 * `half_unit`."""
    if bound == "exact":
        return Interval(value - half_unit, value + half_unit)
    if bound in ("over", "at-least"):
        return Interval(value, None, lo_closed=bound == "at-least")
    if bound in ("under", "up-to"):
        return Interval(None, value, hi_closed=bound == "up-to")
    reach = max(half_unit, tolerance * abs(value)) if tolerance else half_unit
    if bound == "about":
        return Interval(value - reach, value + reach)
    if bound in ("almost", "nearly"):     # not quite that far from zero: "fell nearly 7%" is -7 < x
        return Interval(value - reach, value) if value >= 0 else Interval(value, value + reach)
    raise ValueError(f"unknown bound {bound!r}")


def range_interval(lo: Fraction, lo_half: Fraction, hi: Fraction, hi_half: Fraction) -> Interval:
    """The numbers a range allows: from its low end to its high end, each at its precision."""
    return Interval(lo - lo_half, hi + hi_half)


def _half_unit(text: str, scale: int) -> tuple[Fraction, Fraction]:
    """(value, half a unit in its last written digit), both multiplied by `scale`."""
    d = to_decimal(text)
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    return Fraction(d) * scale, Fraction(10) ** exponent * scale / 2


def read(claim: "Claim", vocabulary: Vocabulary = BUILTIN, tolerance: Fraction = Fraction(0)) -> Reading | None:
    """What `claim`'s value allows, or None if it has no value."""
    if claim.value is None:
        return None
    numbers = written_numbers(claim)
    if numbers is not None:
        unit = vocabulary.parse(claim.unit or "")
        parts = [_half_unit(t, unit.scale) for t in numbers]
        if len(parts) == 2:
            (lo, lo_half), (hi, hi_half) = parts
            interval = range_interval(lo, lo_half, hi, hi_half)
        else:
            interval = number_interval(parts[0][0], parts[0][1], claim.bound, tolerance)
        return Reading(("number", vocabulary.canonical(unit)),
                       ("number", claim.bound, tuple(v for v, _ in parts)), interval)
    text = str(claim.value)
    if claim.unit is None:
        try:
            span = parse_date(text)
        except DateError:
            span = None
        if span is not None:
            lo = Fraction(span.lo.toordinal()) if span.lo else None
            hi = Fraction(span.hi.toordinal()) if span.hi else None
            return Reading(("date",), ("date", lo, hi), Interval(lo, hi, True, True))
    words = _words(text)
    return Reading(("text", " ".join(_words(claim.unit or ""))), ("text", words),
                   items=tuple(sorted(filter(None, (_words(p) for p in _LIST.split(_fold(text)))))))


_LIST = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_WORD = re.compile(r"[\w$%€£¥+#]+(?:['.][\w]+)*")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[‐-―−\-_/]", " ", text.replace("’", "'").replace("‘", "'"))


def _words(text: str) -> str:
    return " ".join(_WORD.findall(_fold(text)))


def relation(a: Reading | None, b: Reading | None) -> str:
    """agree, variant, conflict or incomparable (see the module docstring)."""
    if a is None or b is None or a.dimension != b.dimension:
        return INCOMPARABLE
    if a.same == b.same:
        return AGREE
    if a.is_text:
        return VARIANT if a.items == b.items else CONFLICT
    assert a.interval is not None and b.interval is not None
    return VARIANT if a.interval.meets(b.interval) else CONFLICT


def supports(b: Reading | None, a: Reading | None) -> bool:
    """Whether version `b` backs up version `a`: they agree, or whatever makes `b` true
    makes `a` true (see the module docstring)."""
    kind = relation(a, b)
    if kind == AGREE:
        return True
    if kind != VARIANT or a is None or b is None:
        return False
    if a.is_text:
        return a.items == b.items
    assert a.interval is not None and b.interval is not None
    return b.interval.within(a.interval)
