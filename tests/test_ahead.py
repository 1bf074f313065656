"""The PDF's writer started ahead: a process forked before the data is loaded loads its
libraries and fonts while this one loads, renders and parses, then writes that format.

It must change nothing a user can see: the same bytes as the plain path (the first
format forked once the tree is made), no process or file left when the build fails
before the tree is made, and the format still written when the early process dies.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os

import pytest

from briefgen import build
from briefgen.errors import BriefgenError
from briefgen.parallel import forking_possible

pytestmark = pytest.mark.skipif(not forking_possible(), reason="one core or no fork: nothing is started ahead")


def _build(project, out, **kw):
    req = build.BuildRequest(project, formats=("docx", "pdf"), out_dir=out, build_date=dt.date(2026, 1, 1),
                             options={"docx": {"toc_pages": False}}, **kw)
    return [p.read_bytes() for p in build.build(req)]


def test_started_ahead_gives_the_bytes_of_the_plain_path(mini, tmp_path, monkeypatch):
    started = []
    original = build.Stages.ahead

    def spy(self, *args):
        started.append(original(self, *args))
        return started[-1]

    monkeypatch.setattr(build.Stages, "ahead", spy)
    ahead = _build(mini, tmp_path / "a")
    assert list(started[0]) == [1] and started[0][1].worker is not None   # the PDF, second in the plan
    monkeypatch.setattr(build, "AHEAD_UP_TO", 0)   # the plain path: the .docx forked once the tree is made
    plain = _build(mini, tmp_path / "p")
    assert started[1] == {}
    assert ahead == plain and len(ahead) == 2 and ahead[1].startswith(b"%PDF")


def test_a_failure_before_the_tree_stops_the_early_writer_and_writes_nothing(mini, tmp_path):
    (mini / "templates").mkdir()
    (mini / "templates" / "full.md.j2").write_text("# Title\n\n{{ 1 // 0 }}\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as err:
        _build(mini, tmp_path / "o")
    assert err.value.kind == "template"
    assert multiprocessing.active_children() == []   # the early writer was stopped and reaped
    assert not (tmp_path / "o").exists() or list((tmp_path / "o").iterdir()) == []


def test_when_the_early_writer_dies_its_format_is_written_here(mini, tmp_path, monkeypatch):
    from briefgen.writers import pdf

    parent = os.getpid()
    monkeypatch.setattr(pdf, "prepare", lambda: os._exit(1) if os.getpid() != parent else None)
    died = _build(mini, tmp_path / "d")
    monkeypatch.setattr(build, "AHEAD_UP_TO", 0)
    assert died == _build(mini, tmp_path / "p")


def test_a_failure_while_the_early_writer_prepares_ends_it_at_once_and_quietly(mini, tmp_path, monkeypatch, capfd):
    import time

    from briefgen.writers import pdf

    def slow_imports():   # as if still importing reportlab when the template fails
        importlib_pause = time.monotonic() + 30
        while time.monotonic() < importlib_pause:
            __import__("json")
            time.sleep(0.001)

    monkeypatch.setattr(pdf, "prepare", slow_imports)
    (mini / "templates").mkdir()
    (mini / "templates" / "full.md.j2").write_text("# Title\n\n{{ 1 // 0 }}\n", encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(BriefgenError):
        _build(mini, tmp_path / "o")
    assert time.monotonic() - start < 10   # not the 30 s the preparation would take
    assert multiprocessing.active_children() == []
    assert capfd.readouterr().err == ""    # no "Exception ignored ... Traceback" from the stopped process


def test_a_writer_started_for_a_format_the_project_does_not_build_is_stopped(mini, tmp_path):
    # no --format: the default formats' writers start before the project says it wants a .docx only
    cfg = mini / "briefgen.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "formats: [docx]\n", encoding="utf-8")
    req = build.BuildRequest(mini, out_dir=tmp_path / "o", build_date=dt.date(2026, 1, 1),
                             options={"docx": {"toc_pages": False}})
    written = build.build(req)
    assert [p.suffix for p in written] == [".docx"]
    assert multiprocessing.active_children() == []
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [written[0].name]


def test_a_job_runs_here_when_the_other_cores_are_taken(monkeypatch):
    from briefgen import parallel

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    busy = multiprocessing.get_context("fork").Process(target=__import__("time").sleep, args=(30,), daemon=True)
    busy.start()
    try:
        job = parallel.Job(os.getpid)
        assert job.worker is None and job.result() == os.getpid()   # run here, on this process's core
    finally:
        busy.kill()
        busy.join()
    job = parallel.Job(os.getpid)
    assert job.worker is not None and job.result() != os.getpid()    # a core free again: forked


def test_a_file_a_writer_process_staged_outlives_another_builds_sweep(tmp_path):
    # build --all: another audience's build sweeps the folder after the writer process that
    # staged this file has ended, before this build moves it into place
    import subprocess
    import sys

    from briefgen import atomic, parallel

    target = tmp_path / "briefing.pdf"
    job = parallel.Job(atomic.stage, target, lambda path: path.write_bytes(b"%PDF-"), "the PDF")
    assert job.worker is not None
    tmp = job.result()   # its process has ended
    subprocess.run([sys.executable, "-c", f"from pathlib import Path; from briefgen import atomic; "
                    f"atomic.sweep(Path({str(tmp_path)!r}))"], check=True, timeout=60)
    assert tmp.exists()
    atomic.commit([(tmp, target)])
    assert target.read_bytes() == b"%PDF-"
