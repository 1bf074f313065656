"""The writer seam: every format comes from the one registry, and every registered
writer keeps the contract the build, the config and the CLI rely on."""

from __future__ import annotations

import dataclasses
import inspect
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen import tree as t
from briefgen.writers import FORMATS, writer
from conftest import MINI, run_cli


@pytest.mark.parametrize("name", FORMATS)
def test_every_registered_writer_declares_name_suffix_options_and_write(name):
    w = writer(name)
    assert w.NAME == name
    assert w.SUFFIX.startswith(".") and w.SUFFIX == w.SUFFIX.lower() and len(w.SUFFIX) > 1
    assert dataclasses.is_dataclass(w.Options) and isinstance(w.Options, type)
    assert w.Options() == w.Options()  # every field has a default
    assert list(inspect.signature(w.write).parameters) == ["tree", "options", "path"]


def test_suffixes_are_distinct():
    suffixes = [writer(name).SUFFIX for name in FORMATS]
    assert len(set(suffixes)) == len(suffixes)


def test_the_registry_reads_without_importing_any_writer_library():
    # the CLI, the config model and the registry read the format names at start-up
    code = ("import sys, briefgen.cli, briefgen.model, briefgen.writers\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'docx', 'reportlab', 'lxml', 'PIL'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _project(tmp_path: Path, formats: str) -> Path:
    project = tmp_path / "p"
    subprocess.run(["cp", "-r", str(MINI), str(project)], check=True)
    with (project / "briefgen.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"formats: [{formats}]\n")
    return project


@pytest.mark.parametrize("name", FORMATS)
def test_config_accepts_each_registered_format(tmp_path, name):
    r = run_cli("validate", str(_project(tmp_path, name)))
    assert r.code == 0, r.err


def test_config_refuses_an_unregistered_format_with_file_line_field_and_the_known_ones(tmp_path):
    project = _project(tmp_path, "odt")
    line = len((project / "briefgen.yaml").read_text(encoding="utf-8").splitlines())
    r = run_cli("validate", str(project))
    assert r.code == 1
    assert f"briefgen.yaml:{line}: formats[0]: 'odt' is not allowed (use " in r.err, r.err
    for name in FORMATS:
        assert repr(name) in r.err


def test_config_schema_enumerates_exactly_the_registered_formats():
    r = run_cli("schema", "config")
    assert r.code == 0
    formats = json.loads(r.out)["properties"]["formats"]
    assert formats["items"]["enum"] == list(FORMATS)


def test_an_unknown_format_on_the_command_line_is_a_usage_error_naming_the_known_ones(tmp_path):
    r = run_cli("build", str(MINI), "--format", "odt", "--out", str(tmp_path / "o"))
    assert r.code == 2
    assert r.err.strip() == "error: unknown output format 'odt' (use one of: " + ", ".join(FORMATS) + ")"
    assert not (tmp_path / "o").exists()


def test_help_names_every_registered_format():
    r = run_cli("build", "--help")
    assert r.code == 0
    for name in FORMATS:
        assert name in r.out


@pytest.mark.parametrize("name", FORMATS)
def test_building_a_format_writes_one_file_with_its_suffix(tmp_path, name):
    out = tmp_path / "o"
    r = run_cli("build", str(MINI), "--format", name, "--out", str(out))
    assert r.code == 0, r.err
    assert [p.name for p in out.iterdir()] == ["mini-briefing-full" + writer(name).SUFFIX]


# --- a node a writer does not know is a bug, never silently left out ----------------------


@dataclass(frozen=True, slots=True)
class Unknown:
    text: str = "not a tree node"


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("where", ["block", "inline"])
def test_every_writer_refuses_a_node_it_does_not_know(tmp_path, name, where):
    node = Unknown() if where == "block" else t.Para((t.Text("before "), Unknown()))
    doc = t.Document(t.Meta("Unknown nodes", date="2026-01-01"), (t.Para((t.Text("first"),)), node))
    w = writer(name)
    with pytest.raises(AssertionError, match="Expected code to be unreachable, but got: Unknown"):
        w.write(doc, w.Options(), tmp_path / ("x" + w.SUFFIX))


def test_the_pipeline_names_no_format():
    """build.py asks writers what they can do (tracked changes, a seal, reusing the file
    they replace); it never picks one by its format name, so a new writer that declares
    the same gets the same treatment."""
    import ast

    source = (Path(__file__).parents[1] / "briefgen" / "build.py").read_text(encoding="utf-8")
    strings = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    named = {name for name in FORMATS if name in strings or any(f".{name}" in s or f"-{name}" in s for s in strings)}
    assert named == set()


def test_the_changes_file_is_written_by_the_writer_that_tracks_changes(tmp_path):
    from briefgen.writers import tracks_changes

    able = [name for name in FORMATS if tracks_changes(writer(name))]
    assert able == ["docx"]
    params = list(inspect.signature(writer("docx").write_redline).parameters)
    assert params == ["previous", "tree", "options", "path"]
    bad = run_cli("diff", str(MINI), str(MINI), "--redline", str(tmp_path / "c.html"))
    assert bad.code == 2 and "the changes file must be a .docx, not 'c.html'" in bad.err
    assert not (tmp_path / "c.html").exists()


def test_no_module_passes_600_lines():
    """A module a newcomer can hold: past 600 lines, split it where its sections are."""
    package = Path(__file__).parents[1] / "briefgen"
    long = {str(p.relative_to(package)): n for p in package.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
