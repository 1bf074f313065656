"""`build --all` as a script or CI job sees it: no terminal, so no progress bar."""

from __future__ import annotations

from conftest import TESTS, run_cli


def test_building_every_audience_without_a_terminal_prints_only_what_was_written(tmp_path):
    r = run_cli("build", str(TESTS / "data" / "kestrel"), "--all", "--format", "html", "--out", str(tmp_path))
    assert r.code == 0 and r.err == ""
    lines = r.out.splitlines()
    assert lines[-1] == "4 of 4 audiences built"
    assert all(line.startswith("wrote ") for line in lines[:-1]) and len(lines) == 5
