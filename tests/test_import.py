"""`briefgen import`: Zotero exports (CSL-JSON, BibLaTeX) merged into sources.yaml, run as a user runs it.

Bad exports are data: each folder in tests/cases/import holds one export file and
expected.txt (the exit code, then the exact stderr); BRIEFGEN_REGEN=1 rewrites them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from briefgen.importer import to_id
from briefgen.yamlio import load_yaml
from conftest import REGEN, SEEDS, TESTS, run_cli

EXPORTS = TESTS / "data" / "exports"
CASES = sorted(p for p in (TESTS / "cases" / "import").iterdir() if p.is_dir())
KESTREL = TESTS / "data" / "kestrel"


def sources(project: Path) -> dict[str, dict]:
    """sources.yaml as briefgen reads it (dates stay text)."""
    return {s["id"]: s for s in load_yaml(project / "sources.yaml").data["sources"]}


def test_csl_json_adds_new_sources_and_keeps_the_file_as_it_was(mini: Path):
    before = (mini / "sources.yaml").read_text(encoding="utf-8")
    r = run_cli("import", "mini", str(EXPORTS / "zotero.json"), cwd=mini.parent)
    assert r.code == 0, r.err
    assert r.err == ""
    assert r.out.splitlines() == [
        "added analyst-note-2025: Widget makers after the launch",
        "added muller-2025-interview: Interview with the chief executive",
        "kept paper as it is; the export differs in type, container-title (--update takes the export's)",
        "note: müller:2025/interview: the citation key is not a valid id; used 'muller-2025-interview'",
        "not imported (sources.yaml has no field for them): DOI (1), abstract (1), number (1)",
        "wrote mini/sources.yaml: 2 added, 0 changed",
    ]
    after = (mini / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # every byte the user had is still there, in place
    assert after[len(before):] == (
        "  - id: analyst-note-2025\n"
        "    type: report\n"
        "    title: Widget makers after the launch\n"
        "    publisher: Example Research\n"
        "    author:\n"
        "      - {literal: Example Research}\n"
        "    issued: 2025-10\n"
        "  - id: muller-2025-interview\n"
        "    type: interview\n"
        "    title: Interview with the chief executive\n"
        "    container-title: Example Wire\n"
        "    author:\n"
        "      - {family: von Müller, given: Anna}\n"
        '    issued: "2025-09-26"\n'
        "    language: en\n"
        "    URL: https://example.org/interview\n"
        '    accessed: "2025-10-01"\n')
    assert run_cli("validate", "mini", cwd=mini.parent).code == 0
    assert [p.name for p in mini.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_import_twice_changes_nothing(mini: Path):
    run_cli("import", "mini", str(EXPORTS / "zotero.json"), cwd=mini.parent)
    once = (mini / "sources.yaml").read_bytes()
    again = run_cli("import", "mini", str(EXPORTS / "zotero.json"), cwd=mini.parent)
    assert again.code == 0
    assert "already up to date: analyst-note-2025, muller-2025-interview" in again.out
    assert again.out.splitlines()[-1] == "mini/sources.yaml unchanged: nothing to add (--update to take the export's fields)"
    assert (mini / "sources.yaml").read_bytes() == once


def test_update_changes_only_the_fields_the_export_has(mini: Path):
    r = run_cli("import", "mini", str(EXPORTS / "zotero.json"), "--update", cwd=mini.parent)
    assert r.code == 0, r.err
    assert "changed paper: type, container-title" in r.out.splitlines()
    paper = sources(mini)["paper"]
    assert paper == {"id": "paper", "type": "article-newspaper", "title": "Independent newspaper account",
                     "title-short": "Paper", "container-title": "Example Times",
                     "author": [{"family": "Doe", "given": "Jane"}], "issued": "2025-09-25",
                     "URL": "https://example.org/paper", "reliability": "C"}
    text = (mini / "sources.yaml").read_text(encoding="utf-8")
    assert "  - id: paper\n    type: article-newspaper\n    title: Independent newspaper account\n" \
           "    title-short: Paper\n    container-title: Example Times\n    author: [{family: Doe, given: Jane}]\n" in text


def test_update_keeps_the_analysts_own_short_title_and_note(tmp_path: Path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "one.json").write_text(json.dumps([{
        "id": "src-003", "type": "article-newspaper", "title": "Alibaba has unveiled an even bigger AI story",
        "title-short": "Chai (2025)", "note": "Imported from the reference manager.", "language": "zh"}]))
    r = run_cli("import", "seeds", "one.json", "--update", cwd=tmp_path)
    assert r.code == 0, r.err
    assert r.out.splitlines()[:2] == ["changed src-003: language",
                                      "note: src-003: kept its own title-short and note (the export's differ)"]
    src = sources(tmp_path / "seeds")["src-003"]
    assert src["language"] == "zh" and src["title-short"] == "Chai, bigger AI story (003)"
    assert src["note"].startswith("Bylined (author Chai Xuchen")


def test_biblatex_is_mapped_field_by_field(mini: Path):
    r = run_cli("import", "mini", str(EXPORTS / "zotero.bib"), cwd=mini.parent)
    assert r.code == 0, r.err
    assert r.out.splitlines() == [
        "added analyst-note-2025: Widget Makers after the Launch",
        "added muller-2025-interview: Interview with the Chief Executive",
        "kept paper as it is; the export differs in type, container-title (--update takes the export's)",
        "note: müller:2025/interview: author list ends with 'and others': only the names it gives are kept",
        "note: müller:2025/interview: the citation key is not a valid id; used 'muller-2025-interview'",
        "not imported (sources.yaml has no field for them): abstract (1), keywords (1), number (1)",
        "wrote mini/sources.yaml: 2 added, 0 changed",
    ]
    got = sources(mini)
    assert got["analyst-note-2025"] == {
        "id": "analyst-note-2025", "type": "report", "title": "Widget Makers after the Launch",
        "publisher": "Example Research", "author": [{"literal": "Example Research"}], "issued": "2025-10"}
    assert got["muller-2025-interview"] == {
        "id": "muller-2025-interview", "type": "webpage", "title": "Interview with the Chief Executive",
        "author": [{"family": "von Müller", "given": "Anna"}, {"family": "Smith Jr.", "given": "John"}],
        "issued": "2025-09-26", "language": "english", "URL": "https://example.org/interview",
        "accessed": "2025-10-01", "note": "Transcript; 10% of the answers were cut"}
    assert run_cli("validate", "mini", cwd=mini.parent).code == 0


def test_dry_run_writes_nothing(mini: Path):
    before = (mini / "sources.yaml").read_bytes()
    r = run_cli("import", "mini", str(EXPORTS / "zotero.bib"), "--update", "--dry-run", cwd=mini.parent)
    assert r.code == 0
    assert "changed paper: type, container-title" in r.out
    assert r.out.splitlines()[-1] == "dry run: 2 added, 1 changed; nothing written"
    assert (mini / "sources.yaml").read_bytes() == before


def csl_export(project: Path) -> list[dict]:
    """A project's sources as a reference manager would export them: CSL fields only,
    dates as CSL date-parts."""
    out = []
    for src in load_yaml(project / "sources.yaml").data["sources"]:
        item = {k: v for k, v in src.items() if k not in ("reliability", "derived_from", "fulltext")}
        for key in ("issued", "accessed"):
            if key in item:
                item[key] = {"date-parts": [[int(p) for p in str(item[key]).split("-")]]}
        out.append(item)
    return out


@pytest.mark.parametrize("project", [SEEDS, KESTREL], ids=["seeds", "kestrel"])
def test_a_projects_sources_round_trip_through_a_csl_export(project: Path, tmp_path: Path):
    """A project's own sources, exported as CSL-JSON, come into a fresh project as they are,
    and importing them back into the project changes nothing."""
    export = csl_export(project)
    (tmp_path / "export.json").write_text(json.dumps(export, indent=2, ensure_ascii=False), encoding="utf-8")
    assert run_cli("init", "fresh", cwd=tmp_path).code == 0
    r = run_cli("import", "fresh", "export.json", cwd=tmp_path)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == f"wrote fresh/sources.yaml: {len(export)} added, 0 changed"
    got = sources(tmp_path / "fresh")
    originals = {s["id"]: s for s in load_yaml(project / "sources.yaml").data["sources"]}
    for s in export:
        assert got[s["id"]] == {k: v for k, v in originals[s["id"]].items()
                                if k not in ("reliability", "derived_from", "fulltext")}
    assert run_cli("validate", "fresh", cwd=tmp_path).code == 0

    shutil.copytree(project, tmp_path / "back")
    back = run_cli("import", "back", "export.json", cwd=tmp_path)
    assert back.code == 0
    assert back.out.splitlines() == ["already up to date: " + ", ".join(s["id"] for s in export),
                                     "back/sources.yaml unchanged: nothing to add"]
    assert (tmp_path / "back" / "sources.yaml").read_bytes() == (project / "sources.yaml").read_bytes()


def test_new_entries_follow_the_files_spacing(tmp_path: Path):
    """The seeds separate entries with blank lines, so an imported entry gets one too."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "new.json").write_text(json.dumps([{"id": "extra-1", "type": "webpage", "title": "An extra page"}]))
    assert run_cli("import", "seeds", "new.json", cwd=tmp_path).code == 0
    text = (tmp_path / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    original = (SEEDS / "sources.yaml").read_text(encoding="utf-8")
    assert text == original + "\n  - id: extra-1\n    type: webpage\n    title: An extra page\n"


def test_layouts_the_yaml_writer_would_change_are_kept(mini: Path):
    """A `---` marker, a plain scalar over two lines, spaces after a colon, CRLF line ends
    and a missing final line end stay as written; only the appended entries are new."""
    weird = ("---\r\n# sources, by hand\r\nsources:\r\n  - id: wire\r\n    title: Wire report\r\n"
             "      on the launch\r\n    container-title:   Example Wire\r\n  - id: copy\r\n    title: Copy\r\n"
             "    derived_from:\r\n    - wire\r\n  - id: paper\r\n    title: Independent newspaper account")
    (mini / "sources.yaml").write_bytes(weird.encode())
    r = run_cli("import", "mini", str(EXPORTS / "zotero.json"), cwd=mini.parent)
    assert r.code == 0, r.err
    after = (mini / "sources.yaml").read_bytes().decode()
    assert after.startswith(weird + "\r\n  - id: analyst-note-2025\r\n    type: report\r\n")
    assert after.count("\n") == after.count("\r\n")
    assert run_cli("validate", "mini", cwd=mini.parent).code == 0


@pytest.mark.parametrize("key,expected", [
    ("smith2020", "smith2020"), ("smith:2020", "smith-2020"), ("Müller_2019a", "Muller_2019a"),
    ("http://zotero.org/users/local/ab/items/W8J2ZC4P", "W8J2ZC4P"), ("_hidden", "hidden"),
    ("a b  c", "a-b-c"), (":::", "source"), ("x" * 90, "x" * 80), ("李2025", "2025"),
])
def test_citation_keys_become_valid_ids(key, expected):
    assert to_id(key) == expected


def test_two_keys_that_map_to_one_id_get_distinct_ids(mini: Path):
    (mini.parent / "two.json").write_text(json.dumps([{"id": "a:1", "title": "One"}, {"id": "a/1", "title": "Two"}]))
    r = run_cli("import", "mini", "two.json", cwd=mini.parent)
    assert r.code == 0
    assert r.out.splitlines()[:2] == ["added a-1: One", "added a-1-2: Two"]


def test_a_lookalike_of_an_existing_source_is_pointed_out(mini: Path):
    (mini.parent / "dup.json").write_text(json.dumps([{"id": "doe-2025", "title": "Independent Newspaper Account"}]))
    r = run_cli("import", "mini", "dup.json", cwd=mini.parent)
    assert "note: doe-2025: has the same title as paper; if they are one source, keep one" in r.out.splitlines()


def test_claims_may_cite_sources_the_import_brings(tmp_path: Path):
    """An analyst writes claims citing Zotero keys first, then imports: the project then validates."""
    assert run_cli("init", "fresh", cwd=tmp_path).code == 0
    claims = tmp_path / "fresh" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace("source: newsletter", "source: analyst-note-2025"))
    assert run_cli("validate", "fresh", cwd=tmp_path).code == 1
    r = run_cli("import", "fresh", str(EXPORTS / "zotero.json"), cwd=tmp_path)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "wrote fresh/sources.yaml: 3 added, 0 changed"
    assert run_cli("validate", "fresh", cwd=tmp_path).code == 0


