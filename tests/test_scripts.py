"""Every script a briefing may quote: Arabic, Hebrew, Devanagari, Bengali, Tamil, Thai and
emoji in the PDF, shaped, right to left where they are, read back by poppler.

pdftotext gives an Arabic word as the presentation forms the font drew (joined forms,
so NFKC folds them back to letters), and a right-to-left stretch between embedding
marks (U+202B ... U+202C); :func:`reads` folds both. Word order on a line is read from
the words' positions (``pdftotext -bbox``), as a reader's eye goes.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pytest

from briefgen import bidi, fonts
from briefgen import tree as t
from briefgen.build import BuildRequest, build
from briefgen.errors import BriefgenError
from briefgen.writers import pdf as pdf_writer
from conftest import TESTS, tool

SCRIPTS = TESTS / "data" / "scripts"

# The wrapped line a native reader checks: a right-to-left paragraph with an amount in
# dollars and a Latin company name in its first line, wrapping onto a second.
QUOTE = ("قال المدير التنفيذي إن الكونسورتيوم سيستثمر US$ 53 billion في ثلاث محطات تحلية تعمل "
         "بالطاقة الشمسية، وإن شركة Saffron Water ستبدأ البناء في عام 2027 بطاقة 450 ألف متر مكعب يوميا.")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", re.sub("[\u202a-\u202e]", "", text))


def reads(pdf: Path) -> str:
    """The PDF's text, folded, with each run of white space (a line break) as one space."""
    out = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", fold(out))


