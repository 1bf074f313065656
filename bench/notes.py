"""How many notes an output really holds, and how many sit on their reference's page.

    python bench/notes.py NOTES.json OUT.pdf|OUT.docx

NOTES.json (from bench/feed.py) lists each note's text and the word its reference
follows, in order. The check reads the output back with independent tools, not with
what its maker says:

- PDF: `pdftotext -bbox-layout` gives every page's words. A note is found where its
  number is followed by the start of its text (searched page by page, in order, since
  notes are numbered in reading order); its reference is the same number set after the
  word the reference follows (as its own word, since a superscript is a new word, or
  run on to it). A note counts as placed when both are found on one page. Endnotes are
  found too, and count as not placed.
- .docx: the texts of the footnotes the `w:footnoteReference`s point at, in document
  order, are matched against the notes' texts as a diff matches lines; each match counts.

Text is compared on letters and digits only (NFKC, case folded), so smart quotes,
dashes, ligatures and hyphenation at line ends do not matter.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from xml.etree import ElementTree as ET

PREFIX = 40  # letters and digits of a note's text that identify it
READ_LIMIT_S = 300  # a PDF whose text takes longer to extract is reported unread
WINDOW = 40  # pages searched ahead for the next note or reference
_WORD = re.compile(r'<word xMin="([^"]+)" yMin="([^"]+)" xMax="([^"]+)" yMax="([^"]+)">([^<]*)</word>')
_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_TRAILING_DIGITS = re.compile(r"\d+$")


@dataclass
class NoteCount:
    expected: int
    found: int  # notes whose number and text the output holds
    placed: int | None = None  # found on the page of their reference (PDF only)
    refs: int | None = None  # references found (PDF only)

    @property
    def complete(self) -> bool:
        return self.found == self.expected

    def placed_pct(self) -> float | None:
        return None if self.placed is None or not self.expected else 100 * self.placed / self.expected

    def summary(self) -> str:
        text = f"{self.found:,}/{self.expected:,} notes"
        if self.placed is not None:
            text += f", {self.placed_pct():.1f}% on their reference's page"
        return text


def norm(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def load_marks(path: Path) -> list[tuple[str, str]]:
    return [(norm(before), norm(text)) for before, text in json.loads(path.read_text(encoding="utf-8"))]


def count(marks: list[tuple[str, str]], output: Path) -> NoteCount:
    if output.suffix == ".docx":
        return docx_notes(marks, output)
    return pdf_notes(marks, output)


# --- PDF -------------------------------------------------------------------------------


class _Page:
    """One page's words, normalised, with the text they make end to end."""

    def __init__(self, words: list[str]):
        self.words = [norm(w) for w in words]
        self.starts: list[int] = []
        pos = 0
        for w in self.words:
            self.starts.append(pos)
            pos += len(w)
        self.text = "".join(self.words)
        self.at = {s: i for i, s in enumerate(self.starts) if self.words[i]}
        self.note_words: set[int] = set()
        self._marks: dict[int, list[tuple[int, str]]] | None = None

    def find_note(self, number: int, text: str) -> bool:
        """Whether the note `number` starts here with `text` (at a word's start)."""
        needle = f"{number}{text[:PREFIX]}"
        pos = self.text.find(needle)
        while pos >= 0:
            i = self.at.get(pos)
            if i is not None and self.words[i].startswith(str(number)):
                self.note_words.add(i)
                return True
            pos = self.text.find(needle, pos + 1)
        return False

    def marks(self) -> dict[int, list[tuple[int, str]]]:
        """number -> [(word index, what precedes it)] for every way a word can end in a
        number: a word of digits after another word, or digits run on to a word."""
        if self._marks is None:
            self._marks = {}
            for i, w in enumerate(self.words):
                digits = _TRAILING_DIGITS.search(w)
                if not digits:
                    continue
                run = digits.group()
                if len(run) == len(w):
                    self._marks.setdefault(int(run), []).append((i, self.words[i - 1] if i else ""))
                for cut in range(1, len(run)):
                    if run[cut] != "0":
                        self._marks.setdefault(int(run[cut:]), []).append((i, w[:len(w) - len(run) + cut]))
                if len(run) < len(w) and run[0] != "0":
                    self._marks.setdefault(int(run), []).append((i, w[:-len(run)]))
        return self._marks

    def find_ref(self, number: int, before: str) -> bool:
        for i, prev in self.marks().get(number, ()):
            if i in self.note_words:
                continue
            if (prev and before.endswith(prev)) or (not before and not prev):
                return True
        return False


