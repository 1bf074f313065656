"""The HTML writer, read back as a browser's parser would: landmarks, notes linked both
ways and numbered as in Word, a self-contained page, data shown literally, same bytes.
(tests/test_html_browser.py opens the pages in a real browser.)"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from briefgen import tree as t
from briefgen.build import BuildRequest, build, document_for
from briefgen.figures import timeline
from briefgen.load import load_project
from briefgen.writers import html as writer
from briefgen.writers.html.body import FIGURE_WIDTH
from conftest import MINI, ROOT, SEEDS, run_cli, tool
from test_hostile_text import HOSTILE, fold, hostile_project

DAY = dt.date(2026, 1, 1)
KESTREL = ROOT / "tests" / "data" / "kestrel"
SCRIPTED = '<script>document.title="pwned"</script><img src=x onerror=alert(1)> </style><b>x</b> "q" \'a\''


def build_html(project: Path, out: Path, audience: str = "full") -> Path:
    [path] = build(BuildRequest(project, audience, ("html",), out, DAY))
    return path


def page(path: Path):
    return lxml.html.fromstring(path.read_bytes())


def words(node) -> str:
    return " ".join(node.text_content().split())


@pytest.fixture(scope="module")
def seeds_full(tmp_path_factory) -> tuple[Path, t.Document]:
    path = build_html(SEEDS, tmp_path_factory.mktemp("html"))
    return path, document_for(load_project(SEEDS), "full", DAY)


def test_a_page_of_landmarks_with_a_section_per_top_level_heading(seeds_full):
    path, doc = seeds_full
    root = page(path)
    assert root.get("lang") == "en"
    for landmark in ("header", "nav", "main", "footer"):
        assert len(root.findall(f".//{landmark}")) == 1, landmark
    assert [words(h) for h in root.iterfind(".//h1")] == [t.plain_text(doc.blocks[0].title)]   # the title
    tops = [b for b in doc.blocks if isinstance(b, t.Heading) and b.level == 1]
    sections = root.findall(".//main/section")
    assert [s.get("aria-labelledby") for s in sections] == [h.id for h in tops]
    assert [words(s.find(".//h2")) for s in sections] == [t.plain_text(h.children) for h in tops]
    contents = [a.get("href") for a in root.find(".//nav").iterfind(".//a")]
    assert contents == ["#" + h.id for h in t.headings(doc, 2)]
    assert all(root.get_element_by_id(href[1:]) is not None for href in contents)
    assert root.find(".//header/div[@class='titleblock']") is not None
    callouts = root.findall(".//aside[@class='callout']")
    assert callouts and words(callouts[0].find("p[@class='callout-title']")) == "Key judgments"


def test_notes_are_numbered_as_every_writer_does_and_link_both_ways(seeds_full):
    path, doc = seeds_full
    root = page(path)
    notes = t.walk_notes(doc)
    refs = root.xpath("//a[@role='doc-noteref']")
    assert len(refs) == len(notes) > 100
    for n, ref in enumerate(refs, 1):
        assert (ref.get("id"), ref.get("href"), words(ref)) == (f"fnref:{n}", f"#fn:{n}", str(n))
    asides = root.xpath("//aside[@role='doc-footnote']")
    assert [a.get("id") for a in asides] == [f"fn:{n}" for n in range(1, len(notes) + 1)]
    for n, (aside, note) in enumerate(zip(asides, notes), 1):
        back = aside.xpath(".//a[@role='doc-backlink']")
        assert [(b.get("href"), words(b)) for b in back] == [(f"#fnref:{n}", str(n))]
        expected = " ".join(t.plain_text(run) for b in note.blocks for run in t.block_inlines(b))
        assert words(aside) == f"{n} " + " ".join(expected.split())


def _pandoc_notes(docx: Path) -> list[str]:
    """The text of every note pandoc reads from a .docx, in order."""
    ast = json.loads(subprocess.run([tool("pandoc"), "-f", "docx", "-t", "json", str(docx)],
                                    capture_output=True, text=True, check=True).stdout)
    notes: list[str] = []

    def text(node) -> str:
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        if not isinstance(node, dict):
            return ""
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            return content
        if kind in ("Space", "SoftBreak", "LineBreak"):
            return " "
        if kind == "Note":
            return ""
        if kind in ("Link", "Span"):
            return text(content[1])
        return text(content)

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Note":
                notes.append(" ".join(text(node["c"]).split()))
            walk(node.get("c"))
        elif isinstance(node, list):
            for n in node:
                walk(n)

    walk(ast["blocks"])
    return notes


def test_note_numbers_and_texts_are_those_of_the_word_file(tmp_path):
    out = tmp_path / "o"
    word, html = build(BuildRequest(MINI, "full", ("docx", "html"), out, DAY))
    in_word = _pandoc_notes(word)
    in_html = [words(a)[len(a.get("id")) - 3:].strip() for a in page(html).xpath("//aside[@role='doc-footnote']")]
    assert len(in_html) == len(in_word) > 5
    assert in_html == in_word


def test_the_page_is_self_contained_and_runs_nothing(seeds_full):
    path, _ = seeds_full
    root = page(path)
    assert not root.xpath("//script | //link | //iframe | //object | //embed | //base | //form")
    assert not root.xpath("//*[@srcset]") and not [e for e in root.iter() if any(k.startswith("on") for k in e.keys())]
    assert all(src.startswith("data:") for src in root.xpath("//@src"))
    styles = root.xpath("//style")
    assert len(styles) == 1 and "url(" not in styles[0].text and "@import" not in styles[0].text
    csp = root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    assert all(h.startswith(("#", "http://", "https://")) for h in root.xpath("//a/@href"))


def test_the_timeline_is_inline_svg_of_the_scene_the_other_formats_draw(seeds_full):
    path, doc = seeds_full
    [fig] = [b for b in doc.blocks if isinstance(b, t.TimelineFigure)]
    html = path.read_text(encoding="utf-8")
    svg = etree.fromstring(re.search(r"<svg .*?</svg>", html, re.S).group())
    texts = [e.text for e in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == timeline.layout(fig, FIGURE_WIDTH).texts() and len(texts) > 20
    title = svg.find("{http://www.w3.org/2000/svg}title")
    assert title.text == t.plain_text(fig.caption) and svg.get("aria-labelledby") == title.get("id")
    figure = page(path).find(".//figure")
    assert words(figure.find("figcaption")) == t.plain_text(fig.caption)


def test_tables_have_column_headers_and_label_their_cells_for_narrow_screens(seeds_full):
    path, doc = seeds_full
    tables = [b for b in doc.blocks if isinstance(b, t.Table)]
    found = page(path).findall(".//table")
    assert len(found) == len(tables)
    for table, element in zip(tables, found):
        heads = element.findall("thead/tr/th")
        assert [words(th) for th in heads] == [t.plain_text(c) for c in table.header]
        assert {th.get("scope") for th in heads} == {"col"}
        assert len(element.findall("tbody/tr")) == len(table.rows)
        widths = [float(re.search(r"width:([\d.]+)%", c.get("style")).group(1)) for c in element.iter("col")]
        assert len(widths) == len(heads) and sum(widths) == pytest.approx(100, abs=0.05)
        if len(heads) >= 3:
            first = element.find("tbody/tr")
            assert [td.get("data-label") for td in first.findall("td")] == [words(th) for th in heads]


@pytest.mark.parametrize("name", sorted(HOSTILE) + ["scripted"])
def test_hostile_text_in_every_field_renders_literally(tmp_path, name):
    text = HOSTILE.get(name, SCRIPTED)
    path = build_html(hostile_project(tmp_path / "p", text), tmp_path / "o")
    root = page(path)
    seen = words(root.find("body"))
    # statement + claimant per claim, quotes in notes, summaries, bottom line, source notes
    assert seen.count(" ".join(fold(text).split())) >= 5 * 2 + 5 + 5 + 1, name
    assert not root.xpath("//script | //b | //img | //*[@onerror]")
    assert root.find(".//title").text == "Mini briefing"
    css = root.find(".//style").text
    assert "<" not in css   # nothing in it can close the style element
    marking = "SECRET " + text[:20]
    assert [words(m) for m in root.xpath("//p[contains(@class, 'marking')]")] == [" ".join(fold(marking).split())] * 2
    assert _css_strings(css, "top-center") == " ".join(fold(marking).split())


def _css_strings(css: str, box: str) -> str:
    """The content of a page margin box, its CSS escapes decoded."""
    content = re.search(rf"@{box}{{content:(\"[^\"]*\")", css).group(1)[1:-1]
    return re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m.group(1), 16)), content)


def test_the_same_input_gives_the_same_bytes_wherever_it_is_written(tmp_path):
    first = build_html(SEEDS, tmp_path / "a")
    again = build_html(SEEDS, tmp_path / "elsewhere" / "b")
    assert first.read_bytes() == again.read_bytes()


def test_letter_pages_and_the_marking_of_the_second_project(tmp_path):
    path = build_html(KESTREL, tmp_path / "o")
    root = page(path)
    css = root.find(".//style").text
    assert "@page{size:215.9mm 279.4mm;" in css
    assert [words(m) for m in root.xpath("//p[contains(@class, 'marking')]")] == ["RESTRICTED", "RESTRICTED"]
    assert _css_strings(css, "bottom-center") == "RESTRICTED"
    assert root.xpath("//header/p[contains(@class,'top')]") and root.xpath("//footer/p[contains(@class,'bottom')]")
    assert len(root.xpath("//aside[@role='doc-footnote']")) == len(t.walk_notes(
        document_for(load_project(KESTREL), "full", DAY)))


def test_the_logo_is_inline_and_a_bad_one_is_one_clear_error(tmp_path):
    from PIL import Image

    proj = tmp_path / "p"
    shutil.copytree(MINI, proj)
    (proj / "templates").mkdir()
    Image.new("RGB", (60, 20), (200, 30, 30)).save(proj / "logo.png")
    (proj / "templates" / "full.yaml").write_text(
        (ROOT / "templates" / "full.yaml").read_text() + "  logo: logo.png\n  accent: \"#0B6E4F\"\n")
    root = page(build_html(proj, tmp_path / "o"))
    [src] = root.xpath("//header//img[@class='logo']/@src")
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == (proj / "logo.png").read_bytes()
    assert "--accent:#0B6E4F;" in root.find(".//style").text
    (proj / "logo.png").write_text("not an image")
    r = run_cli("build", str(proj), "--format", "html", "--out", str(tmp_path / "o2"))
    assert r.code == 3
    assert r.err.strip().startswith("error: ") and "logo.png" in r.err and "neither PNG nor JPEG" in r.err, r.err
    assert not (tmp_path / "o2").exists() or not any((tmp_path / "o2").iterdir())


def _write(blocks: tuple[t.Block, ...], tmp_path: Path, **meta) -> lxml.html.HtmlElement:
    path = tmp_path / "x.html"
    writer.write(t.Document(t.Meta("Nodes", date="2026-01-01", **meta), blocks), writer.Options(), path)
    return page(path)


def test_every_kind_of_block_and_inline_has_its_element(tmp_path):
    note = t.Note((t.Para((t.Text("the note"),)),))
    blocks = (
        t.Para((t.Text("plain "), t.Emph((t.Text("em"),)), t.Strong((t.Text("strong"),)), t.Code("code"),
                t.LineBreak(), t.Link("https://example.org/a?b=1&c=2", (t.Text("web"),)))),
        t.Heading(1, (t.Text("Top"),), "top"),
        t.OrderedList(((t.Para((t.Text("three"),)),), (t.Para((t.Text("four"),)), t.BulletList(((t.Para((t.Text("in"),)),),)))), 3),
        t.BlockQuote((t.Para((t.Text("quoted"),)),)),
        t.CodeBlock("a < b\n  indented"),
        t.Rule(),
        t.PageBreak(),
        t.Heading(2, (t.Text("Sub"),), "sub"),
        t.Para((t.Link("#top", (t.Text("up"), note)), t.Link("javascript:alert(1)", (t.Text("not a link"),)))),
    )
    root = _write(blocks, tmp_path)
    assert [e.tag for e in root.find(".//main/div[@class='intro']/p")] == ["em", "strong", "code", "br", "a"]
    assert root.find(".//main//a[@href='https://example.org/a?b=1&c=2']") is not None
    ol = root.find(".//section/ol")
    assert ol.get("start") == "3" and ol.find("li/ul/li").text == "in"
    assert root.find(".//section/blockquote/p").text == "quoted"
    assert root.find(".//section/pre/code").text == "a < b\n  indented"
    assert root.find(".//section/hr") is not None and root.find(".//section/div[@class='page-break']") is not None
    assert root.find(".//section/h3").get("id") == "sub"
    # a note inside a link: its reference follows the link (a link cannot hold one)
    unit = root.find(".//section/div[@class='unit']")
    link = unit.find("p/a[@href='#top']")
    assert words(link) == "up" and link.getnext().get("role") == "doc-noteref"
    assert words(unit.find("div[@class='notes']/aside")) == "1 the note"
    assert "javascript" not in lxml.html.tostring(root).decode() and "not a link" in words(root)


def test_an_empty_document_is_still_a_whole_page(tmp_path):
    root = _write((), tmp_path, classification="")
    assert root.find(".//main") is not None and root.find(".//title").text == "Nodes"
    assert not root.xpath("//p[contains(@class, 'marking')]") and root.find(".//nav") is None
