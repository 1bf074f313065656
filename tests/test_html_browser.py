"""The HTML briefing in a real browser: Debian's Chromium driven by Selenium (one browser
for the whole run), axe-core for accessibility, the Nu Html Checker for validity.

Pages: the seeds' full and executive briefings and the second project's full one, each
looked at 390 px wide (a phone) and 1280 px wide (a laptop). Full-page screenshots are
written to $BRIEFGEN_SCREENSHOTS (default: this run's temporary folder) to be looked at,
with what printing two of them gives.
`scripts/test` installs Chromium, ChromeDriver, Java, axe-core and vnu.jar.
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from briefgen.build import BuildRequest, build
from conftest import ROOT, SEEDS, tool
from test_hostile_text import HOSTILE, hostile_project
from test_html_writer import DAY, KESTREL, SCRIPTED

NODE_MODULES = ROOT / ".venv" / "node" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
WIDTHS = (390, 1280)
PAGES = {"seeds-full": (SEEDS, "full"), "seeds-executive": (SEEDS, "executive"), "kestrel-full": (KESTREL, "full")}


def installed(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"{path} is missing; scripts/test installs it (npm packages axe-core and vnu-jar)")
    return path


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = tool("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="briefgen-chromium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(tool("chromedriver")))
    driver.set_script_timeout(120)
    yield driver
    driver.quit()
    profile.cleanup()


@pytest.fixture(scope="session")
def pages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pages")
    built = {}
    for name, (project, audience) in PAGES.items():
        [built[name]] = build(BuildRequest(project, audience, ("html",), out, DAY))
    return built


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("BRIEFGEN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def show(driver, path: Path, width: int) -> None:
    """Open `path` in a viewport `width` CSS pixels wide (a phone's below 500)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 500})
    driver.get(path.as_uri())
    driver.get_log("browser")  # start each page with an empty console


def box(driver, selector: str) -> dict:
    return driver.execute_script(
        "const r = document.querySelector(arguments[0]).getBoundingClientRect();"
        "return {left: r.left, right: r.right, top: r.top + scrollY, bottom: r.bottom + scrollY};", selector)


# --- looked at -----------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_the_screen_and_is_photographed(browser, pages, shots, name, width):
    from PIL import Image

    show(browser, pages[name], width)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width   # no sideways scrolling
    height = browser.execute_script("return document.documentElement.scrollHeight")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    png = base64.b64decode(shot["data"])
    (shots / f"{name}-{width}.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.size == (width, height)
    assert len(image.convert("RGB").resize((64, 64)).getcolors(4096)) > 20   # not blank
    # the title is shown large, the first section's heading below it
    assert box(browser, "h1")["bottom"] < box(browser, "main section h2")["top"]


@pytest.mark.parametrize("name", PAGES)
def test_notes_sit_beside_their_block_on_a_wide_screen_and_below_the_section_on_a_narrow_one(browser, pages, name):
    show(browser, pages[name], 1280)
    ref, note = box(browser, 'a[id="fnref:1"]'), box(browser, 'aside[id="fn:1"]')
    assert note["left"] > ref["right"] and note["top"] < ref["bottom"] + 400   # in the margin, level with it
    show(browser, pages[name], 390)
    below = browser.execute_script("""
        const note = document.getElementById('fn:1'), section = note.closest('section, .intro');
        const text = [...section.querySelectorAll(':scope > *:not(.unit), :scope > .unit > *:not(.notes)')];
        const last = Math.max(...text.map(e => e.getBoundingClientRect().bottom));
        return [note.getBoundingClientRect().top, last];""")
    assert below[0] >= below[1]


# --- notes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_every_note_reference_resolves_to_its_note_and_back(browser, pages, name):
    show(browser, pages[name], 1280)
    checked = browser.execute_script("""
        const bad = [], refs = [...document.querySelectorAll('a[role="doc-noteref"]')];
        refs.forEach((ref, i) => {
          const note = document.getElementById(decodeURIComponent(ref.hash.slice(1)));
          const back = note && note.querySelector('a[role="doc-backlink"]');
          const home = back && document.getElementById(decodeURIComponent(back.hash.slice(1)));
          if (!note || note.getAttribute('role') !== 'doc-footnote' || home !== ref || ref.textContent !== String(i + 1))
            bad.push(ref.id);
        });
        return [refs.length, document.querySelectorAll('[role="doc-footnote"]').length, bad];""")
    count, notes, bad = checked
    assert count == notes > 5 and bad == []


@pytest.mark.parametrize("width", WIDTHS)
def test_clicking_a_reference_shows_its_note_and_its_number_comes_back(browser, pages, width):
    from selenium.webdriver.common.by import By

    show(browser, pages["kestrel-full"], width)
    refs = browser.find_elements(By.CSS_SELECTOR, 'a[role="doc-noteref"]')
    for ref in (refs[0], refs[len(refs) // 2], refs[-1]):
        n = ref.text
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", ref)
        ref.click()
        assert browser.execute_script("return location.hash") == f"#fn:{n}"
        assert _in_view(browser, f'aside[id="fn:{n}"]')
        browser.find_element(By.CSS_SELECTOR, f'aside[id="fn:{n}"] a[role="doc-backlink"]').click()
        assert browser.execute_script("return location.hash") == f"#fnref:{n}"
        assert _in_view(browser, f'a[id="fnref:{n}"]')


def _in_view(driver, selector: str) -> bool:
    """Whether the element is on screen and not under the fixed marking banner."""
    return driver.execute_script("""
        const r = document.querySelector(arguments[0]).getBoundingClientRect();
        const banner = document.querySelector('.marking.top');
        const top = banner ? banner.getBoundingClientRect().bottom : 0;
        return r.top >= top - 1 && r.top < innerHeight;""", selector)


# --- accessibility, requests, hostile text, print, validity -----------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violations(browser, pages, name, width):
    show(browser, pages[name], width)
    browser.execute_script(installed(AXE).read_text(encoding="utf-8"))
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
          .then(r => done([r.passes.length, r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                  nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))]))
          .catch(e => done([0, [{id: 'axe failed', impact: 'critical', help: String(e), nodes: []}]]));""")
    passed, result = result
    assert passed > 20   # the rules that applied and held
    grave = [v for v in result if v["impact"] in ("serious", "critical")]
    assert grave == [], json.dumps(grave, indent=1)
    assert result == [], json.dumps(result, indent=1)   # nor any lesser one, today


@pytest.mark.parametrize("name", PAGES)
def test_the_page_asks_for_nothing_and_logs_nothing(browser, pages, name):
    show(browser, pages[name], 1280)
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert browser.get_log("browser") == []


@pytest.mark.parametrize("name", ["markup", "scripted"])
def test_hostile_text_is_shown_literally_in_the_browser(browser, tmp_path, name):
    text = HOSTILE.get(name, SCRIPTED)
    [path] = build(BuildRequest(hostile_project(tmp_path / "p", text), "full", ("html",), tmp_path / "o", DAY))
    show(browser, path, 1280)
    found = browser.execute_script("""
        return [document.title, document.querySelectorAll('script, b, img, [onerror]').length,
                document.body.innerText];""")
    title, elements, shown = found
    assert title == "Mini briefing" and elements == 0
    assert shown.count(" ".join(text.split())) >= 10
    assert browser.get_log("browser") == []


@pytest.mark.parametrize("name, size, marking", [("seeds-full", (595.28, 841.89), ""),
                                                 ("kestrel-full", (612.0, 792.0), "RESTRICTED")])
def test_printing_gives_the_briefing_s_pages_with_its_running_marking(browser, pages, shots, name, size, marking):
    from pypdf import PdfReader

    show(browser, pages[name], 1280)
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True,
                                                                      "printBackground": True})["data"])
    path = shots / f"{name}-printed.pdf"   # to be looked at, beside the screenshots
    path.write_bytes(pdf)
    reader = PdfReader(path)
    total = len(reader.pages)
    assert total > 2
    for number, page in enumerate(reader.pages, 1):
        # Chromium rounds the page to whole points
        assert [float(page.mediabox.width), float(page.mediabox.height)] == pytest.approx(size, abs=1)
        text = subprocess.run([tool("pdftotext"), "-f", str(number), "-l", str(number), "-layout", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert f"Page {number} of {total}" in text
        assert text.count(marking) >= 2 if marking else True   # at the top and the bottom of every page
        assert "Skip to the briefing" not in text
    first = subprocess.run([tool("pdftotext"), "-l", "3", str(path), "-"], capture_output=True, text=True).stdout
    assert "Contents" in first


def test_every_page_is_valid_html(pages, tmp_path):
    hostile = [build(BuildRequest(hostile_project(tmp_path / n, HOSTILE.get(n, SCRIPTED)), "full", ("html",),
                                  tmp_path / f"o-{n}", DAY))[0] for n in ("markup", "cjk", "scripted")]
    files = [str(p) for p in [*pages.values(), *hostile]]
    proc = subprocess.run([tool("java"), "-jar", str(installed(VNU)), "--format", "json", "--also-check-svg", *files],
                          capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr or '{"messages": []}')["messages"]
    assert messages == [], json.dumps(messages[:10], indent=1)
    assert proc.returncode == 0


# --- right to left ----------------------------------------------------------------------------


def test_right_to_left_text_is_laid_out_right_to_left_and_isolated_values_keep_their_place(browser, tmp_path):
    from briefgen import tree as t
    from briefgen.writers import html as html_writer

    arabic = "أعلن الكونسورتيوم عن خطة بقيمة US$ 53 billion."
    note = t.Note((t.Para((t.Text("\u2068صحيفة الساحل\u2069, “\u2068الكونسورتيوم يعلن خطة\u2069”, 12 January 2026."),)),))
    blocks = (t.Heading(1, (t.Text("Section"),), "s"),
              t.Para((t.Text(arabic), note)),
              t.Para((t.Text("An English paragraph, wide enough to fill most of the line it is set on."),)),
              t.BulletList(((t.Para((t.Text("חתימה על הסכם עם Mekorot Labs"),)),), (t.Para((t.Text("An item"),)),))),
              t.Table(((t.Text("Date"),), (t.Text("Event"),)),
                      (((t.Text("12 January 2026"),), (t.Text("إعلان خطة التحلية"),)),), ("", "")))
    path = tmp_path / "rtl.html"
    html_writer.write(t.Document(t.Meta(title="Right to left", date="2026-03-01"), blocks), html_writer.Options(), path)
    show(browser, path, 1280)
    seen = browser.execute_script("""
        const text = (el) => { const r = document.createRange(); r.selectNodeContents(el);
                               const b = r.getBoundingClientRect(); return {left: b.left, right: b.right}; };
        const content = (el) => { const b = el.getBoundingClientRect(), s = getComputedStyle(el);
                                  return {left: b.left + parseFloat(s.paddingLeft), right: b.right - parseFloat(s.paddingRight)}; };
        const info = (el) => ({dir: getComputedStyle(el).direction, text: text(el), box: content(el)});
        const ps = [...document.querySelectorAll('main p')];
        const ar = ps.find(p => p.textContent.includes('الكونسورتيوم عن')), en = ps.find(p => p.textContent.startsWith('An English'));
        const lis = [...document.querySelectorAll('main li')];
        const cell = [...document.querySelectorAll('td')].find(td => td.textContent.includes('التحلية'));
        const noteP = document.querySelector('aside.note p');
        const bdi = noteP.querySelector('bdi'), date = [...noteP.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('January'));
        const r = document.createRange(); r.selectNodeContents(date);
        return {ar: info(ar), en: info(en), li: lis.map(info), marker: lis.map(li => li.getBoundingClientRect()),
                cell: info(cell), note: info(noteP), bdi: bdi.getClientRects()[bdi.getClientRects().length - 1],
                date: r.getClientRects()[0]};""")
    # the Arabic paragraph right to left, flush right; the English one flush left
    assert seen["ar"]["dir"] == "rtl" and abs(seen["ar"]["text"]["right"] - seen["ar"]["box"]["right"]) < 2, seen["ar"]
    assert seen["ar"]["text"]["left"] - seen["ar"]["box"]["left"] > 100, seen["ar"]
    assert seen["en"]["dir"] == "ltr" and abs(seen["en"]["text"]["left"] - seen["en"]["box"]["left"]) < 2
    # a Hebrew list item and an Arabic cell too; the English item stays left to right
    assert [li["dir"] for li in seen["li"]] == ["rtl", "ltr"]
    assert abs(seen["li"][0]["text"]["right"] - seen["li"][0]["box"]["right"]) < 2
    assert seen["cell"]["dir"] == "rtl" and abs(seen["cell"]["text"]["right"] - seen["cell"]["box"]["right"]) < 2
    # the note is the template's English sentence: left to right, the date after the isolated title
    bdi, date = seen["bdi"], seen["date"]
    assert seen["note"]["dir"] == "ltr"
    assert date["top"] > bdi["bottom"] - 2 or date["left"] >= bdi["right"] - 1, (bdi, date)   # after it, or below
