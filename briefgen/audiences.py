"""Audiences: a template (NAME.md.j2) plus a profile (NAME.yaml), built-in or the project's.

A project's own ``templates/`` folder is searched before the built-ins, so a file
there overrides the built-in of the same name; a user template can still extend the
built-in one as ``builtin/NAME.md.j2``. Names are plain words: nothing given on the
command line can reach outside the template folders.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen import resources, topics
from briefgen.errors import BriefgenError, Problem, display_path
from briefgen.load import Project, _validate
from briefgen.model import Profile
from briefgen.yamlio import decode, load_yaml, read_bytes

BUILTIN = resources.builtin_templates()
SUFFIX = ".md.j2"
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Audience:
    name: str
    template: Path
    profile_path: Path | None
    origin: str  # "built-in", "project" or "project (overrides built-in)"

    @property
    def description(self) -> str:
        """The profile's description (read on demand: only listings need it)."""
        return _description(self.profile_path)


def check_name(name: str, what: str = "audience") -> str:
    """A template name, or a usage error: letters, digits, '-' and '_' only."""
    if not NAME.match(name or ""):
        raise BriefgenError.one(
            f"'{name}' is not a valid {what} name", kind="usage",
            hint="use lower-case letters, digits, '-' or '_', starting with a letter (no paths)")
    return name


def project_templates(project_root: Path) -> Path:
    return project_root / "templates"


def builtin_folder() -> Path:
    """The built-in audiences' folder, or an error if this installation lacks it."""
    if not (BUILTIN / "_base.md.j2").is_file():
        raise BriefgenError.one(
            f"briefgen's built-in templates are missing: no _base.md.j2 in {BUILTIN}", kind="template",
            hint="this installation of briefgen is incomplete; reinstall it (pip install --force-reinstall briefgen)")
    return BUILTIN


def replaced_builtins(project_root: Path) -> list[Path]:
    """The project's templates that replace a built-in one the built-in audiences extend
    or import (``_base.md.j2``, ``_macros.md.j2``, a citation style): building a built-in
    audience then runs them too."""
    own = project_templates(project_root)
    if not own.is_dir():
        return []
    return sorted(own / f.name for f in builtin_folder().iterdir()
                  if f.name.startswith("_") and f.name.endswith(SUFFIX) and (own / f.name).is_file())


def search_path(project_root: Path) -> list[Path]:
    own = project_templates(project_root)
    return ([own] if own.is_dir() else []) + [builtin_folder()]


def contained(path: Path, folders: list[Path]) -> Path:
    """`path`, if it really lies in one of the template `folders`; a template error if it is
    a link to a file anywhere else (sandbox or not: the briefing must not show it)."""
    real = path.resolve()
    if any(real.is_relative_to(folder.resolve()) for folder in folders):
        return path
    raise BriefgenError.one(f"template file is a link to {real}, outside the template folders",
                            file=display_path(path), hint="copy the file into the templates folder instead of linking it",
                            kind="template")


def read_template(path: Path, folders: list[Path]) -> str:
    """A template file's text, if it lies in `folders`, is an ordinary file and is UTF-8."""
    raw = read_bytes(contained(path, folders), label=display_path(path), kind="template")
    return decode(raw, label=display_path(path), what="template file", kind="template")


def audiences(project_root: Path) -> list[Audience]:
    """Every audience available to a project, the project's first where names clash."""
    found: dict[str, Audience] = {}
    for folder in reversed(search_path(project_root)):
        origin = "built-in" if folder == BUILTIN else "project"
        for tpl in sorted(folder.glob("*" + SUFFIX)):
            name = tpl.name.removesuffix(SUFFIX)
            if name.startswith("_") or not NAME.match(name):
                continue
            prof = tpl.with_name(name + ".yaml")
            if origin == "project" and name in found:
                origin_here = "project (overrides built-in)"
            else:
                origin_here = origin
            profile_path = prof if os.path.lexists(prof) else (found[name].profile_path if name in found else None)
            found[name] = Audience(name, tpl, profile_path, origin_here)
    own = project_templates(project_root)
    for name, aud in list(found.items()):  # a project profile alone changes what a built-in selects or looks like
        prof = own / f"{name}.yaml"
        if os.path.lexists(prof) and aud.profile_path != prof:
            found[name] = Audience(name, aud.template, prof, aud.origin + " (project profile)")
    return sorted(found.values(), key=lambda a: a.name)


