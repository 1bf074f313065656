"""Run one piece of independent work in a forked process while this one does the rest.

Used where a build has two independent jobs of real size: parsing the data files, and
writing the formats. The child gets everything already in memory (fork), so nothing
is sent to it; only its result comes back. Where forking is not possible or not
wanted (no ``fork``, one core, a daemonic process, ``BRIEFGEN_DEBUG`` set so that
tracebacks stay whole), the work runs here instead, with the same result.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from typing import Any, Callable


class Job:
    """`fn(*args)`, started in a forked process if possible; :meth:`result` collects it."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args = fn, args
        self.worker = self.receive = None
        if forking_possible():
            ctx = multiprocessing.get_context("fork")
            self.receive, send = ctx.Pipe(duplex=False)
            self.worker = ctx.Process(target=_run, args=(fn, args, send), daemon=True)
            self.worker.start()
            send.close()

    def result(self) -> Any:
        """The return value of `fn`, or the exception it raised, raised here."""
        if self.worker is None:
            return self.fn(*self.args)
        try:
            ok, value = self.receive.recv()
        except EOFError:  # the worker died (killed, out of memory): do the work here instead
            return self.fn(*self.args)
        finally:
            self.receive.close()
            self.worker.join()
        if not ok:
            raise value
        return value


def forking_possible() -> bool:
    return ((os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon and not os.environ.get("BRIEFGEN_DEBUG"))


def die_with_parent(signum: int) -> Callable[[], None] | None:
    """A function that, called in a process, has `signum` sent to it when its parent dies
    (Linux's ``prctl(PR_SET_PDEATHSIG)``), so that what a killed build started does not
    run on; None where there is no such call."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signum, 0, 0, 0)   # 1: PR_SET_PDEATHSIG


def _run(fn: Callable[..., Any], args: tuple, send) -> None:
    orphaned = die_with_parent(signal.SIGTERM)   # a killed build's worker stops (and stops what it started)
    if orphaned is not None:
        orphaned()
    try:
        outcome = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - every failure, Ctrl-C too, is raised in the parent
        outcome = (False, exc)
    try:
        send.send(outcome)
    except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
        send.send((False, RuntimeError(f"{type(exc).__name__} in a worker process: {outcome[1]}")))
    send.close()
