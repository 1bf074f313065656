"""Editing the user's YAML: values changed in place, everything else byte for byte."""

from __future__ import annotations

import pytest

from briefgen.roundtrip import CannotEdit, ScalarEdit, edit_scalars, keep_layout

CIT = ("claims", 0, "citations", 0)
CASES = {
    "block, new key after the quote": (
        "claims:\n  - id: a\n    citations:\n      - source: s\n        quote: \"q\"\n  - id: b\n",
        "claims:\n  - id: a\n    citations:\n      - source: s\n        quote: \"q\"\n        locator: para. 2\n  - id: b\n"),
    "block, end-of-line comment and blank line stay put": (
        "claims:\n  - citations:\n      - quote: q   # checked\n\n        note: n\n",
        "claims:\n  - citations:\n      - quote: q   # checked\n        locator: para. 2\n\n        note: n\n"),
    "block, folded quote": (
        "claims:\n  - citations:\n      - quote: >-\n          a long\n          quote\n\n  - id: b\n",
        "claims:\n  - citations:\n      - quote: >-\n          a long\n          quote\n        locator: para. 2\n\n  - id: b\n"),
    "block, value replaced": (
        "claims:\n  - citations:\n      - {quote: q, locator: 'p. 1'}  # note\n",
        "claims:\n  - citations:\n      - {quote: q, locator: para. 2}  # note\n"),
    "flow, new key": (
        "claims:\n  - citations: [{source: s, quote: \"q, r\"}]\n",
        "claims:\n  - citations: [{source: s, quote: \"q, r\", locator: para. 2}]\n"),
    "CRLF line ends": (
        "claims:\r\n  - citations:\r\n      - quote: q\r\n",
        "claims:\r\n  - citations:\r\n      - quote: q\r\n        locator: para. 2\r\n"),
    "no line end at the end": (
        "claims:\n  - citations:\n      - quote: q",
        "claims:\n  - citations:\n      - quote: q\n        locator: para. 2"),
}


@pytest.mark.parametrize("name", CASES)
def test_edit_in_place(name):
    before, after = CASES[name]
    assert edit_scalars(before, [ScalarEdit(CIT, "locator", "para. 2", after="quote")]) == after


def test_text_that_plain_yaml_would_misread_is_quoted():
    text = "claims:\n  - citations:\n      - quote: q\n"
    out = edit_scalars(text, [ScalarEdit(CIT, "locator", "yes: no # x", after="quote")])
    assert out.endswith('        locator: "yes: no # x"\n')


def test_a_shape_it_cannot_edit_in_place_says_so():
    with pytest.raises(CannotEdit):
        edit_scalars("claims:\n  - citations:\n      - locator: |\n          p. 1\n",
                     [ScalarEdit(CIT, "locator", "para. 2")])
    with pytest.raises(CannotEdit):
        edit_scalars("claims: []\n", [ScalarEdit(CIT, "locator", "para. 2")])


def test_keep_layout_applies_only_the_edit_to_the_original():
    original = "---\nsources:\n  - id: a\n    title: one\n      two\n  - id: b\n    title:   B\n"
    baseline = "sources:\n  - id: a\n    title: one two\n  - id: b\n    title: B\n"
    edited = baseline + "  - id: c\n    title: C\n"
    assert keep_layout(original, baseline, edited) == original + "  - id: c\n    title: C\n"
    assert keep_layout(baseline, baseline, edited) == edited
