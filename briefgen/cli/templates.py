"""`briefgen templates list|new|show` and `briefgen init`: starting a project and its
audiences."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from briefgen.cli.common import ProjectDir, app, err, handled, out, say
from briefgen.console import Table
from briefgen.errors import BriefgenError, display_path

templates_app = typer.Typer(help="List, create and show audience templates.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(templates_app, name="templates")


@templates_app.command("list")
@handled
def templates_list(project_dir: ProjectDir = Path(".")) -> None:
    """List the audiences a project can build, and where each template comes from.

    Example: briefgen templates list seeds
    """
    from briefgen.audiences import audiences, misnamed, misnamed_warning, replaced_builtins

    table = Table(expand=True)
    for col, kw in (("Audience", {"no_wrap": True}), ("From", {"no_wrap": True}), ("Description", {"ratio": 3})):
        table.add_column(col, **kw)
    replaced = replaced_builtins(project_dir)
    for aud in audiences(project_dir):
        origin = aud.origin + (" (with the project's " + ", ".join(p.name for p in replaced) + ")"
                               if replaced and aud.origin == "built-in" else "")
        table.add_row(aud.name, origin, aud.description)
    out.print(table, markup=False)
    for path in replaced:
        err.print(f"note: {display_path(path)} replaces the built-in one, so every built-in audience runs it "
                  "too; build a project you do not trust with --sandbox", markup=False, soft_wrap=True)
    for path in misnamed(project_dir):
        err.print(f"warning: {misnamed_warning(path)}", markup=False, soft_wrap=True)


@templates_app.command("new")
@handled
def templates_new(
    name: Annotated[str, typer.Argument(help="Name of the new template (lower-case word).")],
    project_dir: ProjectDir = Path("."),
    base: Annotated[str, typer.Option("--from", help="Audience to start from.")] = "full",
) -> None:
    """Create a project template that extends an audience and builds as it is.

    Example: briefgen templates new board --from executive seeds
    """
    from briefgen.load import CONFIG_FILE
    from briefgen.scaffold import new_template

    if not (project_dir / CONFIG_FILE).is_file():
        raise BriefgenError.one("not a briefgen project (no briefgen.yaml)", file=display_path(project_dir),
                                hint="pass the project folder", kind="usage")
    for path in new_template(project_dir, name, base):
        say(f"wrote {display_path(path)}")
    say(f"build it with: briefgen build {display_path(project_dir)} --audience {name}")


@templates_app.command("show")
@handled
def templates_show(
    name: Annotated[str, typer.Argument(help="Audience whose template to print.")],
    project_dir: ProjectDir = Path("."),
) -> None:
    """Print an audience's template and profile, and where they come from.

    Example: briefgen templates show executive seeds
    """
    from briefgen.audiences import find, read_template, search_path

    aud = find(project_dir, name)
    folders = search_path(project_dir)
    say(f"# {display_path(aud.template)} ({aud.origin})")
    sys.stdout.write(read_template(aud.template, folders))
    if aud.profile_path is not None:
        say(f"\n# {display_path(aud.profile_path)}")
        sys.stdout.write(read_template(aud.profile_path, folders))


@app.command()
@handled
def init(target: Annotated[Path, typer.Argument(help="New or empty folder for the project.")]) -> None:
    """Create a new briefing project (config, example data, templates) that builds as it is.

    Example: briefgen init my-briefing
    """
    from briefgen.scaffold import init_project

    made = init_project(target)
    # from inside the project, as its briefgen.yaml says: out/ is made where briefgen runs
    where = display_path(target)
    nxt = "briefgen validate . && briefgen build ." if where == "." else \
        f"cd {shlex.quote(where)} && briefgen validate . && briefgen build ."
    say(f"created {len(made)} files in {where}; next: {nxt}")
