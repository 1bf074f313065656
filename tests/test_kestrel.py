"""The second test project (a fictional battery plant) against what its analysis must find.

tests/data/kestrel/EXPECTED.md was written from the six texts before the rules changed;
EXPECTED below transcribes its table, and the first test checks the transcription
against the file, so neither can drift from the other.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pytest

from briefgen import tree as t
from briefgen.analyse import analyse, select
from briefgen.asof import as_of
from briefgen.audiences import load_profile
from briefgen.build import document_for
from briefgen.load import load_project
from conftest import ROOT, TESTS, run_cli

KESTREL = TESTS / "data" / "kestrel"

# subject: (what its versions are to one another, {claim: status})
EXPECTED = {
    "kestrel.plant.capacity": ("variant", {"cl-capacity-council": "vendor-only", "cl-capacity-ledger": "vendor-only"}),
    "kestrel.plant.cells-per-year": ("variant", {"cl-cells-courier": "vendor-only", "cl-cells-ledger": "vendor-only"}),
    "kestrel.plant.line-count": ("variant", {"cl-lines-courier": "vendor-only", "cl-lines-ledger": "vendor-only"}),
    "kestrel.funding.series-c": ("agree", {"cl-funding-courier": "corroborated", "cl-funding-gridwatch": "corroborated"}),
    "kestrel.plant.cost": ("conflict", {"cl-cost-fenwick": "conflict", "cl-cost-company": "conflict",
                                        "cl-cost-insiders": "conflict"}),
    "kestrel.market-share-2030": ("conflict", {"cl-share-fenwick": "conflict", "cl-share-company": "conflict"}),
    "kestrel.output.contracted-share": ("variant", {"cl-contracted-half": "vendor-only",
                                                    "cl-contracted-nearly-half": "vendor-only"}),
    "kestrel.customers.anchor": ("variant", {"cl-customers-courier": "vendor-only", "cl-customers-ledger": "vendor-only"}),
    "kestrel.jobs": ("consistent", {"cl-jobs-council": "single-source", "cl-jobs-union": "single-source"}),
    "kestrel.plant.first-line-start": ("superseded", {"cl-first-line-2026": "superseded",
                                                      "cl-first-line-2027": "vendor-only"}),
    "kestrel.q1-2025.revenue": ("superseded", {"cl-q1-revenue-estimate": "superseded",
                                               "cl-q1-revenue-actual": "vendor-only"}),
    "kestrel.cells.energy-density": (None, {"cl-energy-density": "vendor-only"}),
}
# the word EXPECTED.md's row uses for each finding
WORDS = {"variant": "**variant**", "agree": "**agree**", "conflict": "**conflict**", "superseded": "**superseded**",
         "consistent": "`consistent_with`", None: "**vendor-only**"}


def claims_json(*args: str) -> list[dict]:
    r = run_cli("claims", str(KESTREL), "--json", *args)
    assert r.code == 0, r.err
    return json.loads(r.out)


def subject_kind(rows: list[dict]) -> str | None:
    """The most serious way a subject's versions relate, from the JSON relations."""
    kinds = {rel["kind"] for row in rows for rel in row["relations"]}
    found = next((k for k in ("conflict", "superseded", "consistent", "variant") if k in kinds), None)
    return found or ("agree" if len(rows) > 1 else None)


def test_the_transcription_matches_expected_md():
    rows = [line.split("|") for line in (KESTREL / "EXPECTED.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| kestrel.")]
    table = {cells[1].strip(): cells[3] for cells in rows}
    assert set(table) == set(EXPECTED)
    for subject, (kind, _) in EXPECTED.items():
        assert WORDS[kind] in table[subject], subject
    assert "(to add)" not in (KESTREL / "claims.yaml").read_text(encoding="utf-8")


def test_claims_json_matches_expected_md():
    data = claims_json()
    by_subject: dict[str, list[dict]] = {}
    for row in data:
        by_subject.setdefault(row["subject"], []).append(row)
    assert set(by_subject) == set(EXPECTED)
    for subject, (kind, statuses) in EXPECTED.items():
        rows = by_subject[subject]
        assert {r["id"]: r["status"] for r in rows} == statuses, subject
        assert subject_kind(rows) == kind, subject


