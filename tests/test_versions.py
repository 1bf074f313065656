"""The conflict rule against brute force: random figures, bounds, ranges, precisions and units.

Each version's meaning is written out again here as a plain membership test (what true
values it allows, from the rules in briefgen/versions.py's docstring), and every value
where that test can change its answer is tried: the ends of each interval, the points
between them and beyond them. Two versions conflict exactly when no tried value fits
both; one supports the other exactly when every value it allows, the other allows.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefgen.model import Claim
from briefgen.numbers import Written
from briefgen.versions import AGREE, CONFLICT, VARIANT, read, relation, supports

SCALES = {"USD": 1, "USD thousand": 10**3, "US$ k": 10**3}
BOUNDS = ("exact", "about", "almost", "nearly", "over", "at-least", "under", "up-to")


@st.composite
def number(draw):
    """A number as written: 45, 4.5, 0.45, -1.20 ..."""
    digits = draw(st.integers(0, 2))
    mantissa = draw(st.integers(-60, 60))
    return format(Decimal(mantissa).scaleb(-digits), "f")


@st.composite
def version(draw):
    unit = draw(st.sampled_from(sorted(SCALES)))
    if draw(st.integers(0, 5)) == 0:
        lo, hi = sorted((draw(number()), draw(number())), key=Decimal)
        return {"value": [lo, hi], "unit": unit, "bound": "exact"}
    return {"value": draw(number()), "unit": unit, "bound": draw(st.sampled_from(BOUNDS))}


def claim(v: dict, cid: str) -> Claim:
    """The claim the loader would give for this version: decimals that keep their text."""
    value = [float(x) for x in v["value"]] if isinstance(v["value"], list) else float(v["value"])
    c = Claim(id=cid, statement="s", claimant="c", kind="figure", subject="x", value=value, unit=v["unit"],
              bound=v["bound"], citations=[{"source": "s", "quote": "q"}])
    written = [Written(float(t), t) for t in v["value"]] if isinstance(v["value"], list) else Written(value, v["value"])
    c.__dict__["value"] = written
    return c


def half(text: str, scale: int) -> Fraction:
    return Fraction(1, 10 ** max(0, -Decimal(text).as_tuple().exponent)) * scale / 2


def ends(v: dict, tol: Fraction) -> list[Fraction]:
    """Every value where the membership test below can change its answer."""
    scale = SCALES[v["unit"]]
    if isinstance(v["value"], list):
        lo, hi = (Fraction(Decimal(t)) * scale for t in v["value"])
        return [lo - half(v["value"][0], scale), hi + half(v["value"][1], scale)]
    x, h = Fraction(Decimal(v["value"])) * scale, half(v["value"], scale)
    reach = max(h, tol * abs(x))
    return [x - h, x + h, x - reach, x + reach, x]


def allows(v: dict, x: Fraction, tol: Fraction) -> bool:
    """The rule, stated directly: does a true value `x` make this version true?"""
    scale = SCALES[v["unit"]]
    if isinstance(v["value"], list):
        lo, hi = (Fraction(Decimal(t)) * scale for t in v["value"])
        return lo - half(v["value"][0], scale) < x < hi + half(v["value"][1], scale)
    value, h = Fraction(Decimal(v["value"])) * scale, half(v["value"], scale)
    reach = max(h, tol * abs(value))
    return {
        "exact": value - h < x < value + h,
        "about": value - reach < x < value + reach,
        "almost": value - reach < x < value if value >= 0 else value < x < value + reach,   # nearer zero
        "nearly": value - reach < x < value if value >= 0 else value < x < value + reach,
        "over": x > value, "at-least": x >= value,
        "under": x < value, "up-to": x <= value,
    }[v["bound"]]


def candidates(versions: list[dict], tol: Fraction) -> list[Fraction]:
    points = sorted({e for v in versions for e in ends(v, tol)})
    between = [(a + b) / 2 for a, b in zip(points, points[1:])]
    return [points[0] - 1, *points, *between, points[-1] + 1]


TOLERANCES = st.sampled_from([Fraction(0), Fraction(1, 20), Fraction(1, 10), Fraction(1, 4)])


def v(value, bound="exact", unit="USD"):
    return {"value": value, "unit": unit, "bound": bound}


@settings(max_examples=700, deadline=None, derandomize=True)
@given(version(), version(), TOLERANCES)
@example(v("5", "up-to"), v("5", "at-least"), Fraction(0))      # meet at 5 itself
@example(v("5", "under"), v("5", "at-least"), Fraction(0))      # do not
@example(v("5", "nearly"), v("5", "over"), Fraction(0))
@example(v("-7", "nearly"), v("-6.8"), Fraction(0))            # "fell nearly 7%" and a fall of 6.8%: variant
@example(v("-7", "nearly"), v("-7.3"), Fraction(0))            # ... and of 7.3%: a conflict
@example(v("15", "about"), v(["12", "15"]), Fraction(0))
@example(v("14"), v("15"), Fraction(0))                         # 14.5 is in neither
@example(v("5", "under"), v("6", "about"), Fraction(1, 10))     # about 6 reaches 5.4: still apart
@example(v("5", "under"), v("6", "about"), Fraction(1, 4))      # reaches 4.5: they meet
@example(v("1.2", unit="USD thousand"), v("1200"), Fraction(0))
def test_conflict_exactly_when_no_true_value_fits_both(a, b, tol):
    ra, rb = read(claim(a, "a"), tolerance=tol), read(claim(b, "b"), tolerance=tol)
    fits_both = any(allows(a, x, tol) and allows(b, x, tol) for x in candidates([a, b], tol))
    kind = relation(ra, rb)
    assert kind == relation(rb, ra)
    assert (kind == CONFLICT) == (not fits_both), (a, b, kind)
    assert kind in (AGREE, VARIANT, CONFLICT)


@settings(max_examples=700, deadline=None, derandomize=True)
@given(version(), version(), TOLERANCES)
def test_a_version_supports_another_when_it_allows_nothing_the_other_does_not(a, b, tol):
    ra, rb = read(claim(a, "a"), tolerance=tol), read(claim(b, "b"), tolerance=tol)
    inside = all(allows(a, x, tol) for x in candidates([a, b], tol) if allows(b, x, tol))
    if relation(ra, rb) == AGREE:
        assert supports(rb, ra)  # the same bound and number, whatever precision each was given at
    else:
        assert supports(rb, ra) == (inside and relation(ra, rb) == VARIANT), (a, b)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(version(), min_size=3, max_size=4), TOLERANCES)
def test_no_pair_conflicting_means_one_value_fits_every_version(versions, tol):
    # Why the register can judge a subject pair by pair: intervals on a line that meet
    # two by two all share a point.
    readings = [read(claim(v, f"c{i}"), tolerance=tol) for i, v in enumerate(versions)]
    pairwise = all(relation(x, y) != CONFLICT for i, x in enumerate(readings) for y in readings[i + 1:])
    common = any(all(allows(v, x, tol) for v in versions) for x in candidates(versions, tol))
    assert pairwise == common
