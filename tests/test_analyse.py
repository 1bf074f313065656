"""Claim status rules and chronology order on the mini project."""

from __future__ import annotations

from briefgen.analyse import analyse, origin_groups
from briefgen.load import load_project
from conftest import MINI


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