class Unreadable(Exception):
    """The output could not be read back in reasonable time (pages of overprinted text)."""


def pdf_pages(pdf: Path, timeout: float = READ_LIMIT_S) -> list[_Page]:
    try:
        xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True,
                             timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        raise Unreadable(f"pdftotext took over {timeout:.0f} s") from None
    except subprocess.CalledProcessError as exc:
        raise Unreadable(f"pdftotext failed: {exc.stderr.decode(errors='replace').strip()[-200:]}") from None
    return [_Page(_reading_order(_WORD.findall(page))) for page in _PAGE.findall(xml.decode("utf-8", "replace"))]


def _reading_order(words: list[tuple[str, ...]]) -> list[str]:
    """The words of a page line by line, top to bottom, each line left to right.

    pdftotext's own reading order puts a superscript number in a block of its own,
    away from its line; here a word joins the line it overlaps most in height, so a
    raised number stays beside the word it follows or the note text it starts."""
    boxes = sorted((float(y0), float(y1), float(x0), html.unescape(text)) for x0, y0, _, y1, text in words)
    lines: list[list] = []  # [top, bottom, [(x, text)]]
    for y0, y1, x0, text in boxes:
        best, best_share = None, 0.4
        for line in lines[-8:]:
            share = (min(y1, line[1]) - max(y0, line[0])) / max(min(y1 - y0, line[1] - line[0]), 0.01)
            if share > best_share:
                best, best_share = line, share
        if best is None:
            lines.append([y0, y1, [(x0, text)]])
        else:
            best[0], best[1] = min(best[0], y0), max(best[1], y1)
            best[2].append((x0, text))
    return [text for line in lines for _, text in sorted(line[2])]


def _window(page: int, pages: list, bounded: bool = True) -> range:
    """The pages searched from `page` on: the rest of the document for the first note
    (endnotes start late), else a few dozen pages, so lost notes cost little."""
    return range(page, min(len(pages), page + WINDOW) if bounded else len(pages))


def pdf_notes(marks: list[tuple[str, str]], pdf: Path) -> NoteCount:
    pages = pdf_pages(pdf)
    note_page: list[tuple[int, int] | None] = []  # (page, number) of each note found
    number, page = 1, 0
    for _, text in marks:
        # a lost note takes no number; one this check missed does (so try the next too)
        found = next(((p, n) for n in (number, number + 1) for p in _window(page, pages, bool(note_page))
                      if pages[p].find_note(n, text)), None)
        note_page.append(found)
        if found is not None:
            page, number = found[0], found[1] + 1
    placed = refs = 0
    page = 0
    for (before, _), at in zip(marks, note_page):
        if at is None:
            continue
        found = next((p for p in _window(page, pages) if pages[p].find_ref(at[1], before)), None)
        if found is not None:
            refs += 1
            placed += found == at[0]
            page = found
    return NoteCount(len(marks), sum(p is not None for p in note_page), placed, refs)


# --- Word --------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_notes(marks: list[tuple[str, str]], docx: Path) -> NoteCount:
    with zipfile.ZipFile(docx) as z:
        names = set(z.namelist())
        notes_xml = z.read("word/footnotes.xml") if "word/footnotes.xml" in names else b"<x/>"
        body = z.read("word/document.xml")
    texts = {}
    for fn in ET.fromstring(notes_xml).iter(f"{_W}footnote"):
        texts[fn.get(f"{_W}id")] = norm("".join(t.text or "" for t in fn.iter(f"{_W}t")))
    held = [texts.get(r.get(f"{_W}id"), "") for r in ET.fromstring(body).iter(f"{_W}footnoteReference")]
    # matched in order, as a diff would: a lost note costs one, not every note after it
    blocks = SequenceMatcher(None, [text for _, text in marks], held, autojunk=False).get_matching_blocks()
    found = sum(b.size for b in blocks)
    return NoteCount(len(marks), found)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/notes.py NOTES.json OUT.pdf|OUT.docx")
    print(count(load_marks(Path(sys.argv[1])), Path(sys.argv[2])).summary())
