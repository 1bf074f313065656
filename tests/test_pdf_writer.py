"""The PDF writer, read back with independent tools: pdftotext, pdffonts, qpdf, pdfinfo, pypdf.

The documents are built as trees here (not from Markdown). Body text carries a token
``R<n>x`` right before the reference to note n, and note n's text starts with ``N<n>y``,
so where each ended up can be read off the extracted text of each page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from briefgen import tree as t
from briefgen.errors import BriefgenError
from briefgen.writers import pdf as pdf_writer
from conftest import seed_register, tool

WORDS = ("alpha", "cloud", "model", "revenue", "capacity", "inference", "pricing", "growth", "region")


def filler(n: int, seed: int = 0) -> str:
    return " ".join(WORDS[(i * 7 + seed) % len(WORDS)] for i in range(n))


class Notes:
    """Numbers notes in the order the test creates them, which is document order here."""

    def __init__(self) -> None:
        self.count = 0

    def ref(self, text: str = "", words: int = 8, extra: tuple = ()) -> tuple:
        """Inlines: the R-token, then a note whose text starts with its N-token."""
        self.count += 1
        n = self.count
        body = (t.Text(f"N{n}y {text} {filler(words, n)}".replace("  ", " ")),) + extra
        return (t.Text(f" R{n}x"), t.Note((t.Para(body),)))


def build_sample() -> tuple[t.Document, dict]:
    """A document of several pages that exercises every path of the footnote layout."""
    notes = Notes()
    facts: dict = {}
    b: list = [t.Callout("titleblock", (t.Text("Alibaba and the AI race"),),
                         (t.Para((t.Text("Executive briefing"),)),))]
    b.append(t.Heading(1, (t.Text("Bottom line"),), "bottom-line"))
    b.append(t.Callout("callout", (t.Text("Key judgments"),), (
        t.BulletList((
            (t.Para((t.Text("Alibaba leads Chinese cloud"),) + notes.ref("callout list")),),
            (t.Para((t.Text("Qwen 通义千问 is widely used; Eddie Wu 吴泳铭 leads."),)),),
        )),
    )))
    b.append(t.Para((t.Text("Markup stays literal: a<b & AT&T, 5 > 3, \"quoted\" & 'single'."),)
                    + notes.ref("with a link", extra=(t.Link("https://example.com/source?a=1&b=2",
                                                             (t.Text("example.com"),)),))))
    b.append(t.Heading(3, (t.Text("Skipped a level"),), "skipped"))      # outline must clamp
    for i in range(4):
        b.append(t.Para((t.Text(filler(60, i)),) + notes.ref() + (t.Text(" " + filler(30, i)),)
                        + notes.ref(words=20)))
    # one paragraph far longer than a page, with notes all through it
    long_para: list = []
    first_long = notes.count + 1
    for i in range(14):
        long_para.append(t.Text(" " + filler(85, i)))
        long_para.extend(notes.ref(words=6))
    facts["long_para"] = range(first_long, notes.count + 1)
    b.append(t.Heading(2, (t.Text("A long paragraph"),), "long"))
    b.append(t.Para(tuple(long_para)))
    # a note longer than a page: it must continue on the next page
    b.append(t.Heading(2, (t.Text("A very long note"),), "long-note"))
    long_note = tuple(t.Para((t.Text(filler(110, k)),)) for k in range(8)) + (t.Para((t.Text("LONGEND"),)),)
    notes.count += 1
    facts["long_note"] = notes.count
    b.append(t.Para((t.Text(filler(40) + f" R{notes.count}x"),
                     t.Note((t.Para((t.Text(f"N{notes.count}y start of the very long note."),)),) + long_note),
                     t.Text(" " + filler(40)))))
    for i in range(3):
        b.append(t.Para((t.Text(filler(45, i)),) + notes.ref()))
    # a table long enough to break across pages, with notes in its cells
    b.append(t.Heading(2, (t.Text("Claims register"),), "claims"))
    rows = []
    for r in range(45):
        claim = (t.Text(f"Claim {r} on capex {filler(6, r)}"),)
        if r % 3 == 0:
            claim += notes.ref(words=4)
        rows.append(((t.Text(f"C-{r:02d}"),), claim, (t.Text(f"{r * 2}%"),)))
    b.append(t.Table(((t.Text("Claim ID"),), (t.Text("Claim"),), (t.Text("Share"),)), tuple(rows),
                     ("", "", "right"), (1, 6, 1)))
    b.append(t.Heading(2, (t.Text("Lists and links"),), "lists"))
    b.append(t.OrderedList(tuple((t.Para((t.Text(f"Step {k} " + filler(12, k)),) + notes.ref()),)
                                 for k in range(3)), start=4))
    b.append(t.BlockQuote((t.Para((t.Text("A quoted line " + filler(20)),)),)))
    b.append(t.CodeBlock("for x in range(3):\n    print(x < 2 & 1)"))
    b.append(t.Para((t.Text("Back to "), t.Link("#bottom-line", (t.Text("the bottom line"),)),
                     t.Text("; broken "), t.Link("#missing", (t.Text("internal link"),)), t.Text("."))))
    b.append(t.Rule())
    b.append(t.Heading(2, (t.Text("Chronology"),), "chronology"))
    b.append(t.TimelineFigure((
        t.TimelineItem("Qwen open-sourced", "2023-08-03", "2023-08-03", "day", False, "occurred", "3 Aug 2023"),
        t.TimelineItem("Capex plan", "2025-02-24", "2025-02-24", "day", False, "announced", "24 Feb 2025"),
        t.TimelineItem("Qwen3 launch", "2025-04-29", "2025-04-29", "day", False, "occurred", "29 Apr 2025"),
        t.TimelineItem("Energy use tenfold", "2032-01-01", "2032-12-31", "year", False, "target", "by 2032"),
    ), (t.Text("Figure 1. Key dates"),)))
    b.append(t.PageBreak())
    b.append(t.Para((t.Text("After the page break."),) + notes.ref()))
    meta = t.Meta(title="Alibaba and the AI race", subject="AI strategy", author="Strategy desk",
                  keywords=("Alibaba", "Qwen"), classification="CONFIDENTIAL", date="2025-10-01")
    doc = t.Document(meta, tuple(b))
    facts["notes"] = notes.count
    assert len(t.walk_notes(doc)) == notes.count
    return doc, facts


SAMPLE, FACTS = build_sample()


def write(doc: t.Document, path: Path) -> Path:
    pdf_writer.write(doc, pdf_writer.Options(), path)
    return path


def run(*args: str) -> str:
    return subprocess.run([tool(args[0]), *args[1:]], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path) -> list[str]:
    return run("pdftotext", "-layout", str(path), "-").split("\f")[:-1]


def pages_of(texts: list[str], pattern: str) -> list[int]:
    return [i for i, text in enumerate(texts, 1) if re.search(pattern, text)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return write(SAMPLE, tmp_path_factory.mktemp("pdf") / "sample.pdf")


@pytest.fixture(scope="module")
def texts(sample) -> list[str]:
    return page_texts(sample)


def test_every_note_is_on_the_page_of_its_reference(texts):
    assert len(texts) >= 5
    for n in range(1, FACTS["notes"] + 1):
        ref = pages_of(texts, rf"R{n}x")
        note = pages_of(texts, rf"N{n}y\b")
        assert len(ref) == 1, f"reference {n} found on pages {ref}"
        assert note == ref, f"note {n} on pages {note}, its reference on {ref}"


def test_notes_are_numbered_in_document_order_and_start_with_their_number(texts):
    for n in range(1, FACTS["notes"] + 1):
        (page,) = pages_of(texts, rf"N{n}y\b")
        assert re.search(rf"(?m)^\s*{n}\s+N{n}y\b", texts[page - 1]), f"note {n} does not start with {n}"


def test_a_paragraph_split_across_pages_keeps_each_note_with_its_reference(texts):
    pages = {pages_of(texts, rf"R{n}x")[0] for n in FACTS["long_para"]}
    assert len(pages) >= 2, "the long paragraph should span pages, with notes on each"
    for n in FACTS["long_para"]:
        assert pages_of(texts, rf"N{n}y\b") == pages_of(texts, rf"R{n}x")


def test_a_note_too_long_for_the_page_continues_on_the_next(texts):
    n = FACTS["long_note"]
    (start,) = pages_of(texts, rf"N{n}y\b")
    assert pages_of(texts, rf"R{n}x") == [start]
    (end,) = pages_of(texts, r"LONGEND")
    assert end > start
    # the continuation comes first in the next page's notes, before that page's own notes
    nxt = texts[start]
    own = [m.start() for m in re.finditer(r"N\d+y", nxt)]
    cont = nxt.find(filler(110, 1)[:40]) if end > start + 1 else nxt.find("LONGEND")
    assert cont != -1 and (not own or cont < min(own))


def test_notes_sit_below_the_body_text(sample):
    """Geometry from pdftotext -bbox: on every page, body words end above the first note."""
    xml = run("pdftotext", "-bbox", str(sample), "-")
    checked = 0
    for page in xml.split("<page ")[1:]:
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
        notes = [float(y0) for y0, _, w in words if re.fullmatch(r"N\d+y", w)]
        refs = [float(y1) for _, y1, w in words if re.fullmatch(r"R\d+x\d*", w)]
        if notes and refs:
            assert max(refs) < min(notes)
            checked += 1
    assert checked >= 4


def test_running_header_and_footer(texts):
    n = len(texts)
    assert "Page 1 of %d" % n in texts[0]
    assert "Page %d of %d" % (n, n) in texts[-1]
    for text in texts:
        lines = [line for line in text.splitlines() if line.strip()]
        assert "CONFIDENTIAL" in lines[0] and "Alibaba and the AI race" in lines[0]
        assert "CONFIDENTIAL" in lines[-1] and re.search(r"Page \d+ of \d+", lines[-1])


def test_page_count_matches_pdfinfo(sample, texts):
    info = run("pdfinfo", str(sample))
    assert re.search(rf"Pages:\s+{len(texts)}\b", info)
    assert "595.276 x 841.89" in info    # A4


def test_outline_follows_the_headings_with_levels_clamped(sample):
    reader = pypdf.PdfReader(sample)

    def flatten(items, depth=0):
        for it in items:
            if isinstance(it, list):
                yield from flatten(it, depth + 1)
            else:
                yield depth, it.title, reader.get_destination_page_number(it)

    outline = list(flatten(reader.outline))
    titles = [title for _, title, _ in outline]
    assert titles == ["Bottom line", "Skipped a level", "A long paragraph", "A very long note",
                      "Claims register", "Lists and links", "Chronology"]
    levels = dict((title, depth) for depth, title, _ in outline)
    assert levels["Bottom line"] == 0 and levels["Skipped a level"] == 1   # h1 -> h3 clamped
    assert levels["Claims register"] == 1
    texts = page_texts(sample)
    for _, title, page in outline:
        assert title in texts[page], f"outline entry {title!r} points at page {page + 1}"


def test_metadata(sample):
    meta = pypdf.PdfReader(sample).metadata
    assert meta.title == "Alibaba and the AI race"
    assert meta.author == "Strategy desk"
    assert meta.subject == "AI strategy"
    assert meta["/Keywords"] == "Alibaba, Qwen, CONFIDENTIAL"  # the marking is in the properties too
    assert meta.creator == "briefgen"
    assert meta["/CreationDate"].startswith("D:20251001")


def test_fonts_are_embedded_truetype_with_all_faces(sample):
    out = run("pdffonts", str(sample))
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        name, emb = row[0], row[-5]
        assert emb == "yes", f"{name} is not embedded"
        assert "TrueType" in row
    names = {row[0].split("+")[-1] for row in rows}
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DroidSansFallback"} <= names
    assert not any("Helvetica" in n or "Times" in n for n in names)


def test_qpdf_finds_no_errors(sample):
    proc = subprocess.run([tool("qpdf"), "--check", str(sample)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No syntax or stream encoding errors" in proc.stdout


def test_chinese_and_markup_characters_come_back_literally(texts):
    full = "\n".join(texts)
    assert "通义千问" in full and "吴泳铭" in full
    assert "a<b & AT&T, 5 > 3" in full
    assert "\"quoted\" & 'single'" in full


def test_links_are_clickable(sample):
    reader = pypdf.PdfReader(sample)
    uris, internal = [], []
    for pno, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            if "/A" in a and "/URI" in a["/A"]:
                uris.append(a["/A"]["/URI"])
            elif "/Dest" in a:
                internal.append((pno, reader._get_page_number_by_indirect(a["/Dest"][0])))
    assert "https://example.com/source?a=1&b=2" in uris
    # every note mark links to its note, on the mark's own page; "the bottom line" to page 1
    assert sum(1 for here, there in internal if here == there) >= FACTS["notes"]
    assert any(there == 0 and here > 0 for here, there in internal)
    # named destinations: headings and notes can be opened by name
    named = {k.lstrip("/"): reader.get_destination_page_number(v)
             for k, v in reader.named_destinations.items()}
    assert named["bottom-line"] == 0
    texts = page_texts(sample)
    for n in range(1, FACTS["notes"] + 1):
        assert f"N{n}y" in texts[named[f"__fn{n}"]]


def test_table_header_repeats_and_cells_wrap(texts):
    pages = pages_of(texts, r"Claim ID")
    assert len(pages) >= 2, "the register breaks across pages and repeats its header row"
    assert pages_of(texts, r"C-00") == pages[:1] and pages_of(texts, r"C-44")[0] == pages[-1]


def test_timeline_figure_is_drawn_with_text(texts):
    full = "\n".join(texts)
    for label in ("Qwen open-sourced", "3 Aug 2023", "by 2032", "Target", "Figure 1. Key dates"):
        assert label in full


def test_same_tree_gives_identical_bytes(tmp_path):
    a = write(SAMPLE, tmp_path / "a.pdf").read_bytes()
    assert a == write(SAMPLE, tmp_path / "b.pdf").read_bytes()
    assert a.startswith(b"%PDF-")


def test_letter_size_and_no_classification(tmp_path):
    doc = t.Document(t.Meta("Small", page_size="Letter", date="2025-01-02"),
                     (t.Heading(1, (t.Text("Only heading"),), "only"), t.Para((t.Text("Hello"),))))
    path = write(doc, tmp_path / "letter.pdf")
    assert "612 x 792" in run("pdfinfo", str(path))
    (text,) = page_texts(path)
    assert "Page 1 of 1" in text and "CONFIDENTIAL" not in text and "Hello" in text


def test_hostile_text_is_escaped_not_interpreted(tmp_path):
    doc = t.Document(t.Meta("Hostile"), (
        t.Para((t.Text("tags <b>not bold</b> <font name=x> &amp; \x07bell\x00 line\nbreak"),
                t.Link("javascript:alert(1)", (t.Text(" js"),)), t.Code(" a<b>&c"))),))
    path = write(doc, tmp_path / "hostile.pdf")
    (text,) = page_texts(path)
    assert "<b>not bold</b> <font name=x> &amp; bell line break" in text
    assert "a<b>&c" in text
    reader = pypdf.PdfReader(path)
    assert not reader.pages[0].get("/Annots"), "a javascript: URL must not become a link"


def test_unknown_page_size_is_a_usage_error(tmp_path):
    with pytest.raises(BriefgenError) as err:
        write(t.Document(t.Meta("x", page_size="A5")), tmp_path / "a5.pdf")
    assert err.value.kind == "usage" and "A4 or Letter" in str(err.value)


def test_contents_lists_headings_with_their_pages(tmp_path):
    doc = t.Document(SAMPLE.meta, SAMPLE.blocks[:1] + (t.Toc((t.Text("Contents"),), 2),) + SAMPLE.blocks[1:])
    path = write(doc, tmp_path / "toc.pdf")
    texts = page_texts(path)
    entries = re.findall(r"(?m)^\s*(\S[^.\n]*?) \.(?: \.)+\s+(\d+)\s*$", texts[0])
    titles = [title for title, _ in entries]
    assert titles == ["Bottom line", "A long paragraph", "A very long note", "Claims register",
                      "Lists and links", "Chronology"]                    # levels 1-2; h3 left out
    for title, page in entries:
        body = texts[int(page) - 1]
        if int(page) == 1:
            body = body.split("Chronology", 1)[1]                        # below the contents
        assert re.search(rf"(?m)^\s*{re.escape(title)}\s*$", body), f"{title!r} is not on page {page}"
    assert int(entries[-1][1]) > 1
    links = [a.get_object() for a in pypdf.PdfReader(path).pages[0].get("/Annots") or []]
    assert len([a for a in links if "/Dest" in a]) >= len(entries)


def test_house_style_from_meta_header_footer_accent_logo(tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (200, 30, 30)).save(logo)
    meta = t.Meta("Title here", header="Custom running header", footer="Prepared for the board",
                  accent="AA0000", logo=str(logo), classification="SECRET", date="2025-01-02")
    doc = t.Document(meta, (t.Heading(1, (t.Text("Accented heading"),), "h"), t.Para((t.Text("Body."),))))
    path = write(doc, tmp_path / "style.pdf")
    (text,) = page_texts(path)
    lines = [line for line in text.splitlines() if line.strip()]
    assert "Custom running header" in lines[0] and "Title here" not in lines[0]
    assert "Prepared for the board" in lines[-1] and "Page 1 of 1" in lines[-1]
    page = pypdf.PdfReader(path).pages[0]
    assert len(page.images) == 1                                     # the logo
    content = page.get_contents().get_data().decode("latin-1")
    assert "0.666667 0 0 rg" in content or ".666667 0 0 rg" in content   # #AA0000 headings


def test_no_header_word_breaks_in_a_column_just_wide_enough(tmp_path):
    """The seed register's Grade column is exactly as wide as its header word, which once
    broke it ("Grad" / "e")."""
    doc = t.Document(t.Meta("Register", date="2026-01-01"), (seed_register(),))
    header = next(line for line in page_texts(write(doc, tmp_path / "r.pdf"))[0].splitlines() if "Claimant" in line)
    assert re.search(r"\bGrade\b", header), header


def test_a_box_taller_than_a_page_in_a_list_breaks_across_pages(tmp_path):
    """A callout in a list item is drawn as a table, a row per flowable; one holding a
    table taller than a page once sent the layout round forever, then was refused. Its
    rows now split inside themselves, so it breaks across pages (in a process of its
    own, so a layout that never ends fails the test instead of hanging it)."""
    script = (
        "from briefgen import tree as t\n"
        "from briefgen.writers import pdf\n"
        "import sys\n"
        "from pathlib import Path\n"
        "rows = tuple(((t.Text(f'row {i} ' + 'word ' * 8),), (t.Text('x'),)) for i in range(80))\n"
        "box = t.Callout('callout', (t.Text('Box'),), (t.Table(((t.Text('A'),), (t.Text('B'),)), rows),))\n"
        "doc = t.Document(t.Meta('h', date='2026-01-01'), (t.BulletList(((t.Para((t.Text('item'),)), box),)),))\n"
        "pdf.write(doc, pdf.Options(), Path(sys.argv[1]))\n"
    )
    path = tmp_path / "box.pdf"
    proc = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    texts = page_texts(path)
    assert len(texts) >= 2
    assert [int(n) for n in re.findall(r"row (\d+) word", "".join(texts))] == list(range(80))