def words_by_line(pdf: Path, page: int = 1) -> list[list[tuple[float, str]]]:
    """Each line's words on `page` as (left edge, text), top to bottom, from pdftotext -bbox."""
    out = subprocess.run([tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    lines: dict[float, list] = {}
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>', out):
        y = round(float(m.group(3)))
        key = next((k for k in lines if abs(k - y) <= 5), y)   # fonts differ in depth; lines are 13.8 pt apart
        word = html.unescape(m.group(4))
        if bidi.bidirectional(word):     # poppler gives a right-to-left word's glyphs left to right
            word = word[::-1]
        lines.setdefault(key, []).append((float(m.group(1)), fold(word)))
    return [sorted(lines[k]) for k in sorted(lines)]


def one_paragraph(tmp_path: Path, text: str, width_mm: float | None = None, heading: str = "") -> Path:
    blocks = [t.Heading(1, (t.Text(heading),), "h1")] if heading else []
    blocks.append(t.Para((t.Text(text),)))
    doc = t.Document(t.Meta(title="Scripts", date="2026-03-01"), tuple(blocks))
    out = tmp_path / "one.pdf"
    pdf_writer.write(doc, pdf_writer.Options(), out)
    return out


# --- the algorithm ---------------------------------------------------------------------


def test_levels_as_uax9_resolves_them():
    # hand-resolved: Arabic 1; in a left-to-right paragraph a number after it is Arabic (W2:
    # AN, level 2) and the space between them right to left (N1: AN counts as R)
    assert bidi.levels("ab جد 12", 0) == [0, 0, 0, 1, 1, 1, 2, 2]
    # a right-to-left paragraph: Latin and its number are 2, the spaces between R and L are 1
    assert bidi.levels("جد US$ 53 هو", 1) == [1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1]
    # brackets take the direction of their context (N0)
    assert bidi.levels("جد (ab) هو", 1) == [1, 1, 1, 1, 2, 2, 1, 1, 1, 1]


def test_line_order_reverses_each_level_from_the_highest():
    assert bidi.visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert bidi.visual_order([1, 2, 2, 1, 1]) == [4, 3, 1, 2, 0]
    assert bidi.visual_order([]) == []


def test_paragraph_direction_is_the_first_strong_character():
    assert bidi.paragraph_level("2025: قال") == 1
    assert bidi.paragraph_level("Reuters: «قال»") == 0
    assert bidi.paragraph_level("\u2067قال\u2069 said") == 0        # isolates are skipped (P2)
    assert bidi.paragraph_level("2025", bidi.default_level("ar")) == 1   # none: the document's language


# --- one paragraph, looked at closely -------------------------------------------------


def read_right_to_left(lines: list[list[tuple[float, str]]]) -> list[str]:
    """The words of right-to-left lines as a reader takes them: each line right to left
    by position, except a left-to-right stretch, read left to right."""
    seen: list[str] = []
    for line in lines:
        ordered = [w for _, w in sorted(line, key=lambda xw: -xw[0])]
        i = 0
        while i < len(ordered):
            j = i
            while j < len(ordered) and not bidi.bidirectional(ordered[j]) and ordered[j] != ".":
                j += 1
            if j > i:
                seen.extend(reversed(ordered[i:j]))
                i = j
            else:
                seen.append(ordered[i])
                i += 1
    return [w.strip(".،") for w in seen if w.strip(".،")]   # a full stop may be a word of its own


def test_a_wrapped_right_to_left_line_reads_in_order_with_its_number_and_latin_name(tmp_path):
    pdf = one_paragraph(tmp_path, QUOTE)
    lines = [line for line in words_by_line(pdf) if any(bidi.bidirectional(w) for _, w in line)]
    assert len(lines) >= 2, lines
    logical = QUOTE.split()
    assert read_right_to_left(lines) == [w.strip(".،") for w in logical]
    first = [w for _, w in sorted(lines[0], key=lambda xw: -xw[0])]
    assert first[0] == fold("قال")                                       # flush right, first word rightmost
    us = [x for x, w in lines[0] if w == "US$"][0]
    billion = [x for x, w in lines[0] if w == "billion"][0]
    assert us < billion                                               # the amount reads left to right
    # line 2 goes on where line 1 stopped: with the company's name, flush right, read left to right
    assert [w for _, w in lines[1][-2:]] == ["Saffron", "Water"] == logical[len(lines[0]):len(lines[0]) + 2]


def stream_lines(pdf: Path, page: int = 0) -> list[str]:
    """The lines of `page` as pypdf reads them: in the order the content stream writes
    the text (no reordering of its own across runs), folded, spaces collapsed."""
    text = pypdf.PdfReader(pdf).pages[page].extract_text()
    return [re.sub(r"\s+", " ", fold(line)).strip() for line in text.splitlines() if line.strip()]


def raw_text(pdf: Path) -> str:
    """``pdftotext -raw``: the words in content-stream order, folded, without white space
    and punctuation (poppler breaks the line wherever the next word is drawn to the left,
    and puts a right-to-left word's comma or full stop by its own rule)."""
    out = subprocess.run([tool("pdftotext"), "-raw", "-enc", "UTF-8", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return unspaced(out)


def unspaced(text: str) -> str:
    return re.sub(r"[\s.,،]+", "", fold(text))


MIXED = ["חתימה על הסכם עם Mekorot Labs",
         "أعلن الكونسورتيوم عن خطة بقيمة US$ 53 billion حتى عام 2032.",
         "ההסכם עם Mekorot Labs מסתכם ב-1.2 מיליארד דולר."]


def test_mixed_lines_read_back_whole_in_logical_order(tmp_path):
    blocks = tuple(t.Para((t.Text(x),)) for x in [*MIXED, QUOTE])
    doc = t.Document(t.Meta(title="Scripts", date="2026-03-01"), blocks)
    pdf = tmp_path / "mixed.pdf"
    pdf_writer.write(doc, pdf_writer.Options(), pdf)
    lines = stream_lines(pdf)
    for sentence in MIXED:
        assert fold(sentence) in lines, (sentence, lines)
    # the wrapped quote: its lines in order, each in reading order, make the sentence
    at = next(i for i, line in enumerate(lines) if line.startswith(fold("قال")))
    assert " ".join(lines[at:at + 2]) == fold(QUOTE)
    raw = raw_text(pdf)
    for sentence in [*MIXED, QUOTE]:
        assert unspaced(sentence) in raw, sentence


def embedded_fonts(pdf: Path) -> set[str]:
    out = subprocess.run([tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return {line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:] if line.strip()}


def test_bold_text_in_a_shaped_script_is_set_in_its_bold_face(tmp_path):
    blocks = (t.Heading(2, (t.Text("عنوان عربي"),), "h"),
              t.Para((t.Text("plain "), t.Strong((t.Text("חתימה भारत"),)))),
              t.Para((t.Text("เปิดโรงงาน"), t.Emph((t.Text("ภาษาไทย"),)))))
    pdf = tmp_path / "bold.pdf"
    pdf_writer.write(t.Document(t.Meta(title="Bold", date="2026-03-01"), blocks), pdf_writer.Options(), pdf)
    used = embedded_fonts(pdf)
    assert {"NotoSansArabic-Bold", "NotoSansHebrew-Bold", "NotoSansDevanagari-Bold", "NotoSansThai-Regular"} <= used
    # nothing here is regular Arabic, Hebrew or Hindi; Thai is neither bold nor slanted
    assert not used & {"NotoSansArabic-Regular", "NotoSansHebrew-Regular", "NotoSansDevanagari-Regular",
                       "NotoSansThai-Bold"}, used
    assert "ภาษาไทย" in reads(pdf)


def test_a_right_to_left_list_item_has_its_bullet_on_the_right(tmp_path):
    items = tuple((t.Para((t.Text(x),)),) for x in ("أعلن الكونسورتيوم عن خطة", "An English item", "חתימה על הסכם עם"))
    doc = t.Document(t.Meta(title="Lists", date="2026-03-01"), (t.BulletList(items), t.OrderedList(items, 1)))
    pdf = tmp_path / "lists.pdf"
    pdf_writer.write(doc, pdf_writer.Options(), pdf)
    words = [w for w in bboxes(pdf, 1) if 50 < w[1] < 780]    # between the running header and footer
    rows: dict[float, list] = {}
    for w in words:       # fonts differ in depth; lines are 13.8 pt apart
        rows.setdefault(next((k for k in rows if abs(k - w[3]) <= 5), w[3]), []).append(w)
    rows = {k: sorted(v) for k, v in rows.items()}
    left_margin = min(w[0] for w in words)
    right_margin = max(w[2] for w in words)
    marks = {"•", "1.", "2.", "3.", ".1", ".2", ".3"}
    seen, indents = [], [16.0]
    for line in (rows[k] for k in sorted(rows)):
        text = [w[4] for w in line]
        if any(bidi.bidirectional(x) for x in text):
            # the bullet or number is the rightmost word, at the right margin; the text is
            # indented from it as a left-to-right item's is from the left margin
            assert line[-1][4] in marks and abs(line[-1][2] - right_margin) < 1, text
            assert abs(right_margin - line[-2][2] - indents[-1]) < 1, text
            seen.append(line[-1][4])
        else:
            assert line[0][4] in marks and abs(line[0][0] - left_margin) < 1, text
            indents.append(line[1][0] - left_margin)
            seen.append(line[0][4])
    assert seen == ["•"] * 3 + [".1", "2.", ".3"]     # a right-to-left "1." reads ".1" left to right


def test_arabic_letters_join(tmp_path):
    text = reads(one_paragraph(tmp_path, "مرحبا بالعالم"))
    raw = subprocess.run([tool("pdftotext"), "-enc", "UTF-8", str(tmp_path / "one.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert "مرحبا" in text and "بالعالم" in text
    assert "\ufee3\ufeae\ufea3\ufe92\ufe8e" in raw      # meem initial, reh final, hah initial, beh medial, alef final


def test_devanagari_conjuncts_and_thai_marks_read_back_as_written(tmp_path):
    quote = "मंत्रालय ने कहा कि 2028 तक क्षत्रिय संयंत्र बनाया जाएगा। ภาษาไทย สวัสดีครับ"
    assert quote in reads(one_paragraph(tmp_path, quote))


def test_shaping_gives_fewer_glyphs_than_characters_where_letters_combine():
    from briefgen.writers.pdf import internals

    fonts.register()
    word = "क्षत्रिय"
    drawn, _ = internals.shape_run(word, 0, len(word), fonts.reportlab_name("devanagari"), 10, 0)
    assert len(drawn) == len(fonts.shape(word, "devanagari", rtl=False)) < len(word)
    assert drawn.actual == word


def test_emoji_read_back_as_the_same_characters(tmp_path):
    text = "growth 🚀 and 👩\u200d💻 engineers 👍🏽 🇫🇷"
    assert text in reads(one_paragraph(tmp_path, text))


def test_a_right_to_left_heading_is_a_logical_outline_title(tmp_path):
    pdf = one_paragraph(tmp_path, "x", heading="عنوان عربي Heading")
    [entry] = pypdf.PdfReader(pdf).outline
    assert entry.title == "عنوان عربي Heading"


def test_what_no_font_draws_is_refused_and_named(tmp_path):
    for text, what in [("arrow a\u0354 below", "the character \u25cc\u0354 (Combining Left Arrowhead Below, U+0354)"),
                       ("x \ufdd0 y", "the noncharacter U+FDD0"),
                       ("x \ue000 y", "the private-use character U+E000")]:
        with pytest.raises(BriefgenError, match=re.escape("the PDF cannot show " + what)):
            one_paragraph(tmp_path, text)


def test_a_refused_character_names_its_data_item_and_quotes_whole_words(tmp_path):
    import shutil

    from conftest import run_cli

    project = tmp_path / "p"
    shutil.copytree(SCRIPTS, project)
    events = project / "events.yaml"
    text = events.read_text(encoding="utf-8")
    at = text.index("حتى عام 2032.")
    events.write_text(text[:at] + "حتى عام 2032. We have about 15 production lines \uabc0\uabe5\uabe1. "
                      "Next steps follow soon enough." + text[at + len("حتى عام 2032."):], encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("build", str(project), "--format", "pdf", "--out", str(out))
    assert r.code == 1 and "Traceback" not in r.err, r.err
    assert f"{events}:6: events[0].summary: the PDF cannot show the character \uabc0 (Meetei Mayek Letter Kok, U+ABC0)" in r.err, r.err
    quoted = re.search("in: “(.*?)”", r.err).group(1)
    assert "production lines \uabc0\uabe5\uabe1. Next" in quoted
    # whole words: each end is the text's own end, or a word's, marked "…"
    words = "We have about 15 production lines \uabc0\uabe5\uabe1. Next steps follow soon enough.".split()
    assert all(w in words for w in quoted.strip("…").split()[2:]), quoted   # after "عام 2032."
    assert not out.exists() or not any(out.iterdir())


def test_format_characters_are_honoured_not_drawn(tmp_path):
    # an isolate and a joiner need no glyph: no box, and the text reads back
    pdf = one_paragraph(tmp_path, "said \u2067שלום\u2069 today; می\u200cخواهم; ก\u0e31บ")
    text = reads(pdf)
    assert "said" in text and "today" in text and "กับ" in text
    assert "\u2067" not in text and "\u2069" not in text


def test_isolates_and_marks_set_the_order_and_are_neither_drawn_nor_refused(tmp_path):
    # a note as the render stage makes it: right-to-left values isolated (FSI ... PDI), so
    # the note stays left to right and its date reads after the title
    note = ("\u2068صحيفة الساحل\u2069, “\u2068الكونسورتيوم يعلن خطة\u2069”, 12 January 2026, para. 2.")
    marks = "Saffron\u200e Water \u200fشركة\u061c 2032 \u2067US$ 53\u2069."
    plain = "plain\u200e text\u200f only"        # no right-to-left letter: the plain path
    blocks = tuple(t.Para((t.Text(x),)) for x in (note, marks, plain))
    pdf = tmp_path / "controls.pdf"
    pdf_writer.write(t.Document(t.Meta(title="Controls", date="2026-03-01"), blocks), pdf_writer.Options(), pdf)
    lines = stream_lines(pdf)
    # pypdf keeps the neutrals after an Arabic run in its direction (",”" for "”,") and
    # spaces runs drawn apart: compare the letters and digits' order
    assert unspaced(re.sub("[\u2066-\u2069]", "", note)) in [unspaced(line) for line in lines], lines
    assert "plain text only" in lines
    controls = set(bidi.CONTROLS)
    # (poppler marks the right-to-left stretches it finds with U+202B ... U+202C: fold drops those)
    for text in (pypdf.PdfReader(pdf).pages[0].extract_text(), reads(pdf),
                 fold(subprocess.run([tool("pdftotext"), "-raw", str(pdf), "-"], capture_output=True, text=True).stdout)):
        assert not controls & set(text), [hex(ord(c)) for c in controls & set(text)]
    # the note is left to right: its first word, the Arabic title, at the left margin
    words = [w for w in bboxes(pdf, 1) if 50 < w[1] < 780]
    first_line = min(w[3] for w in words)
    assert min(w[0] for w in words if abs(w[3] - first_line) < 5) < 63
    assert [w for w in words if w[4] == "12"][0][0] > [w for w in words if w[4] == "2026,"][0][0] - 80


def test_latin_and_cjk_take_the_plain_path():
    from briefgen.writers.pdf.text import esc, needs_shaping

    for text in ("Łódź, Ελληνικά, e\u0301 – “quoted”", "吴泳铭 通义千问 阿里云 2025"):
        assert not needs_shaping(esc(text))
    assert needs_shaping(esc("قال")) and needs_shaping(esc("हिंदी")) and needs_shaping(esc("🚀"))


# --- the test project, in both formats -------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("scripts")
    return build(BuildRequest(SCRIPTS, "full", ("docx", "pdf", "html"), out))


def test_the_scripts_project_reads_back_from_the_pdf(built):
    text = reads(next(p for p in built if p.suffix == ".pdf"))
    for quote in ("2028 तक चेन्नई में एक संयंत्र बनाया जाएगा", "चेन्नई संयंत्र 2028 तक बनेगा।",
                  "ผลิตน้ำจืดได้ 5,000 ลูกบาศก์เมตรต่อวัน", "เปิดโรงงานนำร่องที่ระยอง",
                  "post on the pilot plant 🚰🌞", "5,000 m³ a day 👩\u200d🔬👍",
                  "Mekorot Labs", "1.2", "מיליארד דולר", "الكونسورتيوم", "كونسورتيوم الزعفران"):
        assert fold(quote) in text, quote


def test_the_scripts_project_reads_back_in_logical_order(built):
    pdf = next(p for p in built if p.suffix == ".pdf")
    lines = [line for page in range(len(pypdf.PdfReader(pdf).pages)) for line in stream_lines(pdf, page)]
    # a right-to-left title with a Latin name, its note's mark at the end of the sentence
    assert fold("חתימה על הסכם עם Mekorot Labs5") in lines, lines
    assert fold("חתימה על הסכם עם Mekorot Labs") in lines, lines     # the timeline's label, drawn on the canvas
    # a wrapped cell: its lines, each in reading order, make the title and summary, mark last
    at = next(i for i, line in enumerate(lines) if line.startswith(fold("إعلان خطة التحلية أعلن")))
    assert " ".join(lines[at:at + 2]) == fold("إعلان خطة التحلية أعلن الكونسورتيوم عن خطة لبناء ثلاث محطات تحلية "
                                              "بقيمة US$ 53 billion بالشراكة مع شركة Saffron Water حتى عام 2032.4")
    raw = raw_text(pdf)
    for sentence in ("أعلن الكونسورتيوم عن خطة لبناء ثلاث محطات تحلية بقيمة US$ 53 billion بالشراكة مع شركة "
                     "Saffron Water حتى عام 2032.", "ההסכם עם Mekorot Labs מסתכם ב-1.2 מיליארד דולר."):
        assert unspaced(sentence) in raw, sentence


def bboxes(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of each word on `page`, from pdftotext -bbox."""
    out = subprocess.run([tool("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(*map(float, m.groups()[:4]), html.unescape(m.group(5))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out)]


def test_a_note_mark_is_a_raised_isolate_at_the_sentence_end(built):
    pdf = next(p for p in built if p.suffix == ".pdf")
    page = next(n for n in range(1, 6) if any(w[4] == "Mekorot" for w in bboxes(pdf, n)))
    words = bboxes(pdf, page)

    def mark_before(word: str, mark: str):
        # in a right-to-left row the sentence ends on the left: the mark is the word just
        # left of `word`, on its line, raised and smaller, never joined to its digits
        target = next(w for w in words if w[4] == word and any(m[4] == mark and abs(m[3] - w[3]) < 6 for m in words))
        left = [w for w in words if abs(w[3] - target[3]) < 6 and w[2] <= target[0] + 0.5]
        nearest = max(left, key=lambda w: w[2])
        assert nearest[4] == mark, (word, nearest, left)
        assert nearest[3] < target[3] - 1 and nearest[3] - nearest[1] < target[3] - target[1]
    mark_before("Mekorot", "5")       # "חתימה על הסכם עם Mekorot Labs⁵", not "…Labs⁵ חתימה"
    mark_before(".", "4")             # "… 2032.⁴", not "2032.4" nor "⁴2032."
    assert not any(w[4] in ("2032.4", "4.2032", ".2032.4") for w in words)


def test_the_scripts_project_reads_back_from_word(built):
    word = next(p for p in built if p.suffix == ".docx")
    text = subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", str(word)],
                          capture_output=True, text=True, check=True).stdout
    for quote in ("बनाया जाएगा", "ลูกบาศก์เมตรต่อวัน", "👩\u200d🔬👍", "מיליארד דולר", "US$ 53 billion"):
        assert quote in text, quote


def test_a_note_ends_with_one_full_stop_in_every_format(built, tmp_path):
    import datetime as dt
    import shutil

    from briefgen.load import load_project
    from briefgen.render import render

    pdf = next(p for p in built if p.suffix == ".pdf")
    word = next(p for p in built if p.suffix == ".docx")
    html_file = next(p for p in built if p.suffix == ".html")
    texts = {"pdf": reads(pdf),
             "docx": subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", str(word)],
                                    capture_output=True, text=True, check=True).stdout,
             "html": subprocess.run([tool("pandoc"), "-f", "html", "-t", "plain", "--wrap=none", str(html_file)],
                                    capture_output=True, text=True, check=True).stdout}
    for fmt, text in texts.items():
        assert "n.d." in text and "n.d.." not in text, fmt            # a source with no date
    # the short style: a label that ends with a full stop ends the note
    project = tmp_path / "p"
    shutil.copytree(SCRIPTS, project)
    sources = project / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("title-short: Rayong Post", "title-short: Rayong Post Co."),
                       encoding="utf-8")
    for audience in ("executive", "full"):
        md = render(load_project(project), audience, dt.date(2026, 3, 1))
        assert ".." not in md.replace("...", ""), audience
        assert "Rayong Post Co." in md or "n.d." in md, audience


def test_the_scripts_project_sets_its_event_titles_in_bold(built):
    used = embedded_fonts(next(p for p in built if p.suffix == ".pdf"))
    assert {f"NotoSans{s}-Bold" for s in ("Arabic", "Hebrew", "Devanagari", "Thai")} <= used, used


def test_the_scripts_project_pdf_is_valid(built):
    from test_pdf_valid import strict_problems

    pdf = next(p for p in built if p.suffix == ".pdf")
    r = subprocess.run([tool("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert strict_problems([pdf]) == {pdf: ""}          # pieces moved with Td, marked with /Span
