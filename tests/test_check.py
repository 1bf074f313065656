"""Quote checking against full texts: found, normalised, missing, wrong locator, unchecked."""

from __future__ import annotations

import re
import shutil

import pytest

from briefgen.check import check_quotes, normalise
from briefgen.load import load_project
from conftest import ROOT, SEEDS, TESTS, run_cli

QUOTES = TESTS / "data" / "quotes"
KESTREL = TESTS / "data" / "kestrel"
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
        "  gamma: no file in tests/data/quotes/texts starting with 'gamma'; it has no fulltext in sources.yaml",
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


# --- check --fix ---------------------------------------------------------------------

EXTRA_CLAIMS = """\
  - id: cl-twice
    statement: Said twice.
    claimant: the article
    kind: assertion
    subject: twice
    citations:
      - {source: alpha, quote: "investors cheered"}
      - {source: beta, quote: "The firm's chief executive said"}
"""


@pytest.fixture
def quotes(tmp_path):
    """The quotes project with a comment, an end-of-line comment, flow-style citations and a
    quote that is in two paragraphs of its text."""
    dest = tmp_path / "quotes"
    shutil.copytree(QUOTES, dest)
    claims = dest / "claims.yaml"
    text = claims.read_text(encoding="utf-8").replace("        locator: para. 1\n",
                                                       "        locator: para. 1   # from the print edition\n")
    claims.write_text("# Claims for the quote checks\n" + text + EXTRA_CLAIMS, encoding="utf-8")
    with open(dest / "texts" / "alpha.txt", "a", encoding="utf-8") as fh:
        fh.write("\nLater, investors cheered again.\n")
    return dest


def test_fix_writes_the_locators_it_can_decide_and_lists_the_rest(quotes):
    before = (quotes / "claims.yaml").read_text(encoding="utf-8")
    events = (quotes / "events.yaml").read_bytes()
    r = run_cli("check", "quotes", "--texts", "quotes/texts", "--fix", cwd=quotes.parent)
    assert r.code == 1
    assert r.out.splitlines() == [
        "9 quotes: 3 found (1 after normalising quotes, dashes or spaces), 1 missing, 1 with a wrong locator, "
        "3 without a locator, 1 unchecked",
        "unchecked (no full text): gamma (give --texts DIR or a fulltext path in sources.yaml)",
        "  gamma: no file in quotes/texts starting with 'gamma'; it has no fulltext in sources.yaml",
        "fixed quotes/claims.yaml:42: cl-wrong-locator citation 1: locator para. 1 -> para. 4",
        "fixed quotes/claims.yaml:52: cl-no-locator citation 1: added locator para. 2",
        "fixed quotes/claims.yaml:68: cl-twice citation 2: added locator para. 2",
        "wrote quotes/claims.yaml (3 locators)",
        "2 left for you to decide (listed below)",
    ]
    assert r.err.splitlines() == [
        "error: 2 problems found",
        '  quotes/claims.yaml:30: cl-missing citation 1: quote not found in alpha '
        '(closest in para. 4: "Revenue grew 26% year-on-year in the latest quarter.")',
        "  quotes/claims.yaml:67: cl-twice citation 1: the quote is in paras. 2 and 5; add the locator of the one meant",
    ]
    after = (quotes / "claims.yaml").read_text(encoding="utf-8")
    expected = (before
                .replace("locator: para. 1   # from the print edition", "locator: para. 4   # from the print edition")
                .replace('        quote: "cost RMB 380 billion over three years"\n',
                         '        quote: "cost RMB 380 billion over three years"\n        locator: para. 2\n')
                .replace('quote: "The firm\'s chief executive said"}', 'quote: "The firm\'s chief executive said", locator: para. 2}'))
    assert after == expected  # comments, flow style and quotes as they were; only locators changed
    assert (quotes / "events.yaml").read_bytes() == events
    assert sorted(p.name for p in quotes.iterdir() if p.name.startswith(".")) == []


