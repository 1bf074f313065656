"""What an audience keeps: pins, the figures the bottom line and judgments rest on, limits."""

from __future__ import annotations

import shutil

import pytest

from briefgen.analyse import analyse, select
from briefgen.load import load_project
from briefgen.model import Selection
from conftest import TESTS

KESTREL = TESTS / "data" / "kestrel"


def chosen(project, **select_fields) -> list[str]:
    return [v.claim.id for v in select(analyse(project), Selection.model_validate(select_fields)).claims]


@pytest.fixture(scope="module")
def kestrel():
    return load_project(KESTREL)


def test_a_pin_passes_every_filter_and_limit_where_pins_are_honoured(tmp_path):
    proj = tmp_path / "k"
    shutil.copytree(KESTREL, proj)
    path = proj / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    subject: kestrel.plant.line-count\n    value: 15\n",
                                 "    subject: kestrel.plant.line-count\n    value: 15\n    pin: true\n"), encoding="utf-8")
    events = proj / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace(
        "    significance: low\n    citations:\n      - {source: courier, quote: \"Kestrel Batteries, founded",
        "    significance: low\n    pin: true\n    citations:\n      - {source: courier, quote: \"Kestrel Batteries, founded"),
        encoding="utf-8")
    project = load_project(proj)
    strict = {"claims": {"significance": "high", "limit": 2}, "events": {"significance": "high", "limit": 1}}
    assert "cl-lines-ledger" in chosen(project, pins=True, **strict)       # low significance, over the limit
    assert "cl-lines-ledger" not in chosen(project, **strict)              # pins not honoured
    events = [d.event.id for d in select(analyse(project), Selection.model_validate({"pins": True, **strict})).events]
    assert "ev-founded" in events


def test_cited_keeps_the_bottom_line_then_prefers_the_key_judgments(kestrel):
    base = {"claims": {"significance": "high", "limit": 4}}
    bottom = {"cl-first-line-2027", "cl-q1-revenue-actual", "cl-cost-insiders"}
    judged = {"cl-cost-company", "cl-share-fenwick", "cl-share-company"}  # high ones only: customers are medium
    with_bottom = chosen(kestrel, cited="bottom-line", **base)
    assert bottom <= set(with_bottom) and len(with_bottom) == 4 and set(with_bottom) - bottom <= judged
    everything = chosen(kestrel, cited="all", **base)
    assert set(everything) == bottom | judged  # over the limit: all of them stay
    plain = chosen(kestrel, **base)
    assert not bottom <= set(plain)  # the limit alone cuts by significance, status and file order


def test_ties_break_by_significance_then_status(kestrel):
    picked = chosen(kestrel, claims={"limit": 3})
    # all high: conflicts first (cost, in file order), before vendor-only or corroborated ones
    assert picked == ["cl-cost-fenwick", "cl-cost-company", "cl-cost-insiders"]
    # high figures: two in conflict, one corroborated, two vendor-only: the corroborated one is
    # preferred to the vendor-only capacity figures, and what is kept stays in file order
    kept = chosen(kestrel, claims={"limit": 3, "kinds": ["figure"]})
    assert kept == ["cl-funding-courier", "cl-cost-company", "cl-cost-insiders"]


def test_disputed_is_still_accepted_and_means_conflict(kestrel):
    selection = Selection.model_validate({"claims": {"statuses": ["disputed"]}})
    assert selection.claims.statuses == ["conflict"]
    assert set(chosen(kestrel, claims={"statuses": ["disputed"]})) == {
        "cl-cost-fenwick", "cl-cost-company", "cl-cost-insiders", "cl-share-fenwick", "cl-share-company"}
