"""Bounded time and memory for a whole sandboxed build, from loading to the last page.

``build --sandbox`` renders a template from someone you do not trust. The Jinja sandbox
(:mod:`briefgen.sandbox`) keeps it to its data; this module keeps it from using
unbounded time or memory anywhere in the build: compiling the template (constant
folding), rendering, parsing the Markdown it made and laying that out as a PDF.

* The build runs in a forked child process, in a process group of its own, with its
  address space (``RLIMIT_AS``) limited, a CPU-time limit as a backstop should this
  process die, and no core files.
* This process waits at most the time limit, then stops the group: SIGTERM first, which
  the child turns into an exception so that its temporary files are removed as in any
  failed build, then SIGKILL after a short grace.
* Running out of time or memory is a template error (exit 3) naming the template.
* If this process is stopped itself (SIGTERM, Ctrl-C) the child is stopped the same way,
  SIGTERM then SIGKILL; if it dies outright (SIGKILL), the kernel sends the child SIGTERM
  (Linux), so that no build goes on writing for nobody.
* What the build starts in a session of its own (LibreOffice, for the Word contents'
  page numbers) is stopped too, found by a token in its environment; the build's
  temporary folder (``TMPDIR``) is its own, and removed when it ends (or, if this
  process was killed outright, by the next sandboxed build).

Needs ``fork`` and the ``resource`` module (Linux; on macOS the kernel does not enforce
an address-space limit).
"""

from __future__ import annotations

import dataclasses
import math
import os
import secrets
import shutil
import signal
import tempfile
import time
import traceback
from multiprocessing.connection import Pipe
from pathlib import Path
from typing import Any, Callable

from briefgen import atomic
from briefgen.errors import BriefgenError, display_path
from briefgen.stopping import Terminated, raise_on_term, stop_with_parent

GRACE = 5.0  # seconds between SIGTERM and SIGKILL
RENDER_SECONDS = 86_400  # rendering's own limit inside the child, where the parent keeps time
_inside = False


class RemoteTraceback(Exception):
    """The traceback of an error raised in the child (shown with BRIEFGEN_DEBUG=1)."""


def inside() -> bool:
    """Whether this process is a confined build (nothing is confined twice)."""
    return _inside


def available() -> bool:
    try:
        import resource  # noqa: F401
    except ImportError:
        return False
    return hasattr(os, "fork") and hasattr(os, "killpg")


def run(fn: Callable[..., Any], req: Any, warn: Callable[[str], None] | None = None) -> Any:
    """`fn(req, warn=...)` in a confined child; `req.limits` gives the seconds and megabytes.
    The warnings the child gives are passed to `warn` here, once it has finished."""
    if not available():
        raise BriefgenError.one("--sandbox needs a system with fork and resource limits (Linux)",
                                field="--sandbox", hint="build untrusted templates on Linux", kind="usage")
    limits = req.limits
    scratch = str(atomic.scratch_dir("sandbox"))
    token = secrets.token_hex(16)
    receive, send = Pipe(duplex=False)
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is tested through the parent
        receive.close()
        os.environ.update(TMPDIR=scratch, BRIEFGEN_CONFINED=token)  # inherited by every process it starts
        tempfile.tempdir = scratch
        _child(fn, req, send, parent)
    send.close()
    try:
        os.setpgid(pid, pid)  # as the child does: whichever runs first
    except OSError:
        pass
    try:
        status, outcome = _wait(pid, receive, limits.seconds)
    finally:
        _stop_escaped(token)
        shutil.rmtree(scratch, ignore_errors=True)
    result, warnings = _result(status, outcome, req)
    for line in warnings if warn is not None else ():
        warn(line)
    return result


def _child(fn: Callable[..., Any], req: Any, send, parent: int) -> None:  # pragma: no cover - runs after fork
    global _inside
    _inside = True
    try:
        os.setpgid(0, 0)
        raise_on_term()  # unwinds, removing temporary files as in any failed build
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # this process's parent handles Ctrl-C
        _set_limits(req.limits.memory_mb, req.limits.seconds)
        # one clock for the whole build, the parent's: rendering's own alarm must not race it
        req = dataclasses.replace(req, limits=dataclasses.replace(req.limits, seconds=RENDER_SECONDS))
        warnings: list[str] = []
        try:
            stop_with_parent(parent)
            outcome: tuple = ("ok", (fn(req, warn=warnings.append), warnings))
        except MemoryError:
            outcome = ("memory",)
        except Terminated:
            outcome = ("stopped",)
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
            outcome = ("error", exc, traceback.format_exc())
        try:
            send.send(outcome)
        except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled
            send.send(("error", RuntimeError(f"{type(exc).__name__}: {outcome[1]}"), traceback.format_exc()))
        send.close()
    finally:
        os._exit(0)


