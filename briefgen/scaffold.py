"""Creating things for the user: a new project (`init`) and a new template (`templates new`).

Nothing the user already has is overwritten.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from briefgen import resources
from briefgen.audiences import BUILTIN, SUFFIX, check_name, default_label, find, read_template, search_path
from briefgen.errors import BriefgenError, display_path


def init_project(target: Path) -> list[Path]:
    """Copy the starter project into `target` (new or empty); return the files made."""
    if target.exists() and not target.is_dir():
        raise BriefgenError.one("a file is in the way", file=display_path(target),
                                hint="choose a folder name that does not exist yet", kind="usage")
    if target.is_dir() and any(target.iterdir()):
        raise BriefgenError.one("folder is not empty; nothing was written", file=display_path(target),
                                hint="choose a new or empty folder", kind="usage")
    target.mkdir(parents=True, exist_ok=True)
    made = []
    starter = resources.starter()
    for src in sorted(starter.rglob("*")):
        dest = target / src.relative_to(starter)
        if src.is_dir():
            dest.mkdir(exist_ok=True)
        else:
            shutil.copyfile(src, dest)
            made.append(dest)
    return made


def new_template(project_root: Path, name: str, base: str) -> list[Path]:
    """A template NAME in the project that extends audience `base` and builds as it is."""
    check_name(name, "template")
    parent = find(project_root, base)
    folder = project_root / "templates"
    tpl, prof = folder / (name + SUFFIX), folder / (name + ".yaml")
    existing = [p for p in (tpl, prof) if p.exists()]
    if existing:
        raise BriefgenError.one("already exists; nothing was written", file=display_path(existing[0]),
                                hint="choose another name, or edit the file", kind="usage")
    if parent.origin == "built-in" or name == base:
        extends = f"builtin/{base}{SUFFIX}"
        if not (BUILTIN / f"{base}{SUFFIX}").is_file():
            raise BriefgenError.one(f"'{base}' is not a built-in audience", kind="usage",
                                    hint="use --from with an audience from `briefgen templates list`")
    else:
        extends = f"{base}{SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    tpl.write_text(
        f"{{#- {name}: starts as the {base} briefing. Override any block of _base.md.j2\n"
        f"    (titleblock, bluf, key_judgments, chronology, register, disputes, source_list);\n"
        f"    see `briefgen templates show {base}` for what each contains. -#}}\n"
        f'{{% extends "{extends}" %}}\n\n'
        "{#- For example, to put the bottom line in one sentence, remove these comment marks:\n"
        "{% block bluf %}{% if bottom_line %}\n# In one sentence\n\n{{ bottom_line.statement }}{{ cite(bottom_line) }}\n"
        "{% endif %}{% endblock %}\n-#}\n",
        encoding="utf-8")
    if parent.profile_path is not None:
        text = read_template(parent.profile_path, search_path(project_root))
        if name != base:
            text = _relabel(text, default_label(name))
        prof.write_text(f"# {name}: what goes in and how it looks; copied from {base}.\n" + text, encoding="utf-8")
        return [tpl, prof]
    return [tpl]


def _relabel(profile_text: str, label: str) -> str:
    """The profile's text with `look.label` set to `label`, comments and order kept.

    A copied profile keeps its parent's label otherwise, and a board briefing made from
    the executive one would call itself an executive briefing.
    """
    line = f"  label: {label}"
    if re.search(r"^  label:.*$", profile_text, flags=re.M):
        return re.sub(r"^  label:.*$", line, profile_text, count=1, flags=re.M)
    if re.search(r"^look:[ \t]*$", profile_text, flags=re.M):
        return re.sub(r"^look:[ \t]*$", "look:\n" + line, profile_text, count=1, flags=re.M)
    return profile_text.rstrip("\n") + "\nlook:\n" + line + "\n"