def test_what_the_expected_rows_explain():
    rows = {r["id"]: r for r in claims_json()}
    # the wire copies the ledger: one source; Fenwick's 4.5 billion agrees with it
    assert rows["cl-cost-company"]["independent_sources"] == [["fenwick"], ["ledger", "wire"]]
    assert rows["cl-cost-insiders"]["conflicts_with"] == ["cl-cost-fenwick", "cl-cost-company"]
    assert rows["cl-cost-insiders"]["status_explanation"] == (
        "other sources give EUR 4.5 billion (Fenwick note, Ledger, Wire)")
    # 1,200 million = 1.2 billion: each counts the other's source
    assert rows["cl-funding-courier"]["backed_by"] == ["cl-funding-gridwatch"]
    assert rows["cl-funding-courier"]["independent_sources"] == [["courier"], ["gridwatch"]]
    # the actual has two origins (ledger/wire, gridwatch), but only the company says it
    assert rows["cl-q1-revenue-actual"]["independent_sources"] == [["gridwatch"], ["ledger", "wire"]]
    assert rows["cl-q1-revenue-estimate"]["superseded_by"] == ["cl-q1-revenue-actual"]
    assert rows["cl-q1-revenue-estimate"]["status_explanation"] == (
        "later reported as EUR 128 million (Gridwatch, Ledger, Wire)")
    assert rows["cl-first-line-2026"]["status_explanation"] == "later revised to 2027 (Ledger)"
    assert rows["cl-jobs-union"]["relations"] == [{
        "kind": "consistent", "claim": "cl-jobs-council",
        "reason": "the council counts indirect jobs; the union's figure is direct jobs only"}]
    assert [r["value_display"] for r in (rows["cl-cells-courier"], rows["cl-contracted-nearly-half"],
                                         rows["cl-share-company"], rows["cl-jobs-union"])] == [
        "20–25 million cells", "nearly 50%", "about 6%", "up to 1,200 jobs"]


@pytest.mark.parametrize("remove,claim,status", [
    (r"    consistent_with:\n      - claim: cl-jobs-council\n        reason: .*\n", "cl-jobs-union", "conflict"),
    (r"    supersedes: \[cl-first-line-2026\]\n", "cl-first-line-2026", "conflict"),
])
def test_without_the_analyst_link_the_numbers_decide(tmp_path, remove, claim, status):
    proj = tmp_path / "k"
    shutil.copytree(KESTREL, proj)
    text, n = re.subn(remove, "", (proj / "claims.yaml").read_text(encoding="utf-8"))
    assert n == 1
    (proj / "claims.yaml").write_text(text, encoding="utf-8")
    views = {v.claim.id: v for v in analyse(load_project(proj)).claims}
    assert views[claim].status == status


def test_as_of_mid_april_leaves_out_what_was_reported_later():
    rows = {r["id"]: r for r in claims_json("--as-of", "2025-04-15")}
    # gridwatch is undated, but the actual reports the results of 29 April
    assert "cl-q1-revenue-actual" not in rows
    assert rows["cl-q1-revenue-estimate"]["status"] == "single-source"  # not yet superseded
    assert "cl-first-line-2027" not in rows
    assert rows["cl-first-line-2026"]["status"] == "vendor-only" and rows["cl-first-line-2026"]["relations"] == []
    assert "cl-cost-insiders" not in rows  # nothing dates it
    p = as_of(load_project(KESTREL), dt.date(2025, 4, 15))
    assert "ev-first-line-target" not in {e.id for e in p.events}
    assert p.bottom_line is None
    assert not {"ledger", "wire"} & set(p.sources)


def test_validate_lists_what_cannot_be_dated():
    r = run_cli("validate", "tests/data/kestrel", cwd=ROOT)
    assert r.code == 0
    undated = re.findall(r"^(?:warning: |  ).*'([\w-]+)' cannot be dated", r.err, re.M)
    assert undated == ["cl-cost-insiders", "cl-jobs-union"]  # gridwatch is undated; neither reports an event


