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

import ctypes
import ctypes.util
import os
import signal
import threading

EXIT = 128 + signal.SIGTERM  # the shell's code for a process ended by SIGTERM
_PR_SET_PDEATHSIG = 1


class Terminated(BaseException):
    """Raised where the process was when SIGTERM came; a BaseException, as KeyboardInterrupt."""


def _raise(signum, frame) -> None:
    raise Terminated()


def raise_on_term() -> None:
    """From now on, SIGTERM raises :class:`Terminated` in this process (and in what it forks)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise)


def stop_with_parent(parent: int) -> None:
    """SIGTERM to this process when `parent` (the pid that forked it) dies; Linux only,
    elsewhere nothing. If `parent` is already gone, :class:`Terminated` at once."""
    libc = ctypes.util.find_library("c")
    try:
        prctl = ctypes.CDLL(libc, use_errno=True).prctl if libc else None
    except (OSError, AttributeError):
        prctl = None
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    if os.getppid() != parent:  # died before the request took hold
        raise Terminated()
