"""Page numbers for the contents, from LibreOffice's layout of the very file written.

Word fills a contents field's page numbers only when the reader updates fields (and
``w:updateFields`` makes it ask on opening), so the writer puts the numbers in itself:
it writes the file, asks LibreOffice (through :mod:`.uno_layout`, under a Python that has
LibreOffice's UNO bridge) on which page each heading falls, and writes the numbers in.
Calibri and Cambria, the house fonts, are laid out with Carlito and Caladea, which have
their metrics, so Word paginates the same text alike.

Without LibreOffice the contents keeps its linked entries without numbers, and the
build says so.

Laying a briefing out takes LibreOffice seconds, so the numbers are kept with the file:
a document variable records them with a key of what they depend on (the document as
written without them, the LibreOffice that laid it out, and the font files fontconfig
gives it for the document's fonts). A build whose document
without numbers is the same as the last one's reuses that file's numbers
(:func:`reused`), and writes the same bytes a fresh layout would.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

from briefgen import atomic, bidi, resources
from briefgen.stopping import parent_death_signal
from briefgen.writers.docx import ooxml

SCRIPT = resources.folder("briefgen.writers.docx") / "uno_layout.py"  # a real file, even when briefgen is zipped
TIMEOUT = 180  # seconds; LibreOffice starts in 3-8 s and lays out a 30-page briefing in 1-2 s
TIMEOUT_VARIABLE = "BRIEFGEN_TOC_TIMEOUT"   # seconds to wait for the layout instead
ADD_LATER = "Word adds them when the reader updates the field"
VARIABLE = "briefgen.contents"  # the document variable: the layout's key, then each entry's page


def timeout() -> float:
    """Seconds to wait for LibreOffice's layout: BRIEFGEN_TOC_TIMEOUT, else TIMEOUT."""
    try:
        value = float(os.environ.get(TIMEOUT_VARIABLE) or TIMEOUT)
    except ValueError:
        return TIMEOUT
    return value if value > 0 else TIMEOUT


@functools.cache
def uno_python() -> str | None:
    """A Python that can import LibreOffice's ``uno`` module, with soffice on PATH; or None."""
    if shutil.which("soffice") is None:
        return None
    candidates = [os.environ.get("BRIEFGEN_UNO_PYTHON", ""), "/usr/bin/python3", shutil.which("python3") or "",
                  sys.executable]
    for python in dict.fromkeys(c for c in candidates if c):
        try:
            probe = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if probe.returncode == 0:
            return python
    return None


def contents_pages(path: Path, titles: list[str]) -> tuple[list[int] | None, str]:
    """The page of each contents entry (`titles`, in order) as LibreOffice lays out the
    .docx at `path`: (pages, "") or (None, why not, and what the user can do)."""
    python = uno_python()
    if python is None:
        return None, ("LibreOffice with its Python bridge (soffice and python3-uno) was not found; "
                      f"{ADD_LATER} (install LibreOffice and python3-uno to have them written in)")
    args = [python, str(SCRIPT), "--timeout", f"{timeout():g}"]
    try:
        with contextlib.ExitStack() as stack:
            if os.environ.get("BRIEFGEN_SOFFICE_PIPE"):  # a LibreOffice already running (the test session's)
                args += ["--connect", os.environ["BRIEFGEN_SOFFICE_PIPE"]]
            else:   # its profile in a folder a later build removes should this one be killed
                args += ["--profile", str(stack.enter_context(atomic.scratch("lo")))]
            code, out, err = run([*args, "contents", str(path)], timeout())
        if code != 0 and "uno_layout: timed out" in err:   # the script's own alarm, before ours
            raise subprocess.TimeoutExpired(args, timeout())
    except subprocess.TimeoutExpired:
        return None, (f"LibreOffice had not laid the document out after {timeout():g} s and was stopped; "
                      f"{ADD_LATER} (to wait longer, set {TIMEOUT_VARIABLE} to the seconds to wait; "
                      "--no-toc-pages leaves LibreOffice out)")
    if code != 0:
        last = (err.strip().splitlines() or ["no message"])[-1]
        return None, f"LibreOffice failed to lay the document out ({last}); {ADD_LATER}"
    entries = json.loads(out or "[]")
    if [_norm(text) for text, _ in entries] != [_norm(t) for t in titles]:
        return None, f"LibreOffice's contents did not list the same headings; {ADD_LATER}"
    return [page for _, page in entries], ""


