"""How the command line ends: ``leave`` exits as ``sys.exit`` would (status, message,
exit functions, flushed output) without tearing the interpreter down; and a reader that
goes away (``briefgen ... | head -1``) is not reported as a bug."""

from __future__ import annotations

import subprocess
import sys

from conftest import MINI


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_leave_runs_the_exit_functions_flushes_and_gives_the_status():
    r = _python("import atexit\nfrom briefgen.cli.common import leave\n"
                "atexit.register(lambda: print('exit function ran'))\n"
                "print('said before', end='; ')\nleave(3)")
    assert (r.returncode, r.stdout) == (3, "said before; exit function ran\n")


def test_leave_with_a_message_prints_it_and_gives_status_1():
    r = _python("from briefgen.cli.common import leave\nleave('stopped: reason')")
    assert (r.returncode, r.stderr) == (1, "stopped: reason\n")
    assert _python("from briefgen.cli.common import leave\nleave(None)").returncode == 0


def test_a_reader_that_goes_away_is_not_an_internal_error(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build", str(MINI), "--out", str(tmp_path / "o"),
                             "--format", "docx,pdf", "--date", "2026-01-01"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()   # `| head -0`: the reader is gone before the first line
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141   # as a program its pipe's signal ended
    assert "internal error" not in err and "Traceback" not in err and "Exception ignored" not in err
    assert len(list((tmp_path / "o").iterdir())) == 2   # the build itself was done
