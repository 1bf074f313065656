"""briefgen installed as users install it: a wheel built from the sdist, in a fresh venv
outside the clone, run from another folder. Nothing may come from the checkout.

The sdist and wheel are built once per session (from a copy of the source, so the
checkout gets no build/ or egg-info), and one venv is shared by the tests here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import MINI, ROOT, SEEDS, TESTS, Result, tool

SKIP = shutil.ignore_patterns(".git", ".venv", "out", "build", "dist", "*.egg-info", "__pycache__",
                              "*.pyc", ".pytest_cache", ".hypothesis")


@pytest.fixture(scope="session")
def dists(tmp_path_factory) -> tuple[Path, Path]:
    """(sdist, wheel), the wheel built from the sdist as `python -m build` does."""
    src = tmp_path_factory.mktemp("source") / "briefgen"
    shutil.copytree(ROOT, src, ignore=SKIP)
    out = src.parent / "dist"
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return next(out.glob("*.tar.gz")), next(out.glob("*.whl"))


@pytest.fixture(scope="session")
def venv(dists, tmp_path_factory) -> Path:
    """A fresh virtual environment outside the clone with the wheel installed."""
    where = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True, timeout=300)
    proc = subprocess.run([str(where / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", str(dists[1])],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return where


def installed(venv: Path, *args: str, cwd: Path, env: dict | None = None) -> Result:
    """Run the installed `briefgen` in `cwd`, with nothing of the checkout on any path."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "VIRTUAL_ENV", "BRIEFGEN_DEBUG", "PYTHONHOME")}
    clean.update({"COLUMNS": "200", **(env or {})})
    proc = subprocess.run([str(venv / "bin" / "briefgen"), *args], cwd=cwd, env=clean,
                          capture_output=True, text=True, timeout=600)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def pdf_text(path: Path) -> str:
    return subprocess.run([tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def docx_text(path: Path) -> str:
    return subprocess.run([tool("pandoc"), "-f", "docx", "-t", "plain", "--wrap=none", str(path)],
                          capture_output=True, text=True, check=True).stdout


def shipped(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_wheel_carries_the_package_the_built_in_templates_fonts_and_starter(dists):
    with zipfile.ZipFile(dists[1]) as z:
        names = set(z.namelist())
    wanted = {f"briefgen/{p}" for p in shipped(ROOT / "briefgen")} | \
             {f"briefgen/templates/{p}" for p in shipped(ROOT / "templates")}
    missing = sorted(wanted - names)
    assert not missing, f"not in the wheel (list the package in pyproject.toml): {missing}"
    assert "briefgen/templates/_base.md.j2" in names and "briefgen/data/fonts/DejaVuSans.ttf" in names
    extra = sorted(n for n in names if not n.startswith(("briefgen/", "briefgen-")))
    assert not extra, f"the wheel holds more than the package: {extra}"
    # The fonts are most of it (about 9 MB, 4.6 MB compressed); a wheel much larger than
    # that has taken in something the project does not run on.
    assert dists[1].stat().st_size < 6_000_000, dists[1].stat().st_size


def test_sdist_carries_templates_where_the_project_keeps_them(dists):
    with tarfile.open(dists[0]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for folder in ("templates", "seeds", "briefgen/data/starter"):
        assert {f"{folder}/{p}" for p in shipped(ROOT / folder)} <= names, folder
    assert "templates/full.md.j2" in names and "scripts/test" in names


def test_installed_briefgen_is_not_the_checkout(venv, tmp_path):
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", "import briefgen; print(briefgen.__file__)"],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    where = Path(proc.stdout.strip())
    assert where.is_relative_to(venv) and not where.is_relative_to(ROOT)
    listing = installed(venv, "templates", "list", str(SEEDS), cwd=tmp_path)
    assert listing.code == 0, listing.err
    assert all(f"{name} " in listing.out for name in ("executive", "full", "investor", "technical"))


def test_init_then_build_all_from_the_installed_wheel(venv, tmp_path):
    r = installed(venv, "init", "x", cwd=tmp_path)
    assert r.code == 0, r.err
    assert installed(venv, "validate", "x", cwd=tmp_path).code == 0
    r = installed(venv, "build", "x", "--all", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "5 of 5 audiences built" in r.out
    out = tmp_path / "out"
    for audience in ("executive", "full", "investor", "team", "technical"):
        stem = out / f"example-co-a-new-product-line-{audience}"
        assert "Example Co: a new product line" in pdf_text(stem.with_suffix(".pdf")), audience
        assert "Example Co launches the Widget line" in docx_text(stem.with_suffix(".docx")), audience
    assert "In one sentence" in docx_text(out / "example-co-a-new-product-line-team.docx")
    r = installed(venv, "build", "x", "--sandbox", "--format", "pdf", "--out", "confined", cwd=tmp_path)
    assert r.code == 0, r.err  # the confined child finds the shipped files too
    assert "Example Co: a new product line" in pdf_text(tmp_path / "confined" / "example-co-a-new-product-line-full.pdf")


def test_the_seeds_validate_and_build_every_audience_in_every_format_from_the_installed_wheel(venv, tmp_path):
    shutil.copytree(SEEDS, tmp_path / "seeds")
    r = installed(venv, "validate", "seeds", cwd=tmp_path)
    assert r.code == 0 and r.out.startswith("seeds: OK: 5 sources"), r.out + r.err
    r = installed(venv, "build", "seeds", "--all", "--format", "docx,pdf,html", cwd=tmp_path)
    assert r.code == 0, r.err
    assert "4 of 4 audiences built" in r.out
    out = tmp_path / "out"
    for audience in ("executive", "full", "investor", "technical"):
        stem = out / f"alibaba-ai-briefing-{audience}"
        assert "Page 1 of" in pdf_text(stem.with_suffix(".pdf")), audience
        assert "Sources" in docx_text(stem.with_suffix(".docx")), audience
        page = stem.with_suffix(".html").read_text(encoding="utf-8")
        assert page.startswith("<!DOCTYPE html>") and "Alibaba" in page, audience
    text = pdf_text(out / "alibaba-ai-briefing-full.pdf")
    assert "Where sources disagree" in text
    assert "Claims register" in docx_text(out / "alibaba-ai-briefing-full.docx")
    assert "Where sources disagree" in (out / "alibaba-ai-briefing-full.html").read_text(encoding="utf-8")


def test_a_project_in_many_scripts_builds_its_pdf_with_the_shipped_noto_fonts(venv, tmp_path):
    shutil.copytree(TESTS / "data" / "scripts", tmp_path / "scripts")
    r = installed(venv, "build", "scripts", "--format", "pdf", cwd=tmp_path)
    assert r.code == 0, r.err
    pdf = tmp_path / "out" / "saffron-water-consortium-full.pdf"
    fonts = subprocess.run([tool("pdffonts"), str(pdf)], capture_output=True, text=True, check=True).stdout
    for face in ("NotoSansArabic", "NotoSansHebrew", "NotoSansDevanagari", "NotoSansThai", "NotoEmoji"):
        assert f"+{face}-" in fonts, (face, fonts)
    assert "Saffron Water Consortium" in pdf_text(pdf)
    check = subprocess.run([tool("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_seal_extra_installs_from_the_wheel_and_seals(venv, dists, tmp_path):
    from test_pdf_seal import make_cert

    key, cert = make_cert(tmp_path / "certs", passphrase=None)
    assert installed(venv, "init", "x", cwd=tmp_path).code == 0
    seal = ["build", "x", "--format", "pdf", "--seal", str(key), str(cert), "--out", "sealed"]
    # The wheel alone has no pyHanko: the build says what to install, and writes nothing.
    r = installed(venv, *seal, cwd=tmp_path)
    assert r.code == 2 and "pip install '.[seal]'" in r.err and not (tmp_path / "sealed").exists(), r.err
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                           f"{dists[1]}[seal]"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = installed(venv, *seal, cwd=tmp_path)
    assert r.code == 0, r.err
    sig = subprocess.run([tool("pdfsig"), str(tmp_path / "sealed" / "example-co-a-new-product-line-full.pdf")],
                         capture_output=True, text=True).stdout
    assert "Signature is Valid." in sig and "Total document signed" in sig, sig


def test_briefgen_runs_zipped_from_the_wheel_itself(venv, dists, tmp_path):
    # A zipped package has no folders on disk; its templates, fonts and starter are
    # copied out for the run and removed after it.
    env = {"PYTHONPATH": str(dists[1]), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "briefgen", "init", "z"], cwd=tmp_path,
                          env={**os.environ, **env}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "briefgen", "build", "z"],
                          cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "uno_layout.py" not in proc.stderr  # the contents' page numbers come from a script shipped inside
    judgments = tmp_path / "z" / "judgments.yaml"  # the likelihood scale is packaged data too
    judgments.write_text(judgments.read_text(encoding="utf-8").replace("is not yet corroborated.", "could slip."),
                         encoding="utf-8")
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "briefgen", "validate", "z"],
                          cwd=tmp_path, env={**os.environ, **env}, capture_output=True, text=True)
    assert proc.returncode == 0 and "'could' hedges without saying how likely" in proc.stderr, proc.stderr
    assert "Bottom line up front" in pdf_text(tmp_path / "out" / "example-co-a-new-product-line-full.pdf")
    assert "Bottom line up front" in docx_text(tmp_path / "out" / "example-co-a-new-product-line-full.docx")
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_installation_without_its_templates_says_so_and_builds_nothing(venv, tmp_path):
    site = next((venv / "lib").glob("python3*/site-packages"))
    broken = tmp_path / "broken"
    shutil.copytree(site / "briefgen", broken / "briefgen", ignore=shutil.ignore_patterns("templates"))
    r = installed(venv, "init", "x", cwd=tmp_path)
    assert r.code == 0, r.err
    for args in (["build", "x", "--all"], ["build", "x"], ["templates", "list", "x"]):
        r = installed(venv, *args, cwd=tmp_path, env={"PYTHONPATH": str(broken)})
        assert r.code == 3, (args, r.out, r.err)
        assert "error: briefgen's built-in templates are missing" in r.err and "Traceback" not in r.err
        assert "reinstall" in r.err
    assert not (tmp_path / "out").exists()


def test_build_all_that_finds_or_builds_no_audience_is_an_error(venv, tmp_path):
    # An installation whose templates folder holds the shared parts but no audience.
    site = next((venv / "lib").glob("python3*/site-packages"))
    partial = tmp_path / "partial"
    shutil.copytree(site / "briefgen", partial / "briefgen",
                    ignore=lambda folder, names: [n for n in names if folder.endswith("templates")
                                                  and n.endswith((".md.j2", ".yaml")) and not n.startswith("_")])
    assert (partial / "briefgen" / "templates" / "_base.md.j2").is_file()
    env = {"PYTHONPATH": str(partial)}
    shutil.copytree(MINI, tmp_path / "mini")
    r = installed(venv, "build", "mini", "--all", cwd=tmp_path, env=env)
    assert (r.code, r.err.strip()) == (3, "error: mini: no audience to build "
                                          "(`briefgen templates list` shows where audiences are looked for)")
    assert installed(venv, "init", "x", cwd=tmp_path).code == 0  # its own audience extends a missing built-in
    r = installed(venv, "build", "x", "--all", cwd=tmp_path, env=env)
    assert r.code == 3 and "0 of 1 audiences built" in r.out and "template not found" in r.err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
