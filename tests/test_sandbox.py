"""`build --sandbox`: a template reaches plain data only, and nothing on disk or beyond.

The walk below starts from every name the template context and the environment hold and
follows every route the sandbox allows (attributes, items, calls), so an object added
to the context later is covered without a new test. The hostile corpus
(tests/cases/hostile/sandbox) tries the same escapes through the real command line.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import shutil
import types
from collections import deque
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from briefgen import sandbox
from briefgen.analyse import Revision, analyse, select
from briefgen.audiences import load_profile
from briefgen.diff import diff, load_version
from briefgen.load import load_project
from briefgen.model import Seal
from briefgen.render import Limits, render, template_context
from conftest import MINI, SEEDS, TESTS, run_cli
from test_hostile_corpus import output_text

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the walk reads pydantic's old names too
DAY = dt.date(2026, 1, 2)
AUDIENCES = ("executive", "investor", "technical", "full")
SAMPLE = 60  # items of a list or mapping walked: the seeds' lists are shorter
SCALARS = {str, Markup, int, float, bool, type(None), bytes, dt.date, dt.datetime, dt.time, dt.timedelta}


KESTREL = TESTS / "data" / "kestrel"
SEAL = "seal: {key: keys/walk-key.pem, cert: keys/walk-cert.pem, passphrase_file: keys/walk-pass.txt}\n"


@pytest.fixture(scope="module", params=[SEEDS, KESTREL], ids=["seeds", "kestrel"])
def walked(request, tmp_path_factory):
    """(environment, context, everything reachable from the context) for each test project,
    with every setting a template context has gained: seal settings in briefgen.yaml and
    the profile, the profile's checks, a likelihood scale of the project's own."""
    env, roots = _context(request.param, tmp_path_factory.mktemp("walk"))
    return env, roots, reachable(env, roots)


def _context(source: Path, tmp_path: Path):
    """The sandboxed environment and context of a project after rendering, with a
    'since the last briefing' section, so `changes` holds a real comparison."""
    old = tmp_path / "old"
    shutil.copytree(source, old)
    claims = old / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("statement: ", "statement: Once ", 2), encoding="utf-8")
    new = tmp_path / "new"
    shutil.copytree(source, new)
    (new / "briefgen.yaml").write_text((new / "briefgen.yaml").read_text(encoding="utf-8") + SEAL, encoding="utf-8")
    shutil.copy(Path(sandbox.__file__).parent / "data" / "likelihood.yaml", new / "likelihood.yaml")
    (new / "templates").mkdir(exist_ok=True)
    (new / "templates" / "full.yaml").write_text(f"checks: {{likelihood: false}}\n{SEAL}", encoding="utf-8")
    project = load_project(new)
    profile = load_profile(project, "full")
    assert project.config.seal is not None and profile.seal is not None and not profile.checks.likelihood
    changes = diff(load_version(str(old)), project, "old", "new")
    env, context = template_context(project, "full", DAY, select(analyse(project), profile.select), changes,
                                    profile, sandboxed=True)
    env.get_template("full.md.j2").render(context)  # the notes and memo() are filled as it renders
    return env, {**env.globals, **context}


def _children(obj: Any):
    """Items a template reaches by subscript or iteration (the first few: a list's items share a type)."""
    if type(obj) in (list, tuple) or isinstance(obj, (type({}.keys()), type({}.values()))):
        return [(f"[{i}]", x) for i, x in enumerate(list(obj)[:SAMPLE])]
    if type(obj) is dict:
        return [(f"[{k!r}]", v) for k, v in list(obj.items())[:SAMPLE]] + [(".key", k) for k in list(obj)[:1]]
    if type(obj) is type({}.items()):
        return [(f"[{i}]", x) for i, x in enumerate(list(obj)[:SAMPLE])]
    return []


def sample_calls(env: jinja2.Environment, roots: dict[str, Any]) -> dict[str, tuple]:
    """Arguments to call each function or method that needs some with, by name. A function
    added to the template API with arguments must be added here: the walk fails without."""
    view, event = roots["claims"][0], roots["events"][0]
    note = roots["footnotes"].notes[0]
    source = next(iter(roots["sources"].values()))
    style = env.get_template("_citations.md.j2").make_module(roots)
    return {"cite": (view,), "claim_grade": (view,), "grade": (source, view), "locators": (list(note.citations),),
            "contains_or_before": (DAY,), "timeline_figure": ([event], "caption"), "memo": (style.source_ref, source),
            "range": (3,), "cycler": ("a", "b"), "joiner": (", ",)}


def _call(fn: Any, samples: dict[str, tuple], missing: list[str], path: str) -> tuple[bool, Any]:
    """Call `fn` as a template might: without arguments, or with its sample ones."""
    owner = getattr(fn, "__self__", None)
    try:
        inspect.signature(fn).bind()
        args: tuple = ()
    except (TypeError, ValueError):
        if type(owner) in sandbox.PLAIN or isinstance(owner, sandbox.JINJA) or isinstance(fn, sandbox.JINJA):
            return False, None  # a text's or a loop's own method: plain values out
        name = getattr(fn, "__name__", type(fn).__name__.lower())
        if name not in samples:
            missing.append(path)
            return False, None
        args = samples[name]
    try:
        return True, fn(*args)
    except Exception:  # noqa: BLE001 - a method that needs state the walk does not give it
        return False, None


def reachable(env: jinja2.Environment, roots: dict[str, Any]) -> dict[str, Any]:
    """Every object a sandboxed template can reach from `roots`, by the first path found."""
    samples, missing = sample_calls(env, roots), []
    found: dict[str, Any] = {}
    seen: set[int] = set()
    scalars: set[type] = set()
    queue = deque((name, obj, 0) for name, obj in roots.items())
    while queue:
        path, obj, depth = queue.popleft()
        if id(obj) in seen or depth > 12:
            continue
        seen.add(id(obj))
        found[path] = obj
        if type(obj) in scalars:
            continue  # every text (number, date) has the same methods: walked once
        if type(obj) in SCALARS:
            scalars.add(type(obj))
        for step, child in _children(obj):
            queue.append((path + step, child, depth + 1))
        for name in dir(obj):
            try:
                value = getattr(obj, name)
            except Exception:  # noqa: BLE001
                continue
            if not env.is_safe_attribute(obj, name, value):
                continue
            queue.append((f"{path}.{name}", value, depth + 1))
            if callable(value) and env.is_safe_callable(value):
                called, result = _call(value, samples, missing, f"{path}.{name}")
                if called:
                    queue.append((f"{path}.{name}()", result, depth + 1))
        if depth == 0 and callable(obj) and env.is_safe_callable(obj):  # cite, memo, grade, ...
            called, result = _call(obj, samples, missing, path)
            if called:
                queue.append((f"{path}()", result, 1))
    assert not missing, f"add sample arguments for these to sample_calls(): {missing}"
    return found


def _allowed(obj: Any, env: jinja2.Environment) -> bool:
    kind = type(obj)
    if kind in sandbox.PLAIN or sandbox._api(kind) is not None or isinstance(obj, sandbox.JINJA):
        return True
    if callable(obj):
        return env.is_safe_callable(obj)
    return False


def test_everything_a_sandboxed_template_reaches_is_plain_data(walked):
    env, roots, found = walked
    assert set(roots) <= set(found)
    wrong = {path: type(obj).__name__ for path, obj in found.items() if not _allowed(obj, env)}
    assert not wrong, f"the template context reaches objects that are not plain data: {wrong}"
    assert not any(isinstance(obj, (Path, types.ModuleType, types.CodeType, types.FrameType))
                   for obj in found.values())
    # the walk got everywhere: every kind of briefgen object was reached, and its API read
    # (a revision only where the register has one: kestrel does, the seeds do not)
    absent = set() if roots["analysis"].revised else {Revision}
    assert {type(obj) for obj in found.values()} >= set(sandbox.TEMPLATE_API) - absent
    assert "checks" in sandbox._api(type(roots["profile"]))  # a model added since: its fields, and walked
    for end in (".value_display", ".authors_label()", ".display()", ".groups", ".locators", ".claims_changed",
                ".citation_style", ".cite"):
        assert any(path.endswith(end) for path in found), end


def test_only_the_listed_attributes_of_briefgen_objects_are_reachable(walked):
    env, roots, found = walked
    one_of_each = {type(obj): (path, obj) for path, obj in reversed(found.items())}
    routes = ("x.{name}", "x[{name!r}]", "x|attr({name!r})", "'{{0.{name}}}'.format(x)")
    compiled: dict[str, jinja2.Template] = {}
    for kind, (path, obj) in one_of_each.items():
        api = sandbox._api(kind)
        if api is None:
            continue
        for name in sorted(set(dir(obj)) - api):
            assert not env.is_safe_attribute(obj, name, getattr(obj, name, None)), f"{path}.{name}"
            for route in routes:
                if name.startswith("_") and route.startswith("x."):
                    continue  # not Jinja syntax for a private name; the other routes reach it
                text = "{{ " + route.format(name=name) + " }}"
                template = compiled.get(text) or compiled.setdefault(text, env.from_string(text))
                with pytest.raises((SecurityError, jinja2.UndefinedError)):
                    template.render(x=obj)


def test_the_project_folder_loaded_files_and_loaders_are_out_of_reach(walked):
    env, roots, _ = walked
    assert "root" not in sandbox.TEMPLATE_API[type(roots["project"])]
    for text in ("{{ project.root }}", "{{ project.docs }}", "{{ project.fulltext_path }}",
                 "{{ footnotes.project }}", "{{ cite.__self__ }}", "{{ config.parse_file }}",
                 "{{ config.model_validate_json }}", "{{ config.__class__ }}", "{{ cycler.__init__ }}",
                 "{{ lipsum.__globals__ }}", "{{ memo.__call__ }}", "{{ claim_grade.__globals__ }}",
                 "{{ self._TemplateReference__context }}", "{{ ''.__class__.__mro__ }}",
                 "{{ range.__self__ }}", "{{ dict.mro() }}", "{{ namespace.__init__ }}"):
        with pytest.raises((SecurityError, jinja2.UndefinedError)):
            env.from_string(text).render(roots)


@pytest.mark.parametrize("project", [SEEDS, TESTS / "data" / "kestrel", MINI], ids=["seeds", "kestrel", "mini"])
@pytest.mark.parametrize("audience", AUDIENCES)
def test_built_in_templates_render_the_same_in_the_sandbox(project, audience):
    loaded = load_project(project)
    plain = render(loaded, audience, DAY)
    assert render(loaded, audience, DAY, limits=Limits(sandbox=True)) == plain


@pytest.mark.parametrize("expression, message", [
    ("10 ** (10 ** 10)", "'**' would make a number of about 10,000,000,000 digits"),
    ("'x' * 10 ** 10", "'*' would make a text of 10,000,000,000 characters"),
    ("[0] * 10 ** 8", "'*' would make a list of 100,000,000 items"),
    ("'%099999d' % 1", "a '%' format width or precision of five digits or more"),
])
def test_huge_values_are_refused_before_they_are_made(walked, expression, message):
    env, roots, _ = walked
    with pytest.raises(SecurityError, match=re.escape(message)):
        env.from_string("{{ " + expression + " }}").render(roots)


def test_printing_the_context_does_not_show_the_project_folder(walked):
    env, roots, _ = walked
    text = env.from_string("{{ project }} {{ footnotes }} {{ analysis }} {{ profile }} {{ config }}").render(roots)
    assert str(roots["project"].root) not in text and "PosixPath" not in text
    assert "walk-key" not in text and "walk-pass" not in text


def test_the_seal_settings_are_out_of_reach(walked):
    """Where the signing key and its passphrase are is no briefing's business."""
    env, roots, found = walked
    assert not any(isinstance(obj, Seal) for obj in found.values())
    assert not any(isinstance(obj, str) and "walk-" in obj for obj in found.values())
    for text in ("{{ config.seal }}", "{{ profile.seal }}", "{{ config|attr('seal') }}", "{{ config['seal'] }}",
                 "{{ '{0.seal}'.format(config) }}", "{{ config.model_dump() }}", "{{ config.dict() }}",
                 "{{ config.model_dump_json() }}", "{{ profile.__dict__ }}"):
        with pytest.raises((SecurityError, jinja2.UndefinedError)):
            env.from_string(text).render(roots)
    assert env.from_string("{{ profile.checks.likelihood }}").render(roots) == "False"


def test_every_audience_sandboxed_builds_the_rest_when_one_runs_out_of_time(tmp_path):
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    (project / "templates").mkdir()
    (project / "templates" / "slow.md.j2").write_text(
        "{% for i in range(10**5) %}{% for j in range(10**5) %}{% endfor %}{% endfor %}\n")
    result = run_cli("build", "mini", "--all", "--sandbox", "--time-limit", "15", "--format", "docx", "--out", "out",
                     cwd=tmp_path)
    assert result.code == 3 and "Traceback" not in result.err
    assert ("error: slow: mini/templates/slow.md.j2: the sandboxed build took longer than 15 s and was stopped"
            in result.err)
    built = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert built == [f"mini-briefing-{a}.docx" for a in sorted(AUDIENCES)], built  # nothing left of slow


CORPUS = TESTS / "cases" / "hostile" / "sandbox"
SECRET = "CANARY-SECRET-4f1d9c"


@pytest.mark.parametrize("project", [SEEDS, KESTREL], ids=["seeds", "kestrel"])
def test_every_attack_of_the_corpus_is_refused_building_both_projects(tmp_path, project):
    """Each attack template of the hostile corpus as an audience of a test project, seal
    settings and a likelihood scale included, all built sandboxed through the command line
    in one `build --all`, in every format: each attack is refused, the built-in audiences
    build, and nothing outside the output folder changes or reaches the output."""
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "secret.txt").write_text(SECRET + "\n")
    (canary / "victim.txt").write_text("keep me\n")
    shutil.copy(TESTS / "data" / "kestrel" / "briefgen.yaml", canary / "logo.png")  # not even a picture
    copy = tmp_path / project.name
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("out"))
    (copy / "briefgen.yaml").write_text((copy / "briefgen.yaml").read_text(encoding="utf-8") + SEAL, encoding="utf-8")
    shutil.copy(Path(sandbox.__file__).parent / "data" / "likelihood.yaml", copy / "likelihood.yaml")
    (copy / "templates").mkdir(exist_ok=True)
    attacks = sorted(c.name for c in CORPUS.iterdir() if (c / "expected.txt").read_text().startswith("exit 3"))
    for i, name in enumerate(attacks):  # audience names have at most 40 characters: attack-0, attack-1, ...
        for f in (CORPUS / name / "templates").iterdir():
            text = f.read_text(encoding="utf-8").replace("{canary}", str(canary))
            text = text.replace('sources["wire"]', "(sources.values()|first)")  # the mini project's source
            (copy / "templates" / f"attack-{i}{''.join(f.suffixes)}").write_text(text, encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    r = run_cli("build", str(copy), "--all", "--sandbox", "--no-seal", "--format", "docx,pdf,html",
                "--out", str(tmp_path / "out"), env={"BRIEFGEN_TOC_PAGES": "off"})

    assert r.code == 3 and "Traceback" not in r.err and "internal error" not in r.err, r.err
    refused = {attacks[int(line.split(":", 2)[1].strip().removeprefix("attack-"))]: line
               for line in r.err.splitlines() if line.startswith("error: attack-")}
    assert sorted(refused) == attacks, r.out + r.err
    for name, line in refused.items():
        assert ("the sandbox refused" in line or "a sandboxed build takes a logo from the project folder" in line), line
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and "out" not in p.relative_to(tmp_path).parts} == before
    built = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(built) == 3 * len(AUDIENCES) and not any("attack" in name for name in built), built
    assert SECRET not in output_text(tmp_path / "out") and "keep me" not in output_text(tmp_path / "out")


