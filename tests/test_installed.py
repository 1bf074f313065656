"""The analyst's-loop commands from a wheel installed outside the checkout: package data ships.

The wheel is built from this tree and installed into a folder of its own; the commands
run from another folder with that folder first on the path, so nothing of the checkout
(its `briefgen/data`, its tests) can stand in for what the wheel should hold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, TESTS


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    wheel = next((work / "dist").glob("briefgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "briefgen/data/likelihood.yaml" in names
    assert "briefgen/data/starter/judgments.yaml" in names
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(work / "site"), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return work


def briefgen(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(installed / "site"), "COLUMNS": "200"}
    env.pop("BRIEFGEN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_wheel_is_what_runs(installed: Path, tmp_path: Path):
    r = subprocess.run([sys.executable, "-c", "import briefgen; print(briefgen.__file__)"], cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(installed / "site")}, capture_output=True, text=True)
    assert Path(r.stdout.strip()).is_relative_to(installed / "site")


def test_validate_import_and_fix_from_the_wheel(installed: Path, tmp_path: Path):
    assert briefgen(installed, "init", "proj", cwd=tmp_path).returncode == 0
    proj = tmp_path / "proj"

    judgments = proj / "judgments.yaml"
    judgments.write_text(judgments.read_text(encoding="utf-8").replace(
        "is not yet corroborated.", "could slip."), encoding="utf-8")
    warned = briefgen(installed, "validate", "proj", cwd=tmp_path)
    assert warned.returncode == 0
    assert "'could' hedges without saying how likely" in warned.stderr  # the packaged scale was found

    imported = briefgen(installed, "import", "proj", str(TESTS / "data" / "exports" / "zotero.bib"), cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[-1] == "wrote proj/sources.yaml: 3 added, 0 changed"

    (proj / "texts").mkdir()
    (proj / "texts" / "press-release.txt").write_text(
        "Example Co launches the Widget line\n\nThe entry-level widget costs $99.\n", encoding="utf-8")
    claims = proj / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(
        '        quote: "The entry-level widget costs $99."\n        locator: para. 2\n',
        '        quote: "The entry-level widget costs $99."\n'), encoding="utf-8")
    fixed = briefgen(installed, "check", "proj", "--texts", "proj/texts", "--fix", cwd=tmp_path)
    assert "fixed proj/claims.yaml:19: cl-price-99 citation 1: added locator para. 2" in fixed.stdout.splitlines()
    assert '        quote: "The entry-level widget costs $99."\n        locator: para. 2\n' in claims.read_text(encoding="utf-8")
    assert briefgen(installed, "validate", "proj", cwd=tmp_path).returncode == 0
