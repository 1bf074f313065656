"""Ordinary long text builds: a claim statement of 3,000 characters, an event summary
of 8,000, a quote of 64 KB. Table rows taller than a page split inside the row, notes
longer than a page continue over pages while the text goes on, boxes split; what truly
cannot be laid out is refused naming the data item (file, line, field).

Long texts are words with numbered tokens (``t00001 capacity t00002 …``), so a reader
of the PDF (pdftotext) can tell that every part is there once, in order.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefgen import tree as t
from briefgen.writers import pdf as pdf_writer
from briefgen.writers.pdf import tables
from briefgen.yamlio import load_yaml
from conftest import SEEDS, TESTS, run_cli, tool
from test_pdf_valid import qpdf_problems, strict_problems

KESTREL = TESTS / "data" / "kestrel"
VOCAB = ("capacity", "grid", "operator", "said", "additions", "would", "continue", "through", "planning",
         "period", "while", "connection", "queues", "lengthen")


def long_text(tag: str, chars: int) -> str:
    """About `chars` characters of words, every other one a token TAG00001, TAG00002, …"""
    out, n, size = [], 0, 0
    while size < chars:
        n += 1
        piece = f"{tag}{n:05d} {VOCAB[n % len(VOCAB)]}"
        out.append(piece)
        size += len(piece) + 1
    return " ".join(out)


def tokens(text: str, tag: str) -> list[int]:
    return [int(m) for m in re.findall(rf"\b{tag}(\d{{5}})\b", text)]


def count_of(tag: str, chars: int) -> int:
    return len(tokens(long_text(tag, chars), tag))


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run([tool("pdftotext"), *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pages(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1]


def assert_whole(found: list[int], total: int, times: int | None = None) -> int:
    """`found` is 1..total, once or more, each time whole and in order; how many times."""
    assert found and len(found) % total == 0, (len(found), total)
    k = len(found) // total
    assert found == list(range(1, total + 1)) * k
    assert times is None or k == times
    return k


def write(doc: t.Document, path: Path) -> Path:
    pdf_writer.write(doc, pdf_writer.Options(), path)
    return path


def note(text: str) -> t.Note:
    return t.Note((t.Para((t.Text(text),)),))


# --- the writer, from trees ------------------------------------------------------------------


def test_a_table_row_taller_than_a_page_splits_inside_the_row(tmp_path):
    cell = long_text("t", 6000)
    rows = (((t.Text("first row"),), (t.Text("short"),)),
            ((t.Text(cell), t.Text(" R1x"), note("N1y the note of the long row")), (t.Text("beside it"),)),
            ((t.Text("last row"),), (t.Text("short"),)))
    doc = t.Document(t.Meta("Long row", date="2026-01-01"), (
        t.Heading(1, (t.Text("Register"),), "register"),
        t.Table(((t.Text("Claim"),), (t.Text("Grade"),)), rows, ("", ""), (5, 1)),
        t.Para((t.Text("After the table."),))))
    texts = pages(write(doc, tmp_path / "row.pdf"))
    assert_whole(tokens("".join(texts), "t"), count_of("t", 6000), times=1)
    spanned = [i for i, page in enumerate(texts) if tokens(page, "t")]
    assert len(spanned) >= 2
    assert all("Claim" in texts[i] for i in spanned)                 # the header repeats on each
    assert texts[spanned[0]].index("first row") < texts[spanned[0]].index("t00001")
    reference = next(i for i, page in enumerate(texts) if "R1x" in page)
    assert reference == spanned[-1] and "N1y" in texts[reference]    # the note where its mark is
    assert "After the table." in texts[-1] and "last row" in "".join(texts[spanned[-1]:])


def test_a_tall_row_in_a_long_table_given_in_windows_splits_and_every_row_follows(tmp_path):
    count = tables.WINDOW + 60
    tall = 80
    rows = tuple(((t.Text(f"Row {i:03d}"),),
                  (t.Text(long_text("w", 15000) if i == tall else f"detail of row {i}"),))
                 for i in range(count))
    doc = t.Document(t.Meta("Windows", date="2026-01-01"), (
        t.Table(((t.Text("Row"),), (t.Text("Detail"),)), rows, ("", ""), (1, 3)),))
    text = pdf_text(write(doc, tmp_path / "windows.pdf"))
    assert [int(n) for n in re.findall(r"Row (\d{3})", text)] == list(range(count))
    assert_whole(tokens(text, "w"), count_of("w", 15000), times=1)   # spans three pages and more


def test_a_note_of_many_pages_continues_and_the_notes_after_it_follow_it(tmp_path):
    quote = long_text("q", 65536)
    blocks: list = [t.Para((t.Text("A claim with a long quote R1x"), note("N1y " + quote)))]
    for n in range(2, 30):
        blocks.append(t.Para((t.Text(f"Paragraph {n} goes on while the quote continues. " * 6 + f"R{n}x"),
                              note(f"N{n}y a short note"))))
    path = write(t.Document(t.Meta("Long note", date="2026-01-01"), tuple(blocks)), tmp_path / "note.pdf")
    text = pdf_text(path)
    assert_whole(tokens(text, "q"), count_of("q", 65536), times=1)
    assert [int(n) for n in re.findall(r"N(\d+)y", text)] == list(range(1, 30))   # each once, in order
    texts = pages(path)
    body_pages = [i for i, page in enumerate(texts) if "Paragraph" in page]
    quote_pages = [i for i, page in enumerate(texts) if tokens(page, "q")]
    assert set(body_pages) & set(quote_pages[1:])          # the text goes on beside the continuing quote
    assert len(texts) < 2 * len(quote_pages)


def test_quotes_and_callouts_longer_than_a_page_split_in_the_page_and_in_a_list(tmp_path):
    long_quote = t.BlockQuote((t.Para((t.Text(long_text("b", 20000)),)),))
    boxed = t.Callout("callout", (t.Text("Box"),), (t.Para((t.Text(long_text("c", 20000)),)),))
    doc = t.Document(t.Meta("Boxes", date="2026-01-01"), (
        long_quote,
        t.BulletList(((t.Para((t.Text("an item holding a long callout"),)), boxed),)),
        t.Para((t.Text("The end."),))))
    text = pdf_text(write(doc, tmp_path / "boxes.pdf"))
    assert_whole(tokens(text, "b"), count_of("b", 20000), times=1)
    assert_whole(tokens(text, "c"), count_of("c", 20000), times=1)
    assert text.rstrip().endswith("The end.") or "The end." in text.split("\f")[-2]


# --- the real command, on both test projects --------------------------------------------------

LONG = {   # what, which data file, the value's path in it, its length
    "statement": ("claims.yaml", ("claims", 0, "statement"), 3000),
    "summary": ("events.yaml", ("events", 0, "summary"), 8000),
    "quote": ("claims.yaml", ("claims", 0, "citations", 0, "quote"), 65536),
}


def with_long(project: Path, dest: Path, what: str, chars: int | None = None) -> tuple[Path, str]:
    """A copy of `project` whose `what` is a long text (tokens t00001…); (copy, value)."""
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("out"))
    file, path, size = LONG[what]
    data = load_yaml(dest / file).data
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value = long_text("t", chars or size)
    (dest / file).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**9))
    return dest, value


@pytest.mark.parametrize("what", sorted(LONG))
@pytest.mark.parametrize("project", [SEEDS, KESTREL], ids=["seeds", "kestrel"])
def test_long_data_builds_every_audience(tmp_path, project, what):
    copy, value = with_long(project, tmp_path / project.name, what)
    out = tmp_path / "out"
    r = run_cli("build", str(copy), "--all", "--format", "pdf", "--out", str(out))
    assert r.code == 0 and "4 of 4 audiences built" in r.out, r.err
    [full] = out.glob("*-full.pdf")
    assert assert_whole(tokens(pdf_text(full), "t"), len(tokens(value, "t"))) >= 1
    briefings = sorted(out.glob("*.pdf"))
    assert strict_problems(briefings) == {p: "" for p in briefings}
    assert all(qpdf_problems(p) == "" for p in briefings)


HEADER_TEMPLATE = """{% extends "builtin/full.md.j2" %}
{% block register %}
# Claims