def test_problems_elsewhere_are_mentioned_not_blocking(mini: Path):
    (mini / "events.yaml").write_text("events: [\n", encoding="utf-8")
    r = run_cli("import", "mini", str(EXPORTS / "zotero.json"), cwd=mini.parent)
    assert r.code == 0, r.err
    assert r.out.splitlines()[-1] == "note: the project still has 1 problem elsewhere; briefgen validate mini lists it"


def test_a_broken_sources_file_is_refused_and_left_alone(mini: Path):
    sources_file = mini / "sources.yaml"
    sources_file.write_text(sources_file.read_text(encoding="utf-8") + "  - id: wire\n    title: Again\n")
    before = sources_file.read_bytes()
    r = run_cli("import", "mini", str(EXPORTS / "zotero.json"), cwd=mini.parent)
    assert r.code == 1 and r.out == "" and "Traceback" not in r.err
    assert r.err == "error: mini/sources.yaml:21: duplicate id 'wire' (already used at line 2)\n"
    assert sources_file.read_bytes() == before
    assert run_cli("import", str(mini / "nope"), str(EXPORTS / "zotero.json")).code == 2


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_export_is_one_clear_error_and_touches_nothing(case: Path, mini: Path):
    export = next(f for f in case.iterdir() if f.name.startswith("export"))
    shutil.copy(export, mini.parent / export.name)
    before = (mini / "sources.yaml").read_bytes()
    r = run_cli("import", "mini", export.name, cwd=mini.parent)
    actual = f"exit {r.code}\n{r.err}"
    expected = case / "expected.txt"
    if REGEN or not expected.exists():
        expected.write_text(actual, encoding="utf-8")
    assert r.code != 0 and "Traceback" not in r.err and r.out == ""
    assert actual == expected.read_text(encoding="utf-8")
    assert (mini / "sources.yaml").read_bytes() == before
    assert sorted(p.name for p in mini.iterdir()) == sorted(p.name for p in (TESTS / "data" / "mini").iterdir())
