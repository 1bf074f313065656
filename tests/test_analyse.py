"""Claim status rules and chronology order on the mini project."""

from __future__ import annotations

import pytest

from briefgen.analyse import _compatible, analyse, origin_groups
from briefgen.load import load_project
from conftest import MINI, TESTS


def test_status_rules():
    a = analyse(load_project(MINI))
    status = {v.claim.id: v.status for v in a.claims}
    assert status == {
        "cl-growth-26": "disputed",       # 26% vs 11% on the same subject
        "cl-growth-11": "disputed",
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
        ("ev-deal", "17–23 September 2025"),
        ("ev-conf", "24 September 2025"),
        ("ev-target", "by 2032"),
    ]


def _claim(cid, value, unit="%", bound="exact"):
    from briefgen.model import Claim
    return Claim(id=cid, statement="s", claimant="c", kind="figure", subject="x", value=value, unit=unit,
                 bound=bound, citations=[{"source": "wire", "quote": "q"}])


@pytest.mark.parametrize("a,b,disputed", [
    ((26,), (11,), True),
    ((90, "%", "exact"), (90, "%", "over"), True),      # "by 90%" cannot also be "over 90%"
    ((90, "%", "at-least"), (90, "%", "exact"), False),
    ((9, "%", "over"), (7, "%", "over"), False),        # both can be true
    ((9, "%", "under"), (9, "%", "over"), True),
    ((100, "%", "about"), (103, "%", "exact"), False),
    ((100, "%", "about"), (110, "%", "exact"), True),
    ((9, "%"), (28, "USD bn"), False),                  # different units: different quantities
    (("36 trillion tokens", None), ("36 trillion data points", None), True),
    (("Tokens", None), ("tokens", None), False),        # wording compared without case
])
def test_dispute_rule_compares_ranges_and_wording(a, b, disputed):
    ca, cb = _claim("a", *a), _claim("b", *b)
    assert _compatible(ca, cb) is not disputed
    assert _compatible(cb, ca) is not disputed


def test_status_rules_on_hand_made_data():
    a = analyse(load_project(TESTS / "data" / "status"))
    views = {v.claim.id: v for v in a.claims}
    assert {k: v.status for k, v in views.items()} == {
        "chain-only": "single-source",       # a -> b -> c is one origin however many links
        "chain-plus-one": "corroborated",
        "vendor": "vendor-only",
        "analyst-on-acme": "single-source",
        "date-feb": "disputed",
        "date-mar": "disputed",
        "date-feb-10": "disputed",
    }
    assert views["chain-only"].explanation == (
        "reported by 1 independent source (a; b; c); a and b and c count as one source, "
        "as one copies or translates another")
    assert views["date-feb"].rivals == ("date-mar",)
    assert set(views["date-mar"].rivals) == {"date-feb", "date-feb-10"}
    assert views["date-feb-10"].rivals == ("date-mar",)
    assert views["date-feb"].claim.value_display() == "February 2025"
