"""Escaping and parsing: data prints literally; notes pair up or the build fails."""

from __future__ import annotations

import pytest

from hypothesis import example, given, settings
from hypothesis import strategies as st

from briefgen import tree as t
from briefgen.errors import BriefgenError
from briefgen.mdescape import md_escape
from briefgen.parse import _PARSER, _Builder, parse
from conftest import examples

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


def test_inline_note_is_held_where_written_beside_defined_ones():
    doc = parse("Text^[An *inline* note.] and a ref[^a].\n\n[^a]: Defined.\n", t.Meta("x"))
    kinds = [type(n).__name__ for n in doc.blocks[0].children]
    assert kinds == ["Text", "Note", "Text", "Note", "Text"]
    assert [t.plain_text(n.blocks[0].children) for n in t.walk_notes(doc)] == ["An inline note.", "Defined."]


def test_a_note_inside_an_inline_note_is_an_error():
    with pytest.raises(BriefgenError, match="cannot contain another footnote"):
        parse("Text^[see[^a]].\n\n[^a]: Defined.\n", t.Meta("x"))


def test_repeated_reference_gets_its_own_note():
    doc = parse("A[^a] and again[^a].\n\n[^a]: Same.\n", t.Meta("x"))
    notes = t.walk_notes(doc)
    assert len(notes) == 2 and notes[0] == notes[1]


def test_undefined_reference_is_an_error_quoting_its_line():
    with pytest.raises(BriefgenError, match=r"\[\^zz\] has no definition, in “Text \[\^zz\].”"):
        parse("Text [^zz].\n", t.Meta("x"))
    # a long line is quoted around the reference, so that the template can be searched for it
    long = "x" * 200 + " Text [^zz] " + "y" * 200
    with pytest.raises(BriefgenError, match=r"in “…x+ Text \[\^zz\] y+…”"):
        parse(f"Intro.\n\n{long}\n", t.Meta("x"))


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


# Every place a template puts a value, with how to read the value back from the tree.
# `a` and `b` must read back exactly as written, whatever punctuation they hold.
def _first_para(doc):
    return t.plain_text(doc.blocks[0].children)


CONTEXTS = {
    "paragraph": ("{a}\n", _first_para),
    "mid-line": ("Lead {a} tail.\n", lambda d: _first_para(d).removeprefix("Lead ").removesuffix(" tail.")),
    "side by side": ("{a}{b}\n", _first_para),
    "after a paragraph line": ("Para\n{a}\n", lambda d: _first_para(d).removeprefix("Para ")),
    "table cell": ("| h |\n|---|\n| {a} |\n", lambda d: t.plain_text(d.blocks[0].rows[0][0])),
    "heading": ("## {a}\n", _first_para),
    "list item": ("- {a}\n", lambda d: t.plain_text(d.blocks[0].items[0][0].children)),
    "bold": ("**{a}**\n", lambda d: t.plain_text(d.blocks[0].children[0].children)),
    "link text": ("[{a}](http://example.com)\n", lambda d: t.plain_text(d.blocks[0].children[0].children)),
    "note body": ("Text[^x]\n\n[^x]: {a}\n", lambda d: t.plain_text(d.blocks[0].children[1].blocks[0].children)),
    "before a note": ("{a}[^x]\n\n[^x]: note\n", _first_para),
}
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@given(a=st.text(alphabet=PUNCTUATION + "ab1 ", min_size=1, max_size=12),
       b=st.text(alphabet=PUNCTUATION + "a1 ", min_size=1, max_size=6), where=st.sampled_from(sorted(CONTEXTS)))
@settings(max_examples=examples(800))
def test_any_punctuation_reads_back_literally_wherever_a_value_goes(a, b, where):
    a, b = a.strip(" ") or "a", b.strip(" ") or "b"  # edge spaces are the template's layout, not data
    template, read = CONTEXTS[where]
    markdown = template.format(a=md_escape(a), b=md_escape(b))
    expected = a + b if where == "side by side" else a
    assert read(parse(markdown, t.Meta("x"))) == expected, markdown


QUICK_PIECES = ["a", "b1", " ", "é", "9", ".", ":", "!", "%", "(", ")", "\u00a0", "—", "\\.", "\\*", "\\[", "\\", "*", "**", "***", "_", "__",
                "[", "]", "[^x]", "[^y]", "[^nope]", "`", "&", "<", "^", "\n"]


@given(st.lists(st.sampled_from(QUICK_PIECES), max_size=14).map("".join))
@settings(max_examples=examples(1500))
@example("**Verified**: two sources agree\\.[^x]")
@example("**a****b**")
@example("a**b**c[^y] **c.**")
@example("**10%**: a (b)")
@example("[^x](u) [^y]")
def test_quick_inline_reading_equals_the_inline_parser(content):
    # Most cells and notes of a briefing skip markdown-it's inline parser: whatever that
    # shortcut reads must be exactly what the parser would have made of the same text.
    env: dict = {}
    builder = _Builder(_PARSER.parse("[^x]: one\n\n[^y]: two\n", env), env)
    quick = builder.quick(content)
    if quick is not None:
        children: list = []
        _PARSER.inline.parse(content, _PARSER, env, children)
        assert quick == builder.convert(children, None), content


def test_the_shapes_a_briefing_is_made_of_are_read_quickly():
    env: dict = {}
    builder = _Builder(_PARSER.parse("[^x]: one\n", env), env)
    for content in ["**Verified**: two sources agree[^x]", "Outlet 2, “Title”, n\\.d\\., para\\. 5\\.",
                    "**Launch** of Qwen 3[^x]",
                    "**Moderate confidence.** A judgment\\.[^x]", "**10%**: a forecast[^x]", "8 \\| 9 \\*"]:
        assert builder.quick(content) is not None, content


@pytest.mark.parametrize("markdown, line", [
    ("".join("  " * i + f"- level {i}\n" for i in range(10)), 10),  # a tenth list level
    ("> " * 25 + "a quote in twenty-five quotes\n", 1),
    ("".join("  " * i + f"- level {i}\n" for i in range(7)) + "  " * 7 + "> " * 7 + "quotes in a list\n", 8),
])
def test_what_the_parser_would_drop_for_nesting_is_an_error(markdown, line):
    with pytest.raises(BriefgenError, match="nested more than 20 levels deep here") as err:
        parse(markdown, t.Meta("x"), origin="hostile template output")
    assert (err.value.problems[0].file, err.value.problems[0].line) == ("hostile template output", line)


def test_nine_list_levels_are_kept():
    doc = parse("".join("  " * i + f"- level {i}\n" for i in range(9)), t.Meta("x"))
    block, depth = doc.blocks[0], 1
    while len(block.items[0]) > 1:
        block, depth = block.items[0][1], depth + 1
    assert depth == 9 and t.plain_text(block.items[0][0].children) == "level 8"
