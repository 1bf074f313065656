"""Ask LibreOffice how it lays out .docx files, through its UNO API.

A standalone script (no briefgen imports): it runs under a Python that can import
``uno`` (Debian's python3 with python3-uno), which need not be briefgen's own.

    python3 uno_layout.py [--connect PIPE] [--profile DIR] [--timeout SECONDS] ACTION FILE [ARG]

ACTION is
- ``contents``: update the document's first table of contents and print its entries as
  JSON, ``[[text, page], ...]``: the page of each heading as LibreOffice paginates it;
- ``redlines``: print the tracked changes LibreOffice reads, ``{"Insert": n, "Delete": m}``;
- ``accept``, ``reject``: accept (or reject) every tracked change, then store as ``convert``;
- ``quit``: stop the LibreOffice at ``--connect`` (no FILE);
- ``convert``: store FILE as ARG with the filter named by ARG's suffix (``.docx``: Word 2007
  XML, ``.pdf``) or by a fourth argument, for tests that need a document saved by LibreOffice.

Without ``--connect``, a private LibreOffice is started (a fresh profile in ``--profile``
or a temporary folder) and stopped; with it, a running ``soffice --accept=pipe,name=PIPE;urp;``
is used (a test session starts one and reuses it).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # noqa: E402  (python3-uno)
from com.sun.star.beans import PropertyValue  # noqa: E402


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, timeout: float = 60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            _OFFICE["ctx"] = ctx
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # noqa: BLE001 - NoConnectException until soffice listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start(soffice: str, profile: Path, pipe: str) -> subprocess.Popen:
    """A private LibreOffice, in this script's process group (briefgen gives the script a
    group of its own, and kills the group if the script does not end by itself)."""
    return subprocess.Popen(
        [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={pipe};urp;"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(proc: subprocess.Popen, made) -> None:
    """Stop a LibreOffice that did not exit when asked: the launcher and soffice.bin under
    it. When this script leads its own process group (as briefgen starts it), the group,
    this script with it, after removing the profile; else the launcher alone."""
    if os.getpgid(0) == os.getpid():
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        os.killpg(0, signal.SIGKILL)   # nothing before it that can fail (stderr may be a closed pipe)
    proc.kill()
    proc.wait()


def load(desktop, path: Path):
    return desktop.loadComponentFromURL(path.resolve().as_uri(), "_blank", 0,
                                        (_prop("Hidden", True), _prop("ReadOnly", False)))


def dispatch(doc, command: str) -> None:
    """Run a menu command (``.uno:...``) on `doc`, in the office's own context."""
    helper = _OFFICE["ctx"].ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", _OFFICE["ctx"])
    helper.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())


_OFFICE: dict = {}


def contents(doc) -> list:
    indexes = doc.getDocumentIndexes()
    if indexes.getCount() == 0:
        return []
    index = indexes.getByIndex(0)
    index.update()
    text = index.getAnchor().getString()
    entries = []
    for line in text.splitlines():
        head, _, page = line.rpartition("\t")
        if head and page.strip().isdigit():
            entries.append([head.strip(), int(page)])
    return entries


def redlines(doc) -> dict:
    counts: dict = {}
    enum = doc.getRedlines().createEnumeration()
    while enum.hasMoreElements():
        kind = enum.nextElement().getPropertyValue("RedlineType")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


TIMED_OUT = "uno_layout: timed out"   # the line on stderr when --timeout ran out here


def _give_up(signum, frame):
    _OFFICE["stopped"] = True   # no time to ask LibreOffice to close: it is killed
    if signum == signal.SIGALRM:
        try:   # said first: the cleanup may kill this script with its LibreOffice
            sys.stderr.write(TIMED_OUT + "\n")
            sys.stderr.flush()
        except OSError:
            pass
    raise SystemExit(f"stopped by signal {signum}")


FILTERS = {".docx": "MS Word 2007 XML", ".pdf": "writer_pdf_Export", ".odt": "writer8"}


def main(argv: list) -> int:
    pipe = profile = None
    limit = 180.0   # the caller's time-out (--timeout)
    while argv and argv[0].startswith("--"):
        flag, value, argv = argv[0], argv[1], argv[2:]
        if flag == "--connect":
            pipe = value
        elif flag == "--profile":
            profile = Path(value)
        elif flag == "--timeout":
            limit = float(value)
    action = argv[0]
    if action == "quit":  # stop the LibreOffice at --connect
        try:
            connect(pipe, timeout=5).terminate()
        except Exception:  # noqa: BLE001 - gone already, or going
            pass
        return 0
    path = Path(argv[1])
    signal.signal(signal.SIGALRM, _give_up)   # before the caller's time-out, so cleanup runs
    signal.signal(signal.SIGTERM, _give_up)
    signal.alarm(max(1, int(limit * 5 / 6)))
    proc = None
    made = None
    if pipe is None:
        pipe = f"briefgen-{os.getpid()}"
        made = Path(tempfile.mkdtemp(prefix="briefgen-lo-")) if profile is None else None
        proc = start(shutil.which("soffice") or "soffice", profile or made, pipe)
    desktop = None
    try:
        desktop = connect(pipe)
        doc = load(desktop, path)
        try:
            if action == "contents":
                result = contents(doc)
            elif action == "redlines":
                result = redlines(doc)
            elif action in ("accept", "reject"):  # every tracked change, then stored as `convert` does
                dispatch(doc, ".uno:AcceptAllTrackedChanges" if action == "accept" else ".uno:RejectAllTrackedChanges")
                target = Path(argv[2]).resolve()
                name = argv[3] if len(argv) > 3 else FILTERS[target.suffix]
                doc.storeToURL(target.as_uri(), (_prop("FilterName", name),))
                result = str(target)
            elif action == "convert":
                target = Path(argv[2]).resolve()
                name = argv[3] if len(argv) > 3 else FILTERS[target.suffix]
                doc.storeToURL(target.as_uri(), (_prop("FilterName", name),))
                result = str(target)
            else:
                raise SystemExit(f"unknown action {action!r}")
        finally:
            doc.close(True)
        sys.stdout.write(json.dumps(result, ensure_ascii=False))
        return 0
    finally:
        if proc is not None:  # the LibreOffice started here stops, whatever happened
            signal.signal(signal.SIGTERM, signal.SIG_IGN)   # cleanup is under way
            try:
                if desktop is not None and not _OFFICE.get("stopped"):
                    desktop.terminate()
            except Exception:  # noqa: BLE001 - the bridge closes as soffice exits
                pass
            try:
                proc.wait(timeout=0 if desktop is None or _OFFICE.get("stopped") else 30)
            except subprocess.TimeoutExpired:
                kill(proc, made)
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # The answer is written; leave without the UNO bridge's teardown, which now and then
    # crashes the interpreter at exit (SIGSEGV after a finished conversion) and would
    # turn a good answer into a failed run.
    os._exit(code)