| {{ claims[0].claim.statement }} | Status |
|:--|:--|
{% for v in claims %}
| {{ v.claim.claimant }} | {{ v.status }} |
{% endfor %}
{% endblock %}
"""


@pytest.mark.parametrize("project", [SEEDS, KESTREL], ids=["seeds", "kestrel"])
def test_what_no_page_can_hold_is_refused_naming_the_data_item(tmp_path, project):
    # a template puts a claim's statement in a table's header row, which repeats on every
    # page and cannot split: at 9,000 characters no page holds it
    copy, value = with_long(project, tmp_path / project.name, "statement", 9000)
    (copy / "templates").mkdir(exist_ok=True)
    (copy / "templates" / "board.md.j2").write_text(HEADER_TEMPLATE)
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{copy.name}-briefing-board.pdf").write_bytes(b"the previous briefing")
    before = sorted(p.name for p in out.iterdir())
    r = run_cli("build", str(copy), "--audience", "board", "--format", "docx,pdf", "--out", str(out))
    line = next(i for i, text in enumerate((copy / "claims.yaml").read_text().splitlines(), 1)
                if text.strip().startswith("statement: t00001"))
    assert r.code == 1, r.err
    assert r.err.strip() == (
        f"error: {copy / 'claims.yaml'}:{line}: claims[0].statement: the PDF cannot fit this text on a page: "
        f"“{value[:60].rstrip()}…” (shorten it or break it up, or build only the Word file with --format docx)")
    assert sorted(p.name for p in out.iterdir()) == before          # no file written, none replaced


def test_template_text_no_page_can_hold_is_the_templates(tmp_path, mini):
    (mini / "templates").mkdir()
    (mini / "templates" / "board.md.j2").write_text(
        "# Wide\n\n| {% for i in range(1500) %}heading word {{ i }} {% endfor %} | b |\n|--|--|\n| x | y |\n")
    r = run_cli("build", str(mini), "--audience", "board", "--format", "pdf", "--out", str(tmp_path / "out"))
    assert r.code == 3, r.err
    assert r.err.startswith("error: the PDF cannot fit this text on a page: “heading word 0 heading word 1")
    assert not list((tmp_path / "out").glob("*.pdf"))