def _set_limits(memory_mb: int, seconds: float) -> None:  # pragma: no cover - runs in the child
    import resource

    def lower(which: int, soft: int, hard: int | None = None) -> None:
        _, current = resource.getrlimit(which)
        hard = soft if hard is None else hard
        if current != resource.RLIM_INFINITY:
            soft, hard = min(soft, current), min(hard, current)
        resource.setrlimit(which, (soft, hard))

    lower(resource.RLIMIT_CORE, 0)
    lower(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
    cpu = math.ceil(seconds) + 2  # the parent stops the build first; this holds if the parent dies
    lower(resource.RLIMIT_CPU, cpu, cpu + 3)


def _wait(pid: int, receive, seconds: float) -> tuple[int | None, tuple | None]:
    """(wait status, outcome): the outcome is None when the child sent none; the status is
    None when it had to be stopped for taking longer than `seconds`."""
    outcome = None
    timed_out = False
    try:
        if receive.poll(seconds):
            try:
                outcome = receive.recv()
            except EOFError:
                pass
        else:
            timed_out = True
            _signal_group(pid, signal.SIGTERM)
        status = _reap(pid, GRACE if timed_out else None)
    finally:
        receive.close()
        if _reap(pid, 0) is None and not timed_out:  # still there: this process was stopped (Ctrl-C, SIGTERM)
            _signal_group(pid, signal.SIGTERM)  # let it remove its temporary files
            _reap(pid, GRACE)
        if _reap(pid, 0) is None:  # still there after its grace
            _signal_group(pid, signal.SIGKILL)
            _reap(pid, None)
        _signal_group(pid, signal.SIGKILL)  # anything the child left in its group
    return (None if timed_out else status), outcome


def _reap(pid: int, timeout: float | None) -> int | None:
    """The child's wait status, waiting at most `timeout` seconds (None: as long as it takes)."""
    end = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            done, status = os.waitpid(pid, 0 if end is None else os.WNOHANG)
        except ChildProcessError:
            return 0  # already reaped
        if done:
            return status
        if time.monotonic() >= end:
            return None
        time.sleep(0.02)


def _stop_escaped(token: str) -> None:
    """Kill what the build started in a session of its own (LibreOffice does), which the
    process group's signals do not reach: every process whose environment carries the
    build's token."""
    stop_marked("BRIEFGEN_CONFINED", token)


def stop_marked(variable: str, token: str) -> None:
    """Kill every process whose environment has `variable` set to `token` (given to what
    a build starts, so that what outlives its parent is found). Linux only (/proc);
    elsewhere nothing is found."""
    marker = f"{variable}={token}".encode()
    for _ in range(3):  # what is killed may have started another meanwhile
        found = False
        for entry in Path("/proc").glob("[0-9]*") if Path("/proc/self/environ").exists() else ():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    os.kill(int(entry.name), signal.SIGKILL)
                    found = True
            except (OSError, ValueError):
                continue  # gone, or another user's
        if not found:
            return
        time.sleep(0.05)


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _result(status: int | None, outcome: tuple | None, req: Any) -> Any:
    seconds, megabytes = req.limits.seconds, req.limits.memory_mb
    signalled = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
    if status is None or (outcome is None and signalled == signal.SIGXCPU):
        raise _stopped(req, f"the sandboxed build took longer than {seconds:g} s and was stopped",
                       "look for a loop over a huge range or a briefing too long to lay out, "
                       "or raise the limit with --time-limit")
    if outcome is not None and outcome[0] == "memory":
        raise _stopped(req, f"the sandboxed build needed more than {megabytes:,} MB of memory and was stopped",
                       "look for a template that makes huge text, or raise the limit with --memory-limit")
    if outcome is None or outcome[0] == "stopped":
        how = ("it was stopped by SIGTERM" if outcome is not None else
               "killed by the system, most likely for using too much memory" if signalled == signal.SIGKILL else
               f"signal {signalled}" if signalled else f"exit status {os.WEXITSTATUS(status)}")
        raise _stopped(req, f"the sandboxed build ended without a result ({how})",
                       "build it again; if it recurs, try the template without --sandbox on data you trust")
    if outcome[0] == "error":
        _, exc, remote = outcome
        raise exc from RemoteTraceback(remote)
    return outcome[1]


def _stopped(req: Any, message: str, hint: str) -> BriefgenError:
    return BriefgenError.one(message, file=_template_of(req), hint=hint, kind="template")


def _template_of(req: Any) -> str:
    """The template a build request renders, as the user would name it (else the project)."""
    from briefgen.audiences import find
    from briefgen.load import CONFIG_FILE
    from briefgen.yamlio import load_yaml

    try:
        audience = req.audience
        if audience is None:
            config = load_yaml(req.project_dir / CONFIG_FILE).data
            audience = config.get("audience", "full") if isinstance(config, dict) else "full"
        return display_path(find(req.project_dir, str(audience)).template)
    except BriefgenError:
        return display_path(req.project_dir)
