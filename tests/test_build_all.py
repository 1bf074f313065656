"""`build --all` as a script or CI job sees it: no terminal, so no progress bar."""

from __future__ import annotations

from conftest import TESTS, run_cli


def test_building_every_audience_without_a_terminal_prints_only_what_was_written(tmp_path):
    r = run_cli("build", str(TESTS / "data" / "kestrel"), "--all", "--format", "html", "--out", str(tmp_path))
    assert r.code == 0 and r.err == ""
    lines = r.out.splitlines()
    assert lines[-1] == "4 of 4 audiences built"
    assert all(line.startswith("wrote ") for line in lines[:-1]) and len(lines) == 5


def test_a_template_whose_name_is_no_audience_is_named_not_skipped_in_silence(tmp_path):
    import shutil

    project = tmp_path / "k"
    shutil.copytree(TESTS / "data" / "kestrel", project)
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "Board Pack.md.j2").write_text('{% extends "full.md.j2" %}\n', encoding="utf-8")
    (project / "templates" / "_partial.md.j2").write_text("partial\n", encoding="utf-8")
    r = run_cli("build", str(project), "--all", "--format", "html", "--out", str(tmp_path / "o"))
    assert r.code == 0 and r.out.splitlines()[-1] == "4 of 4 audiences built"
    assert r.err.count("warning:") == 1 and "_partial" not in r.err
    assert "Board Pack.md.j2: not an audience, so not built" in r.err and "rename it (as board-pack.md.j2)" in r.err
    listed = run_cli("templates", "list", str(project))
    assert listed.code == 0 and "Board Pack.md.j2: not an audience" in listed.err
