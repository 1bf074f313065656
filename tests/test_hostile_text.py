"""Hostile text in every text field: rendered literally (and found again when the output
is read back by another tool) or refused with a clear message."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from briefgen.build import BuildRequest, build
from briefgen.errors import BriefgenError
from briefgen.fonts import IGNORABLE  # the Default_Ignorable_Code_Point list the PDF writer follows
from conftest import MINI, examples, tool

HOSTILE = {
    "markup": "*bold* _it_ `code` # head | pipe [^1] <b>tag</b> &amp; AT&T \\back > quote ~~s~~ [x](http://e.x)",
    "long": "Supercalifragilistic" * 15,
    "cjk": "吴泳铭 通义千问 阿里云",
    "arabic": "مرحبا بالعالم",
    "emoji": "growth 🚀 and 👩\u200d💻 engineers",
    "combining": "Łódź, Ελληνικά, Кириллица, e\u0301",
    "lead": "1. not a list; - not a bullet; + plus",
    "mark": "arrow a\u0354 below",   # a combining mark no embedded font has
}


def fold(text: str) -> str:
    """What a reader should see: line breaks and tabs as spaces, ends trimmed."""
    return re.sub(r"[\t\r\n\u2028\u2029]+", " ", text).strip()


def hostile_project(dest: Path, text: str) -> Path:
    """The mini project with `text` in every free-text field."""
    shutil.copytree(MINI, dest)
    load = lambda name: yaml.safe_load((dest / name).read_text(encoding="utf-8"))  # noqa: E731
    save = lambda name, data: (dest / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")  # noqa: E731
    cfg = load("briefgen.yaml")
    cfg.update(subject=text, classification="SECRET " + text[:20], author=text[:40])
    save("briefgen.yaml", cfg)
    src = load("sources.yaml")
    for s in src["sources"]:
        s["title"] = f"{s['id']} {text}"
        s["note"] = text
    save("sources.yaml", src)
    ev = load("events.yaml")
    for e in ev["events"]:
        e["summary"] = text
        for c in e["citations"]:
            c["quote"] = text
    save("events.yaml", ev)
    cl = load("claims.yaml")
    for c in cl["claims"]:
        c["claimant"] = text
        c["statement"] = text
        for cit in c["citations"]:
            cit["quote"], cit["locator"] = text, text[:30]
    save("claims.yaml", cl)
    jd = load("judgments.yaml")
    jd["bottom_line"]["statement"] = text
    save("judgments.yaml", jd)
    return dest


def docx_text(path: Path) -> str:
    """The document's text as pandoc reads it, body and notes, without wrapping."""
    out = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return out


PDF_REFUSES = {"mark": "the character \u25cc\u0354 (Combining Left Arrowhead Below, U+0354)"}


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, compared as a reader would: Arabic
    presentation forms as the letters they are (NFKC, on both sides of a comparison),
    without the embedding marks pdftotext puts around right-to-left words."""
    out = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return unicodedata.normalize("NFKC", re.sub("[\u202a-\u202e]", "", out))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_in_every_field_reads_back_from_pdf_or_is_refused(name, tmp_path):
    text = HOSTILE[name]
    project = hostile_project(tmp_path / "p", text)
    if name in PDF_REFUSES:
        with pytest.raises(BriefgenError, match="the PDF cannot show " + re.escape(PDF_REFUSES[name])):
            build(BuildRequest(project, "full", ("docx", "pdf"), tmp_path / "out"))
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # no docx either
        return
    [out] = build(BuildRequest(project, "full", ("pdf",), tmp_path / "out"))
    seen = re.sub(r"\s+", "", pdf_text(out))  # line breaks fall inside long words and table cells
    assert seen.count(re.sub(r"\s+", "", unicodedata.normalize("NFKC", fold(text)))) >= 5 * 2 + 5 + 1, name


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_in_every_field_reads_back_from_word(name, tmp_path):
    text = HOSTILE[name]
    project = hostile_project(tmp_path / "p", text)
    [out] = build(BuildRequest(project, "full", ("docx",), tmp_path / "out"))
    seen = docx_text(out)
    # statement + claimant per claim, quotes in notes, summaries, bottom line, source notes
    assert seen.count(fold(text)) >= 5 * 2 + 5 + 5 + 1, name


def _xml_text(path: Path) -> str:
    """All w:t text in the document and its notes, straight from the XML."""
    texts = []
    with zipfile.ZipFile(path) as z:
        for part in ("word/document.xml", "word/footnotes.xml"):
            root = etree.fromstring(z.read(part))
            texts.extend(t.text or "" for t in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"))
    return "".join(texts)


@settings(max_examples=examples(40), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=60))
@example("Math 𝕊")  # above U+FFFF: reportlab's own text map made these unreadable in the PDF
@example("soft\xadhyphen")  # an optional hyphen: kept in both files, seen only where a line breaks at it
@example("\u2065")  # unassigned, default ignorable: never drawn, so not in the PDF's text (a combined run drew it)
@example("a\u2064b")  # invisible plus, between letters
def test_any_statement_round_trips_or_is_refused(tmp_path_factory, text):
    project = hostile_project(tmp_path_factory.mktemp("h") / "p", "x")
    claims = yaml.safe_load((project / "claims.yaml").read_text(encoding="utf-8"))
    claims["claims"][0]["statement"] = text
    (project / "claims.yaml").write_text(yaml.safe_dump(claims, allow_unicode=True), encoding="utf-8")
    try:
        word, pdf = build(BuildRequest(project, "full", ("docx", "pdf"), project / "out"))
    except BriefgenError as exc:
        message = exc.render()
        if "the PDF cannot show" in message:  # refused for the PDF, with the text quoted; Word still works
            [word] = build(BuildRequest(project, "full", ("docx",), project / "out"))
            assert fold(text) in _xml_text(word)
            return
        assert "claims.yaml" in message and ("control character" in message or "must not be empty" in message), message
        return
    assert fold(text) in _xml_text(word)
    soft = "\xad" in text
    assert pdf_seen(unicodedata.normalize("NFKC", fold(text)), soft) in pdf_seen(pdf_text(pdf), soft)


def pdf_seen(text: str, soft_hyphens: bool) -> str:
    """Text as the PDF's reader sees it: without line breaks (they fall inside long words),
    without the characters Unicode says are not displayed (Default_Ignorable_Code_Point:
    joiners, marks of direction, variation selectors, unassigned ones such as U+2065),
    which the PDF draws as nothing, and without soft hyphens, which show only where a
    line breaks at one, as a hyphen (so with soft hyphens about, hyphens are not compared)."""
    seen = IGNORABLE.sub("", re.sub(r"\s+", "", text).replace("\xad", ""))
    return seen.replace("-", "") if soft_hyphens else seen
