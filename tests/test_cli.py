"""The command line, run as a user runs it: exact summaries, JSON shapes, exit codes."""

from __future__ import annotations

import json
import re

import pytest

from briefgen.cli import app
from conftest import MINI, ROOT, run_cli


def test_validate_clean_project_prints_one_line():
    r = run_cli("validate", "tests/data/mini", cwd=ROOT)
    assert r.code == 0 and r.err == ""
    assert r.out == "tests/data/mini: OK: 3 sources, 5 events, 5 claims, 1 judgment, 13 citations\n"


def test_validate_warns_on_stderr_and_still_passes(mini):
    claims = mini / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("unit: models", "unit: modles"), encoding="utf-8")
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 0 and r.out == "mini: OK: 3 sources, 5 events, 5 claims, 1 judgment, 13 citations\n"
    assert r.err == ("warning: mini/claims.yaml:29: claims[2].unit: unknown unit 'modles' compares only with "
                     "itself (did you mean 'models'? If 'modles' is right, add it to `units:` in briefgen.yaml)\n")


def test_validate_not_a_project(tmp_path):
    r = run_cli("validate", str(tmp_path))
    assert r.code == 2
    assert "no briefgen.yaml here: not a briefgen project" in r.err and "Traceback" not in r.err


@pytest.mark.parametrize("name,top", [("events", "events"), ("claims", "claims"), ("sources", "sources"),
                                      ("judgments", "judgments"), ("config", "title")])
def test_schema_is_valid_json_schema(name, top):
    r = run_cli("schema", name)
    schema = json.loads(r.out)
    assert r.code == 0 and schema["$schema"].endswith("2020-12/schema")
    assert top in schema["properties"]


def test_schema_describes_csl_names_and_rejects_unknown_fields():
    src = json.loads(run_cli("schema", "sources").out)["$defs"]["Source"]
    assert {"container-title", "URL", "issued", "derived_from"} <= set(src["properties"])
    assert src["additionalProperties"] is False


def test_schema_out_writes_all(tmp_path):
    r = run_cli("schema", "--out", str(tmp_path / "s"))
    assert r.code == 0
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "claims.schema.json", "config.schema.json", "events.schema.json",
        "judgments.schema.json", "sources.schema.json"]


def test_schema_unknown_name():
    r = run_cli("schema", "nope")
    assert r.code == 2 and "unknown schema 'nope'" in r.err


def test_timeline_table_and_json():
    table = run_cli("timeline", str(MINI))
    assert table.code == 0
    dates: list[list[str]] = []
    for line in table.out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and "Date" not in line:
            if cells[2]:            # a row starts where its kind is: a long date wraps below
                dates.append([])
            dates[-1].append(cells[0])
    # a date worked out from another event's says how the source put it
    assert [" ".join(d).strip() for d in dates] == [
        "2023", "February 2025", "17–23 September 2025 (days before the conference)", "24 September 2025",
        "by 2032"]
    data = json.loads(run_cli("timeline", str(MINI), "--json").out)
    assert data[2]["id"] == "ev-deal"
    assert data[2]["date"] == {"relative_to": "ev-conf", "offset": "-P7D/-P1D", "approximate": False,
                               "label": "days before the conference"}
    assert (data[2]["date_display"], data[2]["earliest"], data[2]["latest"]) == (
        "17–23 September 2025 (days before the conference)", "2025-09-17", "2025-09-23")


def test_claims_filters_and_json():
    data = json.loads(run_cli("claims", str(MINI), "--status", "conflict", "--json").out)
    assert [c["id"] for c in data] == ["cl-growth-26", "cl-growth-11"]
    assert data[0]["conflicts_with"] == ["cl-growth-11"] and data[0]["value_display"] == "26%"
    assert data[0]["relations"] == [{"kind": "conflict", "claim": "cl-growth-11"}]
    alias = json.loads(run_cli("claims", str(MINI), "--status", "disputed", "--json").out)
    assert alias == data  # the name before typed disagreements still works
    by_source = json.loads(run_cli("claims", str(MINI), "--source", "copy", "--json").out)
    assert [c["id"] for c in by_source] == ["cl-growth-26", "cl-single"]
    figures = json.loads(run_cli("claims", str(MINI), "--kind", "figure", "--subject", "cloud", "--json").out)
    assert [c["id"] for c in figures] == ["cl-growth-26", "cl-growth-11"]
    table = run_cli("claims", str(MINI), "--status", "vendor-only")
    assert "1 of 5 claims" in table.out and "vendor-only" in table.out


def test_claims_bad_filter():
    r = run_cli("claims", str(MINI), "--status", "maybe")
    assert r.code == 2 and ("unknown status 'maybe' (use one of: conflict, corroborated, vendor-only, "
                            "single-source, superseded)") in r.err


def test_every_command_has_help_with_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    names += [f"{g.name} {c.name}" for g in app.registered_groups for c in g.typer_instance.registered_commands]
    assert "templates new" in names
    for name in names:
        r = run_cli(*name.split(), "--help")
        assert r.code == 0 and "Example: briefgen " + name in " ".join(r.out.split())
        assert re.search(rf"briefgen {name}\b", readme), f"`briefgen {name}` is not documented in README.md"


def test_version():
    r = run_cli("--version")
    assert r.code == 0 and r.out.startswith("briefgen ")


def test_formats_given_comma_separated_or_repeated_are_each_written_once(mini, tmp_path):
    r = run_cli("build", str(mini), "--format", "html", "--format", "docx,html", "--out", str(tmp_path / "o"),
                "--no-toc-pages")
    assert r.code == 0, r.err
    assert sorted(p.suffix for p in (tmp_path / "o").iterdir()) == [".docx", ".html"]
    assert [line.rsplit(".", 1)[1].split()[0] for line in r.out.splitlines()] == ["html", "docx"]
