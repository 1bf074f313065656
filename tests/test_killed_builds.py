"""A build killed while it writes (SIGTERM, SIGKILL) leaves no hidden temporary file that
the next build keeps: SIGTERM removes them at once, the next build removes what SIGKILL
left. Real builds through the command line, killed as `kill PID` would."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen import atomic
from conftest import ROOT

HIDDEN = re.compile(r"\..*\.tmp#?")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project whose build writes long enough to be caught writing (a few seconds)."""
    path = tmp_path_factory.mktemp("killed") / "n"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "400", str(path)],
                   check=True, capture_output=True)
    return path


def start(project: Path, out: Path, tmp: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "BRIEFGEN_TOC_PAGES": "off", "TMPDIR": str(tmp)}  # no LibreOffice: nothing else to stop
    env.pop("BRIEFGEN_DEBUG", None)  # debugging writes the formats one after the other
    return subprocess.Popen([sys.executable, "-m", "briefgen", "build", str(project), "--out", str(out), *extra],
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def hidden(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out) if HIDDEN.fullmatch(n)) if out.exists() else []


def wait_for_writing(proc: subprocess.Popen, out: Path, pid: int | None) -> list[str]:
    """Wait until the build has a temporary file in `out` (made by `pid`, if given)."""
    end = time.monotonic() + 240
    while time.monotonic() < end:
        found = [n for n in hidden(out) if pid is None or f"-{pid}." in n]
        if found:
            return found
        assert proc.poll() is None, f"the build ended before it was caught writing: {proc.communicate()}"
        time.sleep(0.01)
    proc.kill()
    pytest.fail("no temporary file appeared in 240 s")


def session_ended(sid: int, timeout: float = 60) -> None:
    """Wait until no process of the build's session (its workers included) is left."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                alive.append(stat.parent.name)
        if not alive:
            return
        time.sleep(0.05)
    pytest.fail(f"processes of the killed build still running after {timeout:g} s: {alive}")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the build's processes in /proc")
@pytest.mark.parametrize("sandbox", [False, True], ids=["plain", "sandbox"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["TERM", "KILL"])
def test_a_killed_build_leaves_nothing_behind_after_the_next_build(project, tmp_path, sig, sandbox):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    extra = ["--sandbox", "--time-limit", "600"] if sandbox else []
    proc = start(project, out, tmp, *extra)
    # Unsandboxed, wait for the file the killed process itself writes (its worker writes
    # the other format); sandboxed, the writing is done by a child, which holds both.
    wait_for_writing(proc, out, None if sandbox else proc.pid)
    os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=120)
    session_ended(proc.pid)
    left = hidden(out)

    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert err == "error: stopped by SIGTERM before it finished; no temporary file was left\n"
        assert left == [] and os.listdir(out) == []
        assert os.listdir(tmp) == []
    elif sandbox:  # the parent was killed; the kernel told the child, which cleaned up
        assert proc.returncode == -signal.SIGKILL and left == [] and os.listdir(out) == []
        assert [n.startswith("briefgen-sandbox-") for n in os.listdir(tmp)] == [True]
    else:  # the killed process's own file is left (its worker's too, if it had finished and handed it over)
        assert proc.returncode == -signal.SIGKILL
        assert any(f"-{proc.pid}." in n for n in left), f"the test did not kill the build while it wrote: {left}"

    again = start(project, out, tmp, *extra)
    out_text, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert hidden(out) == []
    assert sorted(os.listdir(out)) == ["synthetic-briefing-n-400-full.docx", "synthetic-briefing-n-400-full.pdf"]
    assert os.listdir(tmp) == []


def test_the_sweep_removes_only_files_of_processes_that_are_gone(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    me, host = os.getpid(), atomic.owner_tag().split("-")[0]
    names = {
        f".b.pdf.{host}-{gone.pid}.abc_12x9.tmp": False,           # killed build: removed
        f".~lock..b.docx.{host}-{gone.pid}.k2j4hh1q.tmp#": False,  # LibreOffice's lock beside it: removed
        f".b.pdf.{host}-{me}.abcdefgh.tmp": True,                 # a build still running: kept
        f".b.pdf.{host}-1.abcdefgh.tmp": True,                     # a running process (init): kept
        f".b.pdf.000000-{gone.pid}.abcdefgh.tmp": True,           # another machine's: kept
        f".b.pdf.{gone.pid}.abcdefgh.tmp": True,                   # not a name briefgen makes: kept
        f"b.pdf.{host}-{gone.pid}.abcdefgh.tmp": True,            # not hidden: kept
        "briefing.pdf": True,
    }
    for name in names:
        (tmp_path / name).write_text("x")
    (tmp_path / f".d.pdf.{host}-{gone.pid}.abcdefgh.tmp").mkdir()  # a folder: kept
    removed = atomic.sweep(tmp_path)
    assert sorted(p.name for p in removed) == sorted(n for n, kept in names.items() if not kept)
    assert sorted(os.listdir(tmp_path)) == sorted([n for n, kept in names.items() if kept]
                                                  + [f".d.pdf.{host}-{gone.pid}.abcdefgh.tmp"])


def test_scratch_folders_of_processes_that_are_gone_are_removed_by_the_next_build(tmp_path, monkeypatch):
    # LibreOffice's profile, a git revision unpacked for diff, a zipped install's files, a sandbox
    import tempfile

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    me, host = os.getpid(), atomic.owner_tag().split("-")[0]
    names = {f"briefgen-{kind}-{host}-{gone.pid}-k2j4hh1q": False for kind in ("lo", "diff", "zip", "sandbox")}
    names |= {f"briefgen-lo-{host}-{me}-abcdefgh": True, f"briefgen-lo-000000-{gone.pid}-abcdefgh": True,
              f"briefgen-{gone.pid}-abcdefgh": True, "other": True}
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "inside").write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    atomic.prepare_dir(tmp_path / "out")
    assert sorted(os.listdir(tmp_path)) == sorted([n for n, kept in names.items() if kept] + ["out"])
    with atomic.scratch("diff") as made:
        assert made.parent == tmp_path and made.name.startswith(f"briefgen-diff-{atomic.owner_tag()}-")
    assert not made.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the build's processes in /proc")
def test_every_audience_stops_with_a_build_all_told_to_stop(project, tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    proc = start(project, out, tmp, "--all", "--format", "pdf")
    wait_for_writing(proc, out, None)  # an audience's worker is writing
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    session_ended(proc.pid)
    assert proc.returncode == 128 + signal.SIGTERM
    assert err.strip() == "error: stopped by SIGTERM before it finished; no temporary file was left"  # no traceback
    assert hidden(out) == [] and os.listdir(tmp) == []


SWALLOWS = """
import sys
import time
from pathlib import Path
from briefgen import atomic, stopping

stopping.raise_on_term(1.0)

def write(path):
    path.write_text("partial")
    for i in range(30):
        try:
            if i == 0:
                print("writing", flush=True)  # inside the try: the signal may come as this returns
            time.sleep(1)  # where the signal comes: the loop is almost all sleep
        except:  # as reportlab does in places: swallows the stop signal too
            pass

atomic.stage(Path(sys.argv[1]) / "b.pdf", write, "pdf")
"""


def test_a_stop_signal_a_library_swallows_still_ends_the_process_and_removes_its_files(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SWALLOWS, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    assert len(hidden(tmp_path)) == 1
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM
    assert time.monotonic() - started < 10  # the deadline, not the 30 s the loop would take
    assert os.listdir(tmp_path) == []
