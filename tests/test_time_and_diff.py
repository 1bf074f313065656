"""--as-of, diff between versions (folders and git revisions), and register exports."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest

from briefgen.analyse import analyse
from briefgen.asof import as_of, claim_known
from briefgen.diff import diff, load_version
from briefgen.load import load_project
from conftest import MINI, run_cli

X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def revise(project_dir):
    """A later version of the mini project: one claim corrected, one added, one event retitled."""
    claims = project_dir / "claims.yaml"
    text = claims.read_text().replace("    value: 11\n", "    value: 26\n")
    claims.write_text(text + "  - id: cl-new\n    statement: New claim.\n    claimant: X\n    kind: assertion\n"
                             "    subject: new\n    citations: [{source: wire, quote: q}]\n")
    events = project_dir / "events.yaml"
    events.write_text(events.read_text().replace("title: Conference keynote", "title: Keynote in Hangzhou"))


def test_as_of_keeps_only_what_was_known():
    p = load_project(MINI)
    before = as_of(p, dt.date(2025, 9, 24))  # the paper (issued 25 Sep) is not out yet
    assert sorted(before.sources) == ["copy", "wire"]
    assert [e.id for e in before.events] == ["ev-plan", "ev-deal"]
    assert [c.id for c in before.claims] == ["cl-growth-26", "cl-models", "cl-asi", "cl-single"]
    status = {v.claim.id: v.status for v in analyse(before).claims}
    assert status["cl-growth-26"] == "single-source"     # no conflict yet: 11% not yet reported
    assert status["cl-models"] == "single-source"         # its second source is not out yet
    assert before.bottom_line is None and before.judgments == []
    after = as_of(p, dt.date(2025, 9, 26))
    assert len(after.events) == 4  # the 2032 target is not known yet
    assert [c.id for c in after.claims] == ["cl-growth-26", "cl-growth-11", "cl-models", "cl-asi", "cl-single"]
    early = as_of(p, dt.date(2025, 9, 20))  # the wire only: cl-models reports the keynote of the 24th
    assert [c.id for c in early.claims] == ["cl-growth-26", "cl-asi"]


def copy_of(p, original: str | None):
    """The mini project with its copy (cl-single's only source) undated, copying `original`."""
    copy = p.sources["copy"].model_copy(update={"issued": None, "derived_from": [original] if original else []})
    return dataclasses.replace(p, sources={**p.sources, "copy": copy})


def test_an_undated_source_is_known_from_what_it_copies():
    p, day = load_project(MINI), dt.date(2025, 9, 24)
    # nothing dates an undated source that copies nothing, nor cl-single, which only it cites
    # and which reports no event: it could have been learnt on any day and is left out
    alone = as_of(copy_of(p, None), day)
    assert "copy" in alone.sources and "cl-single" not in {c.id for c in alone.claims}
    # a copy of the wire (20 Sep) is no older than the wire: known on the 24th, with its claim
    of_wire = as_of(copy_of(p, "wire"), day)
    assert "copy" in of_wire.sources and "cl-single" in {c.id for c in of_wire.claims}
    # a copy of the paper (25 Sep) cannot be known on the 24th: gone, with its claim
    of_paper = as_of(copy_of(p, "paper"), day)
    assert "copy" not in of_paper.sources and "cl-single" not in {c.id for c in of_paper.claims}
    assert claim_known(p.claims_by_id["cl-single"], copy_of(p, "paper")) == dt.date(2025, 9, 25)


def test_as_of_builds_every_audience_when_a_source_copies_one_not_yet_issued(tmp_path):
    # the starter project's newsletter copies the trade press (issued 12 Jan): on the 11th
    # the sources list must not name a source the briefing no longer has, and the starter's
    # own audience (team) must build without the bottom line, which rests on what is gone
    assert run_cli("init", str(tmp_path / "p")).code == 0
    r = run_cli("build", str(tmp_path / "p"), "--all", "--as-of", "2026-01-11", "--format", "pdf",
                "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    texts = [subprocess.run(["pdftotext", str(f), "-"], capture_output=True, text=True, check=True).stdout
             for f in sorted((tmp_path / "out").glob("*.pdf"))]
    assert len(texts) == 5 and all("As of 11 January 2026" in " ".join(x.split()) for x in texts)
    assert not any("Not independent of" in x for x in texts)


@pytest.mark.parametrize("claim,event,known", [
    ({}, {}, dt.date(2025, 9, 20)),                             # the earliest issue among its sources (wire, paper)
    ({"as_of": "2025-09-30"}, {}, dt.date(2025, 9, 30)),         # its own as_of, when that is later
    ({"as_of": "2025-09"}, {}, dt.date(2025, 9, 20)),            # an earlier as_of does not make it known sooner
    ({"events": ["ev-conf"]}, {}, dt.date(2025, 9, 24)),         # the day of an event it reports
    ({"events": ["ev-deal"]}, {}, dt.date(2025, 9, 20)),         # 17-23 Sep counts from the 17th: the wire is later
    ({"events": ["ev-plan", "ev-conf"]}, {}, dt.date(2025, 9, 24)),  # the latest of its events
    ({"events": ["ev-target"]}, {}, dt.date(2032, 12, 31)),      # "by 2032" has no start: from its end
    ({"events": ["ev-target"]}, {"known_from": "2025-09-22"}, dt.date(2025, 9, 22)),  # the event's known_from
    ({"citations": [{"source": "blog", "quote": "q"}]}, {}, None),  # an undated source, no as_of, no event
    ({"citations": [{"source": "blog", "quote": "q"}], "as_of": "2025-06"}, {}, dt.date(2025, 6, 1)),
])
def test_when_a_claim_could_first_be_known(claim, event, known):
    from briefgen.model import Citation, Source

    p = load_project(MINI)
    p = dataclasses.replace(p, sources={**p.sources, "blog": Source(id="blog", title="Undated blog")},
                            events=[e.model_copy(update=event) if e.id == "ev-target" else e for e in p.events])
    update = {**claim, "citations": [Citation(**c) for c in claim["citations"]]} if "citations" in claim else claim
    asi = p.claims_by_id["cl-asi"].model_copy(update=update)
    assert claim_known(asi, p) == known


def test_as_of_on_the_command_line():
    out = json.loads(run_cli("claims", str(MINI), "--as-of", "2025-09-24", "--json").out)
    assert [c["id"] for c in out] == ["cl-growth-26", "cl-models", "cl-asi", "cl-single"]
    bad = run_cli("timeline", str(MINI), "--as-of", "yesterday")
    assert bad.code == 2 and "--as-of: 'yesterday' is not a date" in bad.err


def test_diff_between_folders(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(MINI, new)
    revise(new)
    d = diff(load_project(MINI), load_project(new))
    assert [c.id for c in d.claims_added] == ["cl-new"]
    assert [(c.id, c.fields) for c in d.claims_changed] == [("cl-growth-11", ("value",))]
    assert [(c.id, c.fields) for c in d.events_changed] == [("ev-conf", ("title",))]
    assert [(c.id, c.old_status, c.new_status) for c in d.status_changed] == [
        ("cl-growth-26", "conflict", "corroborated"), ("cl-growth-11", "conflict", "corroborated")]  # now they agree
    r = run_cli("diff", str(MINI), str(new))
    assert r.code == 0 and "Status changes (2):" in r.out and "cl-new: New claim." in r.out


def test_diff_against_a_git_revision(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(MINI, repo / "proj")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    revise(repo / "proj")
    old = load_version("HEAD:proj", repo)
    assert [c.id for c in diff(old, load_project(repo / "proj")).claims_added] == ["cl-new"]
    r = run_cli("diff", "HEAD:proj", "proj", cwd=repo)
    assert r.code == 0 and "Changed claims (1):" in r.out
    missing = run_cli("diff", "nope:proj", "proj", cwd=repo)
    assert missing.code == 2 and "cannot read 'nope:proj' from git" in missing.err


def test_since_last_briefing_section(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(MINI, new)
    revise(new)
    cfg = new / "briefgen.yaml"
    cfg.write_text(cfg.read_text() + f"previous: {MINI}\n")
    from briefgen.build import document_for
    from briefgen.tree import plain_text, Heading, BulletList
    doc = document_for(load_project(new), "full", dt.date(2025, 10, 1))
    heads = [plain_text(b.children) for b in doc.blocks if isinstance(b, Heading)]
    assert heads[:2] == ["Bottom line up front", "Since the last briefing"]
    listing = next(b for b in doc.blocks if isinstance(b, BulletList))
    tops = [plain_text(item[0].children) for item in listing.items]
    assert tops == ["Events revised (1)", "New claims (1)", "Claims revised (1)", "Status changes (2)"]


def test_export_csv_and_xlsx(tmp_path):
    r = run_cli("export", str(MINI), "--out", str(tmp_path / "c.csv"))
    assert r.code == 0 and r.out.strip().endswith("(5 claims)")
    rows = list(csv.DictReader((tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(x["id"], x["status"], x["value_display"], x["conflicts_with"]) for x in rows][:2] == [
        ("cl-growth-26", "conflict", "26%", "cl-growth-11"), ("cl-growth-11", "conflict", "11%", "cl-growth-26")]
    assert rows[0]["sources"] == "Copy; Wire" and rows[0]["independent_sources"] == "1"
    x1, x2 = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert run_cli("export", str(MINI), "--out", str(x1)).code == 0
    assert run_cli("export", str(MINI), "--out", str(x2)).code == 0
    assert x1.read_bytes() == x2.read_bytes()
    from openpyxl import load_workbook
    ws = load_workbook(x1).active
    assert ws["A1"].value == "id" and ws["M2"].value == "conflict"
    bad = run_cli("export", str(MINI), "--out", str(tmp_path / "c.txt"))
    assert bad.code == 2 and "name a .csv or .xlsx file" in bad.err



def test_xlsx_cells_hold_text_as_written_and_never_run_it(mini, tmp_path):
    # an .xlsx cell says it is text, so "-11%" needs no CSV guard ("'-11%"), and "=1+1"
    # stays text; read from the file's own XML, not through openpyxl, which wrote it
    path = mini / "claims.yaml"
    text = path.read_text(encoding="utf-8").replace("    value: 11\n", "    value: -11\n", 1)
    path.write_text(text.replace("statement: Cloud", "statement: =1+1 Cloud", 1), encoding="utf-8")
    assert run_cli("export", str(mini), "--out", str(tmp_path / "c.xlsx")).code == 0
    assert run_cli("export", str(mini), "--out", str(tmp_path / "c.csv")).code == 0
    with zipfile.ZipFile(tmp_path / "c.xlsx") as z:
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    assert not list(sheet.iter(f"{X}f"))   # no formula at all
    texts = ["".join(t.text or "" for t in c.iter(f"{X}t")) for c in sheet.iter(f"{X}c") if c.get("t") == "inlineStr"]
    assert "-11%" in texts and "'-11%" not in texts
    assert any(t.startswith("=1+1 Cloud") for t in texts), texts
    guarded = list(csv.DictReader((tmp_path / "c.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert "'-11%" in [r["value_display"] for r in guarded]
    assert any(r["statement"].startswith("'=1+1 ") for r in guarded)

def test_validate_lists_undated_claims_then_counts_the_rest(mini):
    from briefgen.data_warnings import UNDATED_SHOWN, problems

    (mini / "sources.yaml").write_text((mini / "sources.yaml").read_text() + "  - {id: blog, title: Undated blog}\n")
    extra = "".join(f"  - id: cl-undated-{i}\n    statement: S.\n    claimant: X\n    kind: assertion\n"
                    f"    subject: s{i}\n    citations: [{{source: blog, quote: q}}]\n" for i in range(UNDATED_SHOWN + 5))
    (mini / "claims.yaml").write_text((mini / "claims.yaml").read_text() + extra)
    messages = [p.message for p in problems(load_project(mini)) if "dated" in p.message]
    assert len(messages) == UNDATED_SHOWN + 1
    assert messages[0].startswith("'cl-undated-0' cannot be dated")
    assert messages[-1] == "5 more claims cannot be dated either"


def test_a_git_revision_is_read_without_the_repositorys_filters(tmp_path):
    # a project sent with its .git: a filter the repository's own config defines runs a
    # command wherever git checks the files out or archives them; briefgen reads the raw
    # objects, so the command never runs, and the previous version still loads
    repo = tmp_path / "repo"
    shutil.copytree(MINI, repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".gitattributes").write_text("*.yaml filter=x\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    ran = tmp_path / "ran"
    subprocess.run([*git, "config", "filter.x.smudge", f"sh -c 'touch {ran}; cat'"], check=True)
    revise(repo)
    r = run_cli("diff", "HEAD:.", ".", cwd=repo)
    assert r.code == 0 and "Changed claims (1):" in r.out, r.err
    assert not ran.exists()


def test_a_sandboxed_build_reads_no_previous_version_outside_its_project(tmp_path):
    # previous: ../other would put another project's data in front of untrusted templates
    for name in ("p", "other"):
        assert run_cli("init", str(tmp_path / name)).code == 0
    with (tmp_path / "p" / "briefgen.yaml").open("a") as fh:
        fh.write("previous: ../other\n")
    boxed = run_cli("build", str(tmp_path / "p"), "--sandbox", "--format", "pdf", "--out", str(tmp_path / "o1"))
    assert boxed.code == 1 and "previous: '../other' is outside the project folder, which --sandbox" in boxed.err
    assert not (tmp_path / "o1").exists() or not any((tmp_path / "o1").iterdir())
    trusted = run_cli("build", str(tmp_path / "p"), "--format", "pdf", "--out", str(tmp_path / "o2"))
    assert trusted.code == 0, trusted.err


def test_previous_from_git_or_a_folder_builds_the_projects_own_and_new_audiences(tmp_path):
    # the previous version is data: briefed through the project's templates, whether git
    # holds them at that revision (team) or the audience is new since (ceo)
    project = tmp_path / "p"
    assert run_cli("init", str(project)).code == 0
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(project)]
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    shutil.copytree(project, tmp_path / "v1", ignore=shutil.ignore_patterns(".git", "templates"))
    assert run_cli("templates", "new", "ceo", "--from", "executive", str(project)).code == 0
    for previous in ("HEAD:.", "../v1"):
        config = project / "briefgen.yaml"
        config.write_text(re.sub(r"^previous:.*\n", "", config.read_text(), flags=re.M) + f"previous: {previous}\n")
        for audience in ("team", "ceo"):
            out = tmp_path / f"o-{audience}-{previous[:2]}"
            r = run_cli("build", ".", "--audience", audience, "--format", "docx", "--no-toc-pages", "--out", str(out),
                        cwd=project)
            assert r.code == 0, (previous, audience, r.err)
            assert sorted(p.name.rsplit("-", 1)[-1] for p in out.iterdir()) == sorted(["changes.docx", f"{audience}.docx"])
    redline = run_cli("diff", "HEAD:.", ".", "--redline", str(tmp_path / "r.docx"), "--audience", "team", cwd=project)
    assert redline.code == 0 and (tmp_path / "r.docx").exists(), redline.err


def test_as_of_cuts_the_previous_version_to_the_same_day(tmp_path):
    # a 24 September view compared with a whole previous version would call everything
    # known only later "withdrawn"; cut to the same day, an unchanged version has no changes
    project = tmp_path / "p"
    shutil.copytree(MINI, project)
    shutil.copytree(MINI, tmp_path / "before")
    with (project / "briefgen.yaml").open("a") as fh:
        fh.write("previous: ../before\n")
    early = run_cli("build", str(project), "--as-of", "2025-09-24", "--format", "html", "--out", str(tmp_path / "o1"))
    assert early.code == 0, early.err
    [page] = (tmp_path / "o1").glob("*.html")
    text = page.read_text(encoding="utf-8")
    assert "withdrawn" not in text and "no longer reported" not in text, text
    revise(project)
    later = run_cli("build", str(project), "--format", "html", "--out", str(tmp_path / "o2"))
    [page] = (tmp_path / "o2").glob("*.html")
    assert later.code == 0 and "<strong>New claims</strong> (1)" in page.read_text(encoding="utf-8"), later.err


def test_a_git_revision_is_read_from_the_repository_its_path_is_in_wherever_briefgen_runs(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(MINI, repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(repo)]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    revise(repo)
    elsewhere = tmp_path / "elsewhere"   # not in any repository
    elsewhere.mkdir()
    r = run_cli("diff", "HEAD:../repo", "../repo", cwd=elsewhere)
    assert r.code == 0 and "Changed claims (1):" in r.out, r.err
