"""Benchmark: whole `briefgen build` processes against their peers, with ratios and targets.

    python bench/run.py                 # seed briefing, N = 1,000 and N = 10,000
    python bench/run.py --sizes 1000    # quicker

For each size it generates a synthetic project (bench/generate.py), builds the full
briefing as .docx and .pdf in fresh processes, and measures wall time and peak memory
(the child's maximum resident set). Peers on the same content: pandoc converting the
same Markdown (same footnotes) to .docx, and plain reportlab laying out the same text
without footnotes (bench/floor_reportlab.py). A peer that is not installed is skipped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one command, run to completion."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def briefgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", *args]


def markdown_of(project: Path, dest: Path) -> Path:
    code = ("import datetime as dt, sys; from briefgen.load import load_project; from briefgen.render import render; "
            "p = load_project(sys.argv[1]); open(sys.argv[2], 'w', encoding='utf-8').write("
            "render(p, p.config.audience, dt.date(2026, 1, 1)))")
    subprocess.run([sys.executable, "-c", code, str(project), str(dest)], check=True)
    return dest


def _pages(pdf: Path) -> str:
    if not shutil.which("pdfinfo"):
        return "?"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), "?")


def row(label: str, wall: float, rss: float, extra: str = "") -> None:
    print(f"  {label:<34} {wall:8.2f} s {rss:8.0f} MB  {extra}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--work", default="/tmp/briefgen-bench")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    checks: list[tuple[str, bool, str]] = []

    print("seed briefing (cold process, both formats; median of 5 after one untimed run that compiles bytecode)")
    seed = briefgen("build", str(ROOT / "seeds"), "--format", "docx,pdf", "--out", str(work / "seeds"))
    measure(seed)
    runs = sorted(measure(seed) for _ in range(5))
    wall, rss = runs[2]
    row("briefgen build seeds docx,pdf", wall, rss, f"(runs {runs[0][0]:.2f}-{runs[-1][0]:.2f} s)")
    checks.append(("seed briefing, both formats <= 1.0 s", wall <= 1.0, f"{wall:.2f} s"))

    have_pandoc = shutil.which("pandoc") is not None
    for n in [int(x) for x in args.sizes.split(",") if x]:
        project = work / f"n{n}"
        if not (project / "briefgen.yaml").exists():
            generate(n, project)
        out = work / f"out{n}"
        print(f"N = {n:,} events and {n:,} claims")
        r = results[n] = {}
        for fmt in ("docx", "pdf"):
            r[fmt] = measure(briefgen("build", str(project), "--format", fmt, "--out", str(out), "--date", "2026-01-01"))
        md = markdown_of(project, work / f"n{n}.md")
        pages = _pages(next(out.glob("*.pdf")))
        floor = [sys.executable, str(HERE / "floor_reportlab.py")]
        subprocess.run(floor + ["prepare", str(md), str(work / f"floor{n}.json")], check=True)  # untimed
        r["floor"] = measure(floor + ["build", str(work / f"floor{n}.json"), str(work / f"floor{n}.pdf")])
        row("briefgen .docx", *r["docx"])
        if have_pandoc:
            r["pandoc"] = measure(["pandoc", "-f", "markdown", "-t", "docx", str(md), "-o", str(work / f"pandoc{n}.docx")])
            row("pandoc .docx (same Markdown)", *r["pandoc"], f"briefgen/pandoc = {r['docx'][0] / r['pandoc'][0]:.2f}")
        else:
            print("  pandoc: not installed, skipped")
        row(f"briefgen .pdf ({pages} pages)", *r["pdf"])
        row(f"plain reportlab floor ({_pages(work / f'floor{n}.pdf')} pages)", *r["floor"], f"briefgen/floor = {r['pdf'][0] / r['floor'][0]:.2f}")
        if n == 10000:
            checks.append((".docx at N=10,000 <= 8 s", r["docx"][0] <= 8, f"{r['docx'][0]:.1f} s"))
            if have_pandoc:
                checks.append((".docx <= 1/4 of pandoc", r["docx"][0] <= r["pandoc"][0] / 4,
                               f"{r['docx'][0] / r['pandoc'][0]:.2f} of pandoc"))
            checks.append((".pdf <= 1.25 x plain reportlab", r["pdf"][0] <= 1.25 * r["floor"][0],
                           f"{r['pdf'][0] / r['floor'][0]:.2f} x"))
            peak = max(r["docx"][1], r["pdf"][1])
            checks.append(("peak memory <= 400 MB", peak <= 400, f"{peak:.0f} MB"))
    if 1000 in results and 10000 in results:
        for fmt in ("docx", "pdf"):
            growth = results[10000][fmt][0] / results[1000][fmt][0]
            checks.append((f"{fmt} growth N=1,000 -> 10,000 <= 12x", growth <= 12, f"{growth:.1f}x"))
    print("targets")
    for label, ok, value in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:<40} {value}")


if __name__ == "__main__":
    main()
