"""A fast start: each command loads only the libraries its work needs, and the shortcuts
that make that possible print what the plain path prints.

Times are measured by bench/run.py (the `startup` rows), not here: a test checks what
is loaded, which does not depend on how busy the machine is.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
import rich.control
from rich.console import Console

from briefgen.console import RICH_DEFAULTS, STRIPPED, Lazy
from briefgen.parallel import forking_possible
from conftest import MINI, run_cli

HEAVY = ("docx", "lxml", "reportlab", "PIL", "uharfbuzz", "pyhanko", "openpyxl", "rich", "jinja2", "markdown_it")


def loaded_by(*argv: str) -> set[str]:
    """The top-level packages of HEAVY that `briefgen ARGV` has loaded when it ends."""
    code = ("import json, sys\nfrom briefgen.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_writer_table_or_template_library():
    code = "import sys, briefgen.cli; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(eval(out)) & {*HEAVY, "pydantic"} == set()


@pytest.mark.parametrize("argv", [("--help",), ("build", "--help"), ("validate", str(MINI))])
def test_help_and_validate_load_none_of_the_heavy_libraries(argv):
    assert loaded_by(*argv) == set()


def test_a_table_loads_rich_and_a_csv_export_loads_no_spreadsheet_or_word_library(tmp_path):
    assert "rich" in loaded_by("timeline", str(MINI))
    assert loaded_by("export", str(MINI), "--out", str(tmp_path / "c.csv")) & {"openpyxl", "docx"} == set()
    xlsx = loaded_by("export", str(MINI), "--out", str(tmp_path / "c.xlsx"))
    assert "openpyxl" in xlsx and "docx" not in xlsx   # its reproducible zip is not the Word writer's business


@pytest.mark.skipif(not forking_possible(), reason="one core or no fork: every format is written here")
def test_a_build_loads_each_writers_library_only_in_the_process_that_writes_its_format(tmp_path):
    # the .pdf is written in a process started ahead, the .docx here (which measures its
    # table columns with reportlab's font metrics, but never loads its page layout)
    code = ("import json, sys\nfrom briefgen.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'reportlab', 'rich'))),"
            " file=sys.stderr)")
    argv = ["build", str(MINI), "--format", "docx,pdf", "--out", str(tmp_path / "o"), "--no-toc-pages"]
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
    assert sorted(p.suffix for p in (tmp_path / "o").iterdir()) == [".docx", ".pdf"]
    assert "docx" in loaded and "reportlab.platypus" not in loaded and not any(m.startswith("rich") for m in loaded)


def test_plain_help_keeps_square_brackets_as_text():
    # rich's markup took "[seal]" for a style and printed "needs briefgen)"
    r = run_cli("build", "--help")
    assert r.code == 0 and "briefgen[seal]" in r.out


# --- the plain-line shortcut prints exactly what rich prints -------------------------------

HOSTILE = ["seeds: OK: 5 sources", "", "trailing  ", "é 中文 عربي \u200b\u202e", "bell\x07 back\x08 cr\r ff\x0c vt\x0b",
           "escape \x1b[31mred\x1b[0m", "nul\x00 del\x7f", "[bold]not markup[/bold] [link=x]y[/link]",
           ":smile: :warning: stay text", "two\nlines\n", "tab\there", "中\tCJK before a tab", "x" * 300]


@pytest.mark.parametrize("settings,call", [
    ({"highlight": False, "soft_wrap": False}, {"markup": False, "highlight": False, "soft_wrap": True}),  # say()
    ({"highlight": False}, {"markup": False, "soft_wrap": True}),                                        # errors
    ({"highlight": False}, {"markup": False}),                                 # may wrap: rich's own path
    ({}, {}),                                                                  # markup on: rich's own path
])
@pytest.mark.parametrize("text", HOSTILE)
def test_a_lazy_console_prints_what_rich_prints(settings, call, text):
    lazy_out, rich_out = io.StringIO(), io.StringIO()
    Lazy(file=lazy_out, **settings).print(text, **call)
    Console(file=rich_out, emoji=False, **settings).print(text, **call)
    assert lazy_out.getvalue() == rich_out.getvalue()


def test_the_shortcut_is_taken_for_plain_lines_only():
    say = Lazy(file=io.StringIO(), highlight=False, soft_wrap=False)
    say.print("wrote out/x.pdf", markup=False, highlight=False, soft_wrap=True)
    assert say._rich is None
    say.print("tab\there", markup=False, highlight=False, soft_wrap=True)
    assert say._rich is not None
    say.rich.begin_capture()  # once rich is loaded, it prints every line
    say.print("wrote out/x.docx", markup=False, highlight=False, soft_wrap=True)
    assert say.rich.end_capture() == "wrote out/x.docx\n"


def test_what_rich_strips_and_its_defaults_are_pinned():
    assert STRIPPED == rich.control._CONTROL_STRIP_TRANSLATE
    console = Console()
    assert RICH_DEFAULTS == {"markup": console._markup, "highlight": console._highlight,
                             "soft_wrap": console.soft_wrap}