def test_fix_twice_changes_nothing(quotes):
    run_cli("check", "quotes", "--texts", "quotes/texts", "--fix", cwd=quotes.parent)
    once = (quotes / "claims.yaml").read_bytes()
    again = run_cli("check", "quotes", "--texts", "quotes/texts", "--fix", cwd=quotes.parent)
    assert "no locator to fix" in again.out.splitlines()
    assert not any(line.startswith(("fixed", "wrote")) for line in again.out.splitlines())
    assert (quotes / "claims.yaml").read_bytes() == once


def test_fix_with_nothing_left_to_decide_exits_zero(tmp_path):
    dest = tmp_path / "quotes"
    shutil.copytree(QUOTES, dest)
    claims = dest / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        "Revenue grew 62% year-on-year in the latest quarter.", "Revenue grew 26% year-on-year in the latest quarter."))
    r = run_cli("check", "quotes", "--texts", "quotes/texts", "--fix", cwd=tmp_path)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "wrote quotes/claims.yaml (2 locators)"
    assert run_cli("check", "quotes", "--texts", "quotes/texts", cwd=tmp_path).code == 0
    strict = run_cli("check", "quotes", "--texts", "quotes/texts", "--fix", "--require-text", cwd=tmp_path)
    assert strict.code == 1 and "no full text for source 'gamma'" in strict.err


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside this clone")
def test_fix_restores_the_seeds_locators_byte_for_byte(tmp_path):
    """Every locator of the seeds removed (block and flow style) or made wrong is put back
    exactly as the analyst wrote it."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    claims, events = dest / "claims.yaml", dest / "events.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(re.sub(r", locator: para\. \d+", "", re.sub(r"locator: para\. (\d+)\n", r"locator: para. 9\1\n", text)))
    events.write_text(re.sub(r"\n\s+locator: para\. \d+|, locator: para\. \d+", "", events.read_text(encoding="utf-8")))
    r = run_cli("check", "seeds", "--texts", str(SHARED_SEEDS), "--fix", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "wrote seeds/events.yaml (87 locators)" in r.out.splitlines()
    assert claims.read_bytes() == (SEEDS / "claims.yaml").read_bytes()
    assert events.read_bytes() == (SEEDS / "events.yaml").read_bytes()


def test_fix_restores_the_second_projects_locators_byte_for_byte(tmp_path):
    """The battery-plant project keeps its texts beside it, so this runs everywhere."""
    dest = tmp_path / "kestrel"
    shutil.copytree(KESTREL, dest)
    for name in ("claims.yaml", "events.yaml"):
        path = dest / name
        path.write_text(re.sub(r"\n\s+locator: para\. \d+|, locator: para\. \d+", "", path.read_text(encoding="utf-8")))
    assert "locator" not in (dest / "claims.yaml").read_text(encoding="utf-8")
    r = run_cli("check", "kestrel", "--fix", cwd=tmp_path)
    assert r.code == 0, r.err
    for name in ("claims.yaml", "events.yaml"):
        assert (dest / name).read_bytes() == (KESTREL / name).read_bytes()

def test_a_text_that_is_not_there_is_explained_with_where_it_was_looked_for(tmp_path):
    # A clone with no shared/seeds beside it: the seeds' fulltext paths lead nowhere.
    import shutil

    shutil.copytree(SEEDS, tmp_path / "clone" / "seeds")
    r = run_cli("check", "seeds", cwd=tmp_path / "clone")
    assert r.code == 0 and r.err == ""
    first = (tmp_path / "shared" / "seeds" / "000_f4f9bf736c01b3d0.txt")
    assert ("  src-000: its fulltext '../../shared/seeds/000_f4f9bf736c01b3d0.txt' (seeds/sources.yaml:12) "
            f"is not there: no file {first}") in r.out.splitlines()
    missing = run_cli("check", "seeds", "--texts", "../shared/seeds", cwd=tmp_path / "clone")
    assert missing.code == 2
    assert missing.err.startswith("error: ../shared/seeds: --texts: not a folder (give the folder that holds")
