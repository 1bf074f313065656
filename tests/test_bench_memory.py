"""The benchmark's memory figure: a process tree's memory, each page once."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import proc  # noqa: E402

# 200 MB written, then a fork that keeps them shared while both processes live
FORKS_WITH_200MB = ("import os, time\n"
                    "b = bytearray(200 * 2**20)\n"
                    "for i in range(0, len(b), 4096): b[i] = 1\n"
                    "pid = os.fork()\n"
                    "time.sleep(0.6)\n"
                    "if pid: os.waitpid(pid, 0)\n")


def test_pages_a_forked_child_shares_with_its_parent_count_once():
    result = proc.run([sys.executable, "-c", FORKS_WITH_200MB])
    assert result.ok, result.message
    # as resident sets added up, the 200 MB would count twice (over 400 MB)
    assert 200 <= result.peak_mb < 300, result
