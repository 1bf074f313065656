"""The YAML reader: the alias limit counts expansions, not size; lines are found on demand."""

from __future__ import annotations

import pytest

from briefgen import yamlio
from briefgen.errors import BriefgenError
from conftest import run_cli


def _write(tmp_path, text: str):
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_many_plain_values_are_not_an_alias_bomb(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_NODES", 50)
    rows = "".join(f"  - {{id: e{i}, title: Event {i}}}\n" for i in range(100))  # 300+ values, no alias
    doc = yamlio.load_yaml(_write(tmp_path, "events:\n" + rows))
    assert len(doc.data["events"]) == 100


def test_alias_expansion_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_NODES", 50)
    text = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"
    with pytest.raises(BriefgenError) as err:
        yamlio.load_yaml(_write(tmp_path, text))
    assert "after expanding aliases" in err.value.problems[0].message


def test_a_few_aliases_within_the_limit_load(tmp_path):
    doc = yamlio.load_yaml(_write(tmp_path, "base: &b {kind: figure}\nx: *b\ny: *b\n"))
    assert doc.data["x"] == doc.data["y"] == {"kind": "figure"}


def test_lines_are_found_after_loading(tmp_path):
    doc = yamlio.load_yaml(_write(tmp_path, "events:\n  - id: a\n\n    title: A\n  - id: b\n"))
    assert doc.line(("events", 0, "title")) == 4
    assert doc.line(("events", 1, "id")) == 5
    assert doc.line(("events", 1, "nothing-here")) == 5  # nearest recorded ancestor


@pytest.mark.parametrize("name", ["claims.yaml", "events.yaml", "judgments.yaml", "sources.yaml"])
def test_lines_noted_while_reading_equal_lines_found_later(name, monkeypatch):
    from pathlib import Path

    path = Path(__file__).parent.parent / "seeds" / name
    eager = yamlio.load_yaml(path)
    monkeypatch.setattr(yamlio, "RECORD_LINES_UP_TO", 0)   # the large-file path: found on first use
    lazy = yamlio.load_yaml(path)
    assert "lines" in eager.__dict__ and "lines" not in lazy.__dict__
    assert eager.lines == lazy.lines and len(eager.lines) > 50


def test_decimals_keep_their_written_text(tmp_path):
    doc = yamlio.load_yaml(_write(tmp_path, "a: 4.50\nb: [1.0, 2, '3.10']\nc: !!float 7.250\nd: 12\n"))
    assert doc.decimals == {("a",): "4.50", ("b", 0): "1.0", ("c",): "7.250"}


def test_duplicate_key_names_the_first_line(tmp_path):
    with pytest.raises(BriefgenError) as err:
        yamlio.load_yaml(_write(tmp_path, "id: a\ntitle: A\nid: b\n"))
    problem = err.value.problems[0]
    assert (problem.line, problem.hint) == (3, "it is already set on line 1; keep one")


# --- large projects: the largest file is parsed in a second process -----------------------

from briefgen import load  # noqa: E402


def _loaded(project):
    p = load.load_project(project)
    return p.config, p.sources, p.events, p.claims, p.judgments, p.spans


def test_parallel_and_sequential_loading_agree(mini, monkeypatch):
    sequential = _loaded(mini)
    monkeypatch.setattr(load, "PARALLEL_BYTES", 1)  # every file counts as large
    assert _loaded(mini) == sequential


def test_an_error_in_the_file_parsed_elsewhere_keeps_its_file_and_line(mini, monkeypatch):
    largest = max(mini.glob("*.yaml"), key=lambda p: p.stat().st_size)  # the one the worker parses
    largest.write_text(largest.read_text(encoding="utf-8") + "broken: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(load, "PARALLEL_BYTES", 1)
    with pytest.raises(BriefgenError) as err:
        load.load_project(mini)
    problem = err.value.problems[0]
    assert problem.file.endswith(largest.name) and problem.line is not None
    assert "YAML syntax error" in problem.message


def test_a_worker_that_dies_is_replaced_by_reading_here(mini, monkeypatch):
    import os

    from briefgen import parallel

    sequential = _loaded(mini)
    monkeypatch.setattr(load, "PARALLEL_BYTES", 1)
    monkeypatch.setattr(parallel, "_run", lambda fn, args, send: os._exit(1))
    assert _loaded(mini) == sequential


# --- values as written: YAML 1.1's surprises are read as written or refused ---------------------

@pytest.mark.parametrize("written, value", [
    ("12", 12), ("-3", -3), ("+4", 4), ("0", 0), ("2.5", 2.5), (".5", 0.5), ("1e3", 1000.0), ("1.5E-2", 0.015),
    ("true", True), ("FALSE", False), ("null", None), ("~", None), ("", None),
    ("yes", "yes"), ("off", "off"), ("1:30", "1:30"), ("190:20:30", "190:20:30"), ("2025-10-01", "2025-10-01"),
    ("-P2D", "-P2D"), ("'017'", "017"), ('"true"', "true"), ("!!str 12", "12"), ("!!int 12", 12),
    ("!!float 2", 2.0), ("!!bool true", True), ("!!null ''", None), ("=", "="),
])
def test_values_read_as_written(tmp_path, written, value):
    assert yamlio.load_yaml(_write(tmp_path, f"v: {written}\n")).data == {"v": value}


@pytest.mark.parametrize("written, message, hint", [
    ("017", "'017' has a leading zero", 'write 17 for the number, or "017" in quotes for text'),
    ("-007", "'-007' has a leading zero", 'write -7 for the number'),
    ("0x1F", "'0x1F' is a number in another base", "write 31 for the number"),
    ("0o17", "'0o17' is a number in another base", "write 15 for the number"),
    ("0b101", "'0b101' is a number in another base", "write 5 for the number"),
    ("1_000", "'1_000' has underscores", "write 1000 for the number"),
    (".nan", "'.nan' is not a number a document can show", "leave the field out"),
    ("-.inf", "'-.inf' is not a number a document can show", "write the number"),
    ("1e999", "'1e999' is too large a number to show", "in quotes"),
    ("9" * 5000, "a number of 5,000 digits is too long to read", "at most 4,300 digits"),
    ("!!int abc", "'abc' is not a whole number, so it cannot be tagged !!int", "remove the tag"),
    ("!!bool maybe", "'maybe' is not true or false, so it cannot be tagged !!bool", "write true or false"),
    ("!!float x", "'x' is not a number, so it cannot be tagged !!float", "remove the tag"),
    ("!!null x", "'x' is not an empty value, so it cannot be tagged !!null", "remove the tag"),
    ("!!python/name:os.system ''", "unsupported YAML tag", "remove the '!' tag"),
])
def test_values_readers_disagree_on_are_refused_with_how_to_write_them(tmp_path, written, message, hint):
    with pytest.raises(BriefgenError) as err:
        yamlio.load_yaml(_write(tmp_path, f"a: 1\nv: {written}\n"))
    problem = err.value.problems[0]
    assert (problem.line, problem.field) == (2, "v")
    assert problem.message.startswith(message) and hint in problem.hint, problem


def test_a_merged_key_may_be_set_again_but_a_written_one_may_not(tmp_path):
    text = "base: &b {kind: figure, unit: '%'}\nx:\n  <<: *b\n  kind: forecast\n"
    assert yamlio.load_yaml(_write(tmp_path, text)).data["x"] == {"kind": "forecast", "unit": "%"}
    many = "a: &a {k: 1}\nb: &b {k: 2, m: 3}\nx: {<<: [*a, *b]}\n"  # the first mapping named wins
    assert yamlio.load_yaml(_write(tmp_path, many)).data["x"] == {"k": 1, "m": 3}
    with pytest.raises(BriefgenError, match="duplicate key 'kind'") as err:
        yamlio.load_yaml(_write(tmp_path, text + "  kind: target\n"))
    assert err.value.problems[0].line == 5


@pytest.mark.parametrize("text, message, line", [
    ("a: &a [x, *a]\n", "an alias refers to the list or mapping it is inside", 1),
    ("a: &a {k: *a}\n", "an alias refers to the list or mapping it is inside", 1),
    ("a:\n  b: &m {<<: *m}\n", "a merge '<<' names the mapping it is inside", 2),
    ("a: {<<: 5}\n", "a merge '<<' must name a mapping", 1),
    ("a:\n  - <<: [x, y]\n", "a merge '<<' must name a mapping", 2),
    ("a: " + "[" * 150 + "]" * 150 + "\n", "lists and mappings are nested more than 100 deep", 1),
])
def test_yaml_the_loader_cannot_follow_is_refused_at_its_line(tmp_path, text, message, line):
    with pytest.raises(BriefgenError) as err:
        yamlio.load_yaml(_write(tmp_path, text))
    problem = err.value.problems[0]
    assert problem.message.startswith(message) and problem.line == line, problem


def test_only_ordinary_files_are_read_and_never_past_the_limit(tmp_path):
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    for path, what in ((fifo, "a named pipe"), (link, "a device"), (tmp_path, "a folder")):
        with pytest.raises(BriefgenError, match=f"not a regular file \\(it is {what}\\)"):
            yamlio.load_yaml(path)


def test_a_list_of_more_entries_than_briefgen_reads_is_one_problem_not_millions(mini):
    # 300 kB of "{}, " is 100,001 events, each of which would have four problems to report
    from briefgen.load import MAX_ENTRIES

    (mini / "events.yaml").write_text("events: [" + ", ".join(["{}"] * (MAX_ENTRIES + 1)) + "]\n")
    r = run_cli("validate", str(mini))
    assert r.code == 1
    assert r.err.count("\n") <= 2 and "100,001 entries in 'events', more than briefgen reads (100,000)" in r.err
