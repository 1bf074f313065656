"""The built-in audiences on a story nobody tuned them to: tests/data/kestrel (a fictional
battery plant, its own tags, RESTRICTED, Letter paper). Topics map its tags to what each
audience reads; a project that maps nothing still gets sensible briefings; every briefing
carries one label and one marking. Everything is read back as a reader would see it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from briefgen import tree as t
from briefgen.analyse import analyse
from briefgen.load import load_project
from conftest import MINI, SEEDS, TESTS, run_cli, tool

KESTREL = TESTS / "data" / "kestrel"
AUDIENCES = ("executive", "full", "investor", "technical")


def seed_words() -> list[str]:
    """The seed story's words, as EXPECTED.md's last section lists them."""
    section = (KESTREL / "EXPECTED.md").read_text(encoding="utf-8").rsplit("## Words", 1)[1]
    listed = re.search(r"\(([^)]*)\)", section).group(1)
    return [w.strip() for w in listed.split(",") if w.strip()]


def pdf_text(path: Path, layout: bool = True) -> str:
    """The PDF's text: laid out as on the page, or in reading order (cells whole)."""
    return subprocess.run([tool("pdftotext"), "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def word_paragraphs(path: Path) -> list[str]:
    """Every paragraph pandoc reads from the .docx, title block (its metadata) included."""
    doc = json.loads(subprocess.run([tool("pandoc"), "-f", "docx", "-t", "json", "-s", str(path)],
                                    capture_output=True, text=True, check=True).stdout)

    def inline(items) -> str:
        out = []
        for x in items:
            kind, content = x["t"], x.get("c")
            if kind == "Str":
                out.append(content)
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif kind in ("Emph", "Strong", "Underline", "SmallCaps", "Strikeout"):
                out.append(inline(content))
            elif kind in ("Link", "Span", "Quoted"):
                out.append(inline(content[1]))
        return "".join(out)

    paras: list[str] = []

    def blocks(items) -> None:
        for b in items:
            kind, content = b["t"], b.get("c")
            if kind in ("Para", "Plain"):
                paras.append(inline(content))
            elif kind == "Header":
                paras.append(inline(content[2]))
            elif kind == "Table":
                for body in content[4]:
                    for row in body[3]:
                        for cell in row[1]:
                            blocks(cell[4])
            elif kind in ("BulletList", "OrderedList"):
                for item in content if kind == "BulletList" else content[1]:
                    blocks(item)
            elif kind in ("Div", "BlockQuote"):
                blocks(content[1] if kind == "Div" else content)

    for value in doc["meta"].values():
        if value["t"] == "MetaBlocks":
            blocks(value["c"])
        elif value["t"] == "MetaInlines":
            paras.append(inline(value["c"]))
    blocks(doc["blocks"])
    return paras


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def word_xml(path: Path) -> str:
    """All text-bearing parts of a .docx: body, notes, headers, footers, properties."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


@pytest.fixture(scope="module")
def kestrel_out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kestrel-out")
    r = run_cli("build", str(KESTREL), "--all", "--out", str(folder))
    assert r.code == 0, r.err
    assert "4 of 4 audiences built" in r.out
    return folder


def raw(name: str) -> dict:
    return yaml.safe_load((KESTREL / name).read_text(encoding="utf-8"))


def mapped(*topics: str) -> set[str]:
    mapping = raw("briefgen.yaml")["topics"]
    return {tag for topic in topics for tag in mapping.get(topic, [])}


def expected_selection(audience: str) -> tuple[set[str], set[str]]:
    """(event ids, claim ids) the audience must hold, worked out from the YAML alone."""
    events, claims = raw("events.yaml")["events"], raw("claims.yaml")["claims"]
    if audience == "investor":
        tags = mapped("capital", "revenue", "market", "outlook")
        kinds = {"figure", "forecast", "reported-fact"}
    elif audience == "technical":
        tags, kinds = mapped("technology", "operations"), {"figure", "forecast", "reported-fact", "assertion"}
    else:
        raise ValueError(audience)
    return ({e["id"] for e in events if tags & set(e.get("tags", []))},
            {c["id"] for c in claims if tags & set(c.get("tags", [])) and c["kind"] in kinds})


@pytest.mark.parametrize("audience", ["investor", "technical"])
def test_topics_select_what_the_mapping_says_in_both_formats(kestrel_out, audience):
    project = load_project(KESTREL)
    want_events, want_claims = expected_selection(audience)
    assert len(want_events) >= 3 and len(want_claims) >= 8  # the mapping is not a token one
    pdf = flat(pdf_text(kestrel_out / f"kestrel-briefing-{audience}.pdf", layout=False))
    word = flat(" ".join(word_paragraphs(kestrel_out / f"kestrel-briefing-{audience}.docx")))
    # disagreements are shown whole (investor: all of them, with the analyst's judged
    # pairs and the superseded estimates), so a rival version may appear
    a = analyse(project)
    shown = {"investor": {d.subject for d in (*a.disputes, *a.revised, *a.judged, *a.variants)},
             "technical": {c.subject for c in project.claims if c.id in want_claims}}[audience]
    disputed_elsewhere = {c.id for c in project.claims if c.subject in shown}
    for text in (pdf, word):
        for e in project.events:
            assert (flat(e.title) in text) == (e.id in want_events), (audience, e.id)
        for c in project.claims:
            if c.id in want_claims:
                assert flat(c.statement) in text, (audience, c.id)
            elif c.id not in disputed_elsewhere:
                assert flat(c.statement) not in text, (audience, c.id)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_word_of_the_seed_story_in_a_kestrel_briefing(kestrel_out, audience):
    words = seed_words()
    assert {"Alibaba", "Qwen", "RMB", "capex"} <= set(words)
    pdf = pdf_text(kestrel_out / f"kestrel-briefing-{audience}.pdf")
    word = word_xml(kestrel_out / f"kestrel-briefing-{audience}.docx")
    meta = " ".join(str(v) for v in (PdfReader(kestrel_out / f"kestrel-briefing-{audience}.pdf").metadata or {}).values())
    for text in (pdf, word, meta):
        found = [w for w in words if re.search(rf"\b{re.escape(w)}\b", text, re.I)]
        assert found == [], (audience, found)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_kestrel_briefing_is_letter_restricted_and_has_no_empty_table(kestrel_out, audience):
    path = kestrel_out / f"kestrel-briefing-{audience}.pdf"
    page = PdfReader(path).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    text = pdf_text(path)
    header = next(line for line in text.splitlines() if line.strip())
    assert "RESTRICTED" in header and "Kestrel Batteries" in header
    label = {"full": "Analyst briefing"}.get(audience, f"{audience.capitalize()} briefing")
    assert f"{label} · As of 1 June 2025" in text
    doc = _tree(KESTREL, audience)
    tables = [b for b in _blocks(doc.blocks) if isinstance(b, t.Table)]
    assert tables and all(table.rows for table in tables), audience


def _tree(project_dir: Path, audience: str) -> t.Document:
    import datetime as dt

    from briefgen.build import document_for
    return document_for(load_project(project_dir), audience, dt.date(2025, 6, 1))


def _blocks(items):
    for b in items:
        yield b
        yield from _blocks(tuple(t.child_blocks(b)))


def _text(doc: t.Document) -> str:
    parts = []
    for b in _blocks(doc.blocks):
        parts.extend(t.plain_text(run, notes=True) for run in t.block_inlines(b))
    return "\n".join(parts)


def test_technical_names_the_party_from_about_not_a_seed_vendor(kestrel_out):
    text = re.sub(r"\s+", " ", pdf_text(kestrel_out / "kestrel-briefing-technical.pdf"))
    assert "made only by the party they are about, or by people speaking for it (Kestrel Batteries)" in text
    seeds = re.sub(r"\s+", " ", _text(_tree(SEEDS, "technical")))
    assert "speaking for it (Alibaba)" in seeds


def without_topics(tmp_path: Path, source: Path = KESTREL) -> Path:
    proj = tmp_path / source.name
    shutil.copytree(source, proj)
    config = (proj / "briefgen.yaml").read_text(encoding="utf-8")
    config = re.sub(r"^topics:\n(?:  .*\n)+", "", config, flags=re.M)
    config = re.sub(r"^tags:.*\n", "", config, flags=re.M)
    (proj / "briefgen.yaml").write_text(config, encoding="utf-8")
    assert "topics" not in load_project(proj).config.model_fields_set
    return proj


@pytest.mark.parametrize("source", [KESTREL, MINI], ids=["kestrel", "mini"])
def test_a_project_that_maps_no_topics_gets_investor_and_technical_from_the_generic_fields(tmp_path, source):
    proj = without_topics(tmp_path, source)
    project = load_project(proj)
    investor, technical = _text(_tree(proj, "investor")), _text(_tree(proj, "technical"))
    numbers = [c for c in project.claims if c.kind in ("figure", "forecast", "reported-fact")]
    assert numbers and all(c.statement in investor for c in numbers)
    assert all(c.statement not in investor for c in project.claims if c.kind == "assertion"
               and not any(o.subject == c.subject for o in numbers))
    assert all(e.title in investor and e.title in technical for e in project.events)
    assert all(c.statement in technical for c in project.claims)
    for audience in AUDIENCES:  # nothing selected shows no section, never an empty table
        doc = _tree(proj, audience)
        assert all(b.rows for b in _blocks(doc.blocks) if isinstance(b, t.Table)), audience
    r = run_cli("build", str(proj), "--audience", "investor", "--format", "pdf", "--out", str(tmp_path / "o"))
    assert r.code == 0, r.err


def test_a_profile_naming_an_unknown_topic_is_an_error_with_file_line_and_suggestion(tmp_path):
    proj = tmp_path / "k"
    shutil.copytree(KESTREL, proj)
    (proj / "templates").mkdir()
    (proj / "templates" / "investor.yaml").write_text(
        "select:\n  claims:\n    topics: [capital, captial]\n", encoding="utf-8")
    r = run_cli("build", str(proj), "--audience", "investor", "--out", str(tmp_path / "o"))
    assert r.code == 3
    assert r.err.strip() == (f"error: {proj}/templates/investor.yaml:3: select.claims.topics[1]: "
                             "unknown topic 'captial' (did you mean 'capital'?)")
    assert not (tmp_path / "o").exists()


def test_the_seeds_starter_and_kestrel_declare_their_topics():
    for project_dir in (SEEDS, KESTREL, Path(__file__).parent.parent / "briefgen" / "data" / "starter"):
        config = load_project(project_dir).config
        assert {"market", "technology"} <= set(config.topics), project_dir
        assert config.tags and all(tag in config.tags for tags in config.topics.values() for tag in tags)


# --- one label, one marking ---------------------------------------------------------------


def _libreoffice_text(docx: Path, tmp_path: Path) -> str:
    proc = subprocess.run([tool("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                          capture_output=True, text=True, timeout=240,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return pdf_text(tmp_path / docx.with_suffix(".pdf").name)


def test_board_from_executive_has_one_label_and_one_marking_in_both_formats(tmp_path):
    proj = tmp_path / "k"
    shutil.copytree(KESTREL, proj)
    r = run_cli("templates", "new", "board", str(proj), "--from", "executive")
    assert r.code == 0, r.err
    profile = proj / "templates" / "board.yaml"
    assert "label: Board briefing" in profile.read_text() and "Executive briefing" not in profile.read_text()
    profile.write_text(profile.read_text() + "  classification: BOARD CONFIDENTIAL\n")
    out = tmp_path / "o"
    r = run_cli("build", str(proj), "--audience", "board", "--out", str(out))
    assert r.code == 0, r.err
    pdf, docx = out / "kestrel-briefing-board.pdf", out / "kestrel-briefing-board.docx"
    title_line = "Board briefing · As of 1 June 2025 · BOARD CONFIDENTIAL"
    as_read = {"pdf": pdf_text(pdf), "docx (LibreOffice)": _libreoffice_text(docx, tmp_path)}
    for fmt, text in as_read.items():
        assert title_line in text, fmt
        # the running header and footer are one line each in both: title, marking, date;
        # marking and "Page N of M"
        lines = [line for line in text.splitlines() if line.strip()]
        header = lines[0].split()
        assert header[:2] == ["Kestrel", "Batteries:"] and "CONFIDENTIAL" in header, (fmt, lines[0])
        assert header[-1] == "2025-06-01", (fmt, lines[0])
        footer = next(line for line in lines if "Page 1 of" in line)
        assert "BOARD CONFIDENTIAL" in footer and footer.rstrip().endswith(tuple("0123456789")), (fmt, footer)
        assert "RESTRICTED" not in text and "Executive briefing" not in text, fmt
    assert title_line in word_paragraphs(docx)
    xml = word_xml(docx)
    assert "RESTRICTED" not in xml
    assert "<cp:category>Board briefing</cp:category>" in xml
    assert "<cp:contentStatus>BOARD CONFIDENTIAL</cp:contentStatus>" in xml
    keywords = PdfReader(pdf).metadata["/Keywords"]
    assert "Board briefing" in keywords and "BOARD CONFIDENTIAL" in keywords and "RESTRICTED" not in keywords


def test_a_copied_audience_without_its_own_marking_takes_the_projects(tmp_path):
    proj = tmp_path / "k"
    shutil.copytree(KESTREL, proj)
    assert run_cli("templates", "new", "board", str(proj), "--from", "full").code == 0
    r = run_cli("build", str(proj), "--audience", "board", "--format", "pdf", "--out", str(tmp_path / "o"))
    assert r.code == 0, r.err
    text = pdf_text(tmp_path / "o" / "kestrel-briefing-board.pdf")
    assert "Board briefing · As of 1 June 2025 · Partner Desk · RESTRICTED" in text
    assert "Analyst briefing" not in text


def test_the_cover_and_the_legend_read_as_separate_lines(kestrel_out):
    pdf = pdf_text(kestrel_out / "kestrel-briefing-full.pdf")
    lines = [line.strip() for line in pdf.splitlines()]
    assert "Analyst briefing · As of 1 June 2025 · Partner Desk · RESTRICTED" in lines
    counts = f"8 events · {len(load_project(KESTREL).claims)} claims · 6 sources · "
    assert any(line.startswith(counts) for line in lines), "the cover's counts are not a line of their own"
    paras = word_paragraphs(kestrel_out / "kestrel-briefing-full.docx")
    assert "Analyst briefing · As of 1 June 2025 · Partner Desk · RESTRICTED" in paras
    assert any(p.startswith(counts) for p in paras)
    for text in (re.sub(r"\s+", " ", pdf), " ".join(paras)):
        assert "F reliability cannot be judged. Information credibility: 1 confirmed" in text
        assert "judged.Information" not in text


def test_counts_read_in_the_singular_when_there_is_one(tmp_path):
    r = run_cli("validate", str(MINI))
    assert "1 judgment," in r.out
    proj = tmp_path / "k"
    shutil.copytree(KESTREL, proj)
    (proj / "templates").mkdir()
    (proj / "templates" / "one.yaml").write_text("select:\n  events:\n    limit: 1\n")
    (proj / "templates" / "one.md.j2").write_text('{% extends "builtin/full.md.j2" %}\n')
    text = _text(_tree(proj, "one"))
    assert f"1 event · {len(load_project(KESTREL).claims)} claims · 6 sources" in text and "1 event, in date order" in text


def test_a_date_worked_out_from_another_event_says_how_the_source_put_it(kestrel_out):
    # kestrel's plant construction starts "weeks after closing the funding round" (P2W/P6W):
    # the window briefgen works out is shown with those words, in both formats
    pdf = flat(pdf_text(kestrel_out / "kestrel-briefing-full.pdf", layout=False))
    word = flat(" ".join(word_paragraphs(kestrel_out / "kestrel-briefing-full.docx")))
    said = flat("(weeks after closing the funding round)")
    assert said in pdf and said in word
