"""Compiled templates kept between commands (briefgen.template_cache): the briefing is
the one a build without the cache writes, an edited template is compiled anew, and a
damaged, unsafe or missing cache only costs the compiling."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import run_cli

ARGS = ("--format", "pdf", "--date", "2026-01-01")


def _build(project, out, cache) -> bytes:
    r = run_cli("build", str(project), "--out", str(out), *ARGS, env={"BRIEFGEN_CACHE_DIR": str(cache)})
    assert r.code == 0, r.err
    return next(out.glob("*.pdf")).read_bytes()


def _entries(cache):
    return sorted(p for p in cache.glob("templates-*/*.cache"))


def test_the_cached_path_gives_the_plain_paths_briefing(mini, tmp_path):
    xdg = tmp_path / "xdg"
    r = run_cli("build", str(mini), "--out", str(tmp_path / "plain"), *ARGS,
                env={"BRIEFGEN_CACHE_DIR": "off", "XDG_CACHE_HOME": str(xdg)})
    assert r.code == 0, r.err
    assert not xdg.exists()   # off: nothing kept anywhere
    plain = next((tmp_path / "plain").glob("*.pdf")).read_bytes()
    cache = tmp_path / "cache"
    first = _build(mini, tmp_path / "a", cache)
    entries = _entries(cache)
    assert entries   # the templates were stored ...
    again = _build(mini, tmp_path / "b", cache)
    assert [p.stat().st_mtime_ns for p in _entries(cache)] == [p.stat().st_mtime_ns for p in entries]   # ... and read
    assert plain == first == again


def test_an_edited_template_is_compiled_anew(mini, tmp_path):
    cache = tmp_path / "cache"
    (mini / "templates").mkdir()
    template = mini / "templates" / "full.md.j2"
    template.write_text("# Before the edit\n\nText.\n", encoding="utf-8")
    _build(mini, tmp_path / "a", cache)
    template.write_text("# After the edit\n\nText.\n", encoding="utf-8")
    r = run_cli("build", str(mini), "--out", str(tmp_path / "b"), "--format", "html", "--date", "2026-01-01",
                env={"BRIEFGEN_CACHE_DIR": str(cache)})
    assert r.code == 0, r.err
    html = next((tmp_path / "b").glob("*.html")).read_text(encoding="utf-8")
    assert "After the edit" in html and "Before the edit" not in html


def test_a_damaged_entry_is_compiled_anew(mini, tmp_path):
    cache = tmp_path / "cache"
    plain = _build(mini, tmp_path / "a", cache)
    for entry in _entries(cache):
        entry.write_bytes(b"j2 not what was written")
    assert _build(mini, tmp_path / "b", cache) == plain
    for entry in _entries(cache):
        entry.write_bytes(entry.read_bytes()[:40])   # truncated inside its pickled checksum
    assert _build(mini, tmp_path / "c", cache) == plain


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_cache_others_can_write_to_is_not_used(mini, tmp_path):
    cache = tmp_path / "cache"
    plain = _build(mini, tmp_path / "a", cache)
    folder = next(cache.glob("templates-*"))
    for entry in _entries(cache):
        entry.unlink()
    folder.chmod(folder.stat().st_mode | stat.S_IWOTH)   # anyone could plant code here
    assert _build(mini, tmp_path / "b", cache) == plain
    assert _entries(cache) == []   # neither read nor written


def test_a_cache_folder_that_cannot_be_made_is_no_error(mini, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    plain = _build(mini, tmp_path / "a", "off")
    assert _build(mini, tmp_path / "b", blocker / "cache") == plain


def test_a_sandboxed_build_keeps_nothing(mini, tmp_path):
    cache = tmp_path / "cache"
    r = run_cli("build", str(mini), "--out", str(tmp_path / "o"), *ARGS, "--sandbox",
                env={"BRIEFGEN_CACHE_DIR": str(cache)})
    assert r.code == 0, r.err
    assert _entries(cache) == []


def test_an_older_briefgens_folder_is_removed(mini, tmp_path):
    cache = tmp_path / "cache"
    old = cache / "templates-0123456789abcdef"
    old.mkdir(parents=True)
    (old / "x.cache").write_bytes(b"j2")
    _build(mini, tmp_path / "a", cache)
    assert not old.exists() and _entries(cache)
