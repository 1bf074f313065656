"""Bad input, case by case: each folder in tests/cases/validate overlays the mini project.

A case folder holds replacement data files, files named `+NAME` whose text is appended
to the project's NAME (to add one bad entry to a valid list), a file DELETE listing
files to remove, and expected.txt: the exit code, then the exact stderr. BRIEFGEN_REGEN=1 rewrites
expected.txt from the current output (review the diff before committing); a missing one fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import TESTS, expected_text, run_cli

CASES = sorted(p for p in (TESTS / "cases" / "validate").iterdir() if p.is_dir())


def overlay(case: Path, project: Path) -> None:
    for f in case.iterdir():
        if f.name == "expected.txt":
            continue
        if f.name.startswith("+"):
            target = project / f.name[1:]
            target.write_text(target.read_text(encoding="utf-8") + f.read_text(encoding="utf-8"), encoding="utf-8")
            continue
        if f.name == "DELETE":
            for name in f.read_text().split():
                (project / name).unlink()
            continue
        shutil.copy(f, project / f.name)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_reported_exactly(case: Path, mini: Path) -> None:
    overlay(case, mini)
    result = run_cli("validate", "mini", cwd=mini.parent)
    actual = f"exit {result.code}\n{result.err}"
    expected = expected_text(case / "expected.txt", actual)
    assert "Traceback" not in result.err
    assert result.code != 0
    assert result.out == ""
    assert actual == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_build_writes_nothing(case: Path, mini: Path) -> None:
    overlay(case, mini)
    out = mini.parent / "out"
    result = run_cli("build", "mini", "--out", str(out), cwd=mini.parent)
    assert result.code != 0 and "Traceback" not in result.err
    assert not out.exists() or not any(out.iterdir())


def test_very_large_file_is_refused_quickly(mini: Path) -> None:
    claims = mini / "claims.yaml"
    with claims.open("a", encoding="utf-8") as fh:
        row = "  - {id: c%d, statement: s, claimant: c, kind: assertion, subject: s, citations: [{source: wire, quote: q}]}\n"
        fh.write("".join(row % i for i in range(220_000)))
    result = run_cli("validate", "mini", cwd=mini.parent)
    assert result.code == 1 and "Traceback" not in result.err
    size = claims.stat().st_size
    assert result.err == (f"error: mini/claims.yaml: file is too large ({size:,} bytes; the limit is 20,971,520) "
                          "(split the data or check this is the right file)\n")


def test_a_case_without_expected_output_fails(monkeypatch):
    import conftest

    monkeypatch.setattr(conftest, "REGEN", False)
    with pytest.raises(pytest.fail.Exception, match="is missing: run with BRIEFGEN_REGEN=1"):
        expected_text(TESTS / "cases" / "validate" / "no-such-case" / "expected.txt", "exit 1\n")
