"""The unit vocabulary, and numbers and locators as the briefing writes them."""

from __future__ import annotations

import re

import pytest

from briefgen.analyse import analyse
from briefgen.data_warnings import problems
from briefgen.load import load_project
from briefgen.model import Claim, UnitDef
from briefgen.numbers import Written, format_locators, format_value
from briefgen.units import BUILTIN, Vocabulary
from briefgen.versions import read, relation
from conftest import run_cli


def claim(value, unit=None, bound="exact", written=None) -> Claim:
    c = Claim(id="c", statement="s", claimant="x", kind="figure" if unit else "assertion", subject="s",
              value=value, unit=unit, bound=bound, citations=[{"source": "a", "quote": "q"}])
    if written:  # as the loader gives a decimal: the number with the text the file had
        c.__dict__["value"] = Written(value, written[0])
    return c


@pytest.mark.parametrize("a,b", [
    ("USD bn", "US$ billion"), ("$ bn", "USD bln"), ("RMB bn", "CNY billion"), ("EUR m", "€ million"),
    ("%", "per cent"), ("percent", "%"), ("jobs", "Job"), ("lines", "line"), ("GWh", "gwh"),
    ("million cells", "cells"), ("x", "times"), ("£bn", "GBP billion"),
])
def test_spellings_of_one_unit_compare(a, b):
    assert BUILTIN.canonical(BUILTIN.parse(a)) == BUILTIN.canonical(BUILTIN.parse(b))


@pytest.mark.parametrize("a,b", [
    ("USD bn", "EUR bn"), ("%", "percentage points"), ("US$ bn", "US$ bn (market value)"), ("m", "EUR m"),
    ("jobs", "lines"), ("bn (currency not stated)", "RMB bn"),
])
def test_different_units_do_not(a, b):
    assert BUILTIN.canonical(BUILTIN.parse(a)) != BUILTIN.canonical(BUILTIN.parse(b))


def test_values_compare_after_their_scales_are_multiplied_out():
    assert relation(read(claim(5500, "USD million")), read(claim(5.5, "USD billion"))) == "agree"
    assert relation(read(claim(12, "USD bn")), read(claim(15, "USD billion"))) == "conflict"
    assert BUILTIN.parse("m").scale == 1 and BUILTIN.parse("$m").scale == 10**6  # metres, unless money


def test_a_project_adds_units_and_synonyms():
    vocab = Vocabulary.for_project(["GWh", UnitDef(name="cells", synonyms=["battery cells"]),
                                    UnitDef(name="AUD", kind="currency", synonyms=["$"]),
                                    UnitDef(name="crore", kind="scale", factor=10**7)])
    assert vocab.parse("GWh").unknown == () and BUILTIN.parse("GWh").unknown == ("GWh",)
    assert vocab.canonical(vocab.parse("battery cells")) == vocab.canonical(vocab.parse("cells"))
    assert vocab.parse("$ bn").currency == "AUD"  # the project's spelling wins
    assert vocab.parse("INR crore").scale == 10**7
    assert format_value(claim(5, "$ bn"), vocab) == "$5 billion"
    assert format_value(claim(5, "USD bn"), vocab) == "US$5 billion"  # "$" no longer means US dollars


@pytest.mark.parametrize("value,unit,bound,written,shown", [
    (5.5, "USD billion", "exact", None, "$5.5 billion"),
    (15, "USD bn", "about", None, "about $15 billion"),
    (380, "RMB bn", "exact", None, "RMB 380 billion"),
    (9, "%", "over", None, "over 9%"),
    (5, "%", "almost", None, "almost 5%"),
    (1.2, "EUR billion", "exact", None, "EUR 1.2 billion"),
    (28, "US$ bn", "exact", None, "$28 billion"),
    (45.0, "USD bn", "exact", ("45.0",), "$45.0 billion"),  # the precision it was reported at
    (4.5, "EUR bn", "exact", ("4.50",), "EUR 4.50 billion"),
    (6, "per cent", "about", None, "about 6%"),
    (1200, "jobs", "up-to", None, "up to 1,200 jobs"),
    ([20, 25], "million cells", "exact", None, "20–25 million cells"),
    (10, "x (year on year)", "exact", None, "10x (year on year)"),
    (2, "€m", "exact", None, "€2 million"),
    (3, "yuan bn", "exact", None, "3 billion yuan"),
    ("1,200", "EUR million", "exact", None, "EUR 1,200 million"),
    ("../2026-12", None, "exact", None, "by December 2026"),
    ("Android of the AI era", None, "exact", None, "Android of the AI era"),
])
def test_values_read_as_people_write_them(value, unit, bound, written, shown):
    assert format_value(claim(value, unit, bound, written)) == shown


def test_the_loader_keeps_decimals_as_written(mini):
    path = mini / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    value: 11\n", "    value: 11.50\n"), encoding="utf-8")
    view = {v.claim.id: v for v in analyse(load_project(mini)).claims}["cl-growth-11"]
    assert view.value_display == "11.50%"
    assert read(view.claim).interval.lo == pytest.approx(11.495)  # and its precision


