"""A sandboxed build's child process: bounded, and nothing it started outlives it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen import confine
from briefgen.errors import BriefgenError
from briefgen.render import Limits
from conftest import MINI


@dataclass(frozen=True)
class Request:
    project_dir: Path
    audience: str | None = "full"
    limits: Limits = Limits(seconds=2, sandbox=True, memory_mb=512)


def _starts_a_session_then_hangs(req: Request, warn) -> None:
    """What LibreOffice does for the Word writer: a process in a session of its own."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
    (Path(req.project_dir) / "pid").write_text(str(proc.pid))
    (Path(req.project_dir) / "scratch").write_text(os.environ["TMPDIR"])
    while True:
        time.sleep(0.1)


def test_a_build_out_of_time_stops_what_it_started_and_its_temporary_folder(tmp_path):
    with pytest.raises(BriefgenError, match="the sandboxed build took longer than 2 s and was stopped") as err:
        confine.run(_starts_a_session_then_hangs, Request(tmp_path))
    assert err.value.kind == "template" and err.value.problems[0].file.endswith("templates/full.md.j2")
    scratch = Path((tmp_path / "scratch").read_text())
    assert not scratch.exists()
    time.sleep(0.2)
    assert not _runs_sleep((tmp_path / "pid").read_text()), "a process outlived the build"


def _runs_sleep(pid: str) -> bool:
    try:
        return b"time.sleep(120)" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False  # gone


def _warns_and_returns(req: Request, warn) -> list[str]:
    warn("first")
    warn("second")
    return ["done"]


def test_warnings_from_the_child_reach_the_caller(tmp_path):
    seen: list[str] = []
    assert confine.run(_warns_and_returns, Request(tmp_path), seen.append) == ["done"]
    assert seen == ["first", "second"]


def _allocates(req: Request, warn) -> None:
    blocks = []
    while True:
        blocks.append(bytearray(50 * 1024 * 1024))


def test_memory_past_the_limit_is_a_template_error(tmp_path):
    with pytest.raises(BriefgenError, match="needed more than 512 MB of memory"):
        confine.run(_allocates, Request(MINI))


def _raises(req: Request, warn) -> None:
    raise KeyError("a bug")


def test_a_bug_in_the_child_is_raised_here_with_its_traceback(tmp_path):
    with pytest.raises(KeyError) as err:
        confine.run(_raises, Request(tmp_path))
    assert isinstance(err.value.__cause__, confine.RemoteTraceback) and "_raises" in str(err.value.__cause__)
