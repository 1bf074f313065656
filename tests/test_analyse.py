"""Claim status rules and chronology order on the mini project."""

from __future__ import annotations

import pytest

from briefgen.analyse import analyse, origin_groups
from briefgen.load import load_project
from briefgen.versions import read, relation
from conftest import MINI, TESTS


def test_status_rules():
    a = analyse(load_project(MINI))
    status = {v.claim.id: v.status for v in a.claims}
    assert status == {
        "cl-growth-26": "conflict",       # 26% vs 11% on the same subject
        "cl-growth-11": "conflict",
        "cl-models": "corroborated",      # wire and paper are independent
        "cl-asi": "vendor-only",          # the CEO speaks about his own company
        "cl-single": "single-source",
    }
    assert [d.subject for d in a.disputes] == ["cloud.revenue-growth"]


def test_derived_sources_count_as_one():
    p = load_project(MINI)
    groups = origin_groups(p.sources)
    assert groups["copy"] == groups["wire"] == ("copy", "wire")
    view = {v.claim.id: v for v in analyse(p).claims}["cl-growth-26"]
    assert len(view.origins) == 1  # wire + its copy: one independent source


def test_chronology_order_and_display():
    a = analyse(load_project(MINI))
    assert [(e.event.id, e.date_display) for e in a.events] == [
        ("ev-strategy", "2023"),
        ("ev-plan", "February 2025"),
        ("ev-deal", "17–23 September 2025 (days before the conference)"),   # with its label
        ("ev-conf", "24 September 2025"),
        ("ev-target", "by 2032"),
    ]


def _claim(cid, value, unit="%", bound="exact"):
    from briefgen.model import Claim
    return Claim(id=cid, statement="s", claimant="c", kind="figure", subject="x", value=value, unit=unit,
                 bound=bound, citations=[{"source": "wire", "quote": "q"}])


@pytest.mark.parametrize("a,b,kind", [
    ((26,), (11,), "conflict"),
    ((90, "%", "exact"), (90, "%", "over"), "variant"),     # "90%" may be a rounded "over 90%"
    ((90, "%", "at-least"), (90, "%", "exact"), "variant"),
    ((9, "%", "over"), (7, "%", "over"), "variant"),        # both can be true
    ((9, "%", "under"), (9, "%", "over"), "conflict"),
    ((15, "%", "about"), (15.4, "%", "exact"), "variant"),  # about 15 reaches 14.5 to 15.5
    ((15, "%", "about"), (16, "%", "exact"), "conflict"),
    ((5, "%", "under"), (6, "per cent", "about"), "conflict"),  # 5.5 to 6.5 is not under 5
    (([12, 15], "lines"), (15, "lines", "about"), "variant"),
    (([20, 25], "million cells"), (24, "million cells", "about"), "variant"),
    ((50, "%"), (50, "%", "nearly"), "variant"),             # "nearly half" is just under 50
    ((50, "%", "nearly"), (50, "%", "at-least"), "conflict"),
    ((5, "%", "almost"), (4, "%"), "conflict"),
    ((1.2, "EUR billion"), (1200, "EUR million"), "agree"),  # units normalised
    ((4.5, "EUR bn"), (5200, "EUR million"), "conflict"),
    ((12, "USD bn"), (15, "US$ billion"), "conflict"),       # spellings of one unit compare
    ((1.2, "EUR billion"), (1240, "EUR million"), "variant"),  # rounds to 1.2 billion
    ((3, "lines"), (3, "Line"), "agree"),                    # counts ignore case and plural
    ((9, "%"), (28, "USD bn"), "incomparable"),              # different units: different quantities
    ((9, "USD bn"), (9, "EUR bn"), "incomparable"),
    (("36 trillion tokens", None), ("36 trillion data points", None), "conflict"),
    (("Tokens", None), ("tokens", None), "agree"),           # wording compared without case
    (("Volta Motors and Brandt", None), ("Brandt, Volta Motors", None), "variant"),  # a list reordered
    (("Android of the LLM era", None), ("Android of the AI era", None), "conflict"),
    (("2025-02", None), ("2025-02-10", None), "variant"),    # a day inside that month
    (("../2026-12", None), ("2027", None), "conflict"),
])
def test_relation_rule_compares_ranges_units_and_wording(a, b, kind):
    ra, rb = read(_claim("a", *a)), read(_claim("b", *b))
    assert relation(ra, rb) == kind
    assert relation(rb, ra) == kind


def test_status_rules_on_hand_made_data():
    a = analyse(load_project(TESTS / "data" / "status"))
    views = {v.claim.id: v for v in a.claims}
    assert {k: v.status for k, v in views.items()} == {
        "chain-only": "single-source",       # a -> b -> c is one origin however many links
        "chain-plus-one": "corroborated",
        "vendor": "vendor-only",
        "analyst-on-acme": "single-source",
        "date-feb": "conflict",
        "date-mar": "conflict",
        "date-feb-10": "conflict",
    }
    assert views["chain-only"].explanation == (
        "reported by 1 independent source (a; b; c); a and b and c count as one source, "
        "as one copies or translates another")
    assert views["date-feb"].rivals == ("date-mar",)
    assert set(views["date-mar"].rivals) == {"date-feb", "date-feb-10"}
    assert views["date-feb-10"].rivals == ("date-mar",)
    assert [(r.kind, r.a, r.b) for r in views["date-feb"].relations if r.kind == "variant"] == [
        ("variant", "date-feb", "date-feb-10")]  # shown as a variant, not a dispute
    assert views["date-feb"].claim.value_display() == "February 2025"