@pytest.mark.parametrize("locators,shown", [
    (["para. 10", "para. 6", "para. 7", "para. 13"], "paras. 6–7, 10, 13"),
    (["para. 3"], "para. 3"),
    (["para. 3", "para. 3"], "para. 3"),
    (["para. 2", "para. 3", "para. 4", "p. 7", "para. 9"], "paras. 2–4, 9, p. 7"),
    ([None, "fig. 2"], "fig. 2"),
])
def test_locators_are_sorted_with_runs_joined(locators, shown):
    assert format_locators(locators) == shown


@pytest.mark.parametrize("text,word", [("false", "false"), ("True", "true"), ("true", "true")])
def test_a_yes_no_value_is_refused_with_a_hint_to_quote_it(mini, text, word):
    path = mini / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    subject: ceo.asi\n",
                                                             f"    subject: ceo.asi\n    value: {text}\n"))
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 1 and "Traceback" not in r.err
    assert (f'claims[3].value: YAML reads {word} without quotes as a yes/no answer, not as a value to show; '
            f'write the number, or put the word in quotes for text: value: "{word}"') in r.err


def test_an_empty_value_is_refused(mini):
    path = mini / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    subject: ceo.asi\n", "    subject: ceo.asi\n    value:\n"))
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 1 and "claims[3].value: the value is empty (YAML reads nothing, ~ and null as no value)" in r.err


def test_validate_warns_about_unknown_units_with_a_did_you_mean(mini):
    path = mini / "claims.yaml"
    text = path.read_text(encoding="utf-8").replace('    value: 11\n    unit: "%"\n', '    value: 11\n    unit: "precent"\n')
    path.write_text(text.replace("unit: models", "unit: modles"), encoding="utf-8")
    warnings = [p.render() for p in problems(load_project(mini))]
    assert any("unknown unit 'precent' compares only with itself (did you mean 'percent'?" in w for w in warnings)
    assert any("unknown unit 'modles' compares only with itself (did you mean 'models'?" in w for w in warnings)
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 0 and r.err.startswith("warning: ") and "did you mean 'models'?" in r.err
    assert re.search(r"^  mini/claims\.yaml:\d+: claims\[2\]\.unit: unknown unit 'modles'", r.err, re.M)



def test_build_warns_about_a_misspelt_unit_only(mini, tmp_path):
    # a misspelt unit compares with nothing: the disagreement it is in leaves the briefing
    # without a word, so build says so too; a unit word that is simply new stays validate's
    path = mini / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("unit: models", "unit: modles"), encoding="utf-8")
    r = run_cli("build", "mini", "--format", "html", "--out", str(tmp_path / "o1"), cwd=mini.parent)
    assert r.code == 0 and any((tmp_path / "o1").iterdir()), r.err
    assert re.search(r"^warning: mini/claims\.yaml:\d+: claims\[2\]\.unit: unknown unit 'modles' compares only "
                     r"with itself \(did you mean 'models'\?", r.err, re.M), r.err
    path.write_text(path.read_text(encoding="utf-8").replace("unit: modles", "unit: gigaframes"), encoding="utf-8")
    r = run_cli("build", "mini", "--format", "html", "--out", str(tmp_path / "o2"), cwd=mini.parent)
    assert r.code == 0 and "warning" not in r.err, r.err


def test_validate_warns_when_versions_do_not_compare(mini):
    path = mini / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('    value: 11\n    unit: "%"\n',
                                                             '    value: 11\n    unit: "USD bn"\n'), encoding="utf-8")
    warnings = [p.render() for p in problems(load_project(mini))]
    assert any("'cl-growth-11' and 'cl-growth-26' are versions of 'cloud.revenue-growth' whose values do not "
               "compare (unit 'USD bn' and unit '%')" in w for w in warnings), warnings


def test_links_between_versions_must_name_a_version_of_the_same_subject(mini):
    path = mini / "claims.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("    subject: launch.models\n", "    subject: launch.models\n    supersedes: [cl-growth-11]\n")
    text = text.replace("    subject: ceo.asi\n", "    subject: ceo.asi\n    consistent_with: [{claim: cl-asii, reason: r}]\n")
    path.write_text(text, encoding="utf-8")
    r = run_cli("validate", "mini", cwd=mini.parent)
    assert r.code == 1
    assert "claims[2].supersedes[0]: 'cl-growth-11' is about 'cloud.revenue-growth', not 'launch.models'" in r.err
    assert "claims[3].consistent_with[0].claim: unknown claim id 'cl-asii' (fix the id)" in r.err


def test_a_decimal_keeps_its_text_and_still_equals_the_number(mini):
    import pickle

    path = mini / "claims.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    value: 11\n", "    value: 11.50\n"), encoding="utf-8")
    loaded = next(c for c in load_project(mini).claims if c.id == "cl-growth-11")
    plain = Claim.model_validate({**loaded.model_dump(), "value": 11.5})
    assert loaded == plain and loaded.model_dump() == plain.model_dump()  # what other code compares
    assert pickle.loads(pickle.dumps(loaded)).value.text == "11.50"        # what a second process sees
