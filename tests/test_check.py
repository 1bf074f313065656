"""Quote checking against full texts: found, normalised, missing, wrong locator, unchecked."""

from __future__ import annotations

import pytest

from briefgen.check import check_quotes, normalise
from briefgen.load import load_project
from conftest import ROOT, SEEDS, TESTS, run_cli

QUOTES = TESTS / "data" / "quotes"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"


def test_each_outcome():
    results = {r.owner: r for r in check_quotes(load_project(QUOTES), QUOTES / "texts")}
    assert {k: (r.status, r.paragraph) for k, r in results.items()} == {
        "ev-launch": ("found", 3),
        "cl-exact": ("found", 2),
        "cl-normalised": ("found-normalised", 2),
        "cl-missing": ("missing", 4),
        "cl-wrong-locator": ("wrong-locator", 4),
        "cl-no-locator": ("no-locator", 2),
        "cl-unchecked": ("unchecked", None),
    }
    assert results["cl-missing"].closest == "Revenue grew 26% year-on-year in the latest quarter."


def test_normalise_forgives_only_typography():
    assert normalise("“AI” — it’s\u00a0here…") == '"AI" - it\'s here...'
    assert normalise("62%") != normalise("26%")


def test_cli_reports_every_mismatch_with_location():
    r = run_cli("check", "tests/data/quotes", "--texts", "tests/data/quotes/texts", cwd=ROOT)
    assert r.code == 1
    assert r.out.splitlines() == [
        "7 quotes: 3 found (1 after normalising quotes, dashes or spaces), 1 missing, 1 with a wrong locator, "
        "1 without a locator, 1 unchecked",
        "unchecked (no full text): gamma (give --texts DIR or a fulltext path in sources.yaml)",
    ]
    assert r.err.splitlines() == [
        "error: 3 problems found",
        '  tests/data/quotes/claims.yaml:29: cl-missing citation 1: quote not found in alpha '
        '(closest in para. 4: "Revenue grew 26% year-on-year in the latest quarter.")',
        "  tests/data/quotes/claims.yaml:40: cl-wrong-locator citation 1: locator says para. 1; "
        "the quote is in para. 4",
        "  tests/data/quotes/claims.yaml:51: cl-no-locator citation 1: add `locator: para. 2`",
    ]


def test_unchecked_fails_only_when_text_is_required(tmp_path):
    not_project = run_cli("check", "tests/data", cwd=ROOT)
    assert not_project.code == 2
    strict = run_cli("check", "tests/data/quotes", "--require-text", cwd=ROOT)
    assert "gamma" in strict.err and strict.code == 1


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside this clone")
def test_every_seed_quote_is_in_its_article():
    results = check_quotes(load_project(SEEDS), SHARED_SEEDS)
    bad = [(r.owner, r.status, r.note or r.closest) for r in results if not r.ok]
    assert bad == []
    assert len(results) > 100
