"""The language of judgments: likelihood words checked against the scale, as `validate` warnings.

The sentences and their warnings are data (tests/cases/likelihood.yaml); the CLI tests
check file and line, that warnings never fail validate, the profile switch and a
project's own scale.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from briefgen.likelihood import PACKAGED, load_scale, read
from conftest import SEEDS, TESTS, run_cli

KESTREL = TESTS / "data" / "kestrel"

CASES = yaml.safe_load((TESTS / "cases" / "likelihood.yaml").read_text(encoding="utf-8"))
SCALE = load_scale(Path("/nonexistent-project"))  # no project file: the packaged scale

JUDGMENTS = """\
# Judgments written the way the check warns about.
bottom_line:
  statement: >-
    The company is investing heavily. Growth
    could slow, and a merger is likely (30%) to
    follow.
  short: "It is highly likely that it
    grows."
  basis: [ev-plan, cl-growth-26, cl-growth-11]
judgments:
  - id: kj-invest
    statement: Investment will keep rising. A cut is very unlikely but a pause is likely.
    confidence: moderate
    basis: [ev-plan, ev-target]
  - id: kj-hedge
    statement: |-
      The partner deal
      may widen the launch.
    confidence: low
    basis: [ev-deal]
"""
WARNINGS = [
    "warning: 4 warnings",
    "  mini/judgments.yaml:5: bottom_line.statement: 'likely' means 55-80% on the ICD 203 scale, but the sentence "
    "gives 30% (30% is 'unlikely' (20-45%); use that term or correct the figure)",
    "  mini/judgments.yaml:7: bottom_line.short: 'highly likely' is not on the ICD 203 likelihood scale "
    "(use 'very likely' (80-95%))",
    "  mini/judgments.yaml:12: judgments[0].statement: one sentence mixes two likelihood bands: 'very unlikely' "
    "(5-20%) and 'likely' (55-80%) (give each judgment its own sentence, or keep to one band)",
    "  mini/judgments.yaml:18: judgments[1].statement: 'may' hedges without saying how likely (say how likely with "
    "one of: almost no chance, very unlikely, unlikely, roughly even chance, likely, very likely, almost certain; "
    "or state it plainly)",
]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_sentence(case):
    assert [f.message for f in read(case["text"], SCALE)] == case["warnings"]


def test_the_packaged_scale_is_icd_203():
    assert SCALE.name == "ICD 203"
    assert [(b.term, tuple(b.probability)) for b in SCALE.bands] == [
        ("almost no chance", (1, 5)), ("very unlikely", (5, 20)), ("unlikely", (20, 45)),
        ("roughly even chance", (45, 55)), ("likely", (55, 80)), ("very likely", (80, 95)),
        ("almost certain", (95, 99))]
    assert PACKAGED.parent.name == "data" and PACKAGED.parent.parent.name == "briefgen"


def test_validate_warns_with_file_and_line_and_still_passes(mini: Path):
    (mini / "judgments.yaml").write_text(JUDGMENTS, encoding="utf-8")
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 0
    assert r.out == "mini: OK: 3 sources, 5 events, 5 claims, 2 judgments, 13 citations\n"
    assert r.err.splitlines() == WARNINGS


def test_a_profile_turns_the_check_off(mini: Path):
    (mini / "judgments.yaml").write_text(JUDGMENTS, encoding="utf-8")
    (mini / "templates").mkdir()
    (mini / "templates" / "full.yaml").write_text("# the analysts' own audience\nchecks:\n  likelihood: false\n")
    quiet = run_cli("validate", "mini", cwd=mini.parent)  # the project's audience is full
    assert quiet.code == 0 and quiet.err == ""
    other = run_cli("validate", "mini", "--audience", "executive", cwd=mini.parent)
    assert other.code == 0 and other.err.splitlines() == WARNINGS
    unknown = run_cli("validate", "mini", "--audience", "nobody", cwd=mini.parent)
    assert unknown.code == 2 and "no template for audience 'nobody'" in unknown.err


def test_a_project_scale_replaces_the_packaged_one(mini: Path):
    (mini / "judgments.yaml").write_text(JUDGMENTS, encoding="utf-8")
    (mini / "likelihood.yaml").write_text(
        "name: house yardstick\n"
        "bands:\n"
        "  - {term: unlikely, probability: [0, 40]}\n"
        "  - {term: likely, probability: [25, 100], synonyms: [highly likely]}\n"
        "hedges: [may]\n")
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 0
    assert r.err.splitlines() == [
        "warning: 2 warnings",
        "  mini/judgments.yaml:12: judgments[0].statement: one sentence mixes two likelihood bands: 'unlikely' "
        "(0-40%) and 'likely' (25-100%) (give each judgment its own sentence, or keep to one band)",
        "  mini/judgments.yaml:18: judgments[1].statement: 'may' hedges without saying how likely (say how likely "
        "with one of: unlikely, likely; or state it plainly)",
    ]


def test_a_broken_project_scale_is_a_located_error(mini: Path):
    (mini / "likelihood.yaml").write_text("name: house\nbands:\n  - {term: likely, probability: [80, 20]}\n"
                                          "  - {term: unlikely, probability: [0, 20]}\noutside: {iffy: [maybe]}\n")
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 1 and "Traceback" not in r.err and r.out == ""
    assert r.err.startswith("error: mini/likelihood.yaml:1: ")
    assert "'maybe' is not the term of a band" in r.err


@pytest.mark.parametrize("project", ["seeds", "kestrel", "starter"])
def test_the_projects_and_the_starter_read_cleanly(project, tmp_path):
    if project == "starter":
        assert run_cli("init", "starter", cwd=tmp_path).code == 0
    else:
        shutil.copytree(SEEDS if project == "seeds" else KESTREL, tmp_path / project)
    r = run_cli("validate", project, cwd=tmp_path)
    assert r.code == 0 and "judgments.yaml" not in r.err  # (other checks may warn about the claims)


def test_the_second_projects_terms_are_the_scales(tmp_path):
    """kestrel's judgments grade likelihood in ICD 203's words; one word off the scale is found."""
    for judgment in yaml.safe_load((KESTREL / "judgments.yaml").read_text(encoding="utf-8"))["judgments"]:
        assert read(judgment["statement"], SCALE) == []
    shutil.copytree(KESTREL, tmp_path / "kestrel")
    path = tmp_path / "kestrel" / "judgments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Demand for the first output is very likely secured",
                                                             "Demand for the first output is highly likely secured"))
    r = run_cli("validate", "kestrel", cwd=tmp_path)
    assert r.code == 0
    assert [line for line in r.err.splitlines() if "judgments.yaml" in line] == [
        "  kestrel/judgments.yaml:25: judgments[2].statement: 'highly likely' is not on the "
        "ICD 203 likelihood scale (use 'very likely' (80-95%))"]  # beside the claims that cannot be dated
