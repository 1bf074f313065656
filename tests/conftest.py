"""Shared helpers: run the real CLI, copy fixture projects."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
MINI = TESTS / "data" / "mini"
SEEDS = ROOT / "seeds"
REGEN = os.environ.get("BRIEFGEN_REGEN") == "1"

# Property tests draw the same examples on every run (CI must not pass on one run and fail
# on the next); BRIEFGEN_HYPOTHESIS=random draws new ones, ten times as many.
settings.register_profile("fixed", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("random", derandomize=False, database=None, deadline=None, print_blob=True)
RANDOM = os.environ.get("BRIEFGEN_HYPOTHESIS") == "random"
settings.load_profile("random" if RANDOM else "fixed")


def examples(n: int) -> int:
    """How many examples a property test draws: `n`, or ten times `n` in a random run."""
    return n * 10 if RANDOM else n


def expected_text(path: Path, actual: str) -> str:
    """A golden file's text. BRIEFGEN_REGEN=1 rewrites it from `actual`; without that, a
    missing file fails the test, so a new case cannot pass before its output is reviewed."""
    if REGEN:
        path.write_text(actual, encoding="utf-8")
    if not path.exists():
        pytest.fail(f"{path.relative_to(TESTS)} is missing: run with BRIEFGEN_REGEN=1 and review what it writes")
    return path.read_text(encoding="utf-8")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> Result:
    """Run `python -m briefgen ARGS` as a user would, in `cwd`."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("BRIEFGEN_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)



def ctrl_c_reaches_it() -> None:
    """For a process a test stops with SIGINT, as Ctrl-C in a terminal does (a Popen
    `preexec_fn`): a suite started in the background by a script (``pytest &``) has
    SIGINT ignored, as POSIX shells do for background jobs, and its children inherit
    that, so they would never see the signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A fresh copy of the hand-made mini project."""
    dest = tmp_path / "mini"
    shutil.copytree(MINI, dest)
    return dest


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; .ci/run installs it (see README)")
    return path


def seed_register(rows: int = 3):
    """The seed briefing's claims register table (header and its first `rows` rows): its
    narrow Grade column is exactly as wide as its header word in the PDF."""
    import dataclasses
    import datetime as dt

    from briefgen import tree as t
    from briefgen.build import document_for
    from briefgen.load import load_project

    full = document_for(load_project(SEEDS), "full", dt.date(2026, 1, 1))
    register = next(b for b in full.blocks if isinstance(b, t.Table) and b.header
                    and t.plain_text(b.header[0]) == "Claim")
    return dataclasses.replace(register, rows=register.rows[:rows])


def word_findings(path: Path, fmt: str = "office2019") -> list[str]:
    """What openxml-audit (the Open XML SDK's validator, with Word's known repair rules)
    finds in a .docx: every error and every Word app-compat finding, as text. Empty means
    Word is expected to open the file clean. A fresh validator each time: one that has
    validated a file keeps counting into the next."""
    from openxml_audit import FileFormat, OpenXmlValidator, SourceClass, ValidationSeverity

    result = OpenXmlValidator(file_format=FileFormat(fmt), max_errors=0).validate(str(path))
    return [f"{e.source_class.value}: {e.description} ({e.part_uri} {e.path})" for e in result.errors
            if e.severity == ValidationSeverity.ERROR or e.source_class is SourceClass.WORD_APP_COMPAT]


# The Word writer's contents page numbers run LibreOffice (seconds a build); the tests
# that test them turn it on. Set before any build, inherited by the CLI's processes.
os.environ["BRIEFGEN_TOC_PAGES"] = "off"
# compiled templates kept between commands go to a cache of the suite's own, not the user's
os.environ.setdefault("BRIEFGEN_CACHE_DIR", tempfile.mkdtemp(prefix="briefgen-test-cache-"))


class LibreOffice:
    """One LibreOffice for the whole test session, driven through its UNO API by
    briefgen's own script (LibreOffice starts in seconds; a document loads in one)."""

    SCRIPT = ROOT / "briefgen" / "writers" / "docx" / "uno_layout.py"

    def __init__(self, profile: Path) -> None:
        from briefgen.writers.docx.layout import uno_python

        self.python = uno_python()
        if self.python is None:
            pytest.fail("LibreOffice's Python bridge is not installed; scripts/test installs python3-uno")
        self.pipe = f"briefgen-tests-{os.getpid()}"
        self.proc = subprocess.Popen(
            [tool("soffice"), "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
             "--nolockcheck", f"-env:UserInstallation={profile.as_uri()}", f"--accept=pipe,name={self.pipe};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def run(self, action: str, *args: str | Path):
        """What the script prints for `action` on `args`, read as JSON."""
        import json

        proc = subprocess.run([self.python, str(self.SCRIPT), "--connect", self.pipe, action, *map(str, args)],
                              capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": ""})
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def close(self) -> None:
        subprocess.run([self.python, str(self.SCRIPT), "--connect", self.pipe, "quit"], capture_output=True,
                       timeout=60, env={**os.environ, "PYTHONPATH": ""})
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory):
    lo = LibreOffice(tmp_path_factory.mktemp("lo-profile"))
    os.environ["BRIEFGEN_SOFFICE_PIPE"] = lo.pipe   # builds that lay out the contents use it too
    yield lo
    os.environ.pop("BRIEFGEN_SOFFICE_PIPE", None)
    lo.close()


def pytest_terminal_summary(terminalreporter) -> None:
    """The hostile corpus per class: cases, how many held, their exit codes, the slowest."""
    rows: dict[str, dict] = {}
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if report.when != "call" or "test_hostile_input[" not in report.nodeid:
                continue
            row = rows.setdefault(report.nodeid.split("[", 1)[1].split("/", 1)[0],
                                  {"passed": 0, "failed": 0, "exits": {}, "slowest": 0.0})
            row[outcome] += 1
            props = dict(report.user_properties)
            if "exit" in props:
                row["exits"][props["exit"]] = row["exits"].get(props["exit"], 0) + 1
            row["slowest"] = max(row["slowest"], props.get("seconds", 0.0))
    if not rows:
        return
    terminalreporter.section("hostile corpus")
    for name, row in sorted(rows.items()):
        exits = ", ".join(f"exit {code}: {n}" for code, n in sorted(row["exits"].items()))
        terminalreporter.write_line(f"{name:16} {row['passed'] + row['failed']:3} cases, {row['failed']} failed "
                                    f"({exits}); slowest {row['slowest']:.1f} s")
    total = sum(r["passed"] + r["failed"] for r in rows.values())
    terminalreporter.write_line(f"{'all':16} {total:3} cases, {sum(r['failed'] for r in rows.values())} failed")
