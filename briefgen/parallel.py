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
from typing import Any, Callable

from briefgen.stopping import Terminated, raise_on_term, stop_with_parent


class Job:
    """`fn(*args)`, started in a forked process if possible; :meth:`result` collects it."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args = fn, args
        self.worker = self.receive = None
        self.cancelled = False
        if forking_possible():
            ctx = multiprocessing.get_context("fork")
            self.receive, send = ctx.Pipe(duplex=False)
            self.worker = ctx.Process(target=_run, args=(fn, args, send, os.getpid()), daemon=True)
            self.worker.start()
            send.close()

    def cancel(self) -> None:
        """Tell the worker to stop (SIGTERM: it unwinds, removing what it was writing);
        :meth:`result` then raises what that raised."""
        self.cancelled = True
        if self.worker is not None and self.worker.is_alive():
            self.worker.terminate()

    def result(self) -> Any:
        """The return value of `fn`, or the exception it raised, raised here."""
        if self.worker is None:
            return self.fn(*self.args)
        try:
            ok, value = self.receive.recv()
        except EOFError:  # the worker died (killed, out of memory): do the work here instead
            if self.cancelled:
                raise Terminated() from None
            return self.fn(*self.args)
        except BaseException:  # stopped while waiting (SIGTERM, Ctrl-C): the worker stops too
            self.cancel()
            raise
        finally:
            self.receive.close()
            self.worker.join()
        if not ok:
            raise value
        return value


def forking_possible() -> bool:
    return ((os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon and not os.environ.get("BRIEFGEN_DEBUG"))


def _run(fn: Callable[..., Any], args: tuple, send, parent: int) -> None:
    try:
        try:
            raise_on_term()  # told to stop, it unwinds, removing what it was writing
            stop_with_parent(parent)  # and so when its parent dies, however it died
            outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 - every failure, Ctrl-C too, is raised in the parent
            outcome = (False, exc)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the work is over; only the handing over is left
        try:
            send.send(outcome)
        except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
            send.send((False, RuntimeError(f"{type(exc).__name__} in a worker process: {outcome[1]}")))
        send.close()
    except Terminated:  # told to stop just as the work ended: the parent is stopping too, quietly
        pass
