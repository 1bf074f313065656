"""`briefgen watch --serve` in a real browser: Debian's Chromium opens the preview, the data
is edited, and the page reloads with the new text, under a Content Security Policy that
allows the reload script and nothing else. The written file stays script-free and equal
to what `briefgen build --format html` writes."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request

from selenium.webdriver.support.ui import WebDriverWait

from conftest import MINI, run_cli
from test_html_browser import browser  # noqa: F401 - the Chromium session of the HTML browser tests
from test_watch import WAIT_S, edit, watching  # noqa: F401 - the watcher subprocess fixture

PAGE = "mini-briefing-full.html"


def shown(driver) -> str:
    return " ".join(driver.execute_script("return document.body.innerText").split())


def until(driver, test) -> None:
    WebDriverWait(driver, WAIT_S, poll_frequency=0.1).until(lambda d: test(d))


def test_the_preview_reloads_with_each_rebuild_and_shows_a_failed_one(browser, tmp_path, watching):  # noqa: F811
    project = shutil.copytree(MINI, tmp_path / "p")
    w = watching("p", "--serve", "--port", "0", "--format", "html", "--out", "out", "--date", "2026-01-01",
                 cwd=tmp_path)
    url = re.search(r"http://127\.0\.0\.1:\d+/", w.expect("^serving the HTML briefing at ")).group()
    w.expect("built: wrote out/" + PAGE)
    browser.get(url)
    until(browser, lambda d: "Seven new models were launched" in shown(d))
    assert browser.execute_script("return document.scripts.length") == 1          # the reload script runs
    written = (tmp_path / "out" / PAGE).read_bytes()
    assert b"<script" not in written
    assert run_cli("build", "p", "--format", "html", "--out", "cold", "--date", "2026-01-01", cwd=tmp_path).code == 0
    assert written == (tmp_path / "cold" / PAGE).read_bytes()

    browser.execute_script("window.beforeTheEdit = true")
    claims = project / "claims.yaml"
    edit(claims, "Seven new models were launched.", "Eight new models were launched.")
    until(browser, lambda d: "Eight new models were launched" in shown(d))
    assert browser.execute_script("return window.beforeTheEdit") is None          # a new page, not a patched one

    edit(claims, "statement: Eight new models", "statment: Eight new models")
    until(browser, lambda d: d.execute_script("return !!document.getElementById('briefgen-problem')"))
    problem = browser.execute_script("return document.getElementById('briefgen-problem').textContent")
    assert problem.startswith("Not rebuilt; this is the last good briefing.")
    assert "claims[2].statment: unknown field 'statment' (did you mean 'statement'?)" in problem
    assert "Eight new models were launched" in shown(browser)

    edit(claims, "statment: Eight new models", "statement: Nine new models")
    until(browser, lambda d: "Nine new models were launched" in shown(d))
    assert browser.execute_script("return document.getElementById('briefgen-problem')") is None
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []   # no policy refused anything
    assert w.stop() == 0


def test_the_preview_has_its_own_policy_and_answers_only_this_computer(tmp_path, watching):  # noqa: F811
    shutil.copytree(MINI, tmp_path / "p")
    w = watching("p", "--serve", "--port", "0", "--format", "html", "--out", "out", cwd=tmp_path)
    url = re.search(r"http://127\.0\.0\.1:\d+/", w.expect("^serving")).group()
    w.expect("built")
    with urllib.request.urlopen(url, timeout=WAIT_S) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode("utf-8")
    nonce = re.search(r"script-src 'nonce-([\w-]+)'", policy).group(1)
    assert policy.startswith("default-src 'none'; ") and policy.endswith("; connect-src 'self'")
    assert f'content="{policy}"' in page and f'<script nonce="{nonce}">' in page
    with urllib.request.urlopen(url, timeout=WAIT_S) as response:   # a new nonce each time
        assert nonce not in response.headers["Content-Security-Policy"]
    rebound = urllib.request.Request(url, headers={"Host": "briefing.example.com"})
    try:
        urllib.request.urlopen(rebound, timeout=WAIT_S)
        raise AssertionError("a request for another host was answered")
    except urllib.error.HTTPError as exc:
        assert exc.code == 403
    assert w.stop() == 0
