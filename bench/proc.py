"""Run one command and measure it: wall time and the peak memory of its whole process tree.

The command runs in a session of its own. A thread samples the memory of every process in
that session every 50 ms and adds it up (pandoc runs xelatex three times, briefgen
writes one format in a second process); the peak reported is the larger of that sum and
the kernel's own maximum for the largest single process, which catches a spike shorter
than a sample. The same thread stops the whole tree when it passes a
memory cap (so a peer that wants 18 GB cannot take a shared machine down) or a time
limit, and the result says which.

Each process counts its proportional set size (``Pss`` in ``/proc/PID/smaps_rollup``):
a page shared by n processes counts 1/n in each, so the pages a forked child still shares
with its parent (briefgen's writer process) count once, not twice as resident sets would
count them. Where that file cannot be read, the resident set is counted instead.
`largest_mb` is the kernel's maximum resident set of the largest single process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_S = 0.05
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Result:
    wall: float  # seconds
    peak_mb: float  # the whole tree's, added up
    largest_mb: float = 0.0  # the largest single process's (the kernel's own count)
    status: str = "ok"  # ok, time, memory, failed
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def run(cmd: list[str], *, cwd: Path | None = None, time_limit: float = 600, mem_cap_mb: float = 8192) -> Result:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    watch = _Watch(proc.pid, start, time_limit, mem_cap_mb)
    thread = threading.Thread(target=watch.loop, daemon=True)
    thread.start()
    err = proc.stderr.read()  # until the tree closes it; the watch thread kills on limits
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    watch.done = True
    thread.join()
    peak, largest = max(watch.peak_kb, usage.ru_maxrss) / 1024, usage.ru_maxrss / 1024
    if watch.stopped:
        _kill(proc.pid)
        return Result(wall, peak, largest, watch.stopped)
    if os.waitstatus_to_exitcode(status) != 0:
        return Result(wall, peak, largest, "failed", err.decode(errors="replace").strip()[-2000:])
    return Result(wall, peak, largest)


class _Watch:
    def __init__(self, pid: int, start: float, time_limit: float, mem_cap_mb: float):
        self.pid, self.start, self.time_limit, self.cap_kb = pid, start, time_limit, mem_cap_mb * 1024
        self.peak_kb = 0.0
        self.stopped = ""
        self.done = False

    def loop(self) -> None:
        while not self.done:
            rss = tree_rss_kb(self.pid)
            self.peak_kb = max(self.peak_kb, rss)
            if rss > self.cap_kb:
                self.stopped = "memory"
            elif time.perf_counter() - self.start > self.time_limit:
                self.stopped = "time"
            if self.stopped:
                _kill(self.pid)
                return
            time.sleep(SAMPLE_S)


def _kill(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def tree_rss_kb(sid: int) -> float:
    """Memory of every process in session `sid` (the command and all it started), in kB:
    each one's proportional set size, or its resident set where that cannot be read."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # fields after the name: state ppid pgrp session ...
            total += _pss_kb(entry.name) or int(fields[21]) * PAGE_KB
    return total


def _pss_kb(pid: str) -> int:
    """Process `pid`'s proportional set size in kB (0 if it cannot be read)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0
