"""`briefgen watch` through the real command line: a subprocess watching a copy of a test
project while its files are really edited, each wait bounded in time."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from briefgen.parallel import forking_possible
from conftest import MINI, ROOT, ctrl_c_reaches_it, run_cli, tool

KESTREL = ROOT / "tests" / "data" / "kestrel"
WAIT_S = 60   # the longest any one step may take (a loaded 2-core machine); each usually takes 1-2 s


class Watcher:
    """`python -m briefgen watch ARGS` running in `cwd`, its output lines read as they come."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = {**os.environ, "COLUMNS": "200"}
        env.pop("BRIEFGEN_DEBUG", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "briefgen", "watch", *args], cwd=cwd, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=ctrl_c_reaches_it)
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        self.seen = {"out": 0, "err": 0}
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._read, args=(name, stream), daemon=True).start()

    def _read(self, name: str, stream) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def _more(self, deadline: float) -> None:
        try:
            name, line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"timed out; stdout so far: {self.out}; stderr: {self.err}") from None
        (self.out if name == "out" else self.err).append(line)

    def expect(self, pattern: str, stream: str = "out") -> str:
        """The next line on `stream` (after the last one expected there) matching `pattern`."""
        lines, deadline = (self.out if stream == "out" else self.err), time.monotonic() + WAIT_S
        while True:
            while self.seen[stream] < len(lines):
                line = lines[self.seen[stream]]
                self.seen[stream] += 1
                if re.search(pattern, line):
                    return line
            self._more(deadline)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=WAIT_S)
        time.sleep(0.2)   # the reader threads reach the end of both pipes
        while not self.lines.empty():
            name, line = self.lines.get()
            (self.out if name == "out" else self.err).append(line)
        return code

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=WAIT_S)


