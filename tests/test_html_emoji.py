"""Emoji in the HTML briefing are drawn, not boxes, where the reader's system has no emoji
font (the headless browser here has none): the page carries the shipped monochrome Noto
Emoji, cut to the emoji it uses, and a page without emoji carries nothing.

What the browser drew each element with comes from Chromium itself
(``CSS.getPlatformFontsForNode``: the fonts and how many glyphs each drew).
"""

from __future__ import annotations

import shutil

import pytest

from briefgen.build import BuildRequest, build
from conftest import SEEDS
from test_html_browser import browser, show  # noqa: F401 - the session's browser
from test_scripts import SCRIPTS


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("emoji")
    project = out / "project"
    shutil.copytree(SCRIPTS, project)   # with an emoji in an event's title, for the timeline's label
    events = project / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace('"เปิดโรงงานนำร่องที่ระยอง"', '"เปิดโรงงานนำร่องที่ระยอง 💧"'),
                      encoding="utf-8")
    [scripts] = build(BuildRequest(project, "full", ("html",), out / "scripts"))
    [seeds] = build(BuildRequest(SEEDS, "executive", ("html",), out / "seeds"))
    return {"scripts": scripts, "seeds": seeds}


def drawn_with(driver, selector: str, holding: str) -> dict[str, int]:
    """The fonts Chromium drew the element matching `selector` that holds `holding` with:
    family name to glyphs drawn, a font the page carries marked with a trailing '*'."""
    driver.execute_async_script("document.fonts.ready.then(arguments[0])")
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    for node in driver.execute_cdp_cmd("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
        if holding in driver.execute_cdp_cmd("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]:
            fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            return {f["familyName"] + ("*" if f["isCustomFont"] else ""): f["glyphCount"] for f in fonts}
    raise AssertionError(f"no {selector} holding {holding!r}")


def test_emoji_are_drawn_with_the_font_the_page_carries(browser, pages):  # noqa: F811
    show(browser, pages["scripts"], 1280)
    # a source's title: two emoji, two glyphs of the carried font, the words in the page's fonts
    fonts = drawn_with(browser, "li", "🚰🌞")
    assert fonts.pop("Noto Emoji*") == 2, fonts
    assert fonts and not any(name.endswith("*") for name in fonts), fonts
    # a note quoting that title (🚰🌞) and "5,000 m³ a day 👩‍🔬👍": the joined sequence (woman,
    # joiner, microscope) is one glyph, so four in all, not five
    fonts = drawn_with(browser, "aside.note p", "👩\u200d🔬👍")
    assert fonts.get("Noto Emoji*") == 4, fonts
    # the timeline's label, in its SVG's own fonts, and the emoji in the carried one
    fonts = drawn_with(browser, "svg text", "ระยอง 💧")
    assert fonts.pop("Noto Emoji*") == 1 and fonts, fonts


def test_the_font_is_cut_to_the_pages_emoji_and_only_a_page_with_emoji_has_it(pages):
    page = pages["scripts"].read_text(encoding="utf-8")
    rule = page[page.index("@font-face"):page.index("}", page.index("@font-face"))]
    assert len(rule) < 12_000, len(rule)                       # of the font's 870 kB
    assert "unicode-range:U+200D,U+1F31E,U+1F44D,U+1F469,U+1F4A7,U+1F52C,U+1F6B0" in rule, rule[-200:]
    assert "font-src data:" in page
    plain = pages["seeds"].read_text(encoding="utf-8")
    assert "@font-face" not in plain and "font-src" not in plain and "Brief Emoji" not in plain