class _Terminated(BaseException):
    """SIGTERM while LibreOffice lays the document out: unwinds so that it is stopped."""


def run(args: list[str], timeout: float = TIMEOUT) -> tuple[int, str, str]:
    """Run the layout script `args`: (exit status, stdout, stderr); TimeoutExpired after
    `timeout` seconds. Whatever way this ends (time-out, Ctrl-C, SIGTERM, an error), no
    process the script started outlives it:

    * the script runs in a process group of its own, which LibreOffice joins, and the
      group is killed unless the script ended by itself;
    * every process started carries a token in its environment, and any that left the
      group is found by it and killed (as :mod:`briefgen.confine` does for a sandbox);
    * on Linux the script is sent SIGTERM should this process die without a word
      (``PR_SET_PDEATHSIG``), and stops its LibreOffice then.

    SIGTERM is delivered again once LibreOffice is stopped, so the build ends as it would have."""
    token = secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": "", TOKEN: token}
    restore = _catch_sigterm()
    proc = None
    try:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env, start_new_session=True,
                                preexec_fn=parent_death_signal(signal.SIGTERM))
        out, err = proc.communicate(timeout=timeout)
    except _Terminated:
        restore()
        _stop(proc, token)
        os.kill(os.getpid(), signal.SIGTERM)   # as it was sent: the build's own handling of it
        raise KeyboardInterrupt from None     # a handler that returned
    except BaseException:                     # time-out, Ctrl-C, an error
        restore()
        _stop(proc, token)
        raise
    restore()
    if proc.returncode != 0:                  # what the script left, if anything (its group may be gone)
        _stop(None, token)
    return proc.returncode, out, err


TOKEN = "BRIEFGEN_LAYOUT"  # the environment variable that marks what one layout started


def _stop(proc: subprocess.Popen | None, token: str) -> None:
    """Kill the script's process group and every process carrying `token`; reap the script."""
    from briefgen.confine import stop_marked

    if proc is not None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # its number names the group while any member lives
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    stop_marked(TOKEN, token)


def _catch_sigterm():
    """Make SIGTERM raise :class:`_Terminated` here (main thread only); return what restores it."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)
    if previous == signal.SIG_IGN:
        return lambda: None

    def terminated(signum, frame):
        raise _Terminated()

    signal.signal(signal.SIGTERM, terminated)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _norm(text: str) -> str:
    """A contents entry as compared: spaces folded, case and direction marks ignored."""
    text = "".join(ch for ch in text if ch not in bidi.CONTROLS)
    return re.sub(r"\s+", " ", text).strip().casefold()


def key(unnumbered: bytes) -> str:
    """The key of the contents' page numbers: of `unnumbered` (the .docx as written with
    every number 0), of the LibreOffice that lays it out, and of the font files it lays
    the document's fonts out with (:func:`fonts_used`)."""
    digest = hashlib.sha256(unnumbered)
    digest.update(_engine().encode())
    digest.update(fonts_used(document_fonts(unnumbered)).encode())
    return digest.hexdigest()


_FONT_PARTS = re.compile(r"word/(document|styles|footnotes|fontTable|header\d*|footer\d*|theme/theme\d*)\.xml")
_RFONTS = re.compile(r"<w:rFonts\b([^>]*)>")
_FONT_NAMED = re.compile(r'\bw:(?:ascii|hAnsi|cs|eastAsia)="([^"]+)"')
_OTHER_NAMES = re.compile(r'<w:font w:name="([^"]+)"|<a:(?:latin|ea|cs) typeface="([^"]+)"')


