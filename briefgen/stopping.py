"""A build told to stop unwinds like Ctrl-C, so that its temporary files are removed.

Python's default for SIGTERM ends the process on the spot, leaving the hidden temporary
files a build stages beside its outputs (:mod:`briefgen.atomic`). With
:func:`raise_on_term`, SIGTERM raises :class:`Terminated` instead, which every
``except BaseException`` / ``finally`` on the way out sees. A process that is killed
outright (SIGKILL) cannot clean up; the next build into the same folder does
(:func:`briefgen.atomic.sweep`).

:func:`stop_with_parent` makes a worker process receive SIGTERM when the process that
started it dies, however it died, so that a worker is never left writing for nobody.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable

EXIT = 128 + signal.SIGTERM  # the shell's code for a process ended by SIGTERM
_PR_SET_PDEATHSIG = 1


class Terminated(BaseException):
    """Raised where the process was when SIGTERM came; a BaseException, as KeyboardInterrupt."""


WORKER_DEADLINE = 3.0  # seconds a stopped worker may take to unwind before it ends regardless
# (under the 5 s its parent waits before SIGKILL); the command itself waits for its workers
DEADLINE = 20.0
_cleanups: list[Callable[[], None]] = []
_deadline: threading.Thread | None = None
_seconds = DEADLINE


def at_stop(fn: Callable[[], None]) -> None:
    """Call `fn` (without arguments) should a stopped process fail to unwind in time."""
    _cleanups.append(fn)


def _raise(signum, frame) -> None:
    """The handler: raise :class:`Terminated`. Libraries with a bare ``except:`` can
    swallow it (reportlab has many), so the first SIGTERM also sets a deadline: a process
    still running some seconds later (see :func:`raise_on_term`) runs the cleanups and ends."""
    global _deadline
    if _deadline is None or _deadline.ident is not None and not _deadline.is_alive():
        _deadline = threading.Thread(target=_end_at_deadline, args=(os.getpid(), _seconds), daemon=True)
        _deadline.start()
    raise Terminated()


def _end_at_deadline(pid: int, seconds: float) -> None:
    time.sleep(seconds)
    if os.getpid() != pid:  # a fork that inherited the thread's state, not the thread
        return
    for fn in _cleanups:
        try:
            fn()
        except Exception:  # noqa: BLE001 - the others still run
            pass
    os._exit(EXIT)


def raise_on_term(deadline: float = WORKER_DEADLINE) -> None:
    """From now on, SIGTERM raises :class:`Terminated` in this process (and in what it
    forks), and ends it `deadline` seconds later if it has not ended by then."""
    global _seconds
    if threading.current_thread() is threading.main_thread():
        _seconds = deadline
        signal.signal(signal.SIGTERM, _raise)


@contextmanager
def unwinding():
    """Within, SIGTERM raises :class:`Terminated`; after, it does what it did before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    global _seconds
    _seconds = WORKER_DEADLINE
    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def pool_worker(parent: int) -> None:
    """Start of a process-pool worker: while idle, SIGTERM ends it at once (it has nothing
    to remove); its work runs :func:`unwinding`. It is stopped when `parent` dies."""
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(EXIT))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        stop_with_parent(parent)
    except Terminated:
        os._exit(EXIT)


def stop_children(grace: float = 5.0) -> None:
    """SIGTERM to every worker process this one started, SIGKILL to any left after `grace` s."""
    import multiprocessing

    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(grace)
        if child.is_alive():
            child.kill()
            child.join()


def parent_death_signal(signum: int) -> Callable[[], None] | None:
    """A function that, called in a process, has `signum` sent to it when its parent dies
    (Linux's ``prctl(PR_SET_PDEATHSIG)``); None where there is no such call. Also usable
    as a subprocess's ``preexec_fn``."""
    import sys

    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # the C library this process already has
    except (OSError, AttributeError):
        return None
    return lambda: prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0)


def stop_with_parent(parent: int) -> None:
    """SIGTERM to this process when `parent` (the pid that forked it) dies; Linux only,
    elsewhere nothing. If `parent` is already gone, :class:`Terminated` at once."""
    request = parent_death_signal(signal.SIGTERM)
    if request is not None:
        request()
    if os.getppid() != parent:  # died before the request took hold
        raise Terminated()