@pytest.fixture
def watching():
    started: list[Watcher] = []

    def start(*args: str, cwd: Path) -> Watcher:
        started.append(Watcher(*args, cwd=cwd))
        return started[-1]

    yield start
    for w in started:
        w.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pdf_text(path: Path) -> str:
    return " ".join(subprocess.run([tool("pdftotext"), str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def test_edits_are_rebuilt_an_error_keeps_the_last_good_files_and_sigterm_ends_cleanly(tmp_path, watching):
    project = shutil.copytree(MINI, tmp_path / "p")
    w = watching("p", "--out", "out", "--format", "docx,pdf", "--date", "2026-01-01", cwd=tmp_path)
    assert re.fullmatch(r"\d\d:\d\d:\d\d built: wrote out/mini-briefing-full\.docx, out/mini-briefing-full\.pdf "
                        r"in \d+\.\d\d s", w.expect("built"))
    w.expect("^watching p for changes")
    pdf = tmp_path / "out" / "mini-briefing-full.pdf"
    assert "Seven new models were launched" in pdf_text(pdf)

    claims = project / "claims.yaml"
    edit(claims, "Seven new models were launched.", "Eight new models were launched.")
    line = w.expect("claims.yaml changed")
    assert re.fullmatch(r"\d\d:\d\d:\d\d claims\.yaml changed: wrote out/mini-briefing-full\.docx, "
                        r"out/mini-briefing-full\.pdf in \d+\.\d\d s", line)
    assert "Eight new models were launched" in pdf_text(pdf)
    assert run_cli("build", "p", "--out", "cold", "--format", "docx,pdf", "--date", "2026-01-01", cwd=tmp_path).code == 0
    for name in ("mini-briefing-full.docx", "mini-briefing-full.pdf"):    # what build writes, byte for byte
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "cold" / name).read_bytes()

    good = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    edit(claims, "statement: Eight new models", "statment: Eight new models")
    assert w.expect("claims.yaml changed").endswith("claims.yaml changed: not rebuilt; the last good files stay in place")
    assert w.expect("statment", stream="err") == \
        "  p/claims.yaml:23: claims[2].statment: unknown field 'statment' (did you mean 'statement'?)"
    assert "error: 2 problems found" in w.err
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == good

    edit(claims, "statment: Eight new models", "statement: Nine new models")
    assert " wrote " in w.expect("claims.yaml changed")
    assert "Nine new models were launched" in pdf_text(pdf)

    writers = children(w.proc.pid)   # the session's writer process, which wrote the PDF
    assert len(writers) == (1 if forking_possible() else 0)
    assert w.stop(signal.SIGTERM) == 0
    assert w.out[-1] == "stopped watching"
    assert not any("Traceback" in line for line in w.err), w.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mini-briefing-full.docx", "mini-briefing-full.pdf"]
    assert not any(Path(f"/proc/{pid}").exists() for pid in writers)   # it ended with the watcher


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def test_a_new_project_template_its_edits_and_its_profile_are_watched_in_the_sandbox(tmp_path, watching):
    project = shutil.copytree(KESTREL, tmp_path / "k")
    w = watching("k", "--out", "out", "--format", "html", "--sandbox", "--date", "2026-01-01", cwd=tmp_path)
    w.expect("built: wrote out/")
    w.expect("^watching")
    [page] = (tmp_path / "out").glob("*.html")

    assert run_cli("templates", "new", "full", "--from", "full", "k", cwd=tmp_path).code == 0
    template = project / "templates" / "full.md.j2"
    w.expect(r"changed: .*unchanged")        # the new template extends the built-in as it is
    edit(template, '{% extends "builtin/full.md.j2" %}',
         '{% extends "builtin/full.md.j2" %}\n{% block bluf %}# Watched override{% endblock %}')
    assert w.expect(r"templates/full\.md\.j2 changed").endswith(" s")
    assert "Watched override" in page.read_text(encoding="utf-8")
    scratch = project / "templates" / "sedX1b2c3"    # as sed -i saves: a new file renamed onto the old
    scratch.write_text(template.read_text(encoding="utf-8").replace("Watched override", "Renamed override"),
                       encoding="utf-8")
    scratch.replace(template)
    assert " templates/full.md.j2 changed: wrote " in w.expect(r"full\.md\.j2 .*changed")   # not "and 1 more"
    assert "Renamed override" in page.read_text(encoding="utf-8")

    with (project / "templates" / "full.yaml").open("a", encoding="utf-8") as fh:
        fh.write("  classification: WATCHED MARKING\n")
    w.expect(r"templates/full\.yaml changed: wrote")
    assert "WATCHED MARKING" in page.read_text(encoding="utf-8")

    edit(template, "{% endblock %}", "{% endblok %}")
    w.expect("not rebuilt")
    assert w.expect("template", stream="err").startswith("error: k/templates/full.md.j2:")
    assert "Renamed override" in page.read_text(encoding="utf-8")

    assert w.stop(signal.SIGINT) == 0       # Ctrl-C
    assert w.out[-1] == "stopped watching"


def test_a_wrong_option_ends_the_watch_at_once_with_the_build_message(tmp_path):
    shutil.copytree(MINI, tmp_path / "p")
    r = run_cli("watch", "p", "--format", "odt", cwd=tmp_path)
    assert (r.code, r.err) == (2, "error: unknown output format 'odt' (use one of: docx, pdf, html)\n")
    r = run_cli("watch", "nowhere", cwd=tmp_path)
    assert r.code == 2 and r.err.startswith("error: nowhere: no briefgen.yaml here: not a briefgen project")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = run_cli("watch", "p", "--serve", "--port", str(port), cwd=tmp_path)
    assert (r.code, r.err) == (2, f"error: --port: cannot serve the preview on 127.0.0.1:{port}: the port is in use "
                                  "(give another port with --port, or --port 0 for any free one)\n")


def test_help_says_what_is_watched_with_an_example():
    r = run_cli("watch", "--help")
    assert r.code == 0
    text = " ".join(r.out.split())
    assert "Example: briefgen watch seeds --audience executive --serve" in text
    assert "--serve" in text and "--port" in text and "the last good files stay in place" in text


def test_a_change_no_folder_event_reports_is_still_seen(tmp_path, watching):
    """A data file that is a link to a file elsewhere: editing that file sends no event
    from the project folder; the once-a-second comparison finds it."""
    project = shutil.copytree(MINI, tmp_path / "p")
    elsewhere = tmp_path / "shared" / "claims.yaml"
    elsewhere.parent.mkdir()
    (project / "claims.yaml").rename(elsewhere)
    (project / "claims.yaml").symlink_to(elsewhere)
    w = watching("p", "--out", "out", "--format", "html", cwd=tmp_path)
    w.expect("built: wrote")
    edit(elsewhere, "Seven new models were launched.", "Eight new models were launched.")
    assert " wrote " in w.expect("claims.yaml changed")
    assert "Eight new models were launched" in (tmp_path / "out" / "mini-briefing-full.html").read_text(encoding="utf-8")
    assert w.stop() == 0