def test_a_sandboxed_build_reads_no_data_file_linked_from_outside_the_project(tmp_path):
    # the project is someone else's: a claims.yaml linked to a file of the reader's would
    # have its values printed by the project's templates
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    mine = tmp_path / "mine.yaml"
    (project / "claims.yaml").rename(mine)
    (project / "claims.yaml").symlink_to(mine)
    boxed = run_cli("build", str(project), "--sandbox", "--format", "pdf", "--out", str(tmp_path / "o1"))
    assert boxed.code == 1 and "claims.yaml: data file is a link to" in boxed.err, boxed.err
    assert "outside the project folder, which --sandbox does not read" in boxed.err
    assert not (tmp_path / "o1").exists()
    trusted = run_cli("build", str(project), "--format", "pdf", "--out", str(tmp_path / "o2"))
    assert trusted.code == 0, trusted.err
    # a link that stays inside the project is the project's own data
    (project / "claims.yaml").unlink()
    (project / "data").mkdir()
    mine.rename(project / "data" / "claims.yaml")
    (project / "claims.yaml").symlink_to(Path("data") / "claims.yaml")
    inside = run_cli("build", str(project), "--sandbox", "--format", "pdf", "--out", str(tmp_path / "o3"))
    assert inside.code == 0, inside.err


def test_a_sandboxed_build_writes_nothing_through_an_output_folder_the_project_links(tmp_path):
    # a project shipping `out` -> any folder of the reader's: built from inside it, the
    # files would land in that folder
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / "out").symlink_to(elsewhere)
    boxed = run_cli("build", ".", "--sandbox", "--format", "pdf", cwd=project)
    assert boxed.code == 4 and "the output folder goes through a link (out ->" in boxed.err, boxed.err
    assert "Traceback" not in boxed.err and list(elsewhere.iterdir()) == []
    real = run_cli("build", ".", "--sandbox", "--format", "pdf", "--out", "built", cwd=project)
    assert real.code == 0 and any((project / "built").iterdir()), real.err
