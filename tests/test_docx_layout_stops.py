"""No LibreOffice outlives the build that started it for the Word contents' page numbers:
not when the layout takes too long, nor when the build is stopped by SIGTERM, Ctrl-C
(SIGINT) or SIGKILL while LibreOffice lays the document out. Each build here gets its own
temporary folder (TMPDIR), which LibreOffice's private profile is made in, so the
processes of that build are the ones whose command line names it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.writers.docx import layout
from conftest import ROOT, SEEDS, ctrl_c_reaches_it

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads processes from /proc")


def processes_naming(text: str) -> list[str]:
    """The command lines of the running processes that name `text` (zombies aside)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        if text in cmdline and entry.name != str(os.getpid()):
            found.append(f"{entry.name}: {cmdline}")
    return found


def laying_out(tmp: Path) -> bool:
    """Whether a LibreOffice whose profile is in `tmp` runs, and the layout script beside it."""
    running = processes_naming(str(tmp))
    return any("soffice.bin" in p for p in running) and any(layout.SCRIPT.name in p for p in running)


def wait_for(check, seconds: float, every: float = 0.2):
    end = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > end:
            return value
        time.sleep(every)


def gone(text: str, seconds: float = 5) -> list[str]:
    """The processes naming `text` still running after up to `seconds` (empty: all gone)."""
    return wait_for(lambda: not processes_naming(text), seconds) and [] or processes_naming(text)


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """A temporary folder for this test's LibreOffice profiles, and no shared LibreOffice."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.delenv("BRIEFGEN_SOFFICE_PIPE", raising=False)
    return tmp


def test_a_layout_that_takes_too_long_is_stopped_with_its_libreoffice(tmp_path, own_tmp):
    """A script that starts LibreOffice, then hangs (as a LibreOffice that never answers):
    the time-out kills both."""
    python = layout.uno_python()
    assert python, "LibreOffice's Python bridge is not installed; scripts/test installs python3-uno"
    ready = tmp_path / "ready"
    hung = tmp_path / "hung.py"
    hung.write_text(f"""import sys, time
sys.path.insert(0, {str(layout.SCRIPT.parent)!r})
from pathlib import Path
import uno_layout
uno_layout.start("soffice", Path({str(own_tmp / 'profile')!r}), "briefgen-hung-{os.getpid()}")
uno_layout.connect("briefgen-hung-{os.getpid()}", timeout=120)
Path({str(ready)!r}).write_text("listening")
time.sleep(600)
""")
    started = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        layout.run([python, str(hung)], timeout=40)
    assert ready.exists(), "LibreOffice did not start within the time-out; nothing was tested"
    assert time.monotonic() - started < 60
    assert gone(str(own_tmp), seconds=5) == []


def start_build(out: Path, tmp: Path, formats: tuple[str, ...]) -> subprocess.Popen:
    env = {**os.environ, "BRIEFGEN_TOC_PAGES": "on", "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}
    env.pop("BRIEFGEN_DEBUG", None)
    args = [sys.executable, "-m", "briefgen", "build", str(SEEDS), "--out", str(out), "--format", ",".join(formats)]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_reaches_it)


@pytest.mark.parametrize("signum, formats", [
    (signal.SIGTERM, ("docx",)),
    (signal.SIGINT, ("docx",)),
    (signal.SIGKILL, ("docx",)),
    (signal.SIGTERM, ("docx", "pdf")),   # the Word file written by a worker process meanwhile
], ids=["SIGTERM", "SIGINT", "SIGKILL", "SIGTERM-two-formats"])
def test_a_build_stopped_mid_layout_leaves_no_libreoffice(tmp_path, own_tmp, signum, formats):
    build = start_build(tmp_path / "out", own_tmp, formats)
    try:
        # LibreOffice running and the layout script still waiting for it: the build is then inside the layout
        office = wait_for(lambda: laying_out(own_tmp) or build.poll() is not None, 120)
        assert office and build.poll() is None, f"the build never started LibreOffice: {build.stderr.read()}"
        build.send_signal(signum)   # LibreOffice is starting: laying the document out takes it seconds more
        build.wait(timeout=60)
        assert build.returncode != 0
        assert gone(str(own_tmp)) == []   # within seconds, not when the layout would have ended
        assert gone(str(tmp_path / "out")) == []   # nor the layout script
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        for line in processes_naming(str(own_tmp)):   # so a failure here leaves nothing running
            os.kill(int(line.split(":")[0]), signal.SIGKILL)


def test_a_layout_that_times_out_says_so_and_how_to_wait_longer_or_do_without(tmp_path, own_tmp):
    """LibreOffice is installed and answers, but not within the time allowed (here 2 s: it
    takes longer than that to start): the warning says that, not that it is missing."""
    env = {**os.environ, "BRIEFGEN_TOC_PAGES": "on", "BRIEFGEN_TOC_TIMEOUT": "2", "TMPDIR": str(own_tmp),
           "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "briefgen", "build", str(SEEDS), "--audience", "full", "--format", "docx",
                        "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - started < 60
    warning = next(line for line in r.stderr.splitlines() if "page numbers" in line)
    assert warning.startswith("warning: the contents has no page numbers: LibreOffice had not laid the document "
                              "out after 2 s and was stopped"), warning
    assert "BRIEFGEN_TOC_TIMEOUT" in warning and "--no-toc-pages" in warning
    assert "install" not in warning and "python3-uno" not in warning
    assert gone(str(own_tmp)) == []
