"""The YAML reader: the alias limit counts expansions, not size; lines are found on demand."""

from __future__ import annotations

import pytest

from briefgen import yamlio
from briefgen.errors import BriefgenError


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