def test_as_of_before_the_groundbreaking_and_before_the_funding():
    march = as_of(load_project(KESTREL), dt.date(2025, 3, 1))
    assert "courier" not in march.sources and "ev-groundbreaking" not in {e.id for e in march.events}
    assert not [c.id for c in march.claims if c.claimant == "Ingrid Salo"]
    assert {c.id for c in march.claims} >= {"cl-cost-fenwick", "cl-share-fenwick", "cl-q1-revenue-estimate",
                                             "cl-capacity-council", "cl-jobs-council"}
    december = as_of(load_project(KESTREL), dt.date(2024, 12, 1))
    assert [e.id for e in december.events] == ["ev-planning-permission"]
    assert [c.id for c in december.claims] == ["cl-capacity-council", "cl-jobs-council"]


def test_executive_figures_hold_what_the_bottom_line_cites():
    project = load_project(KESTREL)
    everything = analyse(project)
    chosen = select(everything, load_profile(project, "executive").select)
    ids = [v.claim.id for v in chosen.claims]
    assert {"cl-first-line-2027", "cl-q1-revenue-actual", "cl-cost-insiders"} <= set(ids)
    assert len(ids) == 8  # the limit: the bottom line's, then the key judgments', then the most significant
    assert {"cl-cost-company", "cl-share-fenwick", "cl-share-company"} <= set(ids)
    doc = document_for(project, "executive", dt.date(2025, 6, 1))
    text = "\n".join(t.plain_text(b.children) for b in doc.blocks if isinstance(b, t.Para))
    assert ("Where sources disagree: Cost of the Aldmoor plant: EUR 4.5 billion vs EUR 5,200 million; "
            "Share of European cell supply in 2030: under 5% vs about 6%.") in text
    assert ("Revised since first reported: When the first production line starts: by December 2026, later "
            "revised to 2027; Revenue in the first quarter of 2025: estimate EUR 140 million, later reported as "
            "EUR 128 million.") in text


def test_both_formats_read_each_disagreement_the_same(tmp_path):
    import subprocess

    from conftest import tool

    r = run_cli("build", str(KESTREL), "--audience", "full", "--out", str(tmp_path))
    assert r.code == 0, r.err
    pdf = subprocess.run([tool("pdftotext"), str(tmp_path / "kestrel-briefing-full.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    word = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none",
                           str(tmp_path / "kestrel-briefing-full.docx")], capture_output=True, text=True, check=True).stdout
    sentences = [
        "No single value fits every version: EUR 4.5 billion (Fenwick note, Ledger, Wire) vs EUR 5,200 million (Gridwatch).",
        "No single value fits every version: under 5% (Fenwick note) vs about 6% (Ledger).",
        "by December 2026 (Courier), later revised to 2027 (Ledger). Only the later version is current.",
        "estimate EUR 140 million (Fenwick note), later reported as EUR 128 million (Gridwatch, Ledger, Wire).",
        "1,800 jobs (Council decision) and up to 1,200 jobs (Gridwatch) differ, but can both be true: the council "
        "counts indirect jobs; the union's figure is direct jobs only.",
        "Cells a year at full output: 20–25 million cells (Courier); about 24 million cells (Ledger).",
        "Anchor customers: Volta Motors and Brandt (Courier); Brandt, Volta Motors (Ledger).",
    ]
    flat_pdf, flat_word = " ".join(pdf.split()), " ".join(word.split())
    for sentence in sentences:
        assert sentence in flat_pdf, sentence
        assert sentence in re.sub(r"\[\d+\]", "", flat_word), sentence


@pytest.mark.parametrize("audience", ["executive", "investor", "technical", "full"])
def test_no_word_of_the_seed_story_in_a_kestrel_briefing(audience):
    from briefgen.render import render

    words = re.search(r"## Words\n\n.*?\(([^)]*)\)", (KESTREL / "EXPECTED.md").read_text(encoding="utf-8"), re.S)
    seed_words = [w.strip() for w in words.group(1).split(",")]
    assert "Alibaba" in seed_words and len(seed_words) >= 10
    text = render(load_project(KESTREL), audience, dt.date(2025, 6, 1))
    assert "Aldmoor" in text
    assert [w for w in seed_words if re.search(rf"\b{re.escape(w)}\b", text, re.I)] == []
