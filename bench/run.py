"""Benchmark: whole `briefgen build` processes against their peers, with ratios and targets.

    python bench/run.py                 # seed briefing, N = 1,000 and N = 10,000
    python bench/run.py --sizes 1000    # quicker
    python bench/run.py --sizes 1000 --peers typst,xelatex
    python bench/run.py --startup-only  # --help, validate and the seed build against their floors
    python bench/run.py --watch-only    # briefgen watch's rebuild after an edit against a cold build

For each size it generates a synthetic project (bench/generate.py), builds the full
briefing as .docx and .pdf in fresh processes, and measures wall time and peak memory
(of the whole process tree, bench/proc.py). The same Markdown, translated for pandoc
(bench/feed.py, untimed), goes to each peer: pandoc (PATH) and pandoc 3 writing .docx,
pandoc 3 through Typst, xelatex and WeasyPrint to PDF (bench/anchors.py), and plain
reportlab laying out the same text without footnotes (bench/floor_reportlab.py). A peer
that is not installed is skipped with a line saying why.

Each peer runs alternately with briefgen's build of the same format (briefgen, peer,
briefgen, peer, ...), and the ratio is the median of the pairs', so drift of a shared
machine cancels. Every output is read back (bench/notes.py) for its pages, the notes it
really holds and how many sit on their reference's page. A peer that holds fewer notes
than briefgen is flagged beside its time and fails the fairness check.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import anchors as anchor_defs  # noqa: E402
import feed  # noqa: E402
import notes  # noqa: E402
import proc  # noqa: E402
import startup  # noqa: E402
from generate import generate  # noqa: E402


@dataclass
class Row:
    label: str
    runs: list[proc.Result] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # briefgen / this, one per pair
    pages: str = ""
    notes: notes.NoteCount | None = None
    output: Path | None = None
    unread: str = ""  # why the output could not be read back

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def peak(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def stopped(self) -> proc.Result | None:
        return next((r for r in self.runs if not r.ok), None)


class Bench:
    def __init__(self, args):
        self.args = args
        self.cap_mb = args.mem_cap_gb * 1024
        self.checks: list[tuple[str, bool, str]] = []

    def measure(self, cmd: list[str], cwd: Path | None = None, *, peer: bool = False) -> proc.Result:
        """One run; briefgen failing stops the benchmark, a peer failing is reported."""
        result = proc.run(cmd, cwd=cwd, time_limit=self.args.time_limit, mem_cap_mb=self.cap_mb)
        if result.status == "failed" and not peer:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{result.message}")
        return result

    def paired(self, own: Row, own_cmd: list[str], peer: Row, peer_cmd: list[str], cwd: Path, pairs: int) -> None:
        """briefgen, peer, briefgen, peer, ...: `pairs` pairs, fewer once the peer's runs
        have taken the budget; a peer stopped at a limit is not run again."""
        for i in range(pairs):
            if i and sum(r.wall for r in peer.runs) > self.args.budget:
                return
            mine = self.measure(own_cmd)
            theirs = self.measure(peer_cmd, cwd, peer=True)
            own.runs.append(mine)
            peer.runs.append(theirs)
            peer.ratios.append(mine.wall / theirs.wall)
            if not theirs.ok:
                return


# The Word contents without page numbers, as pandoc writes it: numbering them runs
# LibreOffice's layout, seconds that no peer spends and no target was set with.
NO_TOC_PAGES = ("--no-toc-pages",)


def briefgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", *args]


def markdown_of(project: Path, dest: Path) -> Path:
    code = ("import datetime as dt, sys; from briefgen.load import load_project; from briefgen.render import render; "
            "p = load_project(sys.argv[1]); open(sys.argv[2], 'w', encoding='utf-8').write("
            "render(p, p.config.audience, dt.date(2026, 1, 1)))")
    subprocess.run([sys.executable, "-c", code, str(project), str(dest)], check=True)
    return dest


def pdf_pages(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages")), "?")


def fmt_row(row: Row, base: Row | None = None) -> str:
    stop = row.stopped
    if stop and stop.status == "failed":
        wall = "failed"
    elif stop and stop.status == "time":
        wall = f"over {stop.wall:,.0f} s (stopped)"
    elif stop:
        wall = f"over {stop.peak_mb / 1024:.1f} GB at {stop.wall:.0f} s (stopped)"
    else:
        wall = f"{row.wall:8.2f} s"
    ratio = ""
    if base is not None and row.ratios:
        r = statistics.median(row.ratios)
        ratio = (f"< {r:.2f}" if stop else f"{r:.2f}") + (
            f" ({min(row.ratios):.2f}-{max(row.ratios):.2f}, {len(row.ratios)} pairs)" if len(row.ratios) > 1 else "")
    held = row.notes.summary() if row.notes else ("not read back: stopped" if stop else row.unread)
    if stop and stop.status == "failed":
        held = stop.message.splitlines()[-1][:100] if stop.message else "no message"
    if row.notes and base is not None and base.notes and row.notes.found < base.notes.found:
        held = f"LOST {base.notes.found - row.notes.found:,} NOTES: " + held
    return (f"  {row.label:<44} {wall:>12} {row.peak:7.0f} MB  {row.pages:>6}  {ratio:<26} {held}")


def header() -> str:
    return f"  {'':<44} {'wall':>12} {'peak':>10}  {'pages':>6}  {'briefgen/peer':<26} notes held"


def watch_row(bench: Bench, work: Path) -> None:
    """`briefgen watch` on a copy of the seeds: the rebuild after a one-line claims edit
    (median of 5, as the watcher reports it: from the change to both files in place)
    against a cold `briefgen build` of the same project (median of 3)."""
    import re
    import shutil
    import signal

    project, out = work / "watch-seeds", work / "watch-out"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(ROOT / "seeds", project)
    args = (str(project), "--format", "docx,pdf", "--date", "2026-01-01")
    cold_cmd = briefgen("build", *args, "--out", str(work / "watch-cold"), *NO_TOC_PAGES)  # as watch writes it

    def cold_run() -> tuple[float, float]:   # (wall, processor time with the writer it forks)
        start = time.perf_counter()
        child = subprocess.Popen(cold_cmd, stdout=subprocess.DEVNULL)
        _, _, used = os.wait4(child.pid, 0)
        return time.perf_counter() - start, used.ru_utime + used.ru_stime

    cold_run()
    colds = [cold_run() for _ in range(3)]
    cold, cold_cpu = statistics.median(w for w, _ in colds), statistics.median(c for _, c in colds)
    proc = subprocess.Popen(briefgen("watch", *args, "--out", str(out)), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    claims = project / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("statement:"))
    times, cpu = [], []

    def cpu_seconds() -> float:   # processor time so far (Linux), to see past a busy machine: the
        total = 0                   # watcher's and its writer process's (a child still running)
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(stat.parent.name) == proc.pid or int(fields[1]) == proc.pid:
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    for i in range(6):
        report = proc.stdout.readline()
        if not report:
            raise SystemExit("briefgen watch stopped")
        found = re.search(r"claims\.yaml changed: wrote .* in ([0-9.]+) s$", report)
        if found:
            times.append(float(found.group(1)))
            cpu.append(cpu_seconds() - start)
        elif "built:" not in report:
            raise SystemExit(f"briefgen watch: {report}")
        if i == 0:
            proc.stdout.readline()   # "watching ..."
        if i < 5:
            start = cpu_seconds()
            claims.write_text(text.replace(line, f"{line[:-1]} (edit {i}){line[-1]}", 1), encoding="utf-8")
    proc.send_signal(signal.SIGTERM)
    _, status, usage = os.wait4(proc.pid, 0)
    warm = statistics.median(times)
    print(f"  {'briefgen watch seeds, rebuild after edit':<44} {warm:10.2f} s {usage.ru_maxrss / 1024:7.0f} MB  "
          f"{warm / cold:.2f} of a cold build ({cold:.2f} s); runs {min(times):.2f}-{max(times):.2f} s")
    warm_cpu = statistics.median(cpu)
    print(f"  {'  processor time, rebuild vs cold':<44} {warm_cpu:10.2f} s {'':10}  "
          f"{warm_cpu / cold_cpu:.2f} of a cold build's ({cold_cpu:.2f} s; each with its writer process)")
    bench.checks.append(("watch: seed rebuild, both formats <= 0.25 s", warm <= 0.25,
                   f"{warm:.2f} s, {warm / cold:.2f} of cold"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--work", default="/tmp/briefgen-bench")
    ap.add_argument("--pairs", type=int, default=3, help="runs of briefgen and each peer, alternating (seed, N < 10,000)")
    ap.add_argument("--large-pairs", type=int, default=1, help="the same from N = 10,000 on")
    ap.add_argument("--budget", type=float, default=60,
                    help="seconds of one peer's runs at one size after which no further pair starts")
    ap.add_argument("--peers", default="", help="only these anchors (pandoc, pandoc3-docx, typst, typst-plain, "
                                                "xelatex, weasyprint, floor); default all")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up group (a minute or two)")
    ap.add_argument("--watch-only", action="store_true", help="only the watch rebuild against a cold build (a minute or two)")
    ap.add_argument("--time-limit", type=float, default=600, help="seconds before a run is stopped")
    avail_gb = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    ap.add_argument("--mem-cap-gb", type=float, default=round(min(8.0, avail_gb / 2), 1),
                    help="a run whose process tree passes this is stopped (default: 8, or half the free memory)")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args)
    wanted = set(filter(None, args.peers.split(",")))
    peers = [a for a in anchor_defs.anchors() if not wanted or a.key in wanted]
    load0 = os.getloadavg()
    print(f"load average {load0[0]:.2f} at start; runs stopped past {args.time_limit:.0f} s "
          f"or {args.mem_cap_gb:.1f} GB")
    # As pip does when it installs the wheel; a checkout under PYTHONDONTWRITEBYTECODE (or a
    # fresh one) would otherwise compile briefgen's modules in every timed run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "briefgen")], check=True,
                   stdout=subprocess.DEVNULL)
    print("briefgen's bytecode compiled first, as installing the wheel does")
    for a in peers:
        if a.missing:
            print(f"  {a.label}: skipped, {a.missing}")

    if not args.watch_only:
        startup_run(bench, work)
    if args.startup_only or args.watch_only:
        if args.watch_only:
            watch_row(bench, work)
        print_targets(bench)
        return
    watch_row(bench, work)

    results: dict[str, dict[str, Row]] = {}
    sizes = ["seed"] + [x for x in args.sizes.split(",") if x]
    for size in sizes:
        results[size] = size_run(bench, work, size, peers, wanted)
    if "1000" in results and "10000" in results:
        for fmt in ("docx", "pdf"):
            growth = results["10000"][fmt].wall / results["1000"][fmt].wall
            bench.checks.append((f"{fmt} growth N=1,000 -> 10,000 <= 12x", growth <= 12, f"{growth:.1f}x"))
    load1 = os.getloadavg()
    print(f"noise: load average {load0[0]:.2f} at start, {load1[0]:.2f} at end; briefgen's own runs spread "
          + ", ".join(f"{size} {fmt} {spread(rows[fmt])}" for size, rows in results.items() for fmt in ("docx", "pdf")))
    print_targets(bench)


def print_targets(bench: Bench) -> None:
    print("targets")
    for label, ok, value in bench.checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:<44} {value}")


def startup_run(bench: Bench, work: Path) -> None:
    """The `startup` group: short commands and the seed build, cold, each run alternately
    with its floor (a bare interpreter; the import floor) so the ratios are paired."""
    python = startup.installed_python(ROOT, work)

    def installed(*args: str) -> list[str]:   # its command (python -m would import the checkout in it)
        return [str(python.parent / "briefgen"), *args]

    print("start-up (cold processes; each alternates with its floor, 5 pairs after one untimed run each), "
          f"briefgen installed from its wheel as a user installs it ({python.parent.parent})")
    seed = installed("build", str(ROOT / "seeds"), "--format", "docx,pdf", "--out", str(work / "seeds"), *NO_TOC_PAGES)
    floor = startup.floor_command(startup.third_party_modules(seed), work / "import_floor.py")
    bare = [str(python), "-c", "pass"]
    rows = [("briefgen --help", installed("--help"), "python -c pass", bare, 0.25, None),
            ("briefgen validate seeds", installed("validate", str(ROOT / "seeds")), "python -c pass", bare, 0.25, None),
            ("briefgen build seeds docx,pdf", seed, "import floor (libraries a build loads)", floor, 0.6, 1.6)]
    print(header())
    for label, cmd, floor_label, floor_cmd, target_s, target_ratio in rows:
        own, base = Row(label), Row(floor_label)
        bench.measure(cmd), bench.measure(floor_cmd)
        bench.paired(own, cmd, base, floor_cmd, ROOT, 5)
        print(fmt_row(own))
        print(fmt_row(base, own))
        bench.checks.append((f"{label} <= {target_s} s (quiet machine)", own.wall <= target_s, f"{own.wall:.2f} s"))
        if target_ratio is not None:
            r = statistics.median(base.ratios)
            bench.checks.append((f"{label} <= {target_ratio} x import floor", r <= target_ratio, f"{r:.2f} x"))


def spread(row: Row) -> str:
    walls = [r.wall for r in row.runs]
    return f"±{50 * (max(walls) - min(walls)) / statistics.median(walls):.0f}%" if len(walls) > 1 else "(1 run)"


def size_run(bench: Bench, work: Path, size: str, peers: list, wanted: set) -> dict[str, Row]:
    n = 0 if size == "seed" else int(size)
    pairs = bench.args.pairs if n < 10000 else bench.args.large_pairs
    if n:
        project = work / f"n{n}"
        if not (project / "briefgen.yaml").exists():
            generate(n, project)
        print(f"N = {n:,} events and {n:,} claims (up to {pairs} pairs per peer)")
    else:
        project = ROOT / "seeds"
        print(f"seed briefing, one format at a time (up to {pairs} pairs per peer)")
    out = work / f"out-{size}"
    md = markdown_of(project, work / f"{size}.md")
    fed = work / f"feed-{size}"
    feed.prepare(md, fed)  # untimed
    marks = notes.load_marks(fed / "notes.json")
    floor = [sys.executable, str(HERE / "floor_reportlab.py")]
    subprocess.run(floor + ["prepare", str(md), str(fed / "floor.json")], check=True)  # untimed

    own = {fmt: Row(f"briefgen .{fmt}") for fmt in ("docx", "pdf")}
    cmds = {fmt: briefgen("build", str(project), "--format", fmt, "--out", str(out), "--date", "2026-01-01",
                          *(NO_TOC_PAGES if fmt == "docx" else ())) for fmt in own}
    rows: dict[str, Row] = dict(own)
    todo = [a for a in peers if not a.missing]
    if not wanted or "floor" in wanted:
        todo.append(anchor_defs.Anchor("floor", "pdf", "plain reportlab floor", "",
                                       lambda f, o: floor + ["build", str(f / "floor.json"), str(o)]))
    for a in todo:
        rows[a.key] = Row(a.label)
        target = fed / f"{a.key}.{a.fmt}"
        bench.paired(own[a.fmt], cmds[a.fmt], rows[a.key], a.command(fed, target), fed, pairs)
        rows[a.key].output = target
    for fmt in own:
        if not own[fmt].runs:
            own[fmt].runs.append(bench.measure(cmds[fmt]))
        own[fmt].output = next(out.glob(f"*.{fmt}"))
    for key, row in rows.items():
        if row.stopped or not row.output.exists():
            continue
        if row.output.suffix == ".pdf":
            row.pages = pdf_pages(row.output)
        try:
            row.notes = notes.count(marks, row.output)
        except notes.Unreadable as exc:
            row.unread = str(exc)
    print(header())
    for fmt in ("docx", "pdf"):
        print(fmt_row(own[fmt]))
        for a in todo:
            if a.fmt == fmt:
                print(fmt_row(rows[a.key], own[fmt]))
    record_checks(bench, size, rows, len(marks))
    return rows


def record_checks(bench: Bench, size: str, rows: dict[str, Row], expected: int) -> None:
    for fmt in ("docx", "pdf"):
        mine = rows[fmt].notes or notes.NoteCount(expected, 0)
        bench.checks.append((f"{size}: briefgen .{fmt} holds every note", mine.found == expected,
                             f"{mine.found:,}/{expected:,}"))
    lost = [f"{row.label} {row.notes.found:,}" for key, row in rows.items()
            if key not in ("docx", "pdf", "floor") and row.notes and row.notes.found < expected]
    bench.checks.append((f"{size}: every peer fed every note", not lost, ", ".join(lost) or f"all {expected:,}"))
    if size == "seed":
        return
    n = int(size)
    docx, pdf = rows["docx"], rows["pdf"]
    if n == 10000:
        bench.checks.append((".docx at N=10,000 <= 8 s", docx.wall <= 8, f"{docx.wall:.1f} s"))
        if "pandoc" in rows and rows["pandoc"].ratios:
            r = statistics.median(rows["pandoc"].ratios)
            bench.checks.append((".docx <= 1/4 of pandoc", r <= 0.25, f"{r:.2f} of pandoc"))
        if "floor" in rows:
            r = statistics.median(rows["floor"].ratios)
            bench.checks.append((".pdf <= 1.25 x plain reportlab", r <= 1.25, f"{r:.2f} x"))
        # set on the largest process, before the whole tree was measured
        peak = max(r.largest_mb for r in docx.runs + pdf.runs)
        tree = max(docx.peak, pdf.peak)
        bench.checks.append(("peak memory <= 400 MB (largest process)", peak <= 400,
                             f"{peak:.0f} MB ({tree:.0f} MB the whole tree)"))


if __name__ == "__main__":
    main()
