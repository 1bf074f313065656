"""Escaping and parsing: data prints literally; notes pair up or the build fails."""

from __future__ import annotations

import pytest

from briefgen import tree as t
from briefgen.errors import BriefgenError
from briefgen.mdescape import md_escape
from briefgen.parse import parse

HOSTILE = ["*bold*", "# heading", "a | b", "[^1]", "<b>x</b>", "AT&T &amp;", "1. item", "- item",
           "`code`", "[link](http://x)", "\\back", "> quote", "_under_", "~~s~~", "![img](x)",
           "line\nbreak", "\ttab", "ctrl\x07char", "   lead", "吴泳铭 通义千问", "مرحبا", "🙂 emoji"]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_round_trips_in_paragraph_and_table(text):
    clean = text.replace("\n", " ").replace("\t", " ").replace("\x07", "").lstrip(" ")
    md = f"{md_escape(text)}\n\n| a |\n|---|\n| {md_escape(text)} |\n"
    doc = parse(md, t.Meta("x"))
    para, table = doc.blocks
    assert t.plain_text(para.children) == clean
    assert t.plain_text(table.rows[0][0]) == clean


def test_note_is_held_where_referenced():
    doc = parse("One[^a] two[^b].\n\n[^a]: First *note*.\n[^b]: Second.\n", t.Meta("x"))
    para = doc.blocks[0]
    kinds = [type(n).__name__ for n in para.children]
    assert kinds == ["Text", "Note", "Text", "Note", "Text"]
    assert t.plain_text(para.children[1].blocks[0].children) == "First note."
    assert len(t.walk_notes(doc)) == 2


def test_repeated_reference_gets_its_own_note():
    doc = parse("A[^a] and again[^a].\n\n[^a]: Same.\n", t.Meta("x"))
    notes = t.walk_notes(doc)
    assert len(notes) == 2 and notes[0] == notes[1]


def test_undefined_reference_is_an_error():
    with pytest.raises(BriefgenError, match=r"\[\^zz\] has no definition"):
        parse("Text [^zz].\n", t.Meta("x"))


def test_escaped_reference_from_data_is_not_an_error():
    doc = parse(md_escape("Text [^zz].") + "\n", t.Meta("x"))
    assert t.plain_text(doc.blocks[0].children) == "Text [^zz]."


def test_unused_definition_is_an_error():
    with pytest.raises(BriefgenError, match=r"\[\^q\] is defined but never referenced"):
        parse("Text.\n\n[^q]: orphan\n", t.Meta("x"))


def test_containers_and_heading_ids():
    md = "::: titleblock My *title*\nSub\n:::\n\n# Intro\n\n# Intro\n\n::: callout Key judgments\n- a\n:::\n"
    doc = parse(md, t.Meta("x"))
    title, h1, h2, callout = doc.blocks
    assert title.kind == "titleblock" and t.plain_text(title.title) == "My title"
    assert (h1.id, h2.id) == ("intro", "intro-2")
    assert callout.kind == "callout" and isinstance(callout.blocks[0], t.BulletList)
