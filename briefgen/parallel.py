"""Run one piece of independent work in another process while this one does the rest.

Used where a build has two independent jobs of real size: parsing the data files, and
writing the formats. A :class:`Job`'s child gets everything already in memory (fork),
so nothing is sent to it; only its result comes back. An :class:`Ahead` is forked
before its last arguments exist and gets them pickled; a :class:`Worker` is a
long-lived interpreter of its own, for a watch session. Where forking is not possible or not
wanted (no ``fork``, one core, a daemonic process, ``BRIEFGEN_DEBUG`` set so that
tracebacks stay whole), the work runs here instead, with the same result.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, Callable

from briefgen.stopping import Terminated, raise_on_term, stop_with_parent


class Job:
    """`fn(*args)`, started in a forked process if possible and a core is free for it (not
    when this process's other children already take the others: the Word writer's
    timeline beside the PDF's writer on two cores); :meth:`result` collects it, running
    it here if it was not started."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn, self.args = fn, args
        self.worker = self.receive = None
        self.cancelled = False
        if forking_possible() and _core_free():
            import multiprocessing

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


class Ahead(Job):
    """`fn(*known, *given)`, where `given` comes later: a process forked now runs
    `prepare()` (work that needs nothing yet, such as importing a writer's libraries) while
    this one makes the rest of the arguments, then waits for them (:meth:`give`). They are
    sent pickled, unlike a :class:`Job`'s, which the fork copies. Where forking is not
    possible the whole call runs in :meth:`result`, with the same result."""

    def __init__(self, prepare: Callable[[], Any], fn: Callable[..., Any], *known: Any) -> None:
        self.fn, self.args = fn, known
        self.worker = self.receive = self.hand = None
        self.cancelled = False
        if forking_possible():
            import multiprocessing

            ctx = multiprocessing.get_context("fork")
            self.receive, send = ctx.Pipe(duplex=False)
            given, self.hand = ctx.Pipe(duplex=False)
            self.worker = ctx.Process(target=_run, args=(_prepared, (prepare, fn, known, given, self.hand), send,
                                                         os.getpid()), daemon=True)
            self.worker.start()
            send.close()
            given.close()

    def give(self, *rest: Any) -> None:
        """The rest of the arguments: the worker starts the work."""
        self.args = self.args + rest
        if self.hand is not None:
            try:
                self.hand.send(rest)
            except OSError:   # the worker died: result() does the work here
                pass
            self.hand.close()

    def stop(self) -> None:
        """Stop the worker before it was given anything (this process failed or is
        stopping). It has written nothing, so it is killed outright: a SIGTERM raised
        inside an import of its preparation would have printed a traceback."""
        self.cancelled = True
        if self.worker is not None:
            if self.worker.is_alive():
                self.worker.kill()
            self.worker.join()
            self.receive.close()
            if not self.hand.closed:
                self.hand.close()


def _prepared(prepare: Callable[[], Any], fn: Callable[..., Any], known: tuple, given, hand) -> Any:
    hand.close()   # the parent's end, copied by the fork: the parent's exit must end the wait below
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's, which then stops this process
    # A stop during the preparation (imports) ends it once that is done: raised inside an
    # import, it would print an "Exception ignored" traceback. It has written nothing yet.
    stopped: list[int] = []
    handler = signal.signal(signal.SIGTERM, lambda signum, frame: stopped.append(signum))
    try:
        prepare()
    finally:
        signal.signal(signal.SIGTERM, handler)
    if stopped:
        raise Terminated()
    try:
        rest = given.recv()
    except EOFError:   # the parent closed its end without giving: it is stopping
        raise Terminated() from None
    return fn(*known, *rest)


class Worker:
    """A process of its own that runs one call at a time and keeps what it loaded (a
    writer's libraries, fonts and caches) from one call to the next: a watch session's.

    It is a fresh interpreter (``python -m briefgen.parallel``), not a fork: a watcher
    runs threads (the preview server's), and forking beside threads can deadlock; and
    unlike multiprocessing's "spawn" it does not import the caller's main script again.
    Calls and results are sent pickled over a socket, so `fn` is a module-level function.
    If the process dies, :meth:`result` does the call here, and the next :meth:`submit`
    starts a new one."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.conn = None
        self.pending: tuple | None = None
        self.cancelled = False

    def usable(self) -> bool:
        return forking_possible()   # the same conditions: two cores, not a daemon, not debugging

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        self.pending, self.cancelled = (fn, args), False
        if self.process is None or self.process.poll() is not None:
            self._start()
        try:
            self.conn.send((fn, args))
        except OSError:   # it died: result() does the call here
            self._drop()

    def _start(self) -> None:
        import socket
        import subprocess
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        path = os.pathsep.join(p for p in sys.path if p)   # where this process found briefgen (a zip too)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefgen.parallel", str(theirs.fileno()), str(os.getpid())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": path})
        theirs.close()
        self.conn = Connection(ours.detach())

    def result(self) -> Any:
        """The return value of the call submitted, or the exception it raised, raised here."""
        fn, args = self.pending
        self.pending = None
        if self.cancelled:
            raise Terminated()
        if self.conn is None:
            return fn(*args)
        try:
            ok, value = self.conn.recv()
        except (EOFError, OSError):   # the process died (killed, out of memory): the call is done here
            self.close()
            return fn(*args)
        except BaseException:   # stopped while waiting: the process stops too, removing its files
            self.close()
            raise
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the call submitted: the process stops, removing what it was writing, and
        :meth:`result` raises :class:`Terminated` (the next call starts a new process)."""
        self.cancelled = True
        self.close()

    def close(self) -> None:
        """Stop the process (SIGTERM: it unwinds, removing what it was writing)."""
        if self.process is not None and self.process.poll() is None:
            import subprocess

            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None


def _serve(conn, parent: int) -> None:  # pragma: no cover - runs in the worker process
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the watcher's to handle
        raise_on_term()
        stop_with_parent(parent)
        from briefgen import atomic

        atomic.committed_by(parent)   # what it stages, the watcher moves into place
        while True:
            try:
                fn, args = conn.recv()
            except EOFError:   # the session ended
                return
            try:
                outcome = (True, fn(*args))
            except Exception as exc:  # noqa: BLE001 - raised in the parent
                outcome = (False, exc)
            try:
                conn.send(outcome)
            except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
                conn.send((False, RuntimeError(f"{type(exc).__name__} in a worker process: {outcome[1]}")))
    except (Terminated, OSError):   # told to stop, or the session is gone: quietly
        pass


def forking_possible() -> bool:
    import multiprocessing

    return ((os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon and not os.environ.get("BRIEFGEN_DEBUG"))


def _core_free() -> bool:
    """Fewer processes at work here (this one and its children) than cores it may use."""
    import multiprocessing

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return len(multiprocessing.active_children()) + 1 < cores


def _run(fn: Callable[..., Any], args: tuple, send, parent: int) -> None:
    from briefgen import atomic

    try:
        try:
            raise_on_term()  # told to stop, it unwinds, removing what it was writing
            stop_with_parent(parent)  # and so when its parent dies, however it died
            atomic.committed_by(parent)   # what it stages, its parent moves into place
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


if __name__ == "__main__":   # a Worker's process: python -m briefgen.parallel FD PARENT
    from multiprocessing.connection import Connection

    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
