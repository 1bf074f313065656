"""Audiences: what each profile selects is in its briefing and nothing else; overrides; init."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from briefgen import tree as t
from briefgen.analyse import analyse, select
from briefgen.audiences import BUILTIN, audiences, load_profile
from briefgen.build import document_for
from briefgen.load import load_project
from conftest import SEEDS, run_cli, tool

DAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def seeds():
    return load_project(SEEDS)


def text_of(doc: t.Document) -> str:
    """All visible text, notes included."""
    parts = []

    def blocks(items):
        for b in items:
            for run in t.block_inlines(b):
                parts.append(t.plain_text(run, notes=True))
            blocks(tuple(t.child_blocks(b)))

    blocks(doc.blocks)
    return "\n".join(parts)


def test_builtin_audiences_listed(seeds):
    names = [(a.name, a.origin) for a in audiences(seeds.root)]
    assert names == [("executive", "built-in"), ("full", "built-in"), ("investor", "built-in"),
                     ("technical", "built-in")]


@pytest.mark.parametrize("audience", ["executive", "investor", "technical", "full"])
def test_audience_contains_exactly_what_its_profile_selects(seeds, audience):
    profile = load_profile(seeds, audience)
    everything = analyse(seeds)
    chosen = select(everything, profile.select)
    text = text_of(document_for(seeds, audience, DAY))
    chosen_events = {d.event.id for d in chosen.events}
    for d in everything.events:
        if d.event.id in chosen_events:
            assert d.event.title in text, (audience, d.event.id)
        elif audience != "full":
            assert d.event.title not in text, (audience, d.event.id)
    chosen_claims = {v.claim.id for v in chosen.claims}
    in_disputes = {v.claim.id for dd in chosen.disputes for v in dd.versions}
    for v in everything.claims:
        if v.claim.id in chosen_claims:
            assert v.claim.statement in text, (audience, v.claim.id)
        elif v.claim.id not in in_disputes and audience != "full":
            assert v.claim.statement not in text, (audience, v.claim.id)


def test_profiles_differ_as_documented(seeds):
    everything = analyse(seeds)
    pick = {a: select(everything, load_profile(seeds, a).select) for a in ("executive", "investor", "technical", "full")}
    assert len(pick["full"].claims) == len(everything.claims) == 113
    assert len(pick["executive"].events) <= 7 and len(pick["executive"].claims) <= 8
    assert all(d.event.significance == "high" for d in pick["executive"].events)
    assert all({"capex", "finance", "revenue", "market", "forecast", "infrastructure"} & set(v.claim.tags)
               for v in pick["investor"].claims)
    assert all({"models", "agents", "open-source", "infrastructure"} & set(v.claim.tags)
               for v in pick["technical"].claims)


def test_every_recorded_disagreement_is_disputed_in_investor_and_full(seeds):
    everything = analyse(seeds)
    recorded = {v.claim.subject for v in everything.claims if v.rivals}
    assert len(recorded) >= 10
    for audience in ("investor", "full"):
        doc = document_for(seeds, audience, DAY)
        heads = {t.plain_text(h.children) for h in doc.blocks if isinstance(h, t.Heading) and h.level == 2}
        assert {seeds.subjects.get(s, s) for s in recorded} <= heads, audience


# Where the five articles disagree (see seeds/sources.yaml's notes): values that cannot
# all be true, one pair the analyst judges consistent, and versions only stated differently.
SEED_CONFLICTS = [
    "alibaba-cloud.revenue-growth.latest-quarter", "alibaba.ai-revenue-triple-digit-streak",
    "alibaba-cloud.2032-target.metric", "alibaba-cloud.android-slogan", "eddie-wu.title", "yunqi-2025.keynote-title",
    "qwen3-max.pretraining-data", "qwen3-max.benchmark-rivals-beaten", "wan2.5-preview.capabilities",
    "alibaba.speech-model-family.name", "competitors.ai-investment-change-2025"]
SEED_VARIANTS = ["alibaba.share-price-move.2025-09-24", "alibaba.ai-infra-plan-2025.size",
                 "qwen3-next.training-cost-reduction"]


def test_every_disagreement_of_the_articles_is_shown_for_what_it_is(seeds):
    a = analyse(seeds)
    assert [d.subject for d in a.disputes] == SEED_CONFLICTS
    assert [d.subject for d in a.judged] == ["alibaba.share-price-level.2025-09-24"]
    assert [d.subject for d in a.variants] == SEED_VARIANTS and a.revised == []
    text = text_of(document_for(seeds, "full", DAY))
    assert all(seeds.subjects[d.subject] in text for d in a.disagreements)
    assert ("Conflict. No single value fits every version: Android of the LLM era (Apsara feature (000), "
            "Yunqi report (001)) vs Android of the AI era") in text
    assert ("Consistent, in the analyst's judgement: highest level in nearly four years (Apsara feature (000)) "
            "and highest point since October 2021 (Yunqi report (001)) differ, but can both be true") in text
    assert "Qwen3-Next training-cost reduction: 90% (Apsara feature (000)); over 90% (Yunqi report (001))." in text


def test_technical_flags_vendor_only_claims(seeds):
    text = text_of(document_for(seeds, "technical", DAY))
    assert "vendor only: only Eddie Wu" in text or "vendor only: only Alibaba" in text


def test_project_template_overrides_a_block(tmp_path):
    proj = tmp_path / "p"
    shutil.copytree(SEEDS, proj)
    (proj / "templates").mkdir()
    (proj / "templates" / "executive.md.j2").write_text(
        '{% extends "builtin/executive.md.j2" %}\n{% block bluf %}\n# Our house bottom line\n\n'
        "{{ bottom_line.statement }}{{ cite(bottom_line) }}\n{% endblock %}\n")
    origins = {a.name: a.origin for a in audiences(proj)}
    assert origins["executive"] == "project (overrides built-in)"
    doc = document_for(load_project(proj), "executive", DAY)
    heads = [t.plain_text(h.children) for h in t.headings(doc)]
    assert heads[0] == "Our house bottom line" and "What happened" in heads  # the rest is inherited
    r = run_cli("build", str(proj), "--audience", "executive", "--format", "docx", "--out", str(tmp_path / "o"))
    assert r.code == 0, r.err
    docx_text = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", str(next((tmp_path / "o").iterdir()))],
                               capture_output=True, text=True).stdout
    assert "Our house bottom line" in docx_text


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a/b", "Upper", "x" * 41, ""])
def test_template_names_cannot_leave_the_template_folders(name, tmp_path):
    r = run_cli("build", str(SEEDS), "--audience", name, "--format", "docx", "--out", str(tmp_path))
    assert r.code == 2 and "is not a valid audience name" in r.err
    r = run_cli("templates", "show", name, str(SEEDS))
    assert r.code == 2


def test_templates_new_builds_as_it_is(tmp_path):
    proj = tmp_path / "p"
    shutil.copytree(SEEDS, proj)
    r = run_cli("templates", "new", "board", str(proj), "--from", "executive")
    assert r.code == 0 and "wrote" in r.out
    again = run_cli("templates", "new", "board", str(proj), "--from", "executive")
    assert again.code == 2 and "already exists; nothing was written" in again.err
    doc = document_for(load_project(proj), "board", DAY)
    assert [t.plain_text(h.children) for h in t.headings(doc)][:2] == ["Bottom line up front", "What happened"]
    show = run_cli("templates", "show", "board", str(proj))
    assert 'extends "builtin/executive.md.j2"' in show.out


def test_init_then_build_in_an_empty_folder(tmp_path):
    target = tmp_path / "brief"
    assert run_cli("init", str(target)).code == 0
    assert run_cli("validate", str(target)).code == 0
    r = run_cli("build", str(target), "--all", "--format", "docx", "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert "5 of 5 audiences built" in r.out
    team = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain",
                           str(tmp_path / "out" / "example-co-a-new-product-line-team.docx")],
                          capture_output=True, text=True).stdout
    assert "In one sentence" in team and "entry price is disputed" in team
    assert run_cli("init", str(target)).code == 2  # never over an existing project


def test_build_all_reports_a_failing_audience_and_builds_the_rest(tmp_path):
    proj = tmp_path / "p"
    shutil.copytree(SEEDS, proj)
    (proj / "templates").mkdir()
    (proj / "templates" / "broken.md.j2").write_text('{% extends "_base.md.j2" %}{% block bluf %}{{ nope }}{% endblock %}')
    r = run_cli("build", str(proj), "--all", "--format", "docx", "--out", str(tmp_path / "o"))
    assert r.code == 3
    assert "4 of 5 audiences built" in r.out
    assert "error: broken: " in r.err and "broken.md.j2:1: template error: 'nope' is undefined" in r.err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        f"alibaba-ai-briefing-{a}.docx" for a in ("executive", "full", "investor", "technical")]


def test_profile_look_logo_accent_and_marking_in_both_formats(tmp_path):
    import zipfile

    from PIL import Image
    proj = tmp_path / "p"
    shutil.copytree(SEEDS, proj)
    Image.new("RGB", (120, 40), (200, 30, 30)).save(proj / "logo.png")
    (proj / "templates").mkdir()
    (proj / "templates" / "executive.yaml").write_text(
        (SEEDS.parent / "templates" / "executive.yaml").read_text()
        + '  logo: logo.png\n  accent: "#0B6E4F"\n  classification: BOARD ONLY\n  footer: Strategy team\n')
    r = run_cli("build", str(proj), "--audience", "executive", "--out", str(tmp_path / "o"))
    assert r.code == 0, r.err
    word = tmp_path / "o" / "alibaba-ai-briefing-executive.docx"
    with zipfile.ZipFile(word) as z:
        names = z.namelist()
        header = next(z.read(n).decode() for n in names if n.startswith("word/header"))
        styles = z.read("word/styles.xml").decode()
    assert any(n.startswith("word/media/") for n in names) and "<pic:pic" in header
    assert "BOARD ONLY" in header and "0B6E4F" in styles
    pdf_path = tmp_path / "o" / "alibaba-ai-briefing-executive.pdf"
    images = subprocess.run([tool("pdfimages"), "-list", "-f", "1", "-l", "1", str(pdf_path)],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert any(" 120    40 " in row for row in images), images  # the 120 x 40 logo, on page 1
    text = subprocess.run([tool("pdftotext"), "-layout", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert "BOARD ONLY" in text and "Strategy team" in text


def test_grades_and_their_legend_are_shown(seeds):
    text = text_of(document_for(seeds, "full", DAY))
    assert "Source reliability: A completely reliable; B usually reliable" in text
    assert "Information credibility: 1 confirmed by other sources" in text
    views = {v.claim.id: v for v in analyse(seeds).claims}
    claim = views["cl-cloud-revenue-growth-11pct"].claim
    assert claim.credibility is not None
    grade = f"{seeds.sources['src-004'].reliability}{claim.credibility}"
    doc = document_for(seeds, "full", DAY)
    register = next(b for b in doc.blocks
                    if isinstance(b, t.Table) and len(b.header) > 4 and t.plain_text(b.header[4]) == "Grade")
    row = next(r for r in register.rows if t.plain_text(r[0]).startswith(claim.statement))
    assert t.plain_text(row[4]) == grade


@pytest.mark.parametrize("sandbox", [False, True], ids=["plain", "sandbox"])
def test_memo_renders_a_macro_once_per_argument(tmp_path, sandbox):
    # The built-in citation style renders each source's reference once through memo();
    # a counting macro shows the second call with the same source is the first's output.
    proj = tmp_path / "p"
    shutil.copytree(SEEDS, proj)
    (proj / "templates").mkdir()
    (proj / "templates" / "counted.md.j2").write_text(
        "{% set ns = namespace(calls=0) %}\n"
        "{% macro ref(src) %}{% set ns.calls = ns.calls + 1 %}{{ src.label }}{% endmacro %}\n"
        "{% set a, b = (sources.values()|list)[:2] %}\n"
        "{{ memo(ref, a) }}; {{ memo(ref, b) }}; {{ memo(ref, a) }}; calls: {{ ns.calls }}\n")
    from briefgen.render import Limits
    doc = document_for(load_project(proj), "counted", DAY, Limits(sandbox=sandbox))
    labels = [s.label for s in list(load_project(proj).sources.values())[:2]]
    assert t.plain_text(doc.blocks[0].children) == f"{labels[0]}; {labels[1]}; {labels[0]}; calls: 2"


def test_templates_list_says_when_the_project_replaces_what_built_in_audiences_extend(tmp_path):
    # a project sent with its own _base.md.j2 runs it in every built-in audience: the
    # listing must not call those plainly "built-in"
    assert run_cli("init", str(tmp_path / "p")).code == 0
    plain = run_cli("templates", "list", str(tmp_path / "p"))
    assert plain.code == 0 and "with the project's" not in plain.out and "note:" not in plain.err
    shutil.copy(BUILTIN / "_base.md.j2", tmp_path / "p" / "templates" / "_base.md.j2")
    r = run_cli("templates", "list", str(tmp_path / "p"), env={"COLUMNS": "160"})
    assert r.code == 0
    assert "built-in (with the project's _base.md.j2)" in r.out
    assert "_base.md.j2 replaces the built-in one, so every built-in audience runs it too" in r.err


def test_templates_list_shows_no_description_from_a_profile_linked_from_elsewhere(tmp_path):
    # a profile that links outside the template folders is refused when built; listing
    # it must not print what the linked file holds either
    project = tmp_path / "p"
    assert run_cli("init", str(project)).code == 0
    shutil.copy(project / "templates" / "team.md.j2", project / "templates" / "linked.md.j2")
    (tmp_path / "elsewhere.yaml").write_text('description: "From a file outside the project"\n')
    (project / "templates" / "linked.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (project / "templates" / "own.yaml").write_text('description: "The team\'s own profile"\n')
    shutil.copy(project / "templates" / "team.md.j2", project / "templates" / "own.md.j2")
    r = run_cli("templates", "list", str(project), env={"COLUMNS": "200"})
    assert r.code == 0 and "linked" in r.out and "The team's own profile" in r.out, r.out
    assert "From a file outside" not in r.out