def document_fonts(docx: bytes) -> list[str]:
    """The names of the fonts the .docx `docx` asks for: in its runs' and styles' font
    settings, its font table and its theme's fonts (sorted)."""
    names: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as package:
            for name in package.namelist():
                if not _FONT_PARTS.fullmatch(name):
                    continue
                xml = package.read(name).decode("utf-8", "replace")
                for attrs in _RFONTS.findall(xml):
                    names.update(_FONT_NAMED.findall(attrs))
                names.update(a or b for a, b in _OTHER_NAMES.findall(xml))
    except (zipfile.BadZipFile, OSError):
        return []
    return sorted(n for n in names if n.strip())


def fonts_used(names: list[str]) -> str:
    """A fingerprint of the font files fontconfig (which LibreOffice asks) gives for the
    font `names`: each name's family as matched, then every file of those families, by
    name, size and content. Changing or removing a font (Carlito for Calibri, say)
    changes it; without fontconfig, "" (nothing to pin). Asked anew each time (a tenth of a
    second), so a font installed meanwhile counts; a file's digest is kept while its size and
    time are unchanged."""
    match, listing = shutil.which("fc-match"), shutil.which("fc-list")
    if not names or match is None or listing is None:
        return ""
    try:   # one fc-match per name, all at once (each takes tens of milliseconds)
        procs = [subprocess.Popen([match, "-f", "%{family[0]}", name], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL) for name in names]
        families = [proc.communicate(timeout=30)[0].decode("utf-8", "replace") for proc in procs]
        listed = subprocess.run([listing, "-f", "%{family[0]}\t%{file}\n"], capture_output=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    wanted = set(families)
    files = sorted({path for family, _, path in (line.partition("\t") for line in
                                                  listed.decode("utf-8", "replace").splitlines())
                    if family in wanted and path})
    parts = [f"{name}={family}" for name, family in zip(names, families)]
    parts += [_font_file(path) for path in files]
    return "\n".join(parts)


def _font_file(path: str) -> str:
    """A font file as fingerprinted: its name, size and SHA-256 (cached while it is unchanged)."""
    try:
        stat = os.stat(path)
    except OSError:
        return f"{os.path.basename(path)}:missing"
    return _font_digest(path, stat.st_size, stat.st_mtime_ns)


@functools.cache
def _font_digest(path: str, size: int, mtime_ns: int) -> str:
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        digest = "unreadable"
    return f"{os.path.basename(path)}:{size}:{digest}"


def record(key: str, pages: list[int]) -> str:
    """The document variable's value: `key`, then the page of each entry."""
    return " ".join([key, *map(str, pages)])


def reused(last: Path | None, key: str, count: int) -> list[int] | None:
    """The `count` page numbers recorded in the .docx at `last` (the file this build
    replaces) when they were laid out under `key`; else None."""
    if last is None:
        return None
    try:
        with zipfile.ZipFile(last) as package:   # type: ignore[arg-type]
            value = ooxml.variable(package, VARIABLE)
    except (OSError, zipfile.BadZipFile):   # missing, unreadable, or not a .docx
        return None
    words = (value or "").split()
    if len(words) != count + 1 or words[0] != key or not all(w.isdigit() for w in words[1:]):
        return None
    return [int(w) for w in words[1:]]


@functools.cache
def _engine() -> str:
    """What identifies the installed LibreOffice's build, alike on every machine with the
    same package: its version file and the sizes of its program and main library."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return ""
    program = Path(os.path.realpath(soffice)).parent
    parts = []
    for name in ("versionrc", "soffice.bin", "libmergedlo.so"):
        try:
            parts.append(f"{name}:{(program / name).stat().st_size}")
            if name == "versionrc":
                parts.append(hashlib.sha256((program / name).read_bytes()).hexdigest())
        except OSError:
            continue
    return ";".join(parts)