def misnamed(project_root: Path) -> list[Path]:
    """The project's template files that are not audiences because their name is not a
    valid one (``Board Pack.md.j2``): listings and ``build --all`` say so, rather than
    leave them out without a word. Partials (``_name.md.j2``) are meant not to be built."""
    own = project_templates(project_root)
    if not own.is_dir():
        return []
    return [tpl for tpl in sorted(own.glob("*" + SUFFIX))
            if not tpl.name.startswith("_") and not NAME.match(tpl.name.removesuffix(SUFFIX))]


def misnamed_warning(path: Path) -> str:
    name = path.name.removesuffix(SUFFIX)
    better = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    hint = f" (as {better}{SUFFIX})" if better and NAME.match(better) else ""
    return (f"{display_path(path)}: not an audience, so not built: '{name}' is not a valid audience name; "
            f"rename it{hint}: lower-case letters, digits, '-' or '_', starting with a letter, or start it "
            "with '_' if it is a partial that other templates include")


def _description(path: Path | None) -> str:
    if path is None:
        return ""
    try:   # a profile linked from outside the template folders is no one's description
        data = load_yaml(contained(path, [path.parent])).data
    except BriefgenError:
        return ""
    return str(data.get("description", "")) if isinstance(data, dict) else ""


def find(project_root: Path, name: str) -> Audience:
    check_name(name)
    for aud in audiences(project_root):
        if aud.name == name:
            return aud
    known = ", ".join(a.name for a in audiences(project_root))
    raise BriefgenError.one(f"no template for audience '{name}'", hint=f"known audiences: {known}", kind="usage")


MAX_LOGO_BYTES = 10 * 1024 * 1024
MAX_LOGO_PIXELS = 25_000_000


def logo_file(project_root: Path, logo: str, sandboxed: bool = False) -> Path:
    """The profile's `look.logo`, checked to be a PNG or JPEG both writers can place.
    In a sandboxed build it must also lie in the project folder: the profile comes with
    the template, and may not pick a picture from anywhere else on disk."""
    import PIL.Image
    from docx.image.image import Image

    path = project_root / logo
    where = dict(file=display_path(path), field="look.logo")
    if sandboxed and not path.resolve().is_relative_to(project_root.resolve()):
        raise BriefgenError.one("a sandboxed build takes a logo from the project folder only", **where,
                                hint="copy the picture into the project folder", kind="template")
    if not path.exists():
        raise BriefgenError.one("logo file not found", **where,
                                hint="give a PNG or JPEG path relative to the project folder", kind="template")
    blob = read_bytes(path, label=where["file"], field=where["field"], limit=MAX_LOGO_BYTES, kind="template")
    try:  # the Word writer reads the header as python-docx does; the PDF decodes it with Pillow
        header = Image.from_blob(blob)
    except Exception:  # noqa: BLE001 - python-docx raises many kinds for a broken picture
        header = None
    if header is None or header.content_type not in ("image/png", "image/jpeg"):
        raise BriefgenError.one("the logo is neither PNG nor JPEG", **where,
                                hint="save the logo as PNG or JPEG", kind="template")
    if header.px_width * header.px_height > MAX_LOGO_PIXELS:
        raise BriefgenError.one(f"the logo is too large ({header.px_width:,} × {header.px_height:,} pixels)", **where,
                                hint="a logo a few hundred pixels high is plenty", kind="template")
    try:
        with PIL.Image.open(io.BytesIO(blob)) as picture:
            picture.load()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken picture
        raise BriefgenError.one("the logo picture is damaged and cannot be drawn", **where,
                                hint="save the logo again as PNG or JPEG", kind="template") from None
    return path


def load_profile(project: Project, name: str) -> Profile:
    """The audience's profile as this project builds it; errors carry file and line.

    Everything the briefing needs from the profile is settled here, once: its topics
    become the project's tags (see :mod:`briefgen.topics`), and its label and
    classification are the profile's, else the project's (the classification) or the
    audience's name (the label). Templates and writers read these and nothing else.
    """
    aud = find(project.root, name)
    profile, doc = Profile(), None
    if aud.profile_path is not None:
        doc = load_yaml(contained(aud.profile_path, search_path(project.root)), label=display_path(aud.profile_path))
        problems: list[Problem] = []
        profile = _validate(doc, Profile, problems)
        if problems:
            raise BriefgenError(problems, kind="template")
    if unknown := topics.check_selection(profile.select, doc):
        raise BriefgenError(unknown, kind="template")
    look = profile.look.model_copy(update={
        "label": profile.look.label or default_label(name),
        "classification": profile.look.classification or project.config.classification})
    return profile.model_copy(update={"select": topics.resolve(profile.select, project.config.topics), "look": look})


def default_label(name: str) -> str:
    """'board' -> 'Board briefing'."""
    return re.sub(r"[-_]+", " ", name).capitalize() + " briefing"
