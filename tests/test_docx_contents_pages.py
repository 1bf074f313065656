"""The Word contents carries page numbers when the file opens, and they are the pages
LibreOffice's layout of that very file gives (it updates the index and reports each
heading's page)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from conftest import SEEDS, TESTS, run_cli, word_findings

KESTREL = TESTS / "data" / "kestrel"


def written_contents(path: Path) -> list[list]:
    """(entry, page number) as the .docx holds them in its contents field's result."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    toc = xml[xml.index(" TOC \\o"):]
    toc = toc[:toc.index('w:fldCharType="end"')]
    entries = []
    for link in re.findall(r"<w:hyperlink [^>]*>(.*?)</w:hyperlink>", toc):
        texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", link)
        page = texts[-1] if len(texts) > 1 and "<w:tab/>" in link else ""
        entries.append(["".join(texts[:-1] if page else texts), int(page) if page else None])
    return entries


def build(project: Path, out: Path, *extra: str, env: dict | None = None):
    return run_cli("build", str(project), "--audience", "full", "--format", "docx", "--out", str(out), *extra,
                   env={"BRIEFGEN_TOC_PAGES": "on", **(env or {})})


@pytest.mark.parametrize("project", [SEEDS, KESTREL], ids=["seeds", "kestrel"])
def test_the_contents_pages_are_libreoffices_pagination_of_the_file(project, tmp_path, libreoffice):
    r = build(project, tmp_path)
    assert r.code == 0, r.err
    assert "note: the contents' page numbers are LibreOffice's pagination of this file" in r.err
    [path] = tmp_path.glob("*.docx")
    written = written_contents(path)
    assert len(written) > 3 and all(page for _, page in written), written
    assert [page for _, page in written] == sorted(page for _, page in written)
    assert written[0][1] >= 2   # the cover and the contents come first
    laid_out = libreoffice.run("contents", path)   # LibreOffice updates the index of the very file
    assert laid_out == written
    assert word_findings(path) == []
    with zipfile.ZipFile(path) as z:
        assert b"updateFields" not in z.read("word/settings.xml")   # no question when Word opens it


def test_page_numbers_are_reproducible(tmp_path, libreoffice):
    assert build(SEEDS, tmp_path / "a").code == 0
    assert build(SEEDS, tmp_path / "b").code == 0
    [a], [b] = (tmp_path / "a").glob("*.docx"), (tmp_path / "b").glob("*.docx")
    assert a.read_bytes() == b.read_bytes()


def test_without_libreoffice_the_contents_has_links_and_no_numbers_and_the_build_says_so(tmp_path):
    r = build(SEEDS, tmp_path, env={"PATH": str(tmp_path), "BRIEFGEN_UNO_PYTHON": ""})  # no soffice to be found
    assert r.code == 0, r.err
    assert "warning: the contents has no page numbers: LibreOffice with its Python bridge" in r.err
    assert "Word adds them when the reader updates the field" in r.err
    [path] = tmp_path.glob("*.docx")
    written = written_contents(path)
    assert written and all(page is None for _, page in written)
    assert written[0][0] == "Bottom line up front"
    assert word_findings(path) == []


def test_no_toc_pages_skips_libreoffice(tmp_path):
    r = build(SEEDS, tmp_path, "--no-toc-pages")
    assert r.code == 0 and "LibreOffice" not in r.err, r.err
    [path] = tmp_path.glob("*.docx")
    assert all(page is None for _, page in written_contents(path))
