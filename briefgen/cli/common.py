"""The command line's shared parts: the app, its consoles, the options several commands
take, and the wrapper that turns errors into messages and exit codes. Only the command
line (this package) prints and exits."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Callable, NoReturn, Optional

import typer

from briefgen import __version__
from briefgen.console import Lazy
from briefgen.errors import EXIT_CODES, BriefgenError
from briefgen.writers import FORMATS

app = typer.Typer(
    help=f"Turn a chronology and a claims register into footnoted briefings ({', '.join(FORMATS)}).",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: no rich to load, and [brackets] stay text
)
out = Lazy(highlight=False, soft_wrap=False)   # rich is loaded only for tables and progress
err = Lazy(stderr=True, highlight=False)

ProjectDir = Annotated[Path, typer.Argument(help="Project folder (holds briefgen.yaml).", show_default=True)]
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Only what was known on this day (YYYY-MM-DD).")]
# the options of a build, shared by `build` and `watch`
Audience = Annotated[Optional[str], typer.Option(help="Which briefing (template) to build; default: the project's.")]
Formats = Annotated[Optional[list[str]], typer.Option("--format", metavar="<formats>", help=f"Formats to write, comma-separated or the option repeated, from: {', '.join(FORMATS)}; default: the project's formats.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder to write into.")]
BuildDate = Annotated[Optional[str], typer.Option("--date", help="Build date YYYY-MM-DD (document dates; default: SOURCE_DATE_EPOCH, else the project's as_of, else today).")]
ReferenceDocx = Annotated[Optional[Path], typer.Option("--reference-docx", help="A .docx whose styles, page set-up, headers and footers to use.")]
Sandbox = Annotated[bool, typer.Option("--sandbox", help="Render templates in Jinja2's sandbox (for templates you do not trust).")]
TimeLimit = Annotated[float, typer.Option("--time-limit", help="Seconds a template may take to render; with --sandbox, the whole build.")]
MemoryLimit = Annotated[int, typer.Option("--memory-limit", help="Megabytes a --sandbox build may use.")]


def _day_option(value: str | None, name: str):
    from briefgen.dates import DateError, parse_day

    if value is None:
        return None
    try:
        return parse_day(value)
    except DateError as exc:
        raise BriefgenError.one(str(exc), field=name, kind="usage") from None


def _load(project_dir: Path, as_of_text: str | None):
    """Load a project, cut to what was known on --as-of if given."""
    from briefgen.asof import as_of
    from briefgen.load import load_project

    project = load_project(project_dir)
    day = _day_option(as_of_text, "--as-of")
    return as_of(project, day) if day else project


def say(text: str) -> None:
    """One plain line to stdout, never wrapped or styled."""
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def _fail(exc: BriefgenError) -> None:
    _problems(exc)
    raise typer.Exit(EXIT_CODES.get(exc.kind, 1))


def _problems(exc: BriefgenError) -> None:
    """The problems of `exc` on stderr, one per line."""
    n = len(exc.problems)
    if n > 1:
        err.print(f"error: {n} problems found", markup=False, soft_wrap=True)
    for line in exc.render().splitlines():
        err.print(("error: " if n == 1 else "  ") + line, markup=False, soft_wrap=True)


def handled(fn: Callable) -> Callable:
    """Run a command; turn project errors into messages and exit codes, never tracebacks."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except BriefgenError as exc:
            _fail(exc)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:   # what reads the output went away (`briefgen ... | head -1`): not a bug
            sys.stdout = open(os.devnull, "w")   # nothing more to say; the flush at exit must not fail too
            raise typer.Exit(141) from None       # as a program the pipe's signal ended (128 + SIGPIPE)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("BRIEFGEN_DEBUG"):
                raise
            err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False)
            err.print("This is a bug in briefgen; run again with BRIEFGEN_DEBUG=1 for details.", markup=False)
            raise typer.Exit(70)
    return wrapper


def _version(value: bool) -> None:
    if value:
        say(f"briefgen {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                           help="Show the version and exit.")] = None) -> None:
    """briefgen: validated chronologies and claims registers into executive briefings."""


def leave(code: object) -> NoReturn:
    """End the process as ``sys.exit(code)`` would, without tearing the interpreter down:
    freeing every module and object one by one took 30 ms of a 0.65 s build, for nothing
    the process still needs (mypy ends the same way). Its files are written and closed by
    now; the exit functions still run (a zipped install's unpacked copy is removed, the
    multiprocessing module's clean-up) and the output streams are flushed."""
    import atexit

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:   # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()   # CPython's own call at a normal exit (no public name for it)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe (briefgen ... | head): nothing left to say
            pass
    os._exit(status)
