"""Hostile templates, case by case: each folder in tests/cases/templates holds hostile.md.j2,
optional extra build arguments (args) and expected.txt (exit code, then exact stderr).
BRIEFGEN_REGEN=1 rewrites expected.txt from the current output; a missing one fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import TESTS, expected_text, run_cli

CASES = sorted(p for p in (TESTS / "cases" / "templates").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_template_is_stopped_with_a_clear_message(case: Path, mini: Path) -> None:
    (mini / "templates").mkdir()
    (mini / "templates" / "hostile.md.j2").write_text((case / "hostile.md.j2").read_text())
    args = (case / "args").read_text().split() if (case / "args").exists() else []
    out = mini.parent / "out"
    result = run_cli("build", "mini", "--audience", "hostile", "--format", "docx,pdf", "--out", "out", *args,
                     cwd=mini.parent)
    actual = f"exit {result.code}\n{result.err}"
    expected = expected_text(case / "expected.txt", actual)
    assert result.code in (2, 3) and "Traceback" not in result.err
    assert not out.exists() or not any(out.iterdir())
    assert actual == expected
